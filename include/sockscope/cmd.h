/*
 * cmd.h: the input line (SPEC section 3) as a pure parser.
 *
 * A line not starting with '/' is data to send (the caller appends the
 * end-of-line); "//text" is data "/text"; otherwise the line is a command.
 * cmd_parse() never touches a socket: it only says what the line asks for,
 * or why it cannot be done.  Argument checks that need no OS (numbers,
 * ranges, escapes, hex digits, keywords, #ID and LID syntax, argument
 * counts) are all done here.
 */
#ifndef SOCKSCOPE_CMD_H
#define SOCKSCOPE_CMD_H

#include <stddef.h>

enum cmd_kind {
	CMD_EMPTY,	/* blank line: nothing to do */
	CMD_LINE,	/* plain line (or //...): data, eol to be appended */
	CMD_SEND,	/* /send TEXT: data with escapes decoded, no eol */
	CMD_HEX,	/* /hex HEX...: data */
	CMD_RECV,	/* /recv [N]: n (0 = the current recv size) */
	CMD_AUTO,	/* /auto on|off: on */
	CMD_RECVSIZE,	/* /recvsize N: n */
	CMD_EOL,	/* /eol lf|crlf|cr|none: eol */
	CMD_SHUTDOWN,	/* /shutdown [#ID]: conn (0 = focused) */
	CMD_RESET,	/* /reset [#ID]: conn (0 = focused) */
	CMD_CLOSE,	/* /close [#ID|LID]: conn or listener (both 0 = focused) */
	CMD_CONN,	/* /conn #ID: conn */
	CMD_CONNECT,	/* /connect HOST PORT: host, port */
	CMD_LISTEN,	/* /listen [ADDR] PORT: host (NULL = default), port */
	CMD_VIEW,	/* /view split|hex|text|lab|pair [#A [#B]]: view;
			   pair: conn (A) and conn2 (B), 0 = chosen */
	CMD_CLEAR,	/* /clear */
	CMD_RESPOND,	/* /respond [-k] [STATUS] [TEXT | @FILE]: n status,
			   on keep-alive, data/len TEXT (escapes decoded;
			   NULL: none given) or path FILE */
	CMD_SENDFILE,	/* /sendfile PATH: path */
	CMD_FOLLOW,	/* /follow on|off: on */
	CMD_NOTATION,	/* /notation c|python: on (1 = python) */
	CMD_HELP,	/* /help [COMMAND]: topic (NULL = list all) */
	CMD_QUIT,	/* /quit */
	CMD_SERVE,	/* /serve KIND [ADDR] PORT: n (enum responder_kind),
			   host (NULL = default), port */
	CMD_ACCEPT	/* /accept [LID]: listener (0 = the first waiting) */
};

enum cmd_eol {
	EOL_LF,
	EOL_CRLF,
	EOL_CR,
	EOL_NONE
};

enum cmd_view {
	VIEW_SPLIT,
	VIEW_HEX,
	VIEW_TEXT,
	VIEW_LAB,	/* projector: narration, data, one kernel line */
	VIEW_PAIR,	/* two connections side by side */
	VIEW_COUNT,	/* F2 cycles through the views before this */
	VIEW_HTTP	/* the HTTP view (SPEC 13): not in F2's cycle */
};

/* Smallest and largest recv size (SPEC section 2). */
#define CMD_RECV_MIN 1
#define CMD_RECV_MAX 1048576

/*
 * A parsed line.  data, host, port and topic are malloc'd and owned by the
 * struct: cmd_free() releases them.  host of CMD_CONNECT/CMD_LISTEN has
 * IPv6 brackets removed ("[::1]" -> "::1"); port is the text as given (a
 * number already checked to be 1-65535, or a service name for the OS to
 * look up).
 */
struct cmd {
	enum cmd_kind	 kind;
	unsigned char	*data;
	size_t		 len;
	size_t		 n;
	int		 on;
	enum cmd_eol	 eol;
	enum cmd_view	 view;
	int		 conn;		/* #ID, 0 = none given */
	int		 conn2;		/* /view pair's second #ID, 0 = none */
	int		 listener;	/* LID, 0 = none given */
	char		*host;
	char		*port;
	char		*topic;		/* command name without '/' */
	int		 tls;		/* CMD_CONNECT: an https:// URL */
	char		*path;		/* CMD_RESPOND @FILE, CMD_SENDFILE */
};

/*
 * Parse one input line of len bytes (no trailing newline).  Returns 0 and
 * fills *out, or -1 with *cause set to a malloc'd one-line message (the
 * caller frees it) naming the problem, e.g. "unknown command '/frob' (try
 * /help)", "/recvsize: N must be 1-1048576, got '0'",
 * "/send: \\x needs two hex digits".  On -1, *out holds nothing to free.
 */
int cmd_parse(const char *line, size_t len, struct cmd *out, char **cause);
void cmd_free(struct cmd *c);

/*
 * Decode C escapes (\r \n \t \0 \\ \xHH; also \e, \a, \" and \') into a
 * malloc'd buffer.  Returns 0, or -1 with *cause set for a bad or cut-short
 * escape ("bad escape '\\q'", "\\x needs two hex digits", "trailing
 * backslash").
 */
int cmd_unescape(const char *s, size_t n, unsigned char **out, size_t *outlen,
    char **cause);

/*
 * Check a port argument.  Returns 1-65535 for a decimal port, 0 when s
 * looks like a service name (letters, digits, '-', '_', starting with a
 * letter) to be resolved by the OS, or -1 with *cause set (malloc'd), e.g.
 * "port must be 1-65535, got '70000'".
 */
int cmd_parse_port(const char *s, char **cause);

/*
 * Check a host argument of n bytes (the command line's and /connect's):
 * a name or an address, with IPv6 brackets allowed around it ("[::1]").
 * Returns 0 and a malloc'd copy without brackets in *host, or -1 with
 * *cause set (malloc'd; the input quoted safely), e.g. "host must not be
 * empty", "bad host 'a b': it contains white space", "bad host
 * 'a\x01b'", "unbalanced brackets in host '[::1' (write an IPv6 address
 * as ::1 or [::1])".
 */
int cmd_check_host(const char *p, size_t n, char **host, char **cause);

/*
 * Parse an address in one word (SPEC 9): HOST:PORT, [V6]:PORT,
 * http://HOST[:PORT][/...] (port 80 by default) or https://... (443;
 * *tls set).  Returns 0 with malloc'd *host (no brackets) and *port (a
 * checked port or service name), or -1 with *cause set, e.g. "'::1' needs
 * a PORT too (write [V6]:PORT or V6 PORT)", "unknown scheme 'ftp'
 * (http:// and https:// are known)".
 */
int cmd_parse_address(const char *p, size_t n, char **host, char **port,
    int *tls, char **cause);

/*
 * The word of choices that the n bytes at p are most likely a typo of
 * (letters only; one or two edits, ignoring case, at most half the
 * word), or NULL: "lisen" gives "listen", "Quit" gives "quit".
 */
const char *cmd_suggest(const char *p, size_t n, const char *const *choices);

/*
 * Parse a size such as "4096", "64K", "64M", "1G" (binary units, K/M/G/
 * optionally followed by "B" or "iB", case-insensitive).  Returns 0 and
 * stores bytes in *out, or -1 with *cause set.
 */
int cmd_parse_size(const char *s, unsigned long long *out, char **cause);

/* Parse an end-of-line keyword (lf crlf cr none, case-insensitive). */
int cmd_parse_eol(const char *s, enum cmd_eol *out);
/* The bytes of an end-of-line ("\n", "\r\n", "\r", "") and its name ("LF"). */
const char *cmd_eol_bytes(enum cmd_eol e);
const char *cmd_eol_name(enum cmd_eol e);
const char *cmd_view_name(enum cmd_view v);

/*
 * Help, all of it from the one command table in cmd.c.  cmd_name_list()
 * returns the NULL-terminated command names with their '/' ("/connect",
 * ...), in the order of SPEC section 3, for completion and lists.
 * cmd_help() returns the help for one command (name or alias, with or
 * without '/'): its usage line, a newline and one or more lines of
 * explanation; NULL for an unknown command.  cmd_help_all() returns one
 * line per command: usage and a short summary, aligned (for /help and
 * --help).  cmd_keywords() returns the NULL-terminated keywords a
 * command's first argument completes to ("on","off" for /auto; every
 * command name for /help), or NULL.  The strings live as long as the
 * program; nothing is to be freed.
 */
const char *const *cmd_name_list(void);
/* The name list under its old name, for code written before the table. */
const char *cmd_help(const char *name);
const char *cmd_help_all(void);
const char *const *cmd_keywords(const char *name);

#endif
