/*
 * cmd.c: the input line (SPEC section 3) as a pure parser, and the command
 * table it owns: every command's name, usage, help text and completion
 * keywords.
 *
 * The shells call cmd_parse() on each line typed at the prompt or read in
 * batch mode and act on the struct cmd it fills; main.c calls
 * cmd_parse_port(), cmd_parse_size() and cmd_parse_eol() on options and
 * arguments; prompt.c completes with cmd_name_list() and cmd_keywords().  No
 * socket, resolver, printing or locale here: every message that quotes
 * user input escapes it, so it is safe to show on a terminal as it is.
 */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockscope/cmd.h"
#include "sockscope/responder.h"
#include "sockscope/util.h"

/* Longest piece of user input quoted in a message before "..." cuts it. */
#define CMD_QUOTE_MAX 40

/* Most words any command takes, apart from /send and /hex. */
#define CMD_WORDS_MAX 3

/* One word of a command line: not NUL-terminated. */
struct cmd_word {
	const char	*p;
	size_t		 n;
};

struct cmd_entry;
typedef int cmd_parse_fn(const struct cmd_entry *, const char *, size_t,
    struct cmd *, char **);

/* What the parser and the help know about one command. */
struct cmd_entry {
	const char		*name;		/* without '/' */
	const char		*alias;		/* another name, or NULL */
	enum cmd_kind		 kind;
	unsigned int		 minargs;
	unsigned int		 maxargs;
	const char		*usage;		/* argument template */
	const char		*summary;	/* one line */
	const char		*help;		/* explanation, no usage */
	const char *const	*keywords;	/* for argument 1 */
	cmd_parse_fn		*parse;
};

static cmd_parse_fn cmd_parse_none;
static cmd_parse_fn cmd_parse_send;
static cmd_parse_fn cmd_parse_hex;
static cmd_parse_fn cmd_parse_recv;
static cmd_parse_fn cmd_parse_accept;
static cmd_parse_fn cmd_parse_auto;
static cmd_parse_fn cmd_parse_notation;
static cmd_parse_fn cmd_parse_eolcmd;
static cmd_parse_fn cmd_parse_target;
static cmd_parse_fn cmd_parse_close;
static cmd_parse_fn cmd_parse_conn;
static cmd_parse_fn cmd_parse_connect;
static cmd_parse_fn cmd_parse_listen;
static cmd_parse_fn cmd_parse_view;
static cmd_parse_fn cmd_parse_helpcmd;
static cmd_parse_fn cmd_parse_respond;
static cmd_parse_fn cmd_parse_sendfile;
static cmd_parse_fn cmd_parse_serve;

static const char *const cmd_auto_keywords[] = { "on", "off", NULL };
static const char *const cmd_notation_keywords[] = { "c", "python", NULL };
static const char *const cmd_eol_keywords[] = {
	"lf", "crlf", "cr", "none", NULL
};
static const char *const cmd_view_keywords[] = {
	"split", "hex", "text", "lab", "pair", "http", NULL
};
/*
 * The commands in the order of SPEC section 3: the one list every other
 * list comes from (the parser, /help, /help COMMAND, completion of names
 * and of /help's topics, and the command list in --help).  A new command
 * is one entry here.  usage is the argument template shown after the name
 * ("HOST PORT"); summary is the one-line description of /help and --help;
 * help explains the command in lines of at most 72 columns.
 */
static const struct cmd_entry cmd_table[] = {
	{ "connect", NULL, CMD_CONNECT, 1, 2, "HOST PORT",
	  "open a new connection; it becomes focused",
	  "Open a TCP connection to HOST on PORT; it becomes the focused\n"
	  "connection.  HOST is a name or an IPv4 or IPv6 address (::1 or\n"
	  "[::1]); every address a name resolves to is tried in turn.  PORT\n"
	  "is 1-65535 or a service name such as http.  One word may give\n"
	  "both: HOST:PORT, [V6]:PORT or http://HOST[:PORT]/ (port 80);\n"
	  "https://HOST[:PORT]/ is TLS (port 443).  The transport is the\n"
	  "one sockscope started with (-u UDP, -c TLS).\n",
	  NULL, cmd_parse_connect },
	{ "listen", NULL, CMD_LISTEN, 1, 2, "[ADDR] PORT",
	  "open a listener (several may be open)",
	  "Open a listener on ADDR (default 127.0.0.1) and PORT; several may\n"
	  "be open at once.  Give 0.0.0.0 or :: to listen on every interface.\n"
	  "Each accepted connection gets the next #ID.  The transport is the\n"
	  "one sockscope started with (-u UDP, -c TLS).\n",
	  NULL, cmd_parse_listen },
	{ "accept", NULL, CMD_ACCEPT, 0, 1, "[LID]",
	  "accept one waiting client (--manual-accept)",
	  "Call accept() once on listener LID (default: the first with a\n"
	  "client waiting).  With --manual-accept listeners do not accept by\n"
	  "themselves: clients the kernel completed wait in the backlog,\n"
	  "shown in the Connections pane, until /accept takes one.\n",
	  NULL, cmd_parse_accept },
	{ "send", NULL, CMD_SEND, 1, 1, "TEXT",
	  "send TEXT with C escapes decoded; no end-of-line",
	  "Send TEXT to the focused connection, with no end-of-line added.\n"
	  "C escapes are decoded: \\r \\n \\t \\0 \\\\ \\xHH, also \\e \\a "
	  "\\\" \\'.\n"
	  "Spaces after the first one are sent too.\n"
	  "Example: /send GET / HTTP/1.0\\r\\n\\r\\n\n",
	  NULL, cmd_parse_send },
	{ "hex", NULL, CMD_HEX, 1, UINT_MAX, "HEX...",
	  "send raw bytes, e.g. /hex 47 45 54 0d0a",
	  "Send raw bytes written in hex to the focused connection, with no\n"
	  "end-of-line added.  Groups are separated by spaces; each has an\n"
	  "even number of digits and an optional 0x.\n"
	  "Example: /hex 47 45 54 0d0a\n",
	  NULL, cmd_parse_hex },
	{ "recv", NULL, CMD_RECV, 0, 1, "[N]",
	  "call recv() once for up to N bytes",
	  "Call recv() once on the focused connection for up to N bytes\n"
	  "(1-1048576; default: the recv size) and show exactly what it\n"
	  "returned: some bytes, 0 at EOF, or an error.  Most useful after\n"
	  "/auto off, when nothing is received until you ask.\n",
	  NULL, cmd_parse_recv },
	{ "auto", NULL, CMD_AUTO, 1, 1, "on|off",
	  "automatic receiving on or off",
	  "Turn automatic receiving on or off.  While it is off, data waits\n"
	  "in the kernel's receive queue until /recv reads it.\n",
	  cmd_auto_keywords, cmd_parse_auto },
	{ "recvsize", NULL, CMD_RECVSIZE, 1, 1, "N",
	  "set the bytes asked of each recv() (1-1048576)",
	  "Set how many bytes each recv() asks for, 1-1048576 (default\n"
	  "4096).  A small size shows how a stream is split into reads.\n",
	  NULL, cmd_parse_recv },
	{ "eol", NULL, CMD_EOL, 1, 1, "lf|crlf|cr|none",
	  "set the end-of-line appended to typed lines",
	  "Set the end-of-line appended to each typed line: LF (\\n), CRLF\n"
	  "(\\r\\n), CR (\\r) or none.  HTTP, SMTP and most other Internet\n"
	  "protocols want crlf.\n",
	  cmd_eol_keywords, cmd_parse_eolcmd },
	{ "shutdown", NULL, CMD_SHUTDOWN, 0, 1, "[#ID]",
	  "half-close: the peer reads EOF; we still receive",
	  "Half-close the focused connection, or #ID, with shutdown(SHUT_WR):\n"
	  "the peer reads EOF, and we can still receive what it sends.\n",
	  NULL, cmd_parse_target },
	{ "reset", NULL, CMD_RESET, 0, 1, "[#ID]",
	  "abortive close: the peer gets a reset (RST)",
	  "Abort the focused connection, or #ID: close it with SO_LINGER set\n"
	  "to 0, so the peer gets a reset (RST) instead of an orderly EOF.\n",
	  NULL, cmd_parse_target },
	{ "close", NULL, CMD_CLOSE, 0, 1, "[#ID|LID]",
	  "close a connection or a listener",
	  "Close the focused connection, connection #ID (/close #2) or\n"
	  "listener LID (/close L1).\n",
	  NULL, cmd_parse_close },
	{ "conn", NULL, CMD_CONN, 1, 1, "#ID",
	  "focus a connection",
	  "Focus connection #ID (/conn #2, or /conn 2): the panes show it and\n"
	  "typed lines go to it.\n",
	  NULL, cmd_parse_conn },
	{ "view", NULL, CMD_VIEW, 1, 3, "VIEW [#A #B]",
	  "full screen: split, hex, text, lab, pair or http",
	  "Full screen: VIEW is split, hex, text, lab, pair or http.  split\n"
	  "shows data as hex and text side by side; hex and text show one of\n"
	  "them.  lab is for a projector: the focused connection's narration,\n"
	  "its data and one line of kernel facts (bytes waiting for recv(),\n"
	  "unsent bytes, the state), with no borders.  pair shows two\n"
	  "connections side by side: #A and #B, or by default the two ends\n"
	  "of one loopback connection when sockscope holds both (/listen P,\n"
	  "then /connect 127.0.0.1 P), else the focused one and the most\n"
	  "recent other.  F2 cycles these five.  http shows the focused\n"
	  "connection as HTTP/1.x: each request and response under its own\n"
	  "heading, start line, headers aligned, body size and framing, and\n"
	  "where the bytes broke the grammar.\n",
	  cmd_view_keywords, cmd_parse_view },
	{ "clear", NULL, CMD_CLEAR, 0, 0, "",
	  "clear the focused connection's view",
	  "Clear the focused connection's view.  Its counters of bytes and\n"
	  "chunks stay as they are.\n",
	  NULL, cmd_parse_none },
	{ "respond", NULL, CMD_RESPOND, 0, UINT_MAX,
	  "[STATUS] [TEXT]",
	  "answer with an HTTP response, length counted",
	  "Also: /respond [-k] [STATUS] [@FILE].\n"
	  "Send an HTTP/1.1 response to the focused connection: STATUS\n"
	  "(100-599, default 200) with its reason phrase, Content-Length\n"
	  "counted for you, and Content-Type text/plain for TEXT (C escapes\n"
	  "decoded, as /send) or guessed from FILE's name for @FILE (at most\n"
	  "16 MiB).  Without TEXT or FILE the body is the status line's text.\n"
	  "It says Connection: close and half-closes once sent, so the client\n"
	  "reads EOF; -k says Connection: keep-alive and keeps it open for\n"
	  "the next request.  Example: /respond 404 no such page\n",
	  NULL, cmd_parse_respond },
	{ "serve", NULL, CMD_SERVE, 2, 3, "KIND [ADDR] PORT",
	  "demo server: a responder answers each connection",
	  "Open a listener on ADDR (default 127.0.0.1) and PORT whose\n"
	  "accepted connections are answered by a responder of KIND: echo,\n"
	  "upper, reverse, rot13 (each line back, transformed), drip (one\n"
	  "byte per write, 100 ms apart), chunky (pieces of random size),\n"
	  "slow (reads 1 byte per 100 ms), oneshot (one line, then EOF),\n"
	  "reset (one line, then a reset), discard, chargen, daytime (RFC\n"
	  "863, 864, 867) or http (a page showing the request).  Served\n"
	  "connections are ordinary ones, tagged with KIND: /serve echo 5151\n"
	  "then /connect 127.0.0.1 5151 shows both ends in one window.\n",
	  responder_names, cmd_parse_serve },
	{ "sendfile", NULL, CMD_SENDFILE, 1, UINT_MAX, "PATH",
	  "send a file's bytes as they are",
	  "Send the bytes of the file at PATH (the rest of the line, spaces\n"
	  "included) to the focused connection as they are, at most 16 MiB.\n",
	  NULL, cmd_parse_sendfile },
	{ "follow", NULL, CMD_FOLLOW, 1, 1, "on|off",
	  "every new connection takes focus (on), or not",
	  "With follow on, a new connection takes focus as soon as its peer\n"
	  "sends its first bytes (one we /connect, at once), as a browser\n"
	  "opens one connection after another; a spare connection it opened\n"
	  "early takes focus when it carries a request.  With it off (the\n"
	  "default, unless --follow) a new connection takes focus only when\n"
	  "nothing open has it.\n",
	  cmd_auto_keywords, cmd_parse_auto },
	{ "notation", NULL, CMD_NOTATION, 1, 1, "c|python",
	  "narrate socket calls in C or Python notation",
	  "Narrate the socket calls in the Events pane in C notation, like\n"
	  "strace (recv(4, 4096) = 78), or in Python notation, as a blocking\n"
	  "Python program sees them (conn.recv(4096) -> b'...').  The calls\n"
	  "already shown are narrated again.\n",
	  cmd_notation_keywords, cmd_parse_notation },
	{ "help", "?", CMD_HELP, 0, 1, "[COMMAND]",
	  "list commands, or explain one",
	  "List every command, or explain one (/help connect).  A line that\n"
	  "does not start with / is sent as typed, with the end-of-line;\n"
	  "start it with // to send a line beginning with /.  /? is the same.\n",
	  NULL, cmd_parse_helpcmd },
	{ "quit", "exit", CMD_QUIT, 0, 0, "",
	  "close everything and leave",
	  "Close every connection and listener and leave.  F10 and /exit do\n"
	  "the same.\n",
	  NULL, cmd_parse_none },
};
#define CMD_NTABLE (sizeof cmd_table / sizeof cmd_table[0])

/*
 * Lists built from cmd_table on first use and kept for the program's
 * life: the names with '/', the names without (the topics /help
 * completes), each command's full help (usage line first) and the
 * one-line-per-command summary.
 */
static struct {
	const char	*names[CMD_NTABLE + 1];
	const char	*topics[CMD_NTABLE + 1];
	char		*help[CMD_NTABLE];
	char		*all;
} cmd_lists;

/* Nonzero for the bytes that separate words: space and tab. */
static int
cmd_is_sep(char ch)
{
	return ch == ' ' || ch == '\t';
}

/* Nonzero for an ASCII decimal digit (no locale). */
static int
cmd_is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* Nonzero for an ASCII letter (no locale). */
static int
cmd_is_alpha(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

/* The value of a hex digit, or -1. */
static int
cmd_hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Lower-case an ASCII letter (no locale). */
static char
cmd_lower(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return (char)(ch - 'A' + 'a');
	return ch;
}

/* Nonzero if the n bytes at p equal the string s, ignoring ASCII case. */
static int
cmd_equal_nocase(const char *p, size_t n, const char *s)
{
	size_t	i;

	if (strlen(s) != n)
		return 0;
	for (i = 0; i < n; i++) {
		if (cmd_lower(p[i]) != cmd_lower(s[i]))
			return 0;
	}
	return 1;
}

/*
 * Quote user input for a message: printable ASCII as itself, a backslash
 * doubled and every other byte as \xHH, so no control byte or invalid
 * UTF-8 reaches the screen; input longer than CMD_QUOTE_MAX is cut and
 * marked with "...".  Returns a malloc'd string.
 */
static char *
cmd_quote(const char *p, size_t n)
{
	static const char	 hex[] = "0123456789abcdef";
	struct sbuf		 b = { 0 };
	size_t			 i, limit;
	unsigned char		 ch;

	limit = n > CMD_QUOTE_MAX ? CMD_QUOTE_MAX : n;
	sbuf_reserve(&b, limit * 4 + 3);
	sbuf_reset(&b);
	for (i = 0; i < limit; i++) {
		ch = (unsigned char)p[i];
		if (ch == '\\')
			sbuf_adds(&b, "\\\\");
		else if (ch >= 0x20 && ch < 0x7f)
			sbuf_addc(&b, (char)ch);
		else {
			sbuf_addc(&b, '\\');
			sbuf_addc(&b, 'x');
			sbuf_addc(&b, hex[ch >> 4]);
			sbuf_addc(&b, hex[ch & 0xf]);
		}
	}
	if (limit < n)
		sbuf_adds(&b, "...");
	return b.p;
}

/* Set *cause (if the caller wants it) to a formatted message; returns -1. */
static int __attribute__((format(printf, 2, 3)))
cmd_fail(char **cause, const char *fmt, ...)
{
	struct sbuf	b = { 0 };
	va_list		ap;
	char		tmp[1];
	int		n;

	if (cause == NULL)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		util_fatal("bad format '%s'", fmt);
	sbuf_reserve(&b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b.p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	*cause = b.p;
	return -1;
}

/* Set *cause to prefix, the quoted input and suffix; returns -1. */
static int
cmd_fail_quoted(char **cause, const char *prefix, const char *p, size_t n,
    const char *suffix)
{
	char	*q;

	if (cause == NULL)
		return -1;
	q = cmd_quote(p, n);
	cmd_fail(cause, "%s'%s'%s", prefix, q, suffix);
	free(q);
	return -1;
}

/* Fail with "/NAME: usage: USAGE" (or "/NAME takes no arguments"). */
static int
cmd_fail_usage(const struct cmd_entry *ce, char **cause)
{
	if (ce->maxargs == 0)
		return cmd_fail(cause, "/%s takes no arguments", ce->name);
	return cmd_fail(cause, "/%s: usage: /%s %s", ce->name, ce->name,
	    ce->usage);
}

/* Fail with "/NAME: " and a message from a helper, which is freed. */
static int
cmd_fail_prefixed(const struct cmd_entry *ce, char *why, char **cause)
{
	if (cause != NULL)
		cmd_fail(cause, "/%s: %s", ce->name, why);
	free(why);
	return -1;
}

/*
 * Find the next word in the n bytes at *pp, advancing *pp and *np past
 * it.  Returns 0 when only separators are left.
 */
static int
cmd_next_word(const char **pp, size_t *np, struct cmd_word *w)
{
	const char	*p = *pp, *end = *pp + *np;

	while (p < end && cmd_is_sep(*p))
		p++;
	if (p == end) {
		*pp = p;
		*np = 0;
		return 0;
	}
	w->p = p;
	while (p < end && !cmd_is_sep(*p))
		p++;
	w->n = (size_t)(p - w->p);
	*pp = p;
	*np = (size_t)(end - p);
	return 1;
}

/*
 * Split the arguments into words, checking that their number is within
 * the command's limits.  Returns the number of words or -1.
 */
static int
cmd_split(const struct cmd_entry *ce, const char *p, size_t n,
    struct cmd_word *w, char **cause)
{
	struct cmd_word	extra;
	unsigned int	nw = 0;

	while (nw < ce->maxargs && nw < CMD_WORDS_MAX &&
	    cmd_next_word(&p, &n, &w[nw]))
		nw++;
	if (nw < ce->minargs || cmd_next_word(&p, &n, &extra))
		return cmd_fail_usage(ce, cause);
	return (int)nw;
}

/*
 * Parse n decimal digits (no sign, no spaces, leading zeros allowed) no
 * greater than max.  Returns 0 or -1.
 */
static int
cmd_parse_decimal(const char *p, size_t n, unsigned long long max,
    unsigned long long *out)
{
	unsigned long long	v = 0;
	unsigned		d;
	size_t			i;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (!cmd_is_digit(p[i]))
			return -1;
		d = (unsigned)(p[i] - '0');
		/* Checked before multiplying, so v never wraps. */
		if (d > max || v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

/* Parse "#N" or "N" with N >= 1 as a connection number. */
static int
cmd_parse_id(const char *p, size_t n, int *out)
{
	unsigned long long	v;

	if (n > 0 && p[0] == '#') {
		p++;
		n--;
	}
	if (cmd_parse_decimal(p, n, INT_MAX, &v) != 0 || v == 0)
		return -1;
	*out = (int)v;
	return 0;
}

/* Parse "LN" or "lN" with N >= 1 as a listener number. */
static int
cmd_parse_lid(const char *p, size_t n, int *out)
{
	unsigned long long	v;

	if (n < 2 || (p[0] != 'L' && p[0] != 'l'))
		return -1;
	if (cmd_parse_decimal(p + 1, n - 1, INT_MAX, &v) != 0 || v == 0)
		return -1;
	*out = (int)v;
	return 0;
}

/* Check a host argument for cmd_parse(); see cmd_check_host(). */
static int
cmd_parse_host(const struct cmd_entry *ce, const struct cmd_word *w,
    struct cmd *out, char **cause)
{
	char	*why = NULL;

	if (cmd_check_host(w->p, w->n, &out->host,
	    cause == NULL ? NULL : &why) == -1)
		return cmd_fail_prefixed(ce, why, cause);
	return 0;
}

/* Check a port argument and store it as given; returns 0 or -1. */
static int
cmd_parse_portword(const struct cmd_entry *ce, const struct cmd_word *w,
    struct cmd *out, char **cause)
{
	char	*s, *why = NULL;

	s = xstrndup(w->p, w->n);
	if (cmd_parse_port(s, cause == NULL ? NULL : &why) == -1) {
		free(s);
		return cmd_fail_prefixed(ce, why, cause);
	}
	out->port = s;
	return 0;
}

/* Parse a command that takes no arguments (/clear, /quit). */
static int
cmd_parse_none(const struct cmd_entry *ce, const char *p, size_t n,
    struct cmd *out, char **cause)
{
	struct cmd_word	w[CMD_WORDS_MAX];

	(void)out;
	if (cmd_split(ce, p, n, w, cause) == -1)
		return -1;
	return 0;
}

/*
 * Parse /send: the text is the rest of the line after exactly one
 * separator, so further spaces are data.
 */
static int
cmd_parse_send(const struct cmd_entry *ce, const char *p, size_t n,
    struct cmd *out, char **cause)
{
	char	*why = NULL;

	if (n < 2)
		return cmd_fail_usage(ce, cause);
	if (cmd_unescape(p + 1, n - 1, &out->data, &out->len,
	    cause == NULL ? NULL : &why) == -1)
		return cmd_fail_prefixed(ce, why, cause);
	return 0;
}

/* Parse /hex: groups of an even number of hex digits, each maybe 0x. */
static int
cmd_parse_hex(const struct cmd_entry *ce, const char *p, size_t n,
    struct cmd *out, char **cause)
{
	struct sbuf	b = { 0 };
	struct cmd_word	w;
	const char	*d;
	size_t		 dn, i;
	int		 hi, lo, groups = 0;

	while (cmd_next_word(&p, &n, &w)) {
		groups++;
		d = w.p;
		dn = w.n;
		if (dn >= 2 && d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) {
			d += 2;
			dn -= 2;
		}
		for (i = 0; i < dn; i++) {
			if (cmd_hex_value(d[i]) == -1)
				break;
		}
		if (dn == 0 || i < dn) {
			sbuf_free(&b);
			return cmd_fail_quoted(cause, "/hex: not hex digits: ",
			    w.p, w.n, " (write bytes like 47 45 0d0a)");
		}
		if (dn % 2 != 0) {
			sbuf_free(&b);
			return cmd_fail_quoted(cause,
			    "/hex: odd number of hex digits in ", w.p, w.n,
			    "");
		}
		for (i = 0; i < dn; i += 2) {
			hi = cmd_hex_value(d[i]);
			lo = cmd_hex_value(d[i + 1]);
			sbuf_addc(&b, (char)(hi << 4 | lo));
		}
	}
	if (groups == 0)
		return cmd_fail_usage(ce, cause);
	out->data = (unsigned char *)b.p;
	out->len = b.len;
	return 0;
}

/* Parse /recv [N] and /recvsize N: N is 1-1048576. */
static int
cmd_parse_recv(const struct cmd_entry *ce, const char *p, size_t n,
    struct cmd *out, char **cause)
{
	struct cmd_word		w[CMD_WORDS_MAX];
	unsigned long long	v;
	char			prefix[64];
	int			nw;

	if ((nw = cmd_split(ce, p, n, w, cause)) == -1)
		return -1;
	if (nw == 0) {
		out->n = 0;
		return 0;
	}
	if (cmd_parse_decimal(w[0].p, w[0].n, CMD_RECV_MAX, &v) != 0 ||
	    v < CMD_RECV_MIN) {
		snprintf(prefix, sizeof prefix, "/%s: N must be %d-%d, got ",
		    ce->name, CMD_RECV_MIN, CMD_RECV_MAX);
		return cmd_fail_quoted(cause, prefix, w[0].p, w[0].n, "");
	}
	out->n = (size_t)v;
	return 0;
}

/* Parse /auto on|off and /follow on|off. */
static int
cmd_parse_auto(const struct cmd_entry *ce, const char *p, size_t n,
    struct cmd *out, char **cause)
{
	struct cmd_word	w[CMD_WORDS_MAX];

	if (cmd_split(ce, p, n, w, cause) == -1)
		return -1;
	if (cmd_equal_nocase(w[0].p, w[0].n, "on"))
		out->on = 1;
	else if (cmd_equal_nocase(w[0].p, w[0].n, "off"))
		out->on = 0;
	else {
		char	prefix[64];

		snprintf(prefix, sizeof prefix, "/%s: expected on or off, got ",
		    ce->name);
		return cmd_fail_quoted(cause, prefix, w[0].p, w[0].n, "");
	}
	return 0;
}

/* Parse /notation c|python. */
static int
cmd_parse_notation(const struct cmd_entry *ce, const char *p, size_t n,
    struct cmd *out, char **cause)
{
	struct cmd_word	w[CMD_WORDS_MAX];

	if (cmd_split(ce, p, n, w, cause) == -1)
		return -1;
	if (cmd_equal_nocase(w[0].p, w[0].n, "c"))
		out->on = 0;
	else if (cmd_equal_nocase(w[0].p, w[0].n, "python"))
		out->on = 1;
	else
		return cmd_fail_quoted(cause,
		    "/notation: expected c or python, got ", w[0].p, w[0].n,
		    "");
	return 0;
}

/* Parse /eol lf|crlf|cr|none. */
static int
cmd_parse_eolcmd(const struct cmd_entry *ce, const char *p, size_t n,
    struct cmd *out, char **cause)
{
	struct cmd_word	 w[CMD_WORDS_MAX];
	char		*s;
	int		 r;

	if (cmd_split(ce, p, n, w, cause) == -1)
		return -1;
	s = xstrndup(w[0].p, w[0].n);
	r = cmd_parse_eol(s, &out->eol);
	free(s);
	if (r == -1) {
		return cmd_fail_quoted(cause,
		    "/eol: expected lf, crlf, cr or none, got ", w[0].p, w[0].n,
		    "");
	}
	return 0;
}

/* Parse /shutdown [#ID] and /reset [#ID]. */
static int
cmd_parse_target(const struct cmd_entry *ce, const char *p, size_t n,
    struct cmd *out, char **cause)
{
	struct cmd_word	w[CMD_WORDS_MAX];
	char		prefix[64];
	int		nw;

	if ((nw = cmd_split(ce, p, n, w, cause)) == -1)
		return -1;
	if (nw == 0)
		return 0;
	if (cmd_parse_id(w[0].p, w[0].n, &out->conn) != 0) {
		snprintf(prefix, sizeof prefix,
		    "/%s: expected #ID like #2, got ", ce->name);
		return cmd_fail_quoted(cause, prefix, w[0].p, w[0].n, "");
	}
	return 0;
}

/* Parse /close [#ID|LID]. */
static int
cmd_parse_close(const struct cmd_entry *ce, const char *p, size_t n,
    struct cmd *out, char **cause)
{
	struct cmd_word	w[CMD_WORDS_MAX];
	int		nw;

	if ((nw = cmd_split(ce, p, n, w, cause)) == -1)
		return -1;
	if (nw == 0)
		return 0;
	if (cmd_parse_lid(w[0].p, w[0].n, &out->listener) == 0)
		return 0;
	if (cmd_parse_id(w[0].p, w[0].n, &out->conn) == 0)
		return 0;
	return cmd_fail_quoted(cause,
	    "/close: expected #ID or LID like #2 or L1, got ", w[0].p, w[0].n,
	    "");
}

/* Parse /accept [LID]. */
static int
cmd_parse_accept(const struct cmd_entry *ce, const char *p, size_t n,
    struct cmd *out, char **cause)
{
	struct cmd_word	w[CMD_WORDS_MAX];
	int		nw;

	if ((nw = cmd_split(ce, p, n, w, cause)) == -1)
		return -1;
	if (nw == 0 || cmd_parse_lid(w[0].p, w[0].n, &out->listener) == 0)
		return 0;
	return cmd_fail_quoted(cause,
	    "/accept: expected LID like L1, got ", w[0].p, w[0].n, "");
}

/* Parse /conn #ID ("N" without '#' is accepted too). */
static int
cmd_parse_conn(const struct cmd_entry *ce, const char *p, size_t n,
    struct cmd *out, char **cause)
{
	struct cmd_word	w[CMD_WORDS_MAX];

	if (cmd_split(ce, p, n, w, cause) == -1)
		return -1;
	if (cmd_parse_id(w[0].p, w[0].n, &out->conn) != 0) {
		return cmd_fail_quoted(cause,
		    "/conn: expected #ID like #2, got ", w[0].p, w[0].n, "");
	}
	return 0;
}

/* Parse /connect HOST PORT. */
static int
cmd_parse_connect(const struct cmd_entry *ce, const char *p, size_t n,
    struct cmd *out, char **cause)
{
	struct cmd_word	w[CMD_WORDS_MAX];

	char		*why = NULL;
	int		 nw;

	if ((nw = cmd_split(ce, p, n, w, cause)) == -1)
		return -1;
	if (nw == 1) {
		/* HOST:PORT, [V6]:PORT or a URL in one word. */
		if (cmd_parse_address(w[0].p, w[0].n, &out->host, &out->port,
		    &out->tls, cause == NULL ? NULL : &why) == -1)
			return cmd_fail_prefixed(ce, why, cause);
		return 0;
	}
	if (cmd_parse_host(ce, &w[0], out, cause) == -1)
		return -1;
	return cmd_parse_portword(ce, &w[1], out, cause);
}

/* Parse /listen [ADDR] PORT. */
static int
cmd_parse_listen(const struct cmd_entry *ce, const char *p, size_t n,
    struct cmd *out, char **cause)
{
	struct cmd_word	w[CMD_WORDS_MAX];
	int		nw;

	if ((nw = cmd_split(ce, p, n, w, cause)) == -1)
		return -1;
	if (nw == 2 && cmd_parse_host(ce, &w[0], out, cause) == -1)
		return -1;
	return cmd_parse_portword(ce, &w[nw - 1], out, cause);
}

/* Parse /view split|hex|text|lab and /view pair [#A [#B]]. */
static int
cmd_parse_view(const struct cmd_entry *ce, const char *p, size_t n,
    struct cmd *out, char **cause)
{
	struct cmd_word	w[CMD_WORDS_MAX];
	int		nw, *ids[2], i;

	if ((nw = cmd_split(ce, p, n, w, cause)) == -1)
		return -1;
	if (cmd_equal_nocase(w[0].p, w[0].n, "split"))
		out->view = VIEW_SPLIT;
	else if (cmd_equal_nocase(w[0].p, w[0].n, "hex"))
		out->view = VIEW_HEX;
	else if (cmd_equal_nocase(w[0].p, w[0].n, "text"))
		out->view = VIEW_TEXT;
	else if (cmd_equal_nocase(w[0].p, w[0].n, "lab"))
		out->view = VIEW_LAB;
	else if (cmd_equal_nocase(w[0].p, w[0].n, "pair"))
		out->view = VIEW_PAIR;
	else if (cmd_equal_nocase(w[0].p, w[0].n, "http"))
		out->view = VIEW_HTTP;
	else if (nw > 1)
		return cmd_fail_usage(ce, cause);
	else {
		return cmd_fail_quoted(cause,
		    "/view: expected split, hex, text, lab, pair or http, "
		    "got ",
		    w[0].p, w[0].n, "");
	}
	if (nw > 1 && out->view != VIEW_PAIR) {
		return cmd_fail_quoted(cause, "/view: only pair takes #IDs, "
		    "got ", w[1].p, w[1].n, "");
	}
	ids[0] = &out->conn;
	ids[1] = &out->conn2;
	for (i = 1; i < nw; i++) {
		if (cmd_parse_id(w[i].p, w[i].n, ids[i - 1]) != 0) {
			return cmd_fail_quoted(cause,
			    "/view pair: expected #ID like #2, got ", w[i].p,
			    w[i].n, "");
		}
	}
	if (nw == 3 && out->conn == out->conn2) {
		return cmd_fail(cause, "/view pair: needs two different "
		    "connections, got #%d twice", out->conn);
	}
	return 0;
}

/*
 * The rest of a line as one argument: separators around it dropped.
 * Returns 0 and sets *pp, *np, or -1 when nothing is left.
 */
static int
cmd_rest(const char **pp, size_t *np)
{
	const char	*p = *pp;
	size_t		 n = *np;

	while (n > 0 && cmd_is_sep(*p)) {
		p++;
		n--;
	}
	while (n > 0 && cmd_is_sep(p[n - 1]))
		n--;
	*pp = p;
	*np = n;
	return n > 0 ? 0 : -1;
}

/* Store a file path argument: after '@' for /respond, whole for
 * /sendfile.  A NUL cannot be in a path. */
static int
cmd_set_path(const struct cmd_entry *ce, const char *p, size_t n,
    struct cmd *out, char **cause)
{
	if (n == 0)
		return cmd_fail_usage(ce, cause);
	if (memchr(p, '\0', n) != NULL)
		return cmd_fail(cause, "/%s: a file name cannot hold a NUL "
		    "byte", ce->name);
	out->path = xstrndup(p, n);
	return 0;
}

/*
 * Parse /respond [-k] [STATUS] [TEXT | @FILE].  A first word of digits is
 * the status; TEXT is the rest of the line after one separator, C escapes
 * decoded.
 */
static int
cmd_parse_respond(const struct cmd_entry *ce, const char *p, size_t n,
    struct cmd *out, char **cause)
{
	struct cmd_word		 w;
	const char		*q;
	unsigned long long	 v;
	size_t			 qn;
	char			*why = NULL;

	out->n = 200;
	q = p;
	qn = n;
	if (cmd_next_word(&q, &qn, &w) && w.n == 2 && w.p[0] == '-' &&
	    w.p[1] == 'k') {
		out->on = 1;
		p = q;
		n = qn;
	}
	q = p;
	qn = n;
	if (cmd_next_word(&q, &qn, &w) && cmd_is_digit(w.p[0])) {
		if (cmd_parse_decimal(w.p, w.n, 999, &v) != 0 || w.n != 3 ||
		    v < 100 || v > 599) {
			return cmd_fail_quoted(cause,
			    "/respond: STATUS must be 100-599, got ", w.p, w.n,
			    "");
		}
		out->n = (size_t)v;
		p = q;
		n = qn;
	}
	/* The text keeps its inner and trailing spaces: skip one. */
	if (n > 0 && cmd_is_sep(*p)) {
		p++;
		n--;
	}
	q = p;
	qn = n;
	if (cmd_rest(&q, &qn) == -1)
		return 0;
	if (q[0] == '@')
		return cmd_set_path(ce, q + 1, qn - 1, out, cause);
	if (cmd_unescape(p, n, &out->data, &out->len,
	    cause == NULL ? NULL : &why) == -1)
		return cmd_fail_prefixed(ce, why, cause);
	return 0;
}

/* Parse /sendfile PATH: the rest of the line. */
static int
cmd_parse_sendfile(const struct cmd_entry *ce, const char *p, size_t n,
    struct cmd *out, char **cause)
{
	if (cmd_rest(&p, &n) == -1)
		return cmd_fail_usage(ce, cause);
	return cmd_set_path(ce, p, n, out, cause);
}

/* Find a command by name, with or without its '/'; NULL if unknown. */
static const struct cmd_entry *
cmd_find(const char *p, size_t n)
{
	size_t	i;

	if (n > 0 && p[0] == '/') {
		p++;
		n--;
	}
	for (i = 0; i < CMD_NTABLE; i++) {
		if (strlen(cmd_table[i].name) == n &&
		    memcmp(cmd_table[i].name, p, n) == 0)
			return &cmd_table[i];
		if (cmd_table[i].alias != NULL &&
		    strlen(cmd_table[i].alias) == n &&
		    memcmp(cmd_table[i].alias, p, n) == 0)
			return &cmd_table[i];
	}
	return NULL;
}

/* Parse /help [COMMAND]; the topic is stored without its '/'. */
static int
cmd_parse_helpcmd(const struct cmd_entry *ce, const char *p, size_t n,
    struct cmd *out, char **cause)
{
	struct cmd_word		 w[CMD_WORDS_MAX];
	const struct cmd_entry	*topic;
	const char		*tp;
	char			*q;
	size_t			 tn;
	int			 nw;

	if ((nw = cmd_split(ce, p, n, w, cause)) == -1)
		return -1;
	if (nw == 0)
		return 0;
	if ((topic = cmd_find(w[0].p, w[0].n)) == NULL) {
		/* Name the topic with exactly one '/', as it was meant. */
		tp = w[0].p;
		tn = w[0].n;
		if (tp[0] == '/') {
			tp++;
			tn--;
		}
		if (cause != NULL) {
			q = cmd_quote(tp, tn);
			cmd_fail(cause, "/help: no command '/%s'", q);
			free(q);
		}
		return -1;
	}
	out->topic = xstrdup(topic->name);
	return 0;
}

/* Parse one input line into *out; see cmd.h. */
int
cmd_parse(const char *line, size_t len, struct cmd *out, char **cause)
{
	const struct cmd_entry	*ce;
	const char		*name, *rest;
	size_t			 namelen, restlen;

	memset(out, 0, sizeof *out);
	if (cause != NULL)
		*cause = NULL;

	if (len == 0) {
		out->kind = CMD_EMPTY;
		return 0;
	}
	if (line[0] != '/' || (len >= 2 && line[1] == '/')) {
		/* Data as typed; a leading "//" stands for one '/'. */
		if (line[0] == '/') {
			line++;
			len--;
		}
		out->kind = CMD_LINE;
		out->data = xmalloc(len + 1);
		memcpy(out->data, line, len);
		out->data[len] = '\0';
		out->len = len;
		return 0;
	}

	name = line + 1;
	for (namelen = 0; namelen < len - 1; namelen++) {
		if (cmd_is_sep(name[namelen]))
			break;
	}
	rest = name + namelen;
	restlen = len - 1 - namelen;
	if (namelen == 0)
		return cmd_fail(cause,
		    "empty command (try /help; // sends a '/')");
	if ((ce = cmd_find(name, namelen)) == NULL) {
		const char	*near;
		char		 tail[64];

		near = cmd_suggest(name, namelen, cmd_keywords("help"));
		if (near != NULL)
			snprintf(tail, sizeof tail, " (did you mean /%s?)", near);
		else
			snprintf(tail, sizeof tail, " (try /help)");
		return cmd_fail_quoted(cause, "unknown command ", line,
		    namelen + 1, tail);
	}
	if (ce->kind != CMD_SEND && memchr(rest, '\0', restlen) != NULL)
		return cmd_fail(cause, "/%s: NUL byte in arguments", ce->name);

	out->kind = ce->kind;
	if (ce->parse(ce, rest, restlen, out, cause) == -1) {
		cmd_free(out);
		memset(out, 0, sizeof *out);
		return -1;
	}
	return 0;
}

/* Release what a parsed line holds; the struct may be parsed into again. */
void
cmd_free(struct cmd *c)
{
	if (c == NULL)
		return;
	free(c->data);
	free(c->host);
	free(c->port);
	free(c->topic);
	free(c->path);
	c->data = NULL;
	c->len = 0;
	c->host = c->port = c->topic = c->path = NULL;
}

/* Decode C escapes in the n bytes at s into a malloc'd buffer. */
int
cmd_unescape(const char *s, size_t n, unsigned char **out, size_t *outlen,
    char **cause)
{
	struct sbuf	 b = { 0 };
	size_t		 i;
	int		 hi, lo;
	char		 ch, *q;

	*out = NULL;
	*outlen = 0;
	sbuf_reserve(&b, n);
	for (i = 0; i < n; i++) {
		if (s[i] != '\\') {
			sbuf_addc(&b, s[i]);
			continue;
		}
		if (++i == n) {
			sbuf_free(&b);
			return cmd_fail(cause, "trailing backslash");
		}
		switch (ch = s[i]) {
		case 'r':
			sbuf_addc(&b, '\r');
			break;
		case 'n':
			sbuf_addc(&b, '\n');
			break;
		case 't':
			sbuf_addc(&b, '\t');
			break;
		case '0':
			sbuf_addc(&b, '\0');
			break;
		case 'e':
			sbuf_addc(&b, '\033');
			break;
		case 'a':
			sbuf_addc(&b, '\a');
			break;
		case '\\':
		case '"':
		case '\'':
			sbuf_addc(&b, ch);
			break;
		case 'x':
			if (n - i < 3 || (hi = cmd_hex_value(s[i + 1])) == -1 ||
			    (lo = cmd_hex_value(s[i + 2])) == -1) {
				sbuf_free(&b);
				return cmd_fail(cause,
				    "\\x needs two hex digits");
			}
			sbuf_addc(&b, (char)(hi << 4 | lo));
			i += 2;
			break;
		default:
			sbuf_free(&b);
			if (cause != NULL) {
				q = cmd_quote(&s[i], 1);
				cmd_fail(cause, "bad escape '\\%s'", q);
				free(q);
			}
			return -1;
		}
	}
	*out = (unsigned char *)b.p;
	*outlen = b.len;
	return 0;
}

/* Check a port: 1-65535, 0 for a service name, or -1. */
int
cmd_parse_port(const char *s, char **cause)
{
	unsigned long long	v;
	size_t			i, n;

	if (s == NULL)
		s = "";
	n = strlen(s);
	if (n > 0 && cmd_is_alpha(s[0])) {
		for (i = 1; i < n; i++) {
			if (!cmd_is_alpha(s[i]) && !cmd_is_digit(s[i]) &&
			    s[i] != '-' && s[i] != '_')
				break;
		}
		if (i == n)
			return 0;
	} else if (cmd_parse_decimal(s, n, 65535, &v) == 0 && v != 0)
		return (int)v;
	return cmd_fail_quoted(cause, "port must be 1-65535, got ", s, n, "");
}

/* Parse a size with an optional binary K, M or G suffix. */
int
cmd_parse_size(const char *s, unsigned long long *out, char **cause)
{
	static const struct {
		const char		*suffix;
		unsigned long long	 mult;
	} units[] = {
		{ "", 1 }, { "b", 1 },
		{ "k", 1ULL << 10 }, { "kb", 1ULL << 10 },
		{ "kib", 1ULL << 10 },
		{ "m", 1ULL << 20 }, { "mb", 1ULL << 20 },
		{ "mib", 1ULL << 20 },
		{ "g", 1ULL << 30 }, { "gb", 1ULL << 30 },
		{ "gib", 1ULL << 30 },
	};
	unsigned long long	v = 0, mult = 0;
	size_t			i, n, digits;

	if (s == NULL)
		s = "";
	n = strlen(s);
	for (digits = 0; digits < n && cmd_is_digit(s[digits]); digits++)
		/* nothing */;
	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (cmd_equal_nocase(s + digits, n - digits, units[i].suffix)) {
			mult = units[i].mult;
			break;
		}
	}
	if (digits == 0 || mult == 0) {
		return cmd_fail_quoted(cause, "size must be a number with an "
		    "optional K, M or G suffix, got ", s, n, "");
	}
	if (cmd_parse_decimal(s, digits, ULLONG_MAX / mult, &v) != 0)
		return cmd_fail_quoted(cause, "size is too large, got ", s, n,
		    "");
	if (v == 0)
		return cmd_fail(cause, "size must be at least 1");
	*out = v * mult;
	return 0;
}

/* Parse an end-of-line keyword, ignoring case; returns 0 or -1. */
int
cmd_parse_eol(const char *s, enum cmd_eol *out)
{
	size_t	n;

	if (s == NULL)
		return -1;
	n = strlen(s);
	if (cmd_equal_nocase(s, n, "lf"))
		*out = EOL_LF;
	else if (cmd_equal_nocase(s, n, "crlf"))
		*out = EOL_CRLF;
	else if (cmd_equal_nocase(s, n, "cr"))
		*out = EOL_CR;
	else if (cmd_equal_nocase(s, n, "none"))
		*out = EOL_NONE;
	else
		return -1;
	return 0;
}

/* The bytes an end-of-line appends. */
const char *
cmd_eol_bytes(enum cmd_eol e)
{
	switch (e) {
	case EOL_LF:
		return "\n";
	case EOL_CRLF:
		return "\r\n";
	case EOL_CR:
		return "\r";
	case EOL_NONE:
		break;
	}
	return "";
}

/* The name of an end-of-line as the status line shows it. */
const char *
cmd_eol_name(enum cmd_eol e)
{
	switch (e) {
	case EOL_LF:
		return "LF";
	case EOL_CRLF:
		return "CRLF";
	case EOL_CR:
		return "CR";
	case EOL_NONE:
		break;
	}
	return "none";
}

/* The keyword of a view, as /view takes it. */
const char *
cmd_view_name(enum cmd_view v)
{
	switch (v) {
	case VIEW_SPLIT:
		break;
	case VIEW_HEX:
		return "hex";
	case VIEW_TEXT:
		return "text";
	case VIEW_LAB:
		return "lab";
	case VIEW_PAIR:
		return "pair";
	case VIEW_HTTP:
		return "http";
	case VIEW_COUNT:
		break;
	}
	return "split";
}

/* Build the lists that come from cmd_table, once. */
static void
cmd_lists_build(void)
{
	struct sbuf	 b = { 0 };
	size_t		 i, w, width = 0;

	if (cmd_lists.all != NULL)
		return;
	for (i = 0; i < CMD_NTABLE; i++) {
		const struct cmd_entry	*ce = &cmd_table[i];

		sbuf_reset(&b);
		sbuf_printf(&b, "/%s%s%s\n%s", ce->name,
		    *ce->usage != '\0' ? " " : "", ce->usage, ce->help);
		cmd_lists.help[i] = xstrdup(b.p);
		cmd_lists.names[i] = xasprintf("/%s", ce->name);
		cmd_lists.topics[i] = ce->name;
		w = strcspn(b.p, "\n");
		if (w > width)
			width = w;
	}
	sbuf_reset(&b);
	for (i = 0; i < CMD_NTABLE; i++) {
		w = strcspn(cmd_lists.help[i], "\n");
		sbuf_printf(&b, "%.*s%*s%s\n", (int)w, cmd_lists.help[i],
		    (int)(width + 3 - w), "", cmd_table[i].summary);
	}
	cmd_lists.all = b.p;
}

/* The command names with their '/', in table order, NULL-terminated. */
const char *const *
cmd_name_list(void)
{
	cmd_lists_build();
	return cmd_lists.names;
}

/* The help of one command (name with or without '/'), or NULL. */
const char *
cmd_help(const char *name)
{
	const struct cmd_entry	*ce;

	if (name == NULL || (ce = cmd_find(name, strlen(name))) == NULL)
		return NULL;
	cmd_lists_build();
	return cmd_lists.help[ce - cmd_table];
}

/* One line per command: its usage and a short summary. */
const char *
cmd_help_all(void)
{
	cmd_lists_build();
	return cmd_lists.all;
}

/* The keywords a command's first argument completes to, or NULL. */
const char *const *
cmd_keywords(const char *name)
{
	const struct cmd_entry	*ce;

	if (name == NULL || (ce = cmd_find(name, strlen(name))) == NULL)
		return NULL;
	if (ce->kind == CMD_HELP) {
		/* /help completes to every command: the table itself. */
		cmd_lists_build();
		return cmd_lists.topics;
	}
	return ce->keywords;
}

/* Check a host and copy it without IPv6 brackets; see cmd.h. */
int
cmd_check_host(const char *p, size_t n, char **host, char **cause)
{
	const char	*h = p;
	size_t		 hn = n, i;
	int		 lb, rb;

	*host = NULL;
	if (n == 0)
		return cmd_fail(cause, "host must not be empty");
	for (i = 0; i < n; i++) {
		if (cmd_is_sep(p[i]))
			return cmd_fail_quoted(cause, "bad host ", p, n,
			    ": it contains white space");
	}
	lb = p[0] == '[';
	rb = p[n - 1] == ']';
	if (lb != rb || (lb && n == 1)) {
		return cmd_fail_quoted(cause, "unbalanced brackets in host ",
		    p, n, " (write an IPv6 address as ::1 or [::1])");
	}
	if (lb) {
		h++;
		hn -= 2;
	}
	for (i = 0; i < hn; i++) {
		/* Control bytes never reach a resolver or a message. */
		if ((unsigned char)h[i] < 0x20 || h[i] == 0x7f ||
		    h[i] == '[' || h[i] == ']')
			break;
	}
	if (hn == 0 || i < hn)
		return cmd_fail_quoted(cause, "bad host ", p, n, "");
	*host = xstrndup(h, hn);
	return 0;
}

/* Nonzero if the n bytes at p start with prefix, ignoring ASCII case. */
static int
cmd_prefix_nocase(const char *p, size_t n, const char *prefix)
{
	size_t	len = strlen(prefix);

	return n >= len && cmd_equal_nocase(p, len, prefix);
}

/* Check a port in the n bytes at p and copy it; returns 0 or -1. */
static int
cmd_address_port(const char *p, size_t n, char **port, char **cause)
{
	char	*s = xstrndup(p, n);

	if (memchr(p, '\0', n) != NULL || cmd_parse_port(s, cause) == -1) {
		free(s);
		if (cause != NULL && *cause == NULL)
			cmd_fail(cause, "bad port");
		return -1;
	}
	*port = s;
	return 0;
}

/* Parse HOST:PORT, [V6]:PORT or a URL; see cmd.h. */
int
cmd_parse_address(const char *p, size_t n, char **host, char **port,
    int *tls, char **cause)
{
	const char	*auth, *colon, *rb;
	size_t		 an, skip;
	const char	*defport = NULL;

	*host = *port = NULL;
	*tls = 0;
	if (cause != NULL)
		*cause = NULL;
	if (cmd_prefix_nocase(p, n, "http://")) {
		skip = 7;
		defport = "80";
	} else if (cmd_prefix_nocase(p, n, "https://")) {
		skip = 8;
		defport = "443";
		*tls = 1;
	} else {
		for (skip = 0; skip < n && cmd_is_alpha(p[skip]); skip++)
			/* nothing */;
		if (skip > 0 && n - skip >= 3 && memcmp(p + skip, "://", 3) == 0)
			return cmd_fail_quoted(cause, "unknown scheme ", p, skip,
			    " (http:// and https:// are known)");
		skip = 0;
	}
	auth = p + skip;
	an = n - skip;
	if (defport != NULL) {
		/* The authority ends where the path, query or fragment start;
		 * user@ is not for a socket. */
		size_t	i;

		for (i = 0; i < an; i++) {
			if (auth[i] == '/' || auth[i] == '?' || auth[i] == '#')
				break;
		}
		an = i;
		if (memchr(auth, '@', an) != NULL)
			return cmd_fail_quoted(cause, "user names are not "
			    "supported in ", p, n, "");
	}
	if (an == 0)
		return cmd_fail_quoted(cause, "no host in ", p, n, "");

	if (auth[0] == '[' && memchr(auth, ']', an) == NULL)
		return cmd_fail_quoted(cause, "unbalanced brackets in ", p, n,
		    " (write [V6]:PORT)");
	/* [V6] or [V6]:PORT */
	if (auth[0] == '[' && (rb = memchr(auth, ']', an)) != NULL) {
		size_t	hn = (size_t)(rb - auth) + 1;

		if (hn == an && defport != NULL)
			colon = NULL;
		else if (hn < an && auth[hn] == ':')
			colon = auth + hn;
		else if (hn == an)
			return cmd_fail_quoted(cause, "", p, n,
			    " needs a PORT too (write [V6]:PORT or V6 PORT)");
		else
			return cmd_fail_quoted(cause, "bad address ", p, n,
			    " (write [V6]:PORT)");
	} else {
		colon = memchr(auth, ':', an);
		if (colon != NULL && memchr(colon + 1, ':', an -
		    (size_t)(colon + 1 - auth)) != NULL) {
			/* Two colons: an IPv6 address, which needs brackets
			 * to carry a port. */
			return cmd_fail_quoted(cause, "", p, n,
			    " needs a PORT too (write [V6]:PORT or V6 PORT)");
		}
		if (colon == NULL && defport == NULL)
			return cmd_fail_quoted(cause, "", p, n,
			    " needs a PORT too (HOST PORT or HOST:PORT)");
	}
	if (colon == NULL) {
		if (cmd_check_host(auth, an, host, cause) == -1)
			return -1;
		*port = xstrdup(defport);
		return 0;
	}
	if (cmd_check_host(auth, (size_t)(colon - auth), host, cause) == -1)
		return -1;
	if (cmd_address_port(colon + 1, an - (size_t)(colon + 1 - auth), port,
	    cause) == -1) {
		free(*host);
		*host = NULL;
		return -1;
	}
	return 0;
}

/* The edit distance of a and b (short words), capped at 9. */
static size_t
cmd_distance(const char *a, size_t an, const char *b, size_t bn)
{
	size_t	row[33], i, j, prev, cur;

	if (an > 32 || bn > 32)
		return 9;
	for (j = 0; j <= bn; j++)
		row[j] = j;
	for (i = 1; i <= an; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= bn; j++) {
			cur = row[j];
			row[j] = prev + (cmd_lower(a[i - 1]) !=
			    cmd_lower(b[j - 1]));
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			if (cur + 1 < row[j])
				row[j] = cur + 1;
			prev = cur;
		}
	}
	return row[bn];
}

/* The word in choices that p is a likely typo of, or NULL; see cmd.h. */
const char *
cmd_suggest(const char *p, size_t n, const char *const *choices)
{
	const char	*best = NULL;
	size_t		 i, d, bestd = 3;

	if (n < 3 || choices == NULL)
		return NULL;
	/* Only a word of letters can be a typo of one ("quit\r" is not). */
	for (i = 0; i < n; i++) {
		if (!cmd_is_alpha(p[i]))
			return NULL;
	}
	for (i = 0; choices[i] != NULL; i++) {
		d = cmd_distance(p, n, choices[i], strlen(choices[i]));
		/* The word itself is no typo; the word in other case is. */
		if (d == 0 && (strlen(choices[i]) != n ||
		    memcmp(p, choices[i], n) == 0))
			continue;
		/* Two edits at most, and never more than half the word. */
		if (d < bestd && d * 2 <= strlen(choices[i])) {
			best = choices[i];
			bestd = d;
		}
	}
	return best;
}

/* Parse /serve KIND [ADDR] PORT: the kind in n, then as /listen. */
static int
cmd_parse_serve(const struct cmd_entry *ce, const char *p, size_t n,
    struct cmd *out, char **cause)
{
	struct cmd_word		w[CMD_WORDS_MAX];
	enum responder_kind	k;
	char			name[16];
	int			nw;

	if ((nw = cmd_split(ce, p, n, w, cause)) == -1)
		return -1;
	if (w[0].n >= sizeof name)
		k = RESPONDER_NKINDS;
	else {
		memcpy(name, w[0].p, w[0].n);
		name[w[0].n] = '\0';
		if (responder_kind_from_name(name, &k) != 0)
			k = RESPONDER_NKINDS;
	}
	if (k == RESPONDER_NKINDS) {
		return cmd_fail_quoted(cause,
		    "/serve: KIND must be echo, upper, reverse, rot13, drip, "
		    "chunky, slow, oneshot, reset, discard, chargen, daytime "
		    "or http, got ", w[0].p, w[0].n, "");
	}
	out->n = (size_t)k;
	if (nw == 3 && cmd_parse_host(ce, &w[1], out, cause) == -1)
		return -1;
	return cmd_parse_portword(ce, &w[nw - 1], out, cause);
}
