#define _GNU_SOURCE
#include "cpostern.h"
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int postern_connect_tcp(const char *host, uint16_t port, int timeout_ms, int *err_out) {
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)port);
    struct addrinfo hints, *list = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG | AI_NUMERICSERV;
    int rc = getaddrinfo(host, service, &hints, &list);
    if (rc != 0) {
        *err_out = rc == EAI_SYSTEM ? errno : EHOSTUNREACH;
        return -1;
    }
    long deadline = now_ms() + timeout_ms;
    int last = ETIMEDOUT;
    for (struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) { last = errno; continue; }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) { freeaddrinfo(list); return fd; }
        if (errno != EINPROGRESS) { last = errno; close(fd); continue; }
        for (;;) {
            long left = deadline - now_ms();
            if (left <= 0) { last = ETIMEDOUT; break; }
            struct pollfd p = { .fd = fd, .events = POLLOUT };
            int n = poll(&p, 1, (int)left);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) { last = n == 0 ? ETIMEDOUT : errno; break; }
            int soerr = 0;
            socklen_t len = sizeof soerr;
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
            if (soerr == 0) { freeaddrinfo(list); return fd; }
            last = soerr;
            break;
        }
        close(fd);
        if (now_ms() >= deadline) break;
    }
    freeaddrinfo(list);
    *err_out = last;
    return -1;
}

int postern_connect_udp(const char *host, uint16_t port, int *err_out) {
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)port);
    struct addrinfo hints, *list = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_NUMERICSERV;
    int rc = getaddrinfo(host, service, &hints, &list);
    if (rc != 0) {
        *err_out = rc == EAI_SYSTEM ? errno : EHOSTUNREACH;
        return -1;
    }
    int last = EHOSTUNREACH;
    for (struct addrinfo *ai = list; ai != NULL; ai = ai->ai_next) {
        int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) { last = errno; continue; }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) { freeaddrinfo(list); return fd; }
        last = errno;
        close(fd);
    }
    freeaddrinfo(list);
    *err_out = last;
    return -1;
}

int postern_connect_udp_like(int fd, int *err_out) {
    struct sockaddr_storage peer;
    socklen_t len = sizeof peer;
    if (getpeername(fd, (struct sockaddr *)&peer, &len) != 0) { *err_out = errno; return -1; }
    int another = socket(peer.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (another < 0) { *err_out = errno; return -1; }
    if (connect(another, (struct sockaddr *)&peer, len) != 0) {
        *err_out = errno;
        close(another);
        return -1;
    }
    return another;
}

int postern_local_address(int fd, char *out, size_t outlen) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0) return -1;
    const void *addr = ss.ss_family == AF_INET6 ? (const void *)&((struct sockaddr_in6 *)&ss)->sin6_addr
                                                : (const void *)&((struct sockaddr_in *)&ss)->sin_addr;
    return inet_ntop(ss.ss_family, addr, out, (socklen_t)outlen) ? 0 : -1;
}
