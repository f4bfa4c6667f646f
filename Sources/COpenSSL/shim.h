/* OpenSSL from the system. Macros Swift cannot call are wrapped as static inline functions. */
#ifndef POSTERN_COPENSSL_SHIM_H
#define POSTERN_COPENSSL_SHIM_H
#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/bio.h>

static inline long postern_ssl_ctx_set_mode(SSL_CTX *ctx, long mode) { return SSL_CTX_set_mode(ctx, mode); }
static inline long postern_ssl_ctx_set_options(SSL_CTX *ctx, long opts) { return (long)SSL_CTX_set_options(ctx, (uint64_t)opts); }
static inline int postern_ssl_ctx_set_min_proto(SSL_CTX *ctx, int v) { return (int)SSL_CTX_set_min_proto_version(ctx, v); }
static inline long postern_ssl_ctx_set_session_cache_mode(SSL_CTX *ctx, long m) { return SSL_CTX_set_session_cache_mode(ctx, m); }
static inline int postern_ssl_set_tlsext_host_name(SSL *ssl, const char *name) { return (int)SSL_set_tlsext_host_name(ssl, name); }
static inline int postern_ssl_ctx_add_extra_chain_cert(SSL_CTX *ctx, X509 *x) { return (int)SSL_CTX_add_extra_chain_cert(ctx, x); }
static inline long postern_bio_ctrl_pending(BIO *b) { return (long)BIO_ctrl_pending(b); }
static inline int postern_bio_set_mem_eof_return(BIO *b, int v) { return (int)BIO_set_mem_eof_return(b, v); }

static inline const long POSTERN_SSL_MODE_RELEASE_BUFFERS(void) { return SSL_MODE_RELEASE_BUFFERS; }
static inline const long POSTERN_SSL_MODE_ENABLE_PARTIAL_WRITE(void) { return SSL_MODE_ENABLE_PARTIAL_WRITE; }
static inline const long POSTERN_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER(void) { return SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER; }
static inline const long POSTERN_SSL_OP_NO_COMPRESSION(void) { return (long)SSL_OP_NO_COMPRESSION; }
static inline const long POSTERN_SSL_OP_NO_RENEGOTIATION(void) { return (long)SSL_OP_NO_RENEGOTIATION; }
static inline const long POSTERN_SSL_OP_CIPHER_SERVER_PREFERENCE(void) { return (long)SSL_OP_CIPHER_SERVER_PREFERENCE; }
static inline const long POSTERN_SSL_OP_NO_TICKET(void) { return (long)SSL_OP_NO_TICKET; }

/* Added for PosternTLS. */
static inline int postern_ssl_ctx_set_max_proto(SSL_CTX *ctx, int v) { return (int)SSL_CTX_set_max_proto_version(ctx, v); }
static inline BUF_MEM *postern_bio_get_mem_ptr(BIO *b) { BUF_MEM *m = NULL; BIO_get_mem_ptr(b, &m); return m; }
/* RFC 2253 one-line names, but UTF-8 left as is (RFC 4514) rather than escaped byte by byte. */
static inline unsigned long POSTERN_XN_FLAG_RFC4514(void) { return XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB; }
/* Added for PosternRADIUS: RAND_bytes for Request Authenticators. */
#include <openssl/rand.h>
/* Added for the listener's front door (SPEC §4, §2 `server-names`). */
#include <string.h>
#include <strings.h>
/* ALPN (ALPACA): `arg` is the one protocol id the context serves, in wire form (a length byte,
   then the id). A client that offers ALPN without it fails with no_application_protocol; a
   client that offers none never reaches the callback. */
static inline int postern_alpn_select_own(SSL *ssl, const unsigned char **out, unsigned char *outlen,
                                          const unsigned char *in, unsigned int inlen, void *arg) {
    const unsigned char *own = arg;
    (void)ssl;
    for (unsigned int i = 0; i < inlen; i += 1u + in[i]) {
        unsigned int n = in[i];
        if (i + 1u + n > inlen) break;
        if (n == own[0] && memcmp(in + i + 1, own + 1, n) == 0) {
            *out = in + i + 1;
            *outlen = (unsigned char)n;
            return SSL_TLSEXT_ERR_OK;
        }
    }
    return SSL_TLSEXT_ERR_ALERT_FATAL;
}
static inline void postern_ssl_ctx_serve_alpn(SSL_CTX *ctx, const unsigned char *own) {
    SSL_CTX_set_alpn_select_cb(ctx, postern_alpn_select_own, (void *)own);
}
/* SNI: `arg` holds the accepted names, each NUL-terminated, the list ended by an empty name.
   A ClientHello without SNI is accepted; any other name fails with unrecognized_name. */
static inline int postern_servername_check(SSL *ssl, int *alert, void *arg) {
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (name == NULL) return SSL_TLSEXT_ERR_OK;
    for (const char *accepted = arg; *accepted != '\0'; accepted += strlen(accepted) + 1) {
        if (strcasecmp(accepted, name) == 0) return SSL_TLSEXT_ERR_OK;
    }
    /* For the tls-failed line; the log escapes what the client chose to send. */
    ERR_raise_data(ERR_LIB_SSL, SSL_R_CALLBACK_FAILED, "server name %s is not in server-names", name);
    *alert = SSL_AD_UNRECOGNIZED_NAME;
    return SSL_TLSEXT_ERR_ALERT_FATAL;
}
static inline void postern_ssl_ctx_require_servername(SSL_CTX *ctx, const char *names) {
    SSL_CTX_set_tlsext_servername_callback(ctx, postern_servername_check);
    SSL_CTX_set_tlsext_servername_arg(ctx, (void *)names);
}
/* Client certificates (SPEC §3 `certificate`). The handshake asks for one and completes
   whatever the client sends: postern verifies the chain itself after the handshake, so that the
   client gets the protocol's generic refusal and the log the first reason, not a TLS alert. */
static inline int postern_verify_accept_all(int ok, X509_STORE_CTX *store) { (void)ok; (void)store; return 1; }
static inline void postern_ssl_ctx_request_client_certificate(SSL_CTX *ctx) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, postern_verify_accept_all);
}
static inline void postern_openssl_free(void *p) { OPENSSL_free(p); }
/* The `index`th UPN (Microsoft otherName 1.3.6.1.4.1.311.20.2.3, a UTF8String) of the
   certificate's subjectAltName, copied into `out`: its length, or -1 when there is no such UPN
   or it does not fit. */
static inline int postern_x509_upn(X509 *x, int index, unsigned char *out, int cap) {
    GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    if (names == NULL) return -1;
    ASN1_OBJECT *upn = OBJ_txt2obj("1.3.6.1.4.1.311.20.2.3", 1);
    int found = -1, seen = 0;
    for (int i = 0; upn != NULL && i < sk_GENERAL_NAME_num(names); i++) {
        GENERAL_NAME *name = sk_GENERAL_NAME_value(names, i);
        if (name->type != GEN_OTHERNAME || OBJ_cmp(name->d.otherName->type_id, upn) != 0) continue;
        ASN1_TYPE *value = name->d.otherName->value;
        if (value == NULL || value->type != V_ASN1_UTF8STRING) continue;
        if (seen++ != index) continue;
        int length = ASN1_STRING_length(value->value.utf8string);
        if (length <= cap) {
            memcpy(out, ASN1_STRING_get0_data(value->value.utf8string), (size_t)length);
            found = length;
        }
        break;
    }
    ASN1_OBJECT_free(upn);
    GENERAL_NAMES_free(names);
    return found;
}
/* The chain the client sent after its certificate, for verification (owned by the session). */
static inline STACK_OF(X509) *postern_ssl_peer_chain(SSL *ssl) { return SSL_get_peer_cert_chain(ssl); }
#endif
