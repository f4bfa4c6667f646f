/* The OpenLDAP client library from the system (libldap-dev). The inline helpers hand Swift
 * what it cannot import: macros that are casts, and a berval built from a password buffer. */
#ifndef POSTERN_CLDAP_SHIM_H
#define POSTERN_CLDAP_SHIM_H
#include <ldap.h>
#include <string.h>
#include <sys/socket.h>
#include <pthread.h>

static inline int postern_ldap_scope_subtree(void) { return LDAP_SCOPE_SUBTREE; }

static inline int postern_ldap_referrals_off(LDAP *ld) {
    return ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
}

/* A simple bind (RFC 4513 §5.1.3) with a password that may hold any bytes. */
static inline int postern_ldap_simple_bind(LDAP *ld, const char *dn, const char *password, size_t length) {
    struct berval credentials;
    credentials.bv_len = length;
    credentials.bv_val = (char *)password;
    return ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &credentials, NULL, NULL, NULL);
}

/* A watch on a handle's socket, so that another thread can end a call that blocks past its
 * deadline: libldap does not bound every wait (a TLS handshake with a silent server), but a
 * shut-down socket ends any of them at once. The add callback runs right after the TCP
 * connect, before TLS; the delete callback before the socket closes. The mutex orders the
 * deadline against both, so only this handle's live socket is ever shut down, and a socket
 * connected after the deadline is cut at once. Must outlive the handle. */
struct postern_ldap_watch {
    struct ldap_conncb callbacks;
    pthread_mutex_t mutex;
    int fd;
    int expired;
    /* Set when the deadline cut a live socket: the failure that follows is "time up". */
    int cut;
};

static int postern_ldap_watch_add(LDAP *ld, Sockbuf *sb, LDAPURLDesc *srv, struct sockaddr *addr,
                                  struct ldap_conncb *ctx) {
    (void)ld; (void)srv; (void)addr;
    struct postern_ldap_watch *watch = (struct postern_ldap_watch *)ctx->lc_arg;
    ber_socket_t fd = -1;
    if (sb == NULL || ber_sockbuf_ctrl(sb, LBER_SB_OPT_GET_FD, &fd) != 1) return 0;
    pthread_mutex_lock(&watch->mutex);
    watch->fd = fd;
    if (watch->expired) {
        shutdown(fd, SHUT_RDWR);
        watch->cut = 1;
    }
    pthread_mutex_unlock(&watch->mutex);
    return 0;
}

static void postern_ldap_watch_del(LDAP *ld, Sockbuf *sb, struct ldap_conncb *ctx) {
    (void)ld; (void)sb;
    struct postern_ldap_watch *watch = (struct postern_ldap_watch *)ctx->lc_arg;
    pthread_mutex_lock(&watch->mutex);
    watch->fd = -1;
    pthread_mutex_unlock(&watch->mutex);
}

static inline int postern_ldap_watch_install(LDAP *ld, struct postern_ldap_watch *watch) {
    watch->callbacks.lc_add = postern_ldap_watch_add;
    watch->callbacks.lc_del = postern_ldap_watch_del;
    watch->callbacks.lc_arg = watch;
    pthread_mutex_init(&watch->mutex, NULL);
    watch->fd = -1;
    watch->expired = 0;
    watch->cut = 0;
    return ldap_set_option(ld, LDAP_OPT_CONNECT_CB, &watch->callbacks);
}

static inline void postern_ldap_watch_destroy(struct postern_ldap_watch *watch) {
    pthread_mutex_destroy(&watch->mutex);
}

/* The deadline: ends whatever the handle's socket is waiting for, now or once it connects. */
static inline void postern_ldap_watch_expire(struct postern_ldap_watch *watch) {
    pthread_mutex_lock(&watch->mutex);
    watch->expired = 1;
    if (watch->fd >= 0) {
        shutdown(watch->fd, SHUT_RDWR);
        watch->cut = 1;
    }
    pthread_mutex_unlock(&watch->mutex);
}

static inline int postern_ldap_watch_was_cut(struct postern_ldap_watch *watch) {
    pthread_mutex_lock(&watch->mutex);
    int cut = watch->cut;
    pthread_mutex_unlock(&watch->mutex);
    return cut;
}
#endif
