/*
 * What Swift cannot call directly: fork+exec with a privilege drop between them, descriptor
 * passing with SCM_RIGHTS (the CMSG_* macros), splice(2), prctl(2) (variadic) and crypt(3).
 */
#ifndef POSTERN_CPOSTERN_H
#define POSTERN_CPOSTERN_H
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
/* For PosternIO's epoll loop: Swift's Glibc module does not carry these headers. */
#include <sys/epoll.h>
#include <sys/eventfd.h>

/* A child to start. fds[i] becomes descriptor 3+i in the child; every other descriptor above 2
 * is closed at exec. With change_user set, the child takes uid/gid (and only that group), drops
 * every capability from its bounding and ambient sets, and cannot regain privileges. */
typedef struct {
    const char *path;
    char *const *argv;
    char *const *envp;
    const int *fds;
    int nfds;
    int change_user;
    uid_t uid;
    gid_t gid;
    /* Above 2: becomes the child's standard output and error (its own journal stream); otherwise
     * the child inherits the caller's. */
    int stdio_fd;
} postern_spawn_spec;

/* Returns the child's pid, or -1 with *err_out set to the errno of the step that failed
 * (fork, or in the child: dup2, setgroups, setresgid, setresuid, prctl, execve). */
pid_t postern_spawn(const postern_spawn_spec *spec, int *err_out);

/* Sends one record with at most one descriptor (fd < 0: none). Returns bytes sent or -1 (errno). */
ssize_t postern_send_record(int sock, const void *buf, size_t len, int fd, int dontwait);

/* Receives one record. *fd_out is the descriptor it carried or -1; extra descriptors are closed.
 * *truncated is set when the record or its control data did not fit (the caller drops the peer).
 * Returns bytes received, 0 on EOF, -1 on error (errno). */
ssize_t postern_recv_record(int sock, void *buf, size_t cap, int *fd_out, int *truncated, int dontwait);

int postern_prctl(int option, unsigned long arg2, unsigned long arg3);
int postern_set_no_new_privs(void);
int postern_set_dumpable(int on);
int postern_capbset_read(int cap);
int postern_capbset_drop(int cap);
int postern_ambient_clear(void);

ssize_t postern_splice(int fd_in, int fd_out, size_t len, int more);
/* A non-blocking, close-on-exec pipe for splice. Returns 0 or -1. */
int postern_pipe_nonblocking(int fds[2]);

/* Resolves host and connects to port within timeout_ms; blocking, so call it off any event loop.
 * Returns a non-blocking, close-on-exec TCP socket with TCP_NODELAY, or -1 with *err_out set. */
int postern_connect_tcp(const char *host, uint16_t port, int timeout_ms, int *err_out);

/* A non-blocking, close-on-exec UDP socket connected to host:port (a RADIUS server), or -1. */
int postern_connect_udp(const char *host, uint16_t port, int *err_out);
/* Another such socket (a new source port) connected to the peer of `fd`, with no name lookup:
   more RADIUS identifiers towards the same server. Returns the descriptor or -1. */
int postern_connect_udp_like(int fd, int *err_out);
/* The local address of a socket as text (for NAS-IP-Address). Returns 0 or -1. */
int postern_local_address(int fd, char *out, size_t outlen);

/* 1 when password matches the crypt(3) hash, 0 when not, -1 when the hash is unusable. */
int postern_crypt_verify(const char *password, const char *hash);
/* Writes a new hash of password with a fresh salt for prefix ("$y$" yescrypt, "$6$" sha512-crypt).
 * Returns 0 or -1 (errno). */
int postern_crypt_hash(const char *password, const char *prefix, char *out, size_t outlen);

/* The peer's credentials of a Unix socket. Returns 0 or -1. */
int postern_peer_credentials(int sock, pid_t *pid, uid_t *uid, gid_t *gid);
int postern_peer_groups(int sock, gid_t *groups, int capacity, int *needed);

/* Fills buf from the kernel's random source. Returns 0 or -1. */
int postern_random_bytes(void *buf, size_t len);

/* Debug mode of the seccomp filter: a SIGSYS handler that logs the call's name and the role to
 * standard error and makes the call fail with ENOSYS. Returns 0 or -1. */
int postern_seccomp_trap_logger(const char *role);
/* libseccomp's pseudo filter code for a filter context, as a malloc'd string. */
const char *postern_seccomp_export_pfc(void *context);

/* Test builds only: on SIGUSR2, attempt a system call no role's policy allows. */
int postern_install_test_violation_trigger(void);
/* Test hook: SIGUSR1 raises a flag; postern_take_test_usr1_flag returns and clears it. */
int postern_install_test_usr1_flag(void);
/* malloc_trim(0): whole free pages inside the heap go back to the system. */
int postern_release_free_memory(void);
int postern_take_test_usr1_flag(void);

/* Best-effort wipe that the compiler will not remove. */
void postern_explicit_bzero(void *p, size_t n);
#endif
