/*
 * tls.h: TLS over an existing non-blocking TCP socket, with OpenSSL (SPEC
 * section 9).  The engine's TLS transport calls these in place of
 * recv()/send()/shutdown() on a connection whose fd it already owns.
 *
 * Non-blocking only: no call here ever waits, prints or exits.  A call that
 * cannot go on returns TLS_WANT_READ or TLS_WANT_WRITE: poll the fd for
 * POLLIN or POLLOUT (whatever the call was), then make the SAME call again.
 * Note that a read can want POLLOUT and a write POLLIN.
 *
 * Ownership: the fd stays the caller's; tls_free() neither closes it nor
 * sends anything.  A context (struct tls_ctx) may be shared by any number of
 * struct tls and must outlive them.  Every "cause" handed out is a malloc'd
 * one-line string (printable ASCII) the caller frees.
 *
 * SIGPIPE: OpenSSL writes to the fd with write(); the program must ignore
 * SIGPIPE (sockscope does), an EPIPE then comes back as an error.
 *
 * A transport on top (tests/tls-peer.c does exactly this):
 *   connect()/accept() as for TCP; t = tls_new(ctx, fd, server, host);
 *   while tls_handshake(t) wants, poll for what it wants;  then tls_info();
 *   read:     tls_read() once per wake-up; > 0 a chunk, 0 EOF (clean),
 *             TLS_TRUNCATED EOF (truncated), TLS_ERROR (tls_errno():
 *             ECONNRESET = reset); afterwards, while tls_pending(), read
 *             again without polling;
 *   write:    tls_write() from the head of the send queue, drop what it
 *             took; on TLS_WANT_* retry the same head when the fd is ready;
 *   shutdown: tls_shutdown() (close_notify), then shutdown(fd, SHUT_WR)
 *             if the TCP side should finish too;
 *   close:    tls_free(t), then close(fd) (no close_notify is sent).
 *   wants:    read wants POLLOUT / write wants POLLIN after the WANT_* of
 *             its own last call (tls_want() tells the last one).
 */
#ifndef SOCKSCOPE_TLS_H
#define SOCKSCOPE_TLS_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

struct sysrec;
struct tls_ctx;
struct tls;

/* Return values besides >= 0 (see each function). */
#define TLS_ERROR	 (-1)	/* failed: tls_cause(), tls_errno() say why */
#define TLS_WANT_READ	 (-2)	/* poll for POLLIN, then call again */
#define TLS_WANT_WRITE	 (-3)	/* poll for POLLOUT, then call again */
#define TLS_TRUNCATED	 (-4)	/* tls_read: the peer closed the TCP
				   connection without close_notify */

/* Text fields are printable ASCII, NUL-terminated, "" when unknown; bytes
 * from the network (names in certificates, ALPN) arrive escaped (\XX). */
struct tls_cert_desc {
	char	 subject[256];	/* "CN=localhost, O=Example" (most specific first) */
	char	 cn[128];	/* the subject's commonName, "" if none */
	char	 issuer[256];
	char	 san[512];	/* "DNS:localhost, IP:127.0.0.1" */
	char	 not_before[32];	/* "2026-12-02 07:58:15 UTC" */
	char	 not_after[32];
	time_t	 not_before_t;
	time_t	 not_after_t;
	char	 key[32];	/* "EC P-256", "RSA 2048" */
	char	 sha256[96];	/* fingerprint, "AB:CD:..." (32 bytes) */
};

/* What a finished (or failed) handshake gave. */
struct tls_info {
	char	 version[16];	/* "TLSv1.3"; "" until a cipher is agreed */
	char	 cipher[64];	/* "TLS_AES_256_GCM_SHA384", or "" */
	char	 alpn[64];	/* protocol agreed, "" when none */
	char	 sni[256];	/* client: the name sent ("" for an address,
				   which is checked, not sent); server: the
				   name got */
	int	 server;	/* 1: we are the server */
	int	 peer_cert;	/* 1: the peer showed a certificate (below) */
	struct tls_cert_desc peer;
	long	 verify_code;	/* X509_V_OK (0) or X509_V_ERR_* */
	char	 verify[128];	/* tls_verify_words(verify_code) */
	int	 verify_enforced;	/* 1: a failure would have stopped the
					   handshake (client, verify on) */
	/* One line for the Events pane: "TLSv1.3 TLS_AES_256_GCM_SHA384,
	 * peer CN=localhost, verify: ok" (", ALPN h2" when agreed; "verify:
	 * self-signed certificate (not enforced)" with verification off;
	 * "handshake incomplete, peer CN=..., verify: ..." after a failure). */
	char	 summary[256];
};

/*
 * A client context: the system trust store, and peer verification on
 * (verify != 0: a certificate that does not verify, or does not match the
 * name given to tls_new(), fails the handshake) or off (the handshake goes
 * on; tls_info() still says what verification found).  SPEC: on by default
 * for names, off for addresses; the caller decides.  NULL and *cause on
 * failure.
 */
struct tls_ctx *tls_client_ctx(int verify, char **cause);

/*
 * A server context.  With cert_file and key_file (PEM; the certificate file
 * may hold the chain), load both and check that the key matches.  With both
 * NULL, make a throw-away self-signed certificate in memory: EC P-256, valid
 * from one hour ago for 30 days, subject CN=names[0], a subjectAltName entry
 * for each of names (NULL-terminated; an IPv4/IPv6 address gives an IP
 * entry, anything else a DNS entry), e.g. { "localhost", "127.0.0.1", NULL }.
 * NULL and *cause ("key k.pem does not match certificate c.pem") on failure.
 */
struct tls_ctx *tls_server_ctx(const char *cert_file, const char *key_file,
    const char *const *names, char **cause);

/* Also trust the CA certificates in file (PEM) when verifying peers.
 * 0, or -1 and *cause. */
int tls_ctx_add_ca(struct tls_ctx *ctx, const char *file, char **cause);

/*
 * ALPN: list is comma-separated ("h2,http/1.1").  A client offers it; a
 * server picks the first of its own list that the client offers (none
 * agreed when there is no overlap: the handshake goes on).  0, or -1 and
 * *cause for a malformed list.
 */
int tls_ctx_set_alpn(struct tls_ctx *ctx, const char *list, char **cause);

/* Describe the context's own certificate (a server's): 0, or -1 if none. */
int tls_ctx_cert(const struct tls_ctx *ctx, struct tls_cert_desc *d);

void tls_ctx_free(struct tls_ctx *ctx);

/*
 * A TLS session on fd (a connected, non-blocking TCP socket), as server or
 * client.  A client sends sni_name as SNI (unless it is an IP address) and
 * checks the peer's certificate against it (DNS or IP entry); NULL: no SNI,
 * no name check.  Never NULL (out of memory is fatal).
 */
struct tls *tls_new(struct tls_ctx *ctx, int fd, int server,
    const char *sni_name);

/* Free the session; the fd is not closed and nothing is sent. */
void tls_free(struct tls *t);

/*
 * Drive the handshake (SSL_connect / SSL_accept).  0 when complete (then
 * tls_info()), TLS_WANT_*, or TLS_ERROR: tls_cause() is one line, e.g.
 * "certificate verify failed: certificate has expired", "tlsv1 alert
 * unknown ca", "the peer closed the connection during the handshake",
 * "Connection reset by peer (ECONNRESET)".
 */
int tls_handshake(struct tls *t);

/*
 * Read up to n plaintext bytes: one SSL_read, so a chunk is what it returns
 * (at most one record).  Returns the byte count (> 0); 0 at a clean EOF
 * (the peer's close_notify); TLS_TRUNCATED when the peer closed the TCP
 * connection without close_notify; TLS_WANT_*; TLS_ERROR (tls_errno() is
 * ECONNRESET for a reset).
 *
 * IMPORTANT for a poll() loop: OpenSSL may hold plaintext already read
 * from the fd (a record larger than n).  poll() does not report it, so
 * after every read that returned > 0, ask tls_pending() and read again
 * without waiting while it is nonzero.
 */
ssize_t tls_read(struct tls *t, void *buf, size_t n);

/* Nonzero when decrypted or undecrypted bytes wait inside OpenSSL, so that
 * tls_read() can make progress without the fd being readable. */
int tls_pending(const struct tls *t);

/*
 * Write up to n plaintext bytes.  Returns the count written (> 0, maybe
 * less than n: partial writes are on), TLS_WANT_* or TLS_ERROR (tls_errno():
 * EPIPE, ECONNRESET...).  After TLS_WANT_*, call again with the same bytes:
 * the buffer may move, but n must not shrink.
 */
ssize_t tls_write(struct tls *t, const void *buf, size_t n);

/*
 * Send close_notify (our side is finished; reading goes on until the
 * peer's close_notify, tls_read() returning 0).  0 once it is sent (or was
 * already), TLS_WANT_*, TLS_ERROR (also before the handshake is complete
 * or after the session failed or was truncated).  The TCP connection is
 * untouched: shutdown(fd, SHUT_WR) afterwards is the caller's choice.
 */
int tls_shutdown(struct tls *t);

/* Fill *info from the session: complete after the handshake; after a
 * failed handshake, what is known (notably the peer certificate and
 * verify result). */
void tls_info(const struct tls *t, struct tls_info *info);

/* The one-line cause of the last TLS_ERROR (NULL if none); owned by t,
 * valid until the next call on t. */
const char *tls_cause(const struct tls *t);

/* errno of the last TLS_ERROR when the socket failed (ECONNRESET, EPIPE),
 * else 0 (a TLS protocol error). */
int tls_errno(const struct tls *t);

/* What the last call waited for: TLS_WANT_READ, TLS_WANT_WRITE or 0. */
int tls_want(const struct tls *t);

/* 1 when the handshake is complete. */
int tls_established(const struct tls *t);

/*
 * The call record hook (SPEC 10): when set, every SSL call made by
 * tls_handshake/read/write/shutdown is reported as a struct sysrec
 * (SR_SSL_CONNECT, SR_SSL_ACCEPT, SR_SSL_READ, SR_SSL_WRITE,
 * SR_SSL_SHUTDOWN) with fd, ret (as OpenSSL returned it), ssl_error
 * (SSL_get_error), err (errno when the socket failed), len, data and a note
 * ("want read", "close_notify", "EOF without close_notify: truncated", the
 * handshake summary or the error cause).  t, conn, listener and role are
 * left 0 for the caller to fill in its copy.  The record and what it points
 * to are valid only during the callback.
 */
typedef void tls_record_fn(const struct sysrec *r, void *arg);
void tls_set_record(struct tls *t, tls_record_fn *fn, void *arg);

/* The verify result in words: "ok", "certificate has expired", "hostname
 * mismatch", "self-signed certificate", "unable to get local issuer
 * certificate"... (X509_verify_cert_error_string). */
const char *tls_verify_words(long code);

#endif
