/*
 * tls.c: TLS over a non-blocking TCP socket with OpenSSL.  Owns the
 * SSL_CTX and SSL objects and OpenSSL's error queue handling; the fd stays
 * the caller's.  Called by the engine's TLS transport and by the test driver
 * tests/tls-peer.c.  Never waits, prints or exits (see tls.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "sockscope/evlog.h"
#include "sockscope/sysrec.h"
#include "sockscope/tls.h"
#include "sockscope/util.h"

struct tls_ctx {
	SSL_CTX		*ssl;
	int		 server;
	int		 verify;
	unsigned char	*alpn;		/* wire format: length-prefixed */
	unsigned int	 alpn_len;
};

struct tls {
	SSL		*ssl;
	struct tls_ctx	*ctx;
	int		 fd;
	int		 server;
	int		 established;
	int		 failed;	/* fatal error or truncation: no more I/O */
	int		 truncated;
	int		 peer_closed;	/* got close_notify */
	int		 shut;		/* our close_notify is out */
	int		 want;
	int		 err;
	char		*cause;
	char		 sni[256];
	tls_record_fn	*record;
	void		*record_arg;
};

/* Which call a result came from, for the words of its cause. */
enum tls_op {
	TLS_OP_HANDSHAKE,
	TLS_OP_READ,
	TLS_OP_WRITE,
	TLS_OP_SHUTDOWN
};

/* Copy src into dst (size n) with every byte outside printable ASCII
 * written as \xHH, cutting at n - 1.  A backslash stays itself: names
 * printed by OpenSSL already escape theirs (RFC 2253 "\\", "\C3"). */
static void
tls_escape(char *dst, size_t n, const unsigned char *src, size_t len)
{
	size_t	o = 0, i;

	if (n == 0)
		return;
	for (i = 0; i < len; i++) {
		if (src[i] >= 0x20 && src[i] < 0x7f) {
			if (o + 1 >= n)
				break;
			dst[o++] = (char)src[i];
		} else {
			if (o + 4 >= n)
				break;
			snprintf(dst + o, n - o, "\\x%02x", src[i]);
			o += 4;
		}
	}
	dst[o] = '\0';
}

/* A malloc'd one-line cause from OpenSSL's error queue (its first, root
 * error), which is then cleared; prefix may be NULL. */
static char *
tls_queue_cause(const char *prefix)
{
	unsigned long	 e = ERR_peek_error();
	const char	*reason;
	char		 buf[256];
	char		*s;

	if (e == 0)
		s = xstrdup("unknown TLS error");
	else {
		reason = ERR_reason_error_string(e);
		if (reason == NULL) {
			ERR_error_string_n(e, buf, sizeof buf);
			reason = buf;
		}
		s = xstrdup(reason);
	}
	ERR_clear_error();
	if (prefix != NULL) {
		char *p = xasprintf("%s: %s", prefix, s);

		free(s);
		s = p;
	}
	return s;
}

/* "Connection reset by peer (ECONNRESET)". */
static char *
tls_errno_cause(int err)
{
	return xasprintf("%s (%s)", strerror(err), evlog_errname(err));
}

/* Set t's cause (taking s). */
static void
tls_set_cause(struct tls *t, char *s)
{
	free(t->cause);
	t->cause = s;
}

/* The verify result in words. */
const char *
tls_verify_words(long code)
{
	if (code == X509_V_OK)
		return "ok";
	return X509_verify_cert_error_string(code);
}

/* Report one SSL call to the record hook, if any. */
static void
tls_record_call(struct tls *t, enum sysrec_call call, long long ret,
    int ssl_error, size_t len, const void *data, size_t data_len,
    const char *note)
{
	struct sysrec	r;

	if (t->record == NULL)
		return;
	memset(&r, 0, sizeof r);
	r.call = call;
	r.fd = t->fd;
	r.ret = ret;
	r.err = ssl_error != SSL_ERROR_NONE ? t->err : 0;
	r.ssl_error = ssl_error;
	r.len = len;
	r.data = data;
	r.data_len = data_len;
	r.note = note;
	t->record(&r, t->record_arg);
}

/*
 * Classify a failed SSL call (ret as returned, saved_errno as right after
 * it): TLS_WANT_*, 0 for close_notify, TLS_TRUNCATED for an EOF without
 * close_notify on a read, else TLS_ERROR with t->cause (and t->err for a
 * socket error).  Clears the error queue.
 */
static int
tls_check(struct tls *t, int ret, int saved_errno, enum tls_op op,
    int *ssl_error)
{
	int		 e = SSL_get_error(t->ssl, ret);
	unsigned long	 q;
	int		 eof = 0;

	*ssl_error = e;
	t->want = 0;
	t->err = 0;
	switch (e) {
	case SSL_ERROR_WANT_READ:
		ERR_clear_error();
		t->want = TLS_WANT_READ;
		return TLS_WANT_READ;
	case SSL_ERROR_WANT_WRITE:
		ERR_clear_error();
		t->want = TLS_WANT_WRITE;
		return TLS_WANT_WRITE;
	case SSL_ERROR_ZERO_RETURN:
		ERR_clear_error();
		t->peer_closed = 1;
		if (op == TLS_OP_READ)
			return 0;
		if (op == TLS_OP_HANDSHAKE)
			t->failed = 1;
		tls_set_cause(t, xstrdup("the peer sent close_notify"));
		return TLS_ERROR;
	case SSL_ERROR_SYSCALL:
		q = ERR_peek_error();
		t->failed = 1;
		if (saved_errno != 0 &&
		    (q == 0 || ERR_GET_LIB(q) == ERR_LIB_SYS)) {
			ERR_clear_error();
			t->err = saved_errno;
			tls_set_cause(t, tls_errno_cause(saved_errno));
			return TLS_ERROR;
		}
		if (q == 0)
			eof = 1;	/* OpenSSL 1.1: EOF, no close_notify */
		break;
	case SSL_ERROR_SSL:
		q = ERR_peek_error();
		t->failed = 1;
#ifdef SSL_R_UNEXPECTED_EOF_WHILE_READING
		if (ERR_GET_LIB(q) == ERR_LIB_SSL &&
		    ERR_GET_REASON(q) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
			eof = 1;
#endif
		break;
	default:
		ERR_clear_error();
		t->failed = 1;
		tls_set_cause(t, xasprintf("unexpected SSL_get_error %d", e));
		return TLS_ERROR;
	}

	if (eof) {
		ERR_clear_error();
		switch (op) {
		case TLS_OP_READ:
			t->truncated = 1;
			tls_set_cause(t, xstrdup("the peer closed the "
			    "connection without close_notify (truncated)"));
			return TLS_TRUNCATED;
		case TLS_OP_HANDSHAKE:
			tls_set_cause(t, xstrdup("the peer closed the "
			    "connection during the handshake"));
			return TLS_ERROR;
		default:
			tls_set_cause(t, xstrdup("the peer closed the "
			    "connection"));
			return TLS_ERROR;
		}
	}

#ifdef ERR_SYSTEM_ERROR
	if (ERR_SYSTEM_ERROR(q)) {
		int err = ERR_GET_REASON(q);

		ERR_clear_error();
		t->err = err;
		tls_set_cause(t, tls_errno_cause(err));
		return TLS_ERROR;
	}
#endif
	if (ERR_GET_LIB(q) == ERR_LIB_SSL &&
	    ERR_GET_REASON(q) == SSL_R_CERTIFICATE_VERIFY_FAILED) {
		long v = SSL_get_verify_result(t->ssl);

		ERR_clear_error();
		tls_set_cause(t, xasprintf("certificate verify failed: %s",
		    tls_verify_words(v)));
		return TLS_ERROR;
	}
	tls_set_cause(t, tls_queue_cause(NULL));
	return TLS_ERROR;
}

/* Make an SSL_CTX with the modes every session here needs. */
static struct tls_ctx *
tls_ctx_new(int server, char **cause)
{
	struct tls_ctx	*ctx;
	SSL_CTX		*s;

	ERR_clear_error();
	s = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (s == NULL) {
		*cause = tls_queue_cause("cannot make a TLS context");
		return NULL;
	}
	/* A send queue hands SSL_write whatever is at its head: partial
	 * writes, and the retried bytes may have moved. */
	SSL_CTX_set_mode(s, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	ctx = xcalloc(1, sizeof *ctx);
	ctx->ssl = s;
	ctx->server = server;
	return ctx;
}

/* A client context (see tls.h). */
struct tls_ctx *
tls_client_ctx(int verify, char **cause)
{
	struct tls_ctx	*ctx;

	if ((ctx = tls_ctx_new(0, cause)) == NULL)
		return NULL;
	ctx->verify = verify;
	/* Verification runs either way, so that tls_info() can tell what it
	 * found; SSL_VERIFY_NONE only stops it from failing the handshake. */
	SSL_CTX_set_verify(ctx->ssl, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE,
	    NULL);
	if (SSL_CTX_set_default_verify_paths(ctx->ssl) != 1) {
		*cause = tls_queue_cause("cannot load the system trust store");
		tls_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Check that path can be opened for reading; else *cause names it. */
static int
tls_check_file(const char *what, const char *path, char **cause)
{
	FILE	*f = fopen(path, "r");

	if (f == NULL) {
		*cause = xasprintf("%s %s: %s (%s)", what, path,
		    strerror(errno), evlog_errname(errno));
		return -1;
	}
	fclose(f);
	return 0;
}

/* Add a subjectAltName entry for name (IP or DNS) to gens. */
static int
tls_san_add(GENERAL_NAMES *gens, const char *name)
{
	GENERAL_NAME	*gn;
	ASN1_OCTET_STRING *ip;
	ASN1_IA5STRING	*dns;

	if ((gn = GENERAL_NAME_new()) == NULL)
		return -1;
	if ((ip = a2i_IPADDRESS(name)) != NULL)
		GENERAL_NAME_set0_value(gn, GEN_IPADD, ip);
	else {
		ERR_clear_error();	/* a2i_IPADDRESS leaves one */
		if ((dns = ASN1_IA5STRING_new()) == NULL ||
		    !ASN1_STRING_set(dns, name, -1)) {
			ASN1_IA5STRING_free(dns);
			GENERAL_NAME_free(gn);
			return -1;
		}
		GENERAL_NAME_set0_value(gn, GEN_DNS, dns);
	}
	if (!sk_GENERAL_NAME_push(gens, gn)) {
		GENERAL_NAME_free(gn);
		return -1;
	}
	return 0;
}

/* Add extension nid with an openssl.cnf-style value to x. */
static int
tls_ext_add(X509 *x, int nid, const char *value)
{
	X509V3_CTX	 v3;
	X509_EXTENSION	*ext;
	int		 ok;

	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_nconf_nid(NULL, &v3, nid, value)) == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

/* Make a throw-away self-signed EC P-256 certificate for names. */
static int
tls_selfsigned(const char *const *names, X509 **xp, EVP_PKEY **kp)
{
	EVP_PKEY_CTX	*kc = NULL;
	EVP_PKEY	*key = NULL;
	X509		*x = NULL;
	X509_NAME	*name;
	GENERAL_NAMES	*gens = NULL;
	BIGNUM		*bn = NULL;
	unsigned char	 serial[8];
	size_t		 i;

	if ((kc = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL)) == NULL ||
	    EVP_PKEY_keygen_init(kc) <= 0 ||
	    EVP_PKEY_CTX_set_ec_paramgen_curve_nid(kc,
	    NID_X9_62_prime256v1) <= 0 ||
	    EVP_PKEY_keygen(kc, &key) <= 0)
		goto fail;
	if ((x = X509_new()) == NULL || !X509_set_version(x, 2))
		goto fail;
	if (RAND_bytes(serial, sizeof serial) != 1)
		goto fail;
	serial[0] &= 0x7f;
	if ((bn = BN_bin2bn(serial, sizeof serial, NULL)) == NULL ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
		goto fail;
	/* An hour back, so that a peer whose clock is a little behind
	 * does not call it "not yet valid". */
	if (X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 30L * 24 * 3600) == NULL)
		goto fail;
	if (!X509_set_pubkey(x, key))
		goto fail;
	name = X509_get_subject_name(x);
	if (!X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
	    (const unsigned char *)"sockscope throw-away", -1, -1, 0) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
	    (const unsigned char *)names[0], -1, -1, 0) ||
	    !X509_set_issuer_name(x, name))
		goto fail;
	if ((gens = sk_GENERAL_NAME_new_null()) == NULL)
		goto fail;
	for (i = 0; names[i] != NULL; i++) {
		if (tls_san_add(gens, names[i]) != 0)
			goto fail;
	}
	if (!X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0,
	    X509V3_ADD_DEFAULT))
		goto fail;
	if (tls_ext_add(x, NID_basic_constraints, "critical,CA:FALSE") != 0 ||
	    tls_ext_add(x, NID_key_usage, "critical,digitalSignature") != 0 ||
	    tls_ext_add(x, NID_ext_key_usage, "serverAuth") != 0 ||
	    tls_ext_add(x, NID_subject_key_identifier, "hash") != 0)
		goto fail;
	if (X509_sign(x, key, EVP_sha256()) <= 0)
		goto fail;
	GENERAL_NAMES_free(gens);
	BN_free(bn);
	EVP_PKEY_CTX_free(kc);
	*xp = x;
	*kp = key;
	return 0;

fail:
	GENERAL_NAMES_free(gens);
	BN_free(bn);
	X509_free(x);
	EVP_PKEY_free(key);
	EVP_PKEY_CTX_free(kc);
	return -1;
}

/* A server context (see tls.h). */
struct tls_ctx *
tls_server_ctx(const char *cert_file, const char *key_file,
    const char *const *names, char **cause)
{
	static const char *const default_names[] = { "localhost", NULL };
	struct tls_ctx	*ctx;
	X509		*x;
	EVP_PKEY	*key;
	char		*why;

	if ((cert_file == NULL) != (key_file == NULL)) {
		*cause = xstrdup(cert_file == NULL ?
		    "a key needs its certificate too" :
		    "a certificate needs its key too");
		return NULL;
	}
	if (cert_file != NULL && (tls_check_file("certificate", cert_file,
	    cause) != 0 || tls_check_file("key", key_file, cause) != 0))
		return NULL;
	if ((ctx = tls_ctx_new(1, cause)) == NULL)
		return NULL;
	SSL_CTX_set_verify(ctx->ssl, SSL_VERIFY_NONE, NULL);
	/* No resumption here: tickets would only add records after the
	 * handshake that a person watching the bytes must explain. */
	SSL_CTX_set_num_tickets(ctx->ssl, 0);

	if (cert_file != NULL) {
		if (SSL_CTX_use_certificate_chain_file(ctx->ssl,
		    cert_file) != 1) {
			why = tls_queue_cause(NULL);
			*cause = xasprintf("certificate %s: %s", cert_file, why);
			free(why);
			goto fail;
		}
		if (SSL_CTX_use_PrivateKey_file(ctx->ssl, key_file,
		    SSL_FILETYPE_PEM) != 1) {
			unsigned long e = ERR_peek_error();

			/* OpenSSL checks the pair while loading the key. */
			if (ERR_GET_LIB(e) == ERR_LIB_X509 &&
			    ERR_GET_REASON(e) == X509_R_KEY_VALUES_MISMATCH) {
				ERR_clear_error();
				*cause = xasprintf("key %s does not match "
				    "certificate %s", key_file, cert_file);
			} else {
				why = tls_queue_cause(NULL);
				*cause = xasprintf("key %s: %s", key_file, why);
				free(why);
			}
			goto fail;
		}
		if (SSL_CTX_check_private_key(ctx->ssl) != 1) {
			ERR_clear_error();
			*cause = xasprintf("key %s does not match certificate %s",
			    key_file, cert_file);
			goto fail;
		}
		return ctx;
	}

	if (names == NULL || names[0] == NULL)
		names = default_names;
	ERR_clear_error();
	if (tls_selfsigned(names, &x, &key) != 0) {
		*cause = tls_queue_cause("cannot make a self-signed certificate");
		goto fail;
	}
	if (SSL_CTX_use_certificate(ctx->ssl, x) != 1 ||
	    SSL_CTX_use_PrivateKey(ctx->ssl, key) != 1) {
		X509_free(x);
		EVP_PKEY_free(key);
		*cause = tls_queue_cause("cannot use the self-signed certificate");
		goto fail;
	}
	X509_free(x);
	EVP_PKEY_free(key);
	return ctx;

fail:
	tls_ctx_free(ctx);
	return NULL;
}

/* Trust the CAs in file too (see tls.h). */
int
tls_ctx_add_ca(struct tls_ctx *ctx, const char *file, char **cause)
{
	char	*why;

	if (tls_check_file("CA file", file, cause) != 0)
		return -1;
	ERR_clear_error();
	if (SSL_CTX_load_verify_locations(ctx->ssl, file, NULL) != 1) {
		why = tls_queue_cause(NULL);
		*cause = xasprintf("CA file %s: %s", file, why);
		free(why);
		return -1;
	}
	return 0;
}

/* The server's ALPN choice: the first of our list the client offers. */
static int
tls_alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	struct tls_ctx	*ctx = arg;
	unsigned char	*sel;

	(void)ssl;
	if (SSL_select_next_proto(&sel, outlen, ctx->alpn, ctx->alpn_len, in,
	    inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

/* Set the ALPN list (see tls.h). */
int
tls_ctx_set_alpn(struct tls_ctx *ctx, const char *list, char **cause)
{
	size_t		 n = strlen(list), i, start = 0, o = 0;
	unsigned char	*wire;

	if (n == 0 || n > 1024) {
		*cause = xstrdup("ALPN list must be 1-1024 characters");
		return -1;
	}
	wire = xmalloc(n + 1);
	for (i = 0; i <= n; i++) {
		if (i < n && list[i] != ',')
			continue;
		if (i - start == 0 || i - start > 255) {
			free(wire);
			*cause = xasprintf("bad ALPN list '%s': each protocol "
			    "name must be 1-255 characters", list);
			return -1;
		}
		wire[o++] = (unsigned char)(i - start);
		memcpy(wire + o, list + start, i - start);
		o += i - start;
		start = i + 1;
	}
	free(ctx->alpn);
	ctx->alpn = wire;
	ctx->alpn_len = (unsigned int)o;
	if (ctx->server)
		SSL_CTX_set_alpn_select_cb(ctx->ssl, tls_alpn_select, ctx);
	else if (SSL_CTX_set_alpn_protos(ctx->ssl, wire, (unsigned int)o)
	    != 0) {	/* 0 is success here */
		*cause = tls_queue_cause("cannot set ALPN");
		return -1;
	}
	return 0;
}

/* A name as one line, most specific part first, non-ASCII escaped. */
static void
tls_name_text(char *dst, size_t n, const X509_NAME *name)
{
	BIO		*b = BIO_new(BIO_s_mem());
	char		*p;
	long		 len;
	unsigned long	 flags = (XN_FLAG_RFC2253 & ~XN_FLAG_SEP_MASK) |
	    XN_FLAG_SEP_CPLUS_SPC;

	dst[0] = '\0';
	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, name, 0, flags) >= 0) {
		len = BIO_get_mem_data(b, &p);
		tls_escape(dst, n, (const unsigned char *)p,
		    len > 0 ? (size_t)len : 0);
	}
	BIO_free(b);
}

/* The commonName of name, escaped; "" when it has none. */
static void
tls_cn_text(char *dst, size_t n, const X509_NAME *name)
{
	int		 i;
	unsigned char	*utf8 = NULL;
	int		 len;
	const X509_NAME_ENTRY *e;

	dst[0] = '\0';
	i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	if (i < 0 || (e = X509_NAME_get_entry(name, i)) == NULL)
		return;
	len = ASN1_STRING_to_UTF8(&utf8,
	    X509_NAME_ENTRY_get_data((X509_NAME_ENTRY *)e));
	if (len >= 0)
		tls_escape(dst, n, utf8, (size_t)len);
	OPENSSL_free(utf8);
}

/* A certificate time as text and time_t. */
static void
tls_time_text(char *dst, size_t n, time_t *tp, const ASN1_TIME *at)
{
	struct tm	tm;

	dst[0] = '\0';
	*tp = 0;
	if (at == NULL || ASN1_TIME_to_tm(at, &tm) != 1)
		return;
	strftime(dst, n, "%Y-%m-%d %H:%M:%S UTC", &tm);
	*tp = timegm(&tm);
}

/* The subjectAltName entries of x as "DNS:a, IP:1.2.3.4". */
static void
tls_san_text(char *dst, size_t n, X509 *x)
{
	GENERAL_NAMES	*gens;
	struct sbuf	 b = { 0 };
	char		 one[300], ip[INET6_ADDRSTRLEN];
	int		 i, len;

	dst[0] = '\0';
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	if (gens == NULL)
		return;
	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME *gn = sk_GENERAL_NAME_value(gens, i);
		int		 type;
		const void	*v = GENERAL_NAME_get0_value(gn, &type);
		const ASN1_STRING *s = v;

		switch (type) {
		case GEN_DNS:
		case GEN_EMAIL:
		case GEN_URI:
			tls_escape(one, sizeof one, ASN1_STRING_get0_data(s),
			    (size_t)ASN1_STRING_length(s));
			sbuf_printf(&b, "%s%s:%s", b.len ? ", " : "",
			    type == GEN_DNS ? "DNS" : type == GEN_EMAIL ?
			    "email" : "URI", one);
			break;
		case GEN_IPADD:
			len = ASN1_STRING_length(s);
			if ((len == 4 && inet_ntop(AF_INET,
			    ASN1_STRING_get0_data(s), ip, sizeof ip) != NULL) ||
			    (len == 16 && inet_ntop(AF_INET6,
			    ASN1_STRING_get0_data(s), ip, sizeof ip) != NULL))
				sbuf_printf(&b, "%sIP:%s", b.len ? ", " : "", ip);
			else
				sbuf_printf(&b, "%sIP:?", b.len ? ", " : "");
			break;
		default:
			sbuf_printf(&b, "%sother", b.len ? ", " : "");
			break;
		}
	}
	GENERAL_NAMES_free(gens);
	if (b.len > 0)
		snprintf(dst, n, "%s", b.p);
	sbuf_free(&b);
}

/* The key type and size: "EC P-256", "RSA 2048". */
static void
tls_key_text(char *dst, size_t n, X509 *x)
{
	EVP_PKEY	*k = X509_get0_pubkey(x);
	int		 id;

	dst[0] = '\0';
	if (k == NULL)
		return;
	id = EVP_PKEY_base_id(k);
	if (id == EVP_PKEY_EC) {
		const char	*nist = NULL;
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
		char		 group[64];

		if (EVP_PKEY_get_group_name(k, group, sizeof group, NULL) == 1)
			nist = EC_curve_nid2nist(OBJ_sn2nid(group));
#endif
		snprintf(dst, n, "EC %s", nist != NULL ? nist : "");
		if (nist == NULL)
			snprintf(dst, n, "EC %d", EVP_PKEY_bits(k));
	} else if (id == EVP_PKEY_RSA)
		snprintf(dst, n, "RSA %d", EVP_PKEY_bits(k));
	else
		snprintf(dst, n, "%s %d", OBJ_nid2sn(id), EVP_PKEY_bits(k));
}

/* Describe certificate x. */
static void
tls_cert_describe(X509 *x, struct tls_cert_desc *d)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0, i;

	memset(d, 0, sizeof *d);
	tls_name_text(d->subject, sizeof d->subject, X509_get_subject_name(x));
	tls_cn_text(d->cn, sizeof d->cn, X509_get_subject_name(x));
	tls_name_text(d->issuer, sizeof d->issuer, X509_get_issuer_name(x));
	tls_san_text(d->san, sizeof d->san, x);
	tls_time_text(d->not_before, sizeof d->not_before, &d->not_before_t,
	    X509_get0_notBefore(x));
	tls_time_text(d->not_after, sizeof d->not_after, &d->not_after_t,
	    X509_get0_notAfter(x));
	tls_key_text(d->key, sizeof d->key, x);
	if (X509_digest(x, EVP_sha256(), md, &mdlen) == 1) {
		for (i = 0; i < mdlen && 3 * i + 3 <= sizeof d->sha256; i++)
			snprintf(d->sha256 + 3 * i, sizeof d->sha256 - 3 * i,
			    "%02X%s", md[i], i + 1 < mdlen ? ":" : "");
	}
	ERR_clear_error();
}

/* Describe the context's own certificate (see tls.h). */
int
tls_ctx_cert(const struct tls_ctx *ctx, struct tls_cert_desc *d)
{
	X509	*x = SSL_CTX_get0_certificate(ctx->ssl);

	if (x == NULL)
		return -1;
	tls_cert_describe(x, d);
	return 0;
}

/* Free a context. */
void
tls_ctx_free(struct tls_ctx *ctx)
{
	if (ctx == NULL)
		return;
	SSL_CTX_free(ctx->ssl);
	free(ctx->alpn);
	free(ctx);
}

/* A session on fd (see tls.h). */
struct tls *
tls_new(struct tls_ctx *ctx, int fd, int server, const char *sni_name)
{
	struct tls	*t = xcalloc(1, sizeof *t);
	unsigned char	 addr[16];
	int		 is_ip;

	t->ctx = ctx;
	t->fd = fd;
	t->server = server;
	ERR_clear_error();
	if ((t->ssl = SSL_new(ctx->ssl)) == NULL ||
	    SSL_set_fd(t->ssl, fd) != 1)
		util_fatal("cannot make a TLS session (out of memory?)");
	if (server)
		SSL_set_accept_state(t->ssl);
	else {
		SSL_set_connect_state(t->ssl);
		if (sni_name != NULL && *sni_name != '\0') {
			is_ip = inet_pton(AF_INET, sni_name, addr) == 1 ||
			    inet_pton(AF_INET6, sni_name, addr) == 1;
			/* RFC 6066: no IP address in SNI; check the IP
			 * entries of the certificate instead. */
			if (is_ip)
				X509_VERIFY_PARAM_set1_ip_asc(
				    SSL_get0_param(t->ssl), sni_name);
			else {
				snprintf(t->sni, sizeof t->sni, "%s", sni_name);
				SSL_set_tlsext_host_name(t->ssl, sni_name);
				SSL_set1_host(t->ssl, sni_name);
			}
		}
	}
	ERR_clear_error();
	return t;
}

/* Free a session; the fd stays open. */
void
tls_free(struct tls *t)
{
	if (t == NULL)
		return;
	SSL_free(t->ssl);
	free(t->cause);
	free(t);
}

/* Set the call record hook. */
void
tls_set_record(struct tls *t, tls_record_fn *fn, void *arg)
{
	t->record = fn;
	t->record_arg = arg;
}

/* The note for a WANT result. */
static const char *
tls_want_note(int rc)
{
	return rc == TLS_WANT_READ ? "want read" : "want write";
}

/* Drive the handshake (see tls.h). */
int
tls_handshake(struct tls *t)
{
	enum sysrec_call call = t->server ? SR_SSL_ACCEPT : SR_SSL_CONNECT;
	struct tls_info	 info;
	int		 ret, saved, rc, se = 0;

	if (t->established)
		return 0;
	if (t->failed) {
		if (t->cause == NULL)
			tls_set_cause(t, xstrdup("the TLS session failed"));
		return TLS_ERROR;
	}
	ERR_clear_error();
	errno = 0;
	ret = t->server ? SSL_accept(t->ssl) : SSL_connect(t->ssl);
	saved = errno;
	if (ret == 1) {
		t->established = 1;
		t->want = 0;
		if (t->record != NULL) {
			tls_info(t, &info);
			tls_record_call(t, call, ret, 0, 0, NULL, 0,
			    info.summary);
		}
		return 0;
	}
	rc = tls_check(t, ret, saved, TLS_OP_HANDSHAKE, &se);
	tls_record_call(t, call, ret, se, 0, NULL, 0,
	    rc == TLS_ERROR ? t->cause : tls_want_note(rc));
	return rc;
}

/* One SSL_read (see tls.h). */
ssize_t
tls_read(struct tls *t, void *buf, size_t n)
{
	int	ret, saved, rc, se = 0;
	int	len = n > INT_MAX ? INT_MAX : (int)n;

	if (t->peer_closed)
		return 0;
	if (t->truncated)
		return TLS_TRUNCATED;
	if (t->failed || !t->established) {
		if (!t->failed)
			tls_set_cause(t, xstrdup("the handshake is not "
			    "complete"));
		return TLS_ERROR;
	}
	ERR_clear_error();
	errno = 0;
	ret = SSL_read(t->ssl, buf, len);
	saved = errno;
	if (ret > 0) {
		t->want = 0;
		tls_record_call(t, SR_SSL_READ, ret, 0, n, buf, (size_t)ret,
		    NULL);
		return ret;
	}
	rc = tls_check(t, ret, saved, TLS_OP_READ, &se);
	tls_record_call(t, SR_SSL_READ, ret, se, n, NULL, 0,
	    rc == 0 ? "close_notify: the peer finished sending" :
	    rc == TLS_TRUNCATED ? "EOF without close_notify: truncated" :
	    rc == TLS_ERROR ? t->cause : tls_want_note(rc));
	return rc;
}

/* Plaintext waiting inside OpenSSL (see tls.h). */
int
tls_pending(const struct tls *t)
{
	if (!t->established || t->failed || t->peer_closed)
		return 0;
	return SSL_pending(t->ssl) > 0;
}

/* One SSL_write (see tls.h). */
ssize_t
tls_write(struct tls *t, const void *buf, size_t n)
{
	int	ret, saved, rc, se = 0;
	int	len = n > INT_MAX ? INT_MAX : (int)n;

	if (t->failed || !t->established || t->shut) {
		if (!t->failed)
			tls_set_cause(t, xstrdup(t->shut ?
			    "close_notify was sent: no more writing" :
			    "the handshake is not complete"));
		return TLS_ERROR;
	}
	if (n == 0)
		return 0;
	ERR_clear_error();
	errno = 0;
	ret = SSL_write(t->ssl, buf, len);
	saved = errno;
	if (ret > 0) {
		t->want = 0;
		tls_record_call(t, SR_SSL_WRITE, ret, 0, n, buf, (size_t)ret,
		    NULL);
		return ret;
	}
	rc = tls_check(t, ret, saved, TLS_OP_WRITE, &se);
	tls_record_call(t, SR_SSL_WRITE, ret, se, n, NULL, 0,
	    rc == TLS_ERROR ? t->cause : tls_want_note(rc));
	return rc;
}

/* Send close_notify (see tls.h). */
int
tls_shutdown(struct tls *t)
{
	int	ret, saved, rc, se = 0;

	if (t->shut)
		return 0;
	if (t->failed || !t->established) {
		tls_set_cause(t, xstrdup(t->truncated ?
		    "the connection was truncated: no close_notify possible" :
		    t->failed ? "the TLS session failed: no close_notify "
		    "possible" : "the handshake is not complete"));
		return TLS_ERROR;
	}
	ERR_clear_error();
	errno = 0;
	ret = SSL_shutdown(t->ssl);
	saved = errno;
	if (ret >= 0) {
		/* 0: ours is out, the peer's not yet; 1: both. */
		t->shut = 1;
		t->want = 0;
		tls_record_call(t, SR_SSL_SHUTDOWN, ret, 0, 0, NULL, 0,
		    ret == 1 ? "close_notify sent, the peer's already received" :
		    "close_notify sent");
		return 0;
	}
	rc = tls_check(t, ret, saved, TLS_OP_SHUTDOWN, &se);
	tls_record_call(t, SR_SSL_SHUTDOWN, ret, se, 0, NULL, 0,
	    rc == TLS_ERROR ? t->cause : tls_want_note(rc));
	return rc;
}

/* Fill *info (see tls.h). */
void
tls_info(const struct tls *t, struct tls_info *info)
{
	const SSL_CIPHER	*c;
	const unsigned char	*alpn = NULL;
	unsigned int		 alpn_len = 0;
	const char		*s;
	X509			*peer;
	STACK_OF(X509)		*chain;
	struct sbuf		 b = { 0 };

	memset(info, 0, sizeof *info);
	info->server = t->server;
	/* Before a cipher is agreed, SSL_get_version() names only what we
	 * would have offered: say nothing rather than something untrue. */
	if ((c = SSL_get_current_cipher(t->ssl)) != NULL) {
		snprintf(info->version, sizeof info->version, "%s",
		    SSL_get_version(t->ssl));
		snprintf(info->cipher, sizeof info->cipher, "%s",
		    SSL_CIPHER_get_name(c));
	}
	SSL_get0_alpn_selected(t->ssl, &alpn, &alpn_len);
	if (alpn != NULL)
		tls_escape(info->alpn, sizeof info->alpn, alpn, alpn_len);
	if (t->server) {
		s = SSL_get_servername(t->ssl, TLSEXT_NAMETYPE_host_name);
		if (s != NULL)
			tls_escape(info->sni, sizeof info->sni,
			    (const unsigned char *)s, strlen(s));
	} else
		snprintf(info->sni, sizeof info->sni, "%s", t->sni);

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	peer = SSL_get1_peer_certificate(t->ssl);
#else
	peer = SSL_get_peer_certificate(t->ssl);
#endif
	/* After a failed verification the session has no peer certificate
	 * yet, but a client has the chain the server sent, leaf first. */
	if (peer == NULL && !t->server &&
	    (chain = SSL_get_peer_cert_chain(t->ssl)) != NULL &&
	    sk_X509_num(chain) > 0) {
		peer = sk_X509_value(chain, 0);
		X509_up_ref(peer);
	}
	if (peer != NULL) {
		info->peer_cert = 1;
		tls_cert_describe(peer, &info->peer);
		X509_free(peer);
	}
	info->verify_code = SSL_get_verify_result(t->ssl);
	info->verify_enforced = !t->server && t->ctx->verify;
	if (info->peer_cert)
		snprintf(info->verify, sizeof info->verify, "%s",
		    tls_verify_words(info->verify_code));
	else
		snprintf(info->verify, sizeof info->verify, "%s",
		    t->server ? "no client certificate" :
		    "no peer certificate");

	if (info->cipher[0] != '\0')
		sbuf_printf(&b, "%s %s", info->version, info->cipher);
	else
		sbuf_printf(&b, "handshake incomplete");
	if (info->alpn[0] != '\0')
		sbuf_printf(&b, ", ALPN %s", info->alpn);
	if (t->server) {
		if (info->sni[0] != '\0')
			sbuf_printf(&b, ", SNI %s", info->sni);
		if (!info->peer_cert)
			sbuf_printf(&b, ", no client certificate");
	}
	if (info->peer_cert) {
		if (info->peer.cn[0] != '\0')
			sbuf_printf(&b, ", peer CN=%s", info->peer.cn);
		else
			sbuf_printf(&b, ", peer %s", info->peer.subject);
		sbuf_printf(&b, ", verify: %s", info->verify);
		if (info->verify_code != X509_V_OK && !info->verify_enforced)
			sbuf_printf(&b, " (not enforced)");
	} else if (!t->server)
		sbuf_printf(&b, ", no peer certificate");
	snprintf(info->summary, sizeof info->summary, "%s", b.p);
	sbuf_free(&b);
	ERR_clear_error();
}

/* The last cause (see tls.h). */
const char *
tls_cause(const struct tls *t)
{
	return t->cause;
}

/* The last socket errno (see tls.h). */
int
tls_errno(const struct tls *t)
{
	return t->err;
}

/* What the last call waited for. */
int
tls_want(const struct tls *t)
{
	return t->want;
}

/* 1 once the handshake is complete. */
int
tls_established(const struct tls *t)
{
	return t->established;
}
