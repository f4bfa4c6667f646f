#define _GNU_SOURCE
#include "cpostern.h"
#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

int postern_prctl(int option, unsigned long arg2, unsigned long arg3) {
    return prctl(option, arg2, arg3, 0, 0);
}

ssize_t postern_splice(int fd_in, int fd_out, size_t len, int more) {
    return splice(fd_in, NULL, fd_out, NULL, len, SPLICE_F_NONBLOCK | SPLICE_F_MOVE | (more ? SPLICE_F_MORE : 0));
}

void postern_explicit_bzero(void *p, size_t n) { explicit_bzero(p, n); }

int postern_crypt_verify(const char *password, const char *hash) {
    struct crypt_data *data = calloc(1, sizeof *data);
    if (data == NULL) return -1;
    const char *out = crypt_rn(password, hash, data, sizeof *data);
    int result;
    if (out == NULL || out[0] == '*') {
        result = -1;
    } else {
        size_t a = strlen(out), b = strlen(hash);
        /* Compare in time independent of where the first difference is. */
        unsigned char diff = (unsigned char)(a != b);
        size_t n = a < b ? a : b;
        for (size_t i = 0; i < n; i++) diff |= (unsigned char)(out[i] ^ hash[i]);
        result = diff == 0 ? 1 : 0;
    }
    explicit_bzero(data, sizeof *data);
    free(data);
    return result;
}

int postern_crypt_hash(const char *password, const char *prefix, char *out, size_t outlen) {
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    if (crypt_gensalt_rn(prefix, 0, NULL, 0, salt, sizeof salt) == NULL) return -1;
    struct crypt_data *data = calloc(1, sizeof *data);
    if (data == NULL) return -1;
    const char *h = crypt_rn(password, salt, data, sizeof *data);
    int rc = -1;
    if (h != NULL && h[0] != '*' && strlen(h) < outlen) {
        strcpy(out, h);
        rc = 0;
    } else {
        errno = EINVAL;
    }
    explicit_bzero(data, sizeof *data);
    free(data);
    return rc;
}

#include <sys/random.h>
int postern_random_bytes(void *buf, size_t len) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = getrandom((char *)buf + done, len - done, 0);
        if (n < 0) { if (errno == EINTR) continue; return -1; }
        done += (size_t)n;
    }
    return 0;
}

int postern_set_no_new_privs(void) { return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); }
int postern_set_dumpable(int on) { return prctl(PR_SET_DUMPABLE, on, 0, 0, 0); }
int postern_capbset_read(int cap) { return prctl(PR_CAPBSET_READ, cap, 0, 0, 0); }
int postern_capbset_drop(int cap) { return prctl(PR_CAPBSET_DROP, cap, 0, 0, 0); }
int postern_ambient_clear(void) { return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); }

int postern_pipe_nonblocking(int fds[2]) { return pipe2(fds, O_NONBLOCK | O_CLOEXEC); }

#include <malloc.h>

int postern_release_free_memory(void) {
    return malloc_trim(0);
}
