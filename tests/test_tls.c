/*
 * test_tls.c: unit tests for tls.c without the network: the in-memory
 * self-signed certificate (SAN, validity, key, subject), loading a
 * certificate and key from files (a mismatched pair, a missing or broken
 * file: one clear cause each), the verify result in words, ALPN lists, and
 * a handshake over a socketpair between a client and a server context
 * (summary line, verify words, clean EOF vs truncation, pending plaintext).
 * Sessions against real peers are in tests/e2e_tls.sh.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "sockscope/sysrec.h"
#include "sockscope/tls.h"
#include "sockscope/util.h"

static char test_dir[] = "/tmp/test_tls.XXXXXX";

/* The self-signed certificate names localhost and the address, and is
 * valid from an hour ago for 30 days. */
static void
test_selfsigned(void **state)
{
	const char *const	 names[] = { "localhost", "127.0.0.1", NULL };
	struct tls_cert_desc	 d;
	struct tls_ctx		*ctx;
	char			*cause = NULL;
	time_t			 now = time(NULL);

	(void)state;
	ctx = tls_server_ctx(NULL, NULL, names, &cause);
	assert_non_null(ctx);
	assert_null(cause);
	assert_int_equal(tls_ctx_cert(ctx, &d), 0);
	assert_string_equal(d.san, "DNS:localhost, IP:127.0.0.1");
	assert_string_equal(d.cn, "localhost");
	assert_string_equal(d.subject, "CN=localhost, O=sockscope throw-away");
	assert_string_equal(d.issuer, d.subject);
	assert_string_equal(d.key, "EC P-256");
	assert_true(d.not_before_t >= now - 3600 - 5);
	assert_true(d.not_before_t <= now - 3600 + 5);
	assert_true(d.not_after_t >= now + 30 * 86400 - 5);
	assert_true(d.not_after_t <= now + 30 * 86400 + 5);
	assert_int_equal(strlen(d.not_before), strlen("2026-12-02 07:58:15 UTC"));
	assert_non_null(strstr(d.not_after, " UTC"));
	assert_int_equal(strlen(d.sha256), 32 * 3 - 1);
	assert_int_equal(d.sha256[2], ':');
	tls_ctx_free(ctx);
}

/* An IPv6 listen address gives an IP entry; no names gives localhost. */
static void
test_selfsigned_names(void **state)
{
	const char *const	 v6[] = { "localhost", "::1", "host.example",
				    NULL };
	struct tls_cert_desc	 d;
	struct tls_ctx		*ctx;
	char			*cause = NULL;

	(void)state;
	ctx = tls_server_ctx(NULL, NULL, v6, &cause);
	assert_non_null(ctx);
	assert_int_equal(tls_ctx_cert(ctx, &d), 0);
	assert_string_equal(d.san, "DNS:localhost, IP:::1, DNS:host.example");
	tls_ctx_free(ctx);

	ctx = tls_server_ctx(NULL, NULL, NULL, &cause);
	assert_non_null(ctx);
	assert_int_equal(tls_ctx_cert(ctx, &d), 0);
	assert_string_equal(d.san, "DNS:localhost");
	tls_ctx_free(ctx);

	/* A client context has no certificate of its own. */
	ctx = tls_client_ctx(1, &cause);
	assert_non_null(ctx);
	assert_int_equal(tls_ctx_cert(ctx, &d), -1);
	tls_ctx_free(ctx);
}

/* A fresh EC key. */
static EVP_PKEY *
test_key(void)
{
	EVP_PKEY_CTX	*kc = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL);
	EVP_PKEY	*k = NULL;

	assert_non_null(kc);
	assert_true(EVP_PKEY_keygen_init(kc) > 0);
	assert_true(EVP_PKEY_CTX_set_ec_paramgen_curve_nid(kc,
	    NID_X9_62_prime256v1) > 0);
	assert_true(EVP_PKEY_keygen(kc, &k) > 0);
	EVP_PKEY_CTX_free(kc);
	return k;
}

/* Write key k, and a self-signed certificate for it (subject CN=cn, UTF-8),
 * as PEM files. */
static void
test_write_pair(EVP_PKEY *k, const char *cert_path, const char *key_path,
    const char *cn)
{
	X509		*x = X509_new();
	X509_NAME	*n;
	FILE		*f;

	assert_non_null(x);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, k);
	n = X509_get_subject_name(x);
	assert_true(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8,
	    (const unsigned char *)cn, -1, -1, 0) == 1);
	X509_set_issuer_name(x, n);
	assert_true(X509_sign(x, k, EVP_sha256()) > 0);
	assert_non_null(f = fopen(cert_path, "w"));
	assert_true(PEM_write_X509(f, x) == 1);
	fclose(f);
	assert_non_null(f = fopen(key_path, "w"));
	assert_true(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1);
	fclose(f);
	X509_free(x);
}

/* A certificate and key that do not belong together give one clear line;
 * a matching pair loads; missing and broken files are named. */
static void
test_cert_key_files(void **state)
{
	char		 c1[64], k1[64], c2[64], k2[64], junk[64], want[256];
	EVP_PKEY	*a = test_key(), *b = test_key();
	struct tls_ctx	*ctx;
	struct tls_cert_desc d;
	char		*cause = NULL;
	FILE		*f;

	(void)state;
	snprintf(c1, sizeof c1, "%s/c1.pem", test_dir);
	snprintf(k1, sizeof k1, "%s/k1.pem", test_dir);
	snprintf(c2, sizeof c2, "%s/c2.pem", test_dir);
	snprintf(k2, sizeof k2, "%s/k2.pem", test_dir);
	snprintf(junk, sizeof junk, "%s/junk.pem", test_dir);
	test_write_pair(a, c1, k1, "pair");
	test_write_pair(b, c2, k2, "pair");
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);

	ctx = tls_server_ctx(c1, k1, NULL, &cause);
	assert_non_null(ctx);
	assert_int_equal(tls_ctx_cert(ctx, &d), 0);
	assert_string_equal(d.subject, "CN=pair");
	tls_ctx_free(ctx);

	ctx = tls_server_ctx(c1, k2, NULL, &cause);
	assert_null(ctx);
	assert_non_null(cause);
	snprintf(want, sizeof want, "key %s does not match certificate %s",
	    k2, c1);
	assert_string_equal(cause, want);
	free(cause);
	cause = NULL;

	ctx = tls_server_ctx("/nonexistent/c.pem", k1, NULL, &cause);
	assert_null(ctx);
	assert_string_equal(cause, "certificate /nonexistent/c.pem: "
	    "No such file or directory (ENOENT)");
	free(cause);
	cause = NULL;

	assert_non_null(f = fopen(junk, "w"));
	fputs("not a certificate\n", f);
	fclose(f);
	ctx = tls_server_ctx(junk, k1, NULL, &cause);
	assert_null(ctx);
	snprintf(want, sizeof want, "certificate %s: ", junk);
	assert_memory_equal(cause, want, strlen(want));
	assert_null(strchr(cause, '\n'));
	free(cause);
	cause = NULL;

	ctx = tls_server_ctx(c1, junk, NULL, &cause);
	assert_null(ctx);
	snprintf(want, sizeof want, "key %s: ", junk);
	assert_memory_equal(cause, want, strlen(want));
	free(cause);
	cause = NULL;

	ctx = tls_server_ctx(c1, NULL, NULL, &cause);
	assert_null(ctx);
	assert_string_equal(cause, "a certificate needs its key too");
	free(cause);

	unlink(c1);
	unlink(k1);
	unlink(c2);
	unlink(k2);
	unlink(junk);
}

/* A certificate's names come from the network: a terminal escape and
 * UTF-8 in them arrive as printable ASCII. */
static void
test_hostile_names(void **state)
{
	char		 c[64], k[64];
	EVP_PKEY	*key = test_key();
	struct tls_ctx	*ctx;
	struct tls_cert_desc d;
	char		*cause = NULL;
	const char	*p;

	(void)state;
	snprintf(c, sizeof c, "%s/evil.pem", test_dir);
	snprintf(k, sizeof k, "%s/evil.key", test_dir);
	test_write_pair(key, c, k, "\x1b[2Jevil\xc3\xa9\\");
	EVP_PKEY_free(key);
	assert_non_null(ctx = tls_server_ctx(c, k, NULL, &cause));
	assert_int_equal(tls_ctx_cert(ctx, &d), 0);
	assert_string_equal(d.cn, "\\x1b[2Jevil\\xc3\\xa9\\");
	for (p = d.subject; *p != '\0'; p++)
		assert_true(*p >= 0x20 && *p < 0x7f);
	assert_non_null(strstr(d.subject, "evil"));
	tls_ctx_free(ctx);
	unlink(c);
	unlink(k);
}

/* The verify results in words, for the common codes. */
static void
test_verify_words(void **state)
{
	(void)state;
	assert_string_equal(tls_verify_words(X509_V_OK), "ok");
	assert_string_equal(tls_verify_words(X509_V_ERR_CERT_HAS_EXPIRED),
	    "certificate has expired");
	assert_string_equal(tls_verify_words(X509_V_ERR_CERT_NOT_YET_VALID),
	    "certificate is not yet valid");
	assert_string_equal(tls_verify_words(X509_V_ERR_HOSTNAME_MISMATCH),
	    "hostname mismatch");
	assert_string_equal(tls_verify_words(X509_V_ERR_IP_ADDRESS_MISMATCH),
	    "IP address mismatch");
	assert_string_equal(
	    tls_verify_words(X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT),
	    "self-signed certificate");
	assert_string_equal(
	    tls_verify_words(X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN),
	    "self-signed certificate in certificate chain");
	assert_string_equal(
	    tls_verify_words(X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY),
	    "unable to get local issuer certificate");
}

/* ALPN lists: comma-separated names of 1-255 characters. */
static void
test_alpn_list(void **state)
{
	struct tls_ctx	*ctx;
	char		*cause = NULL;

	(void)state;
	ctx = tls_client_ctx(0, &cause);
	assert_non_null(ctx);
	assert_int_equal(tls_ctx_set_alpn(ctx, "h2,http/1.1", &cause), 0);
	assert_int_equal(tls_ctx_set_alpn(ctx, "http/1.1", &cause), 0);
	assert_int_equal(tls_ctx_set_alpn(ctx, "", &cause), -1);
	assert_string_equal(cause, "ALPN list must be 1-1024 characters");
	free(cause);
	assert_int_equal(tls_ctx_set_alpn(ctx, "h2,,x", &cause), -1);
	assert_string_equal(cause, "bad ALPN list 'h2,,x': each protocol "
	    "name must be 1-255 characters");
	free(cause);
	assert_int_equal(tls_ctx_set_alpn(ctx, "h2,", &cause), -1);
	free(cause);
	tls_ctx_free(ctx);
}

/* The records a session reported. */
struct test_recs {
	int	n;
	int	calls[64];
	long long rets[64];
	char	notes[64][256];
};

/* The record hook: keep call, ret and note. */
static void
test_record(const struct sysrec *r, void *arg)
{
	struct test_recs *tr = arg;

	if (tr->n >= 64)
		return;
	tr->calls[tr->n] = r->call;
	tr->rets[tr->n] = r->ret;
	snprintf(tr->notes[tr->n], sizeof tr->notes[0], "%s",
	    r->note != NULL ? r->note : "");
	tr->n++;
}

/* Wait (bounded) until fd is ready for what rc wants. */
static void
test_wait(int fd, int rc)
{
	struct pollfd	pfd = { .fd = fd };

	pfd.events = rc == TLS_WANT_WRITE ? POLLOUT : POLLIN;
	assert_true(poll(&pfd, 1, 5000) == 1);
}

/* Run both handshakes over a socketpair until both are complete. */
static void
test_handshake_pair(struct tls *c, struct tls *s)
{
	int	rc_c = 1, rc_s = 1, turns;

	for (turns = 0; turns < 100 && (rc_c != 0 || rc_s != 0); turns++) {
		if (rc_c != 0)
			rc_c = tls_handshake(c);
		if (rc_s != 0)
			rc_s = tls_handshake(s);
		assert_true(rc_c == 0 || rc_c == TLS_WANT_READ ||
		    rc_c == TLS_WANT_WRITE);
		assert_true(rc_s == 0 || rc_s == TLS_WANT_READ ||
		    rc_s == TLS_WANT_WRITE);
	}
	assert_int_equal(rc_c, 0);
	assert_int_equal(rc_s, 0);
}

/* Read once, waiting (bounded) while the session wants the socket. */
static ssize_t
test_read(struct tls *t, int fd, void *buf, size_t n)
{
	ssize_t	r;
	int	turns;

	for (turns = 0; turns < 50; turns++) {
		r = tls_read(t, buf, n);
		if (r != TLS_WANT_READ && r != TLS_WANT_WRITE)
			return r;
		test_wait(fd, (int)r);
	}
	fail_msg("read never finished");
	return -1;
}

/* Make a non-blocking socketpair. */
static void
test_pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(fcntl(sv[0], F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
}

/* A client and a server context talk: the summary, verify words, pending
 * plaintext, close_notify read as 0, and the record hook's calls. */
static void
test_session_clean(void **state)
{
	const char *const names[] = { "localhost", "127.0.0.1", NULL };
	struct tls_ctx	*sc, *cc;
	struct tls	*s, *c;
	struct tls_info	 info;
	struct test_recs tr = { 0 };
	char		*cause = NULL, buf[64], want[160];
	int		 sv[2], i;

	(void)state;
	test_pair(sv);
	assert_non_null(sc = tls_server_ctx(NULL, NULL, names, &cause));
	assert_non_null(cc = tls_client_ctx(0, &cause));
	assert_int_equal(tls_ctx_set_alpn(sc, "http/1.1", &cause), 0);
	assert_int_equal(tls_ctx_set_alpn(cc, "h2,http/1.1", &cause), 0);
	c = tls_new(cc, sv[0], 0, "localhost");
	s = tls_new(sc, sv[1], 1, NULL);
	tls_set_record(c, test_record, &tr);
	assert_int_equal(tls_pending(c), 0);
	test_handshake_pair(c, s);
	assert_true(tls_established(c));

	tls_info(c, &info);
	assert_string_equal(info.version, "TLSv1.3");
	assert_string_equal(info.alpn, "http/1.1");
	assert_string_equal(info.peer.cn, "localhost");
	assert_string_equal(info.verify, "self-signed certificate");
	assert_int_equal(info.verify_code, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
	assert_int_equal(info.verify_enforced, 0);
	snprintf(want, sizeof want, "TLSv1.3 %s, ALPN http/1.1", info.cipher);
	assert_memory_equal(info.summary, want, strlen(want));
	assert_string_equal(info.summary + strlen(want),
	    ", peer CN=localhost, verify: self-signed certificate "
	    "(not enforced)");
	tls_info(s, &info);
	assert_string_equal(info.sni, "localhost");
	assert_string_equal(info.verify, "no client certificate");

	/* One 20-byte record read 5 bytes at a time: the rest waits inside
	 * OpenSSL, not in the socket. */
	assert_int_equal(tls_write(s, "0123456789abcdefghij", 20), 20);
	assert_int_equal(test_read(c, sv[0], buf, 5), 5);
	assert_memory_equal(buf, "01234", 5);
	for (i = 0; i < 3; i++) {
		struct pollfd pfd = { .fd = sv[0], .events = POLLIN };

		assert_int_equal(tls_pending(c), 1);
		assert_int_equal(poll(&pfd, 1, 0), 0);
		assert_int_equal(tls_read(c, buf, 5), 5);
	}
	assert_memory_equal(buf, "fghij", 5);
	assert_int_equal(tls_pending(c), 0);

	/* close_notify from the server is a clean EOF, and again. */
	assert_int_equal(tls_shutdown(s), 0);
	assert_int_equal(tls_write(s, "x", 1), TLS_ERROR);
	assert_string_equal(tls_cause(s), "close_notify was sent: no more writing");
	assert_int_equal(test_read(c, sv[0], buf, sizeof buf), 0);
	assert_int_equal(tls_read(c, buf, sizeof buf), 0);

	/* The client may still answer and then close its side too. */
	assert_int_equal(tls_write(c, "bye", 3), 3);
	assert_int_equal(test_read(s, sv[1], buf, sizeof buf), 3);
	assert_int_equal(tls_shutdown(c), 0);
	assert_int_equal(test_read(s, sv[1], buf, sizeof buf), 0);

	/* The record: SSL_connect calls, the last one with the summary;
	 * the reads; the clean EOF. */
	assert_true(tr.n >= 7);
	assert_int_equal(tr.calls[0], SR_SSL_CONNECT);
	for (i = 0; tr.calls[i] == SR_SSL_CONNECT; i++)
		;
	assert_int_equal(tr.rets[i - 1], 1);
	assert_memory_equal(tr.notes[i - 1], "TLSv1.3 ", 8);
	for (i = 0; i < tr.n && tr.rets[i] != 0; i++)
		;
	assert_true(i < tr.n);
	assert_int_equal(tr.calls[i], SR_SSL_READ);
	assert_string_equal(tr.notes[i], "close_notify: the peer finished sending");
	assert_int_equal(tr.calls[tr.n - 1], SR_SSL_SHUTDOWN);

	tls_free(c);
	tls_free(s);
	tls_ctx_free(cc);
	tls_ctx_free(sc);
	close(sv[0]);
	close(sv[1]);
}

/* The peer's socket closing without close_notify is a truncation, not an
 * EOF, and close_notify cannot follow it; verification on rejects a
 * self-signed certificate with the words. */
static void
test_session_truncated(void **state)
{
	struct tls_ctx	*sc, *cc;
	struct tls	*s, *c;
	struct tls_info	 info;
	struct test_recs tr = { 0 };
	char		*cause = NULL, buf[64];
	int		 sv[2], rc_c, rc_s, turns;

	(void)state;
	test_pair(sv);
	assert_non_null(sc = tls_server_ctx(NULL, NULL, NULL, &cause));
	assert_non_null(cc = tls_client_ctx(0, &cause));
	c = tls_new(cc, sv[0], 0, "localhost");
	s = tls_new(sc, sv[1], 1, NULL);
	test_handshake_pair(c, s);
	tls_set_record(c, test_record, &tr);
	assert_int_equal(tls_write(s, "last", 4), 4);
	tls_free(s);
	close(sv[1]);
	assert_int_equal(test_read(c, sv[0], buf, sizeof buf), 4);
	assert_int_equal(test_read(c, sv[0], buf, sizeof buf), TLS_TRUNCATED);
	assert_string_equal(tls_cause(c), "the peer closed the connection "
	    "without close_notify (truncated)");
	assert_int_equal(tls_read(c, buf, sizeof buf), TLS_TRUNCATED);
	assert_int_equal(tls_shutdown(c), TLS_ERROR);
	/* The record: the 4-byte read, then the truncation, as it was. */
	assert_true(tr.n >= 2);
	assert_int_equal(tr.calls[tr.n - 1], SR_SSL_READ);
	assert_true(tr.rets[tr.n - 1] <= 0);
	assert_string_equal(tr.notes[tr.n - 1],
	    "EOF without close_notify: truncated");
	tls_free(c);
	tls_ctx_free(cc);
	close(sv[0]);

	/* Verification on: the handshake fails and says why. */
	test_pair(sv);
	assert_non_null(cc = tls_client_ctx(1, &cause));
	c = tls_new(cc, sv[0], 0, "localhost");
	s = tls_new(sc, sv[1], 1, NULL);
	rc_c = rc_s = TLS_WANT_READ;
	for (turns = 0; turns < 100 && rc_c != TLS_ERROR && rc_c != 0;
	    turns++) {
		rc_c = tls_handshake(c);
		if (rc_s == TLS_WANT_READ || rc_s == TLS_WANT_WRITE)
			rc_s = tls_handshake(s);
	}
	assert_int_equal(rc_c, TLS_ERROR);
	assert_string_equal(tls_cause(c),
	    "certificate verify failed: self-signed certificate");
	tls_info(c, &info);
	assert_int_equal(info.peer_cert, 1);
	assert_string_equal(info.verify, "self-signed certificate");
	assert_int_equal(info.verify_enforced, 1);
	tls_free(c);
	tls_free(s);
	tls_ctx_free(cc);
	tls_ctx_free(sc);
	close(sv[0]);
	close(sv[1]);
}

/* Make the scratch folder. */
static int
test_setup(void **state)
{
	(void)state;
	return mkdtemp(test_dir) == NULL ? -1 : 0;
}

/* Remove the scratch folder. */
static int
test_teardown(void **state)
{
	(void)state;
	return rmdir(test_dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_selfsigned),
		cmocka_unit_test(test_selfsigned_names),
		cmocka_unit_test(test_cert_key_files),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_verify_words),
		cmocka_unit_test(test_alpn_list),
		cmocka_unit_test(test_session_clean),
		cmocka_unit_test(test_session_truncated),
	};

	/* As in sockscope: a write to a closed socket is EPIPE, not death
	 * (OpenSSL may send an alert to a peer that has gone). */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, test_setup, test_teardown);
}
