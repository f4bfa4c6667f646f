#define _GNU_SOURCE
#include "cpostern.h"
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Between fork and exec only async-signal-safe calls: the parent is multithreaded. */
static void child_fail(int errpipe, int err) {
    (void)!write(errpipe, &err, sizeof err);
    _exit(127);
}

pid_t postern_spawn(const postern_spawn_spec *s, int *err_out) {
    int errpipe[2];
    if (pipe2(errpipe, O_CLOEXEC) != 0) { *err_out = errno; return -1; }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) { *err_out = errno; close(errpipe[0]); close(errpipe[1]); return -1; }
    if (pid == 0) {
        close(errpipe[0]);
        /* The supervisor's death ends every child. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) child_fail(errpipe[1], errno);
        if (getppid() != parent) _exit(0);

        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
        signal(SIGPIPE, SIG_DFL);

        /* Move the descriptors above the target range first, so no dup2 clobbers a source. */
        int base = 3 + s->nfds + 1;
        if (errpipe[1] < base) {
            int moved = fcntl(errpipe[1], F_DUPFD_CLOEXEC, base + s->nfds);
            if (moved < 0) child_fail(errpipe[1], errno);
            errpipe[1] = moved;
        }
        int tmp[64];
        if (s->nfds > 64) child_fail(errpipe[1], EINVAL);
        for (int i = 0; i < s->nfds; i++) {
            tmp[i] = fcntl(s->fds[i], F_DUPFD_CLOEXEC, base);
            if (tmp[i] < 0) child_fail(errpipe[1], errno);
        }
        int stdio = -1;
        if (s->stdio_fd > 2) {
            stdio = fcntl(s->stdio_fd, F_DUPFD_CLOEXEC, base);
            if (stdio < 0) child_fail(errpipe[1], errno);
        }
        for (int i = 0; i < s->nfds; i++) {
            if (dup2(tmp[i], 3 + i) < 0) child_fail(errpipe[1], errno);
        }
        if (stdio >= 0 && (dup2(stdio, 1) < 0 || dup2(stdio, 2) < 0)) child_fail(errpipe[1], errno);
        /* Everything else closes at exec. */
        syscall(SYS_close_range, (unsigned)(3 + s->nfds), ~0U, CLOSE_RANGE_CLOEXEC);

        if (s->change_user) {
            gid_t groups[1] = { s->gid };
            if (setgroups(1, groups) != 0) child_fail(errpipe[1], errno);
            if (setresgid(s->gid, s->gid, s->gid) != 0) child_fail(errpipe[1], errno);
            for (int cap = 0; cap <= 63; cap++) {
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL) child_fail(errpipe[1], errno);
            }
            if (setresuid(s->uid, s->uid, s->uid) != 0) child_fail(errpipe[1], errno);
        }
        /* Ambient capabilities would survive exec; clear them for every child. */
        prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) child_fail(errpipe[1], errno);

        execve(s->path, s->argv, s->envp);
        child_fail(errpipe[1], errno);
    }
    close(errpipe[1]);
    int childerr = 0;
    ssize_t n;
    do { n = read(errpipe[0], &childerr, sizeof childerr); } while (n < 0 && errno == EINTR);
    close(errpipe[0]);
    if (n == (ssize_t)sizeof childerr) {
        *err_out = childerr;
        /* The child exits by itself; the caller's reaper collects it. */
        return -1;
    }
    return pid;
}
