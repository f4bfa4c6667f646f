#define _GNU_SOURCE
#include "cpostern.h"
#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#define POSTERN_MAX_SYSCALL 512
static const char *syscall_names[POSTERN_MAX_SYSCALL];
static char role_name[32];
/* Each call is logged once: a loop that keeps retrying would otherwise flood the log. */
static volatile unsigned char already_logged[POSTERN_MAX_SYSCALL];

/* Async-signal-safe: only write(2) and plain memory. */
static size_t append(char *buf, size_t at, size_t cap, const char *s) {
    while (*s && at < cap) buf[at++] = *s++;
    return at;
}

static size_t append_hex(char *buf, size_t at, size_t cap, unsigned long v) {
    char digits[24];
    int n = 0;
    do { digits[n++] = "0123456789abcdef"[v % 16]; v /= 16; } while (v > 0 && n < 23);
    at = append(buf, at, cap, "0x");
    while (n > 0 && at < cap) buf[at++] = digits[--n];
    return at;
}

static size_t append_int(char *buf, size_t at, size_t cap, long v) {
    char digits[24];
    int n = 0;
    if (v < 0) { if (at < cap) buf[at++] = '-'; v = -v; }
    do { digits[n++] = (char)('0' + v % 10); v /= 10; } while (v > 0 && n < 23);
    while (n > 0 && at < cap) buf[at++] = digits[--n];
    return at;
}

static void sigsys_logger(int sig, siginfo_t *info, void *context) {
    (void)sig;
    int saved = errno;
    int nr = info->si_syscall;
    const char *name = (nr >= 0 && nr < POSTERN_MAX_SYSCALL && syscall_names[nr]) ? syscall_names[nr] : "unknown";
    int first = !(nr >= 0 && nr < POSTERN_MAX_SYSCALL && already_logged[nr]);
    if (nr >= 0 && nr < POSTERN_MAX_SYSCALL) already_logged[nr] = 1;
    char line[256];
    size_t n = 0;
    n = append(line, n, sizeof line, "role=");
    n = append(line, n, sizeof line, role_name);
    n = append(line, n, sizeof line, " pid=");
    n = append_int(line, n, sizeof line, (long)getpid());
    n = append(line, n, sizeof line, " event=seccomp-violation syscall=");
    n = append(line, n, sizeof line, name);
    n = append(line, n, sizeof line, " number=");
    n = append_int(line, n, sizeof line, nr);
    ucontext_t *uc = (ucontext_t *)context;
#if defined(__x86_64__)
    /* The first two arguments tell most calls apart (an ioctl's request, a prctl's option). */
    n = append(line, n, sizeof line, " arg0=");
    n = append_hex(line, n, sizeof line, (unsigned long)uc->uc_mcontext.gregs[REG_RDI]);
    n = append(line, n, sizeof line, " arg1=");
    n = append_hex(line, n, sizeof line, (unsigned long)uc->uc_mcontext.gregs[REG_RSI]);
#endif
    n = append(line, n, sizeof line, " action=logged-and-failed\n");
    if (first) (void)!write(2, line, n);
    /* The call did not run; it returns ENOSYS to its caller. */
#if defined(__x86_64__)
    uc->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
#elif defined(__aarch64__)
    uc->uc_mcontext.regs[0] = (unsigned long)-ENOSYS;
#endif
    errno = saved;
}

int postern_seccomp_trap_logger(const char *role) {
    strncpy(role_name, role, sizeof role_name - 1);
    for (int nr = 0; nr < POSTERN_MAX_SYSCALL; nr++) {
        /* Resolved now: the handler may not allocate. The names live as long as the process. */
        syscall_names[nr] = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
    }
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = sigsys_logger;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&action.sa_mask);
    return sigaction(SIGSYS, &action, NULL);
}

const char *postern_seccomp_export_pfc(void *context) {
    int fd = memfd_create("postern-pfc", MFD_CLOEXEC);
    if (fd < 0) return strdup("(cannot export: memfd_create failed)\n");
    if (seccomp_export_pfc((scmp_filter_ctx)context, fd) != 0) { close(fd); return strdup("(cannot export)\n"); }
    off_t size = lseek(fd, 0, SEEK_END);
    char *text = calloc(1, (size_t)size + 1);
    if (text != NULL && size > 0) (void)!pread(fd, text, (size_t)size, 0);
    close(fd);
    return text;
}

#include <sys/syscall.h>
#include <sys/mman.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
/* Test builds only: SIGUSR2 makes the process try a call outside its role's policy, so the tests
 * can watch the filter kill it. Which call, POSTERN_TEST_FORBIDDEN says (read once, when the
 * handler is installed; a handler may not call getenv): unset, personality(2) as a harmless
 * query, outside every policy; "open-write", opening a file for writing (O_WRONLY|O_CREAT, no
 * O_TRUNC) under /tmp; "bind", binding a TCP socket to 127.0.0.1 port 0; "mmap-exec", an
 * anonymous executable mapping. Raw system calls, so what reaches the filter is exactly that. */
enum { FORBID_PERSONALITY, FORBID_OPEN_WRITE, FORBID_BIND, FORBID_MMAP_EXEC };
static int forbidden_kind = FORBID_PERSONALITY;

static void forbidden_call(int sig) {
    (void)sig;
    switch (forbidden_kind) {
    case FORBID_OPEN_WRITE:
        syscall(SYS_openat, AT_FDCWD, "/tmp/postern-test-forbidden-write", O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
        break;
    case FORBID_BIND: {
        long fd = syscall(SYS_socket, AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in address;
        memset(&address, 0, sizeof address);
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        syscall(SYS_bind, fd, &address, sizeof address);
        break;
    }
    case FORBID_MMAP_EXEC:
        syscall(SYS_mmap, NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        break;
    default:
        syscall(SYS_personality, 0xffffffffUL);
    }
}

int postern_install_test_violation_trigger(void) {
    const char *kind = getenv("POSTERN_TEST_FORBIDDEN");
    if (kind != NULL && strcmp(kind, "open-write") == 0) forbidden_kind = FORBID_OPEN_WRITE;
    else if (kind != NULL && strcmp(kind, "bind") == 0) forbidden_kind = FORBID_BIND;
    else if (kind != NULL && strcmp(kind, "mmap-exec") == 0) forbidden_kind = FORBID_MMAP_EXEC;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = forbidden_call;
    sigemptyset(&action.sa_mask);
    return sigaction(SIGUSR2, &action, NULL);
}

/* Test hook: SIGUSR1 only raises a flag, which the role polls; a signal handler may do no more. */
static volatile sig_atomic_t test_usr1_raised;

static void raise_test_flag(int signal) {
    (void)signal;
    test_usr1_raised = 1;
}

int postern_install_test_usr1_flag(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = raise_test_flag;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    return sigaction(SIGUSR1, &action, NULL);
}

int postern_take_test_usr1_flag(void) {
    if (!test_usr1_raised) return 0;
    test_usr1_raised = 0;
    return 1;
}
