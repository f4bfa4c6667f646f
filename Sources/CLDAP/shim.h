/* The OpenLDAP client library from the system (libldap-dev). The inline helpers hand Swift
 * what it cannot import: macros that are casts, and a berval built from a password buffer. */
#ifndef POSTERN_CLDAP_SHIM_H
#define POSTERN_CLDAP_SHIM_H
#include <ldap.h>
#include <string.h>
#include <sys/socket.h>

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
 * connect, before TLS; the delete callback before the socket closes. Must outlive the handle. */
struct postern_ldap_watch {
    struct ldap_conncb callbacks;
    int fd;
};

static int postern_ldap_watch_add(LDAP *ld, Sockbuf *sb, LDAPURLDesc *srv, struct sockaddr *addr,
                                  struct ldap_conncb *ctx) {
    (void)ld; (void)srv; (void)addr;
    struct postern_ldap_watch *watch = (struct postern_ldap_watch *)ctx->lc_arg;
    ber_socket_t fd = -1;
    if (sb != NULL && ber_sockbuf_ctrl(sb, LBER_SB_OPT_GET_FD, &fd) == 1) {
        __atomic_store_n(&watch->fd, fd, __ATOMIC_SEQ_CST);
    }
    return 0;
}

static void postern_ldap_watch_del(LDAP *ld, Sockbuf *sb, struct ldap_conncb *ctx) {
    (void)ld; (void)sb;
    struct postern_ldap_watch *watch = (struct postern_ldap_watch *)ctx->lc_arg;
    __atomic_store_n(&watch->fd, -1, __ATOMIC_SEQ_CST);
}

static inline int postern_ldap_watch_install(LDAP *ld, struct postern_ldap_watch *watch) {
    watch->callbacks.lc_add = postern_ldap_watch_add;
    watch->callbacks.lc_del = postern_ldap_watch_del;
    watch->callbacks.lc_arg = watch;
    watch->fd = -1;
    return ldap_set_option(ld, LDAP_OPT_CONNECT_CB, &watch->callbacks);
}

/* Ends whatever the handle's socket is waiting for; the call in progress fails. */
static inline void postern_ldap_watch_expire(struct postern_ldap_watch *watch) {
    int fd = __atomic_load_n(&watch->fd, __ATOMIC_SEQ_CST);
    if (fd >= 0) shutdown(fd, SHUT_RDWR);
}
#endif
