/*
 * test_cmd.c: unit tests for cmd.c, the input-line parser: every command
 * with good, missing, wrong and extra arguments, the escape decoder, ports,
 * sizes, keywords, the help text, the safety of every message that quotes
 * user input, and a random-input loop.  Run by make check; valgrind and the
 * sanitizers keep it honest about leaks.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockscope/cmd.h"

/* A line given with its length, so it may hold NUL bytes. */
#define LINE(s)	.line = (s), .len = sizeof(s) - 1
/* Expected data bytes, with their length. */
#define DATA(s)	.data = (s), .dlen = sizeof(s) - 1

/* One line that cmd_parse() must accept, and every field it must fill. */
struct ok_case {
	const char	*line;
	size_t		 len;
	enum cmd_kind	 kind;
	const char	*data;		/* NULL: no data expected */
	size_t		 dlen;
	size_t		 n;
	int		 on;
	enum cmd_eol	 eol;
	enum cmd_view	 view;
	int		 conn;
	int		 conn2;
	int		 listener;
	const char	*host;
	const char	*port;
	const char	*topic;
	const char	*path;
};

/* One line that cmd_parse() must refuse, and the exact message. */
struct bad_case {
	const char	*line;
	size_t		 len;
	const char	*cause;
};

static const struct ok_case ok_cases[] = {
	/* Plain lines and the empty line. */
	{ LINE(""), .kind = CMD_EMPTY },
	{ LINE("hello"), .kind = CMD_LINE, DATA("hello") },
	{ LINE("   "), .kind = CMD_LINE, DATA("   ") },
	{ LINE(" /quit"), .kind = CMD_LINE, DATA(" /quit") },
	{ LINE("\t/x"), .kind = CMD_LINE, DATA("\t/x") },
	{ LINE("//x"), .kind = CMD_LINE, DATA("/x") },
	{ LINE("//"), .kind = CMD_LINE, DATA("/") },
	{ LINE("///"), .kind = CMD_LINE, DATA("//") },
	{ LINE("//quit now"), .kind = CMD_LINE, DATA("/quit now") },
	{ LINE("a\0b"), .kind = CMD_LINE, DATA("a\0b") },
	{ LINE("\\x41\\n"), .kind = CMD_LINE, DATA("\\x41\\n") },
	{ LINE("\x1b[2J\xff"), .kind = CMD_LINE, DATA("\x1b[2J\xff") },

	/* /quit and /clear. */
	{ LINE("/quit"), .kind = CMD_QUIT },
	{ LINE("/quit   "), .kind = CMD_QUIT },
	{ LINE("/quit\t"), .kind = CMD_QUIT },
	{ LINE("/clear"), .kind = CMD_CLEAR },
	{ LINE("/clear "), .kind = CMD_CLEAR },

	/* /connect HOST PORT. */
	{ LINE("/connect localhost 80"), .kind = CMD_CONNECT,
	  .host = "localhost", .port = "80" },
	{ LINE("/connect\t127.0.0.1\t\t5151\t"), .kind = CMD_CONNECT,
	  .host = "127.0.0.1", .port = "5151" },
	{ LINE("/connect  example.com  65535  "), .kind = CMD_CONNECT,
	  .host = "example.com", .port = "65535" },
	{ LINE("/connect [::1] http"), .kind = CMD_CONNECT,
	  .host = "::1", .port = "http" },
	{ LINE("/connect ::1 1"), .kind = CMD_CONNECT,
	  .host = "::1", .port = "1" },
	{ LINE("/connect [fe80::1%eth0] 0080"), .kind = CMD_CONNECT,
	  .host = "fe80::1%eth0", .port = "0080" },
	{ LINE("/connect h x-11_b"), .kind = CMD_CONNECT,
	  .host = "h", .port = "x-11_b" },

	/* /listen [ADDR] PORT. */
	{ LINE("/listen 19999"), .kind = CMD_LISTEN, .port = "19999" },
	{ LINE("/listen 0.0.0.0 1"), .kind = CMD_LISTEN,
	  .host = "0.0.0.0", .port = "1" },
	{ LINE("/listen [::] 8080"), .kind = CMD_LISTEN,
	  .host = "::", .port = "8080" },
	{ LINE("/listen :: http-alt"), .kind = CMD_LISTEN,
	  .host = "::", .port = "http-alt" },

	/* /send TEXT: one separator, then everything is text. */
	{ LINE("/send hello"), .kind = CMD_SEND, DATA("hello") },
	{ LINE("/send  two  spaces "), .kind = CMD_SEND,
	  DATA(" two  spaces ") },
	{ LINE("/send\tx"), .kind = CMD_SEND, DATA("x") },
	{ LINE("/send \t"), .kind = CMD_SEND, DATA("\t") },
	{ LINE("/send  "), .kind = CMD_SEND, DATA(" ") },
	{ LINE("/send GET / HTTP/1.0\\r\\n\\r\\n"), .kind = CMD_SEND,
	  DATA("GET / HTTP/1.0\r\n\r\n") },
	{ LINE("/send a\\0b"), .kind = CMD_SEND, DATA("a\0b") },
	{ LINE("/send raw\0nul"), .kind = CMD_SEND, DATA("raw\0nul") },
	{ LINE("/send \\x41\\x42\\\\x43"), .kind = CMD_SEND,
	  DATA("AB\\x43") },
	{ LINE("/send /quit"), .kind = CMD_SEND, DATA("/quit") },

	/* /hex HEX... */
	{ LINE("/hex 47 45 54 0d0a"), .kind = CMD_HEX, DATA("GET\r\n") },
	{ LINE("/hex 0x47 0X4a FF"), .kind = CMD_HEX, DATA("GJ\xff") },
	{ LINE("/hex\t00"), .kind = CMD_HEX, DATA("\0") },
	{ LINE("/hex AbCd  eF  "), .kind = CMD_HEX, DATA("\xab\xcd\xef") },
	{ LINE("/hex 0x0d0a0d0a"), .kind = CMD_HEX, DATA("\r\n\r\n") },

	/* /recv [N] and /recvsize N. */
	{ LINE("/recv"), .kind = CMD_RECV, .n = 0 },
	{ LINE("/recv "), .kind = CMD_RECV, .n = 0 },
	{ LINE("/recv 1"), .kind = CMD_RECV, .n = 1 },
	{ LINE("/recv 1048576"), .kind = CMD_RECV, .n = 1048576 },
	{ LINE("/recv 0004096"), .kind = CMD_RECV, .n = 4096 },
	{ LINE("/recvsize 4096"), .kind = CMD_RECVSIZE, .n = 4096 },
	{ LINE("/recvsize 1"), .kind = CMD_RECVSIZE, .n = 1 },
	{ LINE("/recvsize 1048576"), .kind = CMD_RECVSIZE, .n = 1048576 },
	{ LINE("/recvsize 00000000000000000000000000000000000007"),
	  .kind = CMD_RECVSIZE, .n = 7 },

	/* /auto on|off. */
	{ LINE("/auto on"), .kind = CMD_AUTO, .on = 1 },
	{ LINE("/auto off"), .kind = CMD_AUTO, .on = 0 },
	{ LINE("/auto ON"), .kind = CMD_AUTO, .on = 1 },
	{ LINE("/auto Off "), .kind = CMD_AUTO, .on = 0 },

	/* /eol lf|crlf|cr|none. */
	{ LINE("/eol lf"), .kind = CMD_EOL, .eol = EOL_LF },
	{ LINE("/eol crlf"), .kind = CMD_EOL, .eol = EOL_CRLF },
	{ LINE("/eol CRLF"), .kind = CMD_EOL, .eol = EOL_CRLF },
	{ LINE("/eol cr"), .kind = CMD_EOL, .eol = EOL_CR },
	{ LINE("/eol none"), .kind = CMD_EOL, .eol = EOL_NONE },
	{ LINE("/eol NoNe"), .kind = CMD_EOL, .eol = EOL_NONE },

	/* /view split|hex|text. */
	{ LINE("/view split"), .kind = CMD_VIEW, .view = VIEW_SPLIT },
	{ LINE("/view hex"), .kind = CMD_VIEW, .view = VIEW_HEX },
	{ LINE("/view TEXT"), .kind = CMD_VIEW, .view = VIEW_TEXT },
	{ LINE("/view lab"), .kind = CMD_VIEW, .view = VIEW_LAB },
	{ LINE("/view pair"), .kind = CMD_VIEW, .view = VIEW_PAIR },
	{ LINE("/view pair #2"), .kind = CMD_VIEW, .view = VIEW_PAIR,
	  .conn = 2 },
	{ LINE("/view Pair #1 3"), .kind = CMD_VIEW, .view = VIEW_PAIR,
	  .conn = 1, .conn2 = 3 },
	{ LINE("/view pair #4 #2"), .kind = CMD_VIEW, .view = VIEW_PAIR,
	  .conn = 4, .conn2 = 2 },

	/* /shutdown [#ID] and /reset [#ID]. */
	{ LINE("/shutdown"), .kind = CMD_SHUTDOWN, .conn = 0 },
	{ LINE("/shutdown #2"), .kind = CMD_SHUTDOWN, .conn = 2 },
	{ LINE("/shutdown 3"), .kind = CMD_SHUTDOWN, .conn = 3 },
	{ LINE("/reset"), .kind = CMD_RESET, .conn = 0 },
	{ LINE("/reset #1"), .kind = CMD_RESET, .conn = 1 },
	{ LINE("/reset #007"), .kind = CMD_RESET, .conn = 7 },

	/* /close [#ID|LID]. */
	{ LINE("/close"), .kind = CMD_CLOSE },
	{ LINE("/close #4"), .kind = CMD_CLOSE, .conn = 4 },
	{ LINE("/close 5"), .kind = CMD_CLOSE, .conn = 5 },
	{ LINE("/close L1"), .kind = CMD_CLOSE, .listener = 1 },
	{ LINE("/close l12"), .kind = CMD_CLOSE, .listener = 12 },
	/* /accept [LID]. */
	{ LINE("/accept"), .kind = CMD_ACCEPT },
	{ LINE("/accept L2"), .kind = CMD_ACCEPT, .listener = 2 },

	/* /conn #ID. */
	{ LINE("/conn #2"), .kind = CMD_CONN, .conn = 2 },
	{ LINE("/conn 2"), .kind = CMD_CONN, .conn = 2 },
	{ LINE("/conn #2147483647"), .kind = CMD_CONN, .conn = 2147483647 },

	/* /help [COMMAND]. */
	{ LINE("/help"), .kind = CMD_HELP },
	{ LINE("/help connect"), .kind = CMD_HELP, .topic = "connect" },
	{ LINE("/help /quit"), .kind = CMD_HELP, .topic = "quit" },
	{ LINE("/help help"), .kind = CMD_HELP, .topic = "help" },
	{ LINE("/help\trecvsize "), .kind = CMD_HELP, .topic = "recvsize" },

	/* /respond [-k] [STATUS] [TEXT | @FILE]. */
	{ LINE("/respond"), .kind = CMD_RESPOND, .n = 200 },
	{ LINE("/respond 404"), .kind = CMD_RESPOND, .n = 404 },
	{ LINE("/respond 200 hello"), .kind = CMD_RESPOND, .n = 200,
	  DATA("hello") },
	{ LINE("/respond hello  world "), .kind = CMD_RESPOND, .n = 200,
	  DATA("hello  world ") },
	{ LINE("/respond -k 201 a\\tb"), .kind = CMD_RESPOND, .n = 201,
	  .on = 1, DATA("a\tb") },
	{ LINE("/respond -k"), .kind = CMD_RESPOND, .n = 200, .on = 1 },
	{ LINE("/respond 200 @/tmp/my page.html "), .kind = CMD_RESPOND,
	  .n = 200, .path = "/tmp/my page.html" },
	{ LINE("/respond @x"), .kind = CMD_RESPOND, .n = 200, .path = "x" },
	{ LINE("/respond -kx"), .kind = CMD_RESPOND, .n = 200,
	  DATA("-kx") },

	/* /sendfile PATH, /follow on|off, /view http. */
	{ LINE("/sendfile  a b.bin "), .kind = CMD_SENDFILE,
	  .path = "a b.bin" },
	{ LINE("/follow on"), .kind = CMD_FOLLOW, .on = 1 },
	{ LINE("/follow OFF"), .kind = CMD_FOLLOW, .on = 0 },
	{ LINE("/notation python"), .kind = CMD_NOTATION, .on = 1 },
	{ LINE("/notation C"), .kind = CMD_NOTATION, .on = 0 },
	{ LINE("/view http"), .kind = CMD_VIEW, .view = VIEW_HTTP },
};

static const struct bad_case bad_cases[] = {
	/* The command word. */
	{ LINE("/"), "empty command (try /help; // sends a '/')" },
	{ LINE("/ quit"), "empty command (try /help; // sends a '/')" },
	{ LINE("/\t"), "empty command (try /help; // sends a '/')" },
	{ LINE("/frob"), "unknown command '/frob' (try /help)" },
	{ LINE("/frob a b"), "unknown command '/frob' (try /help)" },
	{ LINE("/Quit"), "unknown command '/Quit' (did you mean /quit?)" },
	{ LINE("/sendx"), "unknown command '/sendx' (did you mean /send?)" },
	{ LINE("/quit\r"), "unknown command '/quit\\x0d' (try /help)" },
	{ LINE("/connect\0 a 1"),
	  "unknown command '/connect\\x00' (try /help)" },

	/* /respond, /sendfile, /follow. */
	{ LINE("/respond 42 x"), "/respond: STATUS must be 100-599, got '42'" },
	{ LINE("/respond 600"), "/respond: STATUS must be 100-599, got '600'" },
	{ LINE("/respond 2000"),
	  "/respond: STATUS must be 100-599, got '2000'" },
	{ LINE("/respond 200 @"),
	  "/respond: usage: /respond [STATUS] [TEXT]" },
	{ LINE("/respond a\\q"), "/respond: bad escape '\\q'" },
	{ LINE("/sendfile"), "/sendfile: usage: /sendfile PATH" },
	{ LINE("/sendfile   "), "/sendfile: usage: /sendfile PATH" },
	{ LINE("/sendfile a\0b"),
	  "/sendfile: NUL byte in arguments" },
	{ LINE("/follow"), "/follow: usage: /follow on|off" },
	{ LINE("/follow yes"), "/follow: expected on or off, got 'yes'" },
	{ LINE("/notation"), "/notation: usage: /notation c|python" },
	{ LINE("/notation py"), "/notation: expected c or python, got 'py'" },

	/* Commands that take no arguments. */
	{ LINE("/quit x"), "/quit takes no arguments" },
	{ LINE("/clear x"), "/clear takes no arguments" },

	/* /connect. */
	{ LINE("/connect"), "/connect: usage: /connect HOST PORT" },
	{ LINE("/connect  "), "/connect: usage: /connect HOST PORT" },
	{ LINE("/connect a"),
	  "/connect: 'a' needs a PORT too (HOST PORT or HOST:PORT)" },
	{ LINE("/connect ::1"),
	  "/connect: '::1' needs a PORT too (write [V6]:PORT or V6 PORT)" },
	{ LINE("/connect a:0"), "/connect: port must be 1-65535, got '0'" },
	{ LINE("/connect ho\x01st:80"), "/connect: bad host 'ho\\x01st'" },
	{ LINE("/connect ftp://a/"),
	  "/connect: unknown scheme 'ftp' (http:// and https:// are known)" },
	{ LINE("/lisen 80"), "unknown command '/lisen' (did you mean /listen?)" },
	{ LINE("/connect a 1 2"), "/connect: usage: /connect HOST PORT" },
	{ LINE("/connect a 0"), "/connect: port must be 1-65535, got '0'" },
	{ LINE("/connect a 65536"),
	  "/connect: port must be 1-65535, got '65536'" },
	{ LINE("/connect a 80x"), "/connect: port must be 1-65535, got '80x'" },
	{ LINE("/connect a -1"), "/connect: port must be 1-65535, got '-1'" },
	{ LINE("/connect [::1 80"),
	  "/connect: unbalanced brackets in host '[::1' "
	  "(write an IPv6 address as ::1 or [::1])" },
	{ LINE("/connect ::1] 80"),
	  "/connect: unbalanced brackets in host '::1]' "
	  "(write an IPv6 address as ::1 or [::1])" },
	{ LINE("/connect [ 80"),
	  "/connect: unbalanced brackets in host '[' "
	  "(write an IPv6 address as ::1 or [::1])" },
	{ LINE("/connect [] 80"), "/connect: bad host '[]'" },
	{ LINE("/connect [a]b] 80"), "/connect: bad host '[a]b]'" },
	{ LINE("/connect [a[b] 80"), "/connect: bad host '[a[b]'" },
	{ LINE("/connect a\x1b" "b 80"), "/connect: bad host 'a\\x1bb'" },
	{ LINE("/connect a\x7f 80"), "/connect: bad host 'a\\x7f'" },
	{ LINE("/connect a\0b 1"), "/connect: NUL byte in arguments" },

	/* /listen. */
	{ LINE("/listen"), "/listen: usage: /listen [ADDR] PORT" },
	{ LINE("/listen a b c"), "/listen: usage: /listen [ADDR] PORT" },
	{ LINE("/listen 65536"), "/listen: port must be 1-65535, got '65536'" },
	{ LINE("/listen 127.0.0.1 1e3"),
	  "/listen: port must be 1-65535, got '1e3'" },
	{ LINE("/listen [\x01] 1"), "/listen: bad host '[\\x01]'" },
	{ LINE("/listen [::1 1"),
	  "/listen: unbalanced brackets in host '[::1' "
	  "(write an IPv6 address as ::1 or [::1])" },

	/* /send. */
	{ LINE("/send"), "/send: usage: /send TEXT" },
	{ LINE("/send "), "/send: usage: /send TEXT" },
	{ LINE("/send\t"), "/send: usage: /send TEXT" },
	{ LINE("/send \\q"), "/send: bad escape '\\q'" },
	{ LINE("/send a\\x4"), "/send: \\x needs two hex digits" },
	{ LINE("/send a\\x4g"), "/send: \\x needs two hex digits" },
	{ LINE("/send \\"), "/send: trailing backslash" },
	{ LINE("/send abc\\"), "/send: trailing backslash" },
	{ LINE("/send \\\x1b"), "/send: bad escape '\\\\x1b'" },

	/* /hex. */
	{ LINE("/hex"), "/hex: usage: /hex HEX..." },
	{ LINE("/hex   \t"), "/hex: usage: /hex HEX..." },
	{ LINE("/hex 0d0"), "/hex: odd number of hex digits in '0d0'" },
	{ LINE("/hex 47 0x0d0"), "/hex: odd number of hex digits in '0x0d0'" },
	{ LINE("/hex 4"), "/hex: odd number of hex digits in '4'" },
	{ LINE("/hex 4g"),
	  "/hex: not hex digits: '4g' (write bytes like 47 45 0d0a)" },
	{ LINE("/hex 0x"),
	  "/hex: not hex digits: '0x' (write bytes like 47 45 0d0a)" },
	{ LINE("/hex 47 0x0x41"),
	  "/hex: not hex digits: '0x0x41' (write bytes like 47 45 0d0a)" },
	{ LINE("/hex 47:45"),
	  "/hex: not hex digits: '47:45' (write bytes like 47 45 0d0a)" },
	{ LINE("/hex a\0"), "/hex: NUL byte in arguments" },

	/* /recv and /recvsize. */
	{ LINE("/recv 0"), "/recv: N must be 1-1048576, got '0'" },
	{ LINE("/recv 1048577"), "/recv: N must be 1-1048576, got '1048577'" },
	{ LINE("/recv -1"), "/recv: N must be 1-1048576, got '-1'" },
	{ LINE("/recv +5"), "/recv: N must be 1-1048576, got '+5'" },
	{ LINE("/recv 1k"), "/recv: N must be 1-1048576, got '1k'" },
	{ LINE("/recv 0x10"), "/recv: N must be 1-1048576, got '0x10'" },
	{ LINE("/recv 1 2"), "/recv: usage: /recv [N]" },
	{ LINE("/recvsize"), "/recvsize: usage: /recvsize N" },
	{ LINE("/recvsize 1 2"), "/recvsize: usage: /recvsize N" },
	{ LINE("/recvsize 0"), "/recvsize: N must be 1-1048576, got '0'" },
	{ LINE("/recvsize 99999999999999999999999"),
	  "/recvsize: N must be 1-1048576, got '99999999999999999999999'" },

	/* Keywords. */
	{ LINE("/auto"), "/auto: usage: /auto on|off" },
	{ LINE("/auto on off"), "/auto: usage: /auto on|off" },
	{ LINE("/auto maybe"), "/auto: expected on or off, got 'maybe'" },
	{ LINE("/auto 1"), "/auto: expected on or off, got '1'" },
	{ LINE("/eol"), "/eol: usage: /eol lf|crlf|cr|none" },
	{ LINE("/eol lf cr"), "/eol: usage: /eol lf|crlf|cr|none" },
	{ LINE("/eol crcr"),
	  "/eol: expected lf, crlf, cr or none, got 'crcr'" },
	{ LINE("/eol \\n"),
	  "/eol: expected lf, crlf, cr or none, got '\\\\n'" },
	{ LINE("/view"), "/view: usage: /view VIEW [#A #B]" },
	{ LINE("/view pair #1 #2 #3"),
	  "/view: usage: /view VIEW [#A #B]" },
	{ LINE("/view hex text"), "/view: only pair takes #IDs, got 'text'" },
	{ LINE("/view lab #1"), "/view: only pair takes #IDs, got '#1'" },
	{ LINE("/view both"),
	  "/view: expected split, hex, text, lab, pair or http, got 'both'" },
	{ LINE("/view pair x"), "/view pair: expected #ID like #2, got 'x'" },
	{ LINE("/view pair #1 #0"),
	  "/view pair: expected #ID like #2, got '#0'" },
	{ LINE("/view pair #2 2"),
	  "/view pair: needs two different connections, got #2 twice" },

	/* Connection and listener numbers. */
	{ LINE("/shutdown #0"), "/shutdown: expected #ID like #2, got '#0'" },
	{ LINE("/shutdown #"), "/shutdown: expected #ID like #2, got '#'" },
	{ LINE("/shutdown L1"), "/shutdown: expected #ID like #2, got 'L1'" },
	{ LINE("/shutdown #2 #3"), "/shutdown: usage: /shutdown [#ID]" },
	{ LINE("/reset x"), "/reset: expected #ID like #2, got 'x'" },
	{ LINE("/reset ##1"), "/reset: expected #ID like #2, got '##1'" },
	{ LINE("/reset #1 x"), "/reset: usage: /reset [#ID]" },
	{ LINE("/close L0"),
	  "/close: expected #ID or LID like #2 or L1, got 'L0'" },
	{ LINE("/close L"),
	  "/close: expected #ID or LID like #2 or L1, got 'L'" },
	{ LINE("/close #x"),
	  "/close: expected #ID or LID like #2 or L1, got '#x'" },
	{ LINE("/close L#1"),
	  "/close: expected #ID or LID like #2 or L1, got 'L#1'" },
	{ LINE("/close a b"), "/close: usage: /close [#ID|LID]" },
	{ LINE("/accept #1"), "/accept: expected LID like L1, got '#1'" },
	{ LINE("/accept L1 L2"), "/accept: usage: /accept [LID]" },
	{ LINE("/conn"), "/conn: usage: /conn #ID" },
	{ LINE("/conn #1 #2"), "/conn: usage: /conn #ID" },
	{ LINE("/conn x"), "/conn: expected #ID like #2, got 'x'" },
	{ LINE("/conn #-1"), "/conn: expected #ID like #2, got '#-1'" },
	{ LINE("/conn #2147483648"),
	  "/conn: expected #ID like #2, got '#2147483648'" },
	{ LINE("/conn #99999999999999999999999"),
	  "/conn: expected #ID like #2, got '#99999999999999999999999'" },

	/* /help. */
	{ LINE("/help x"), "/help: no command '/x'" },
	{ LINE("/help /x"), "/help: no command '/x'" },
	{ LINE("/help //x"), "/help: no command '//x'" },
	{ LINE("/help /"), "/help: no command '/'" },
	{ LINE("/help Connect"), "/help: no command '/Connect'" },
	{ LINE("/help a b"), "/help: usage: /help [COMMAND]" },
};

/* Assert that a message is one line of printable ASCII of sane length. */
static void
check_safe(const char *msg)
{
	size_t	i, n;

	assert_non_null(msg);
	n = strlen(msg);
	assert_true(n > 0);
	assert_true(n < 200);
	for (i = 0; i < n; i++) {
		if ((unsigned char)msg[i] < 0x20 ||
		    (unsigned char)msg[i] > 0x7e)
			fail_msg("unsafe byte 0x%02x in message \"%s\"",
			    (unsigned char)msg[i], msg);
	}
}

/* Assert that a string field holds what it should (NULL or equal). */
static void
check_str(const char *what, const char *line, const char *got,
    const char *want)
{
	if (want == NULL && got == NULL)
		return;
	if (want == NULL || got == NULL || strcmp(want, got) != 0)
		fail_msg("%s of \"%s\": got \"%s\", want \"%s\"", what, line,
		    got == NULL ? "(null)" : got,
		    want == NULL ? "(null)" : want);
}

/* Every accepted line fills exactly the fields it should, and nothing else. */
static void
test_parse_ok(void **state)
{
	const struct ok_case	*t;
	struct cmd		 c;
	char			*cause;
	size_t			 i;
	int			 r;

	(void)state;
	for (i = 0; i < sizeof ok_cases / sizeof ok_cases[0]; i++) {
		t = &ok_cases[i];
		cause = NULL;
		r = cmd_parse(t->line, t->len, &c, &cause);
		if (r != 0)
			fail_msg("\"%s\" failed: %s", t->line,
			    cause == NULL ? "(no cause)" : cause);
		assert_null(cause);
		if (c.kind != t->kind)
			fail_msg("\"%s\": kind %d, want %d", t->line,
			    (int)c.kind, (int)t->kind);
		if (t->data == NULL)
			assert_null(c.data);
		else {
			assert_non_null(c.data);
			if (c.len != t->dlen ||
			    memcmp(c.data, t->data, t->dlen) != 0)
				fail_msg("\"%s\": wrong data (%zu bytes, "
				    "want %zu)", t->line, c.len, t->dlen);
		}
		if (t->data == NULL)
			assert_int_equal(c.len, 0);
		if (c.n != t->n || c.on != t->on || c.eol != t->eol ||
		    c.view != t->view || c.conn != t->conn ||
		    c.conn2 != t->conn2 || c.listener != t->listener)
			fail_msg("\"%s\": n %zu on %d eol %d view %d conn %d "
			    "conn2 %d listener %d", t->line, c.n, c.on,
			    (int)c.eol, (int)c.view, c.conn, c.conn2,
			    c.listener);
		check_str("host", t->line, c.host, t->host);
		check_str("port", t->line, c.port, t->port);
		check_str("topic", t->line, c.topic, t->topic);
		check_str("path", t->line, c.path, t->path);
		cmd_free(&c);
	}
}

/* Every refused line gives exactly its message, safe to print. */
static void
test_parse_bad(void **state)
{
	const struct bad_case	*t;
	struct cmd		 c;
	char			*cause;
	size_t			 i;
	int			 r;

	(void)state;
	for (i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		t = &bad_cases[i];
		cause = NULL;
		r = cmd_parse(t->line, t->len, &c, &cause);
		if (r != -1)
			fail_msg("\"%s\" was accepted (kind %d)", t->line,
			    (int)c.kind);
		assert_non_null(cause);
		if (strcmp(cause, t->cause) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"", t->line,
			    cause, t->cause);
		check_safe(cause);
		/* Nothing to free on -1: pointers must not dangle. */
		assert_null(c.data);
		assert_null(c.host);
		assert_null(c.port);
		assert_null(c.topic);
		free(cause);
	}
}

/* A usage error repeats the first line of the command's help. */
static void
test_usage_matches_help(void **state)
{
	const char	*help, *nl;
	char		*cause, want[128];
	struct cmd	 c;
	size_t		 i;
	int		 r;

	(void)state;
	for (i = 0; cmd_name_list()[i] != NULL; i++) {
		help = cmd_help(cmd_name_list()[i]);
		assert_non_null(help);
		nl = strchr(help, '\n');
		assert_non_null(nl);
		/* /respond takes any words (its TEXT): no usage error. */
		if (strcmp(cmd_name_list()[i], "/quit") == 0 ||
		    strcmp(cmd_name_list()[i], "/clear") == 0 ||
		    strcmp(cmd_name_list()[i], "/respond") == 0)
			continue;
		cause = NULL;
		/* Three extra words are too many for every command;
		 * /serve takes three, and none is too few. */
		if (strcmp(cmd_name_list()[i], "/send") == 0 ||
		    strcmp(cmd_name_list()[i], "/serve") == 0 ||
		    strcmp(cmd_name_list()[i], "/hex") == 0 ||
		    strcmp(cmd_name_list()[i], "/sendfile") == 0)
			r = cmd_parse(cmd_name_list()[i], strlen(cmd_name_list()[i]), &c,
			    &cause);
		else {
			char	line[64];

			snprintf(line, sizeof line, "%s 1 2 3", cmd_name_list()[i]);
			r = cmd_parse(line, strlen(line), &c, &cause);
		}
		assert_int_equal(r, -1);
		assert_non_null(cause);
		snprintf(want, sizeof want, "%s: usage: %.*s", cmd_name_list()[i],
		    (int)(nl - help), help);
		assert_string_equal(cause, want);
		free(cause);
	}
}

/* Every escape the decoder knows, and raw bytes passed through. */
static void
test_unescape_ok(void **state)
{
	static const struct {
		const char	*in;
		size_t		 inlen;
		const char	*out;
		size_t		 outlen;
	} t[] = {
#define U(a, b) { a, sizeof(a) - 1, b, sizeof(b) - 1 }
		U("", ""),
		U("plain text", "plain text"),
		U("\\r", "\r"),
		U("\\n", "\n"),
		U("\\t", "\t"),
		U("\\0", "\0"),
		U("\\\\", "\\"),
		U("\\e", "\x1b"),
		U("\\a", "\a"),
		U("\\\"", "\""),
		U("\\'", "'"),
		U("\\x00", "\0"),
		U("\\xff", "\xff"),
		U("\\xAb", "\xab"),
		U("\\x7F", "\x7f"),
		U("\\x410", "A0"),
		U("\\01", "\0" "1"),
		U("a\\0b", "a\0b"),
		U("\\r\\n\\t\\0\\\\\\e\\a\\\"\\'", "\r\n\t\0\\\x1b\a\"'"),
		U("GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n",
		  "GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
		U("raw\0nul", "raw\0nul"),
		U("\xc3\xa9\x1b\xff", "\xc3\xa9\x1b\xff"),
		U("\\\\x41", "\\x41"),
		U("  spaces  ", "  spaces  "),
#undef U
	};
	unsigned char	*out;
	size_t		 outlen, i;
	char		*cause;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		cause = NULL;
		out = NULL;
		if (cmd_unescape(t[i].in, t[i].inlen, &out, &outlen,
		    &cause) != 0)
			fail_msg("\"%s\": %s", t[i].in, cause);
		assert_null(cause);
		assert_non_null(out);
		assert_int_equal(outlen, t[i].outlen);
		assert_memory_equal(out, t[i].out, outlen);
		free(out);
	}
}

/* Bad and cut-short escapes: the message, and nothing left to free. */
static void
test_unescape_bad(void **state)
{
	static const struct {
		const char	*in;
		size_t		 inlen;
		const char	*cause;
	} t[] = {
#define B(a, b) { a, sizeof(a) - 1, b }
		B("\\x4", "\\x needs two hex digits"),
		B("\\x", "\\x needs two hex digits"),
		B("ab\\x", "\\x needs two hex digits"),
		B("\\x4g", "\\x needs two hex digits"),
		B("\\xg4", "\\x needs two hex digits"),
		B("\\x 41", "\\x needs two hex digits"),
		B("\\x4\0", "\\x needs two hex digits"),
		B("\\q", "bad escape '\\q'"),
		B("ok\\z", "bad escape '\\z'"),
		B("\\X41", "bad escape '\\X'"),
		B("\\1", "bad escape '\\1'"),
		B("\\ ", "bad escape '\\ '"),
		B("\\\x01", "bad escape '\\\\x01'"),
		B("\\\0", "bad escape '\\\\x00'"),
		B("\\\xc3\xa9", "bad escape '\\\\xc3'"),
		B("\\\x1b[2J", "bad escape '\\\\x1b'"),
		B("\\", "trailing backslash"),
		B("abc\\", "trailing backslash"),
		B("\\\\\\", "trailing backslash"),
#undef B
	};
	unsigned char	*out;
	size_t		 outlen, i;
	char		*cause;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		cause = NULL;
		out = NULL;
		if (cmd_unescape(t[i].in, t[i].inlen, &out, &outlen,
		    &cause) != -1)
			fail_msg("\"%s\" was accepted", t[i].in);
		assert_non_null(cause);
		if (strcmp(cause, t[i].cause) != 0)
			fail_msg("\"%s\": got \"%s\", want \"%s\"", t[i].in,
			    cause, t[i].cause);
		check_safe(cause);
		assert_null(out);
		free(cause);
	}
}

/* Ports: numbers 1-65535, service names, and everything else refused. */
static void
test_port(void **state)
{
	static const struct {
		const char	*in;
		int		 want;
	} t[] = {
		{ "1", 1 },
		{ "80", 80 },
		{ "65535", 65535 },
		{ "0080", 80 },
		{ "000000000000000000000000000065535", 65535 },
		{ "http", 0 },
		{ "h", 0 },
		{ "http-alt", 0 },
		{ "x11_b-2", 0 },
		{ "HTTP", 0 },
		{ "0", -1 },
		{ "00", -1 },
		{ "65536", -1 },
		{ "99999999999999999999999", -1 },
		{ "-1", -1 },
		{ "+80", -1 },
		{ "1e3", -1 },
		{ "80x", -1 },
		{ "", -1 },
		{ " 80", -1 },
		{ "80 ", -1 },
		{ "0x50", -1 },
		{ "-http", -1 },
		{ "_x", -1 },
		{ "http!", -1 },
		{ "ht tp", -1 },
		{ "h\xc3\xa9", -1 },
		{ "\x1b[31m", -1 },
	};
	char	*cause, want[128];
	size_t	 i;
	int	 r;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		cause = NULL;
		r = cmd_parse_port(t[i].in, &cause);
		if (r != t[i].want)
			fail_msg("port \"%s\": got %d, want %d", t[i].in, r,
			    t[i].want);
		if (r != -1) {
			assert_null(cause);
			continue;
		}
		assert_non_null(cause);
		check_safe(cause);
		if (strchr(t[i].in, '\x1b') == NULL &&
		    strchr(t[i].in, '\xc3') == NULL) {
			snprintf(want, sizeof want,
			    "port must be 1-65535, got '%s'", t[i].in);
			assert_string_equal(cause, want);
		}
		free(cause);
	}
	cause = NULL;
	assert_int_equal(cmd_parse_port("\x1b[31m", &cause), -1);
	assert_string_equal(cause, "port must be 1-65535, got '\\x1b[31m'");
	free(cause);
}

/* Sizes with binary units; zero, overflow and garbage refused. */
static void
test_size(void **state)
{
	static const struct {
		const char		*in;
		unsigned long long	 want;
	} ok[] = {
		{ "1", 1 },
		{ "4096", 4096 },
		{ "0004096", 4096 },
		{ "7B", 7 },
		{ "64K", 65536 },
		{ "64k", 65536 },
		{ "64KB", 65536 },
		{ "64KiB", 65536 },
		{ "64kib", 65536 },
		{ "64M", 64ULL << 20 },
		{ "64MiB", 64ULL << 20 },
		{ "64mb", 64ULL << 20 },
		{ "1G", 1ULL << 30 },
		{ "1gib", 1ULL << 30 },
		{ "3GB", 3ULL << 30 },
		{ "17179869183G", 17179869183ULL << 30 },
		{ "18446744073709551615", 18446744073709551615ULL },
	};
	static const char *const garbage[] = {
		"", "x", "K", "64 M", " 64", "64 ", "-1", "+1", "1T", "64Mx",
		"64MB!", "1.5G", "0x10", "64iB", "64Mi", "64KK", "\x1b[2J",
	};
	static const char *const toobig[] = {
		"18446744073709551616", "17179869184G", "99999999999999999999K",
		"18014398509481984K",
	};
	unsigned long long	 v;
	char			*cause, want[128];
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		cause = NULL;
		v = 0;
		if (cmd_parse_size(ok[i].in, &v, &cause) != 0)
			fail_msg("size \"%s\": %s", ok[i].in, cause);
		assert_null(cause);
		if (v != ok[i].want)
			fail_msg("size \"%s\": got %llu, want %llu", ok[i].in,
			    v, ok[i].want);
	}
	for (i = 0; i < sizeof garbage / sizeof garbage[0]; i++) {
		cause = NULL;
		assert_int_equal(cmd_parse_size(garbage[i], &v, &cause), -1);
		assert_non_null(cause);
		check_safe(cause);
		if (garbage[i][0] != '\x1b') {
			snprintf(want, sizeof want, "size must be a number "
			    "with an optional K, M or G suffix, got '%s'",
			    garbage[i]);
			assert_string_equal(cause, want);
		}
		free(cause);
	}
	for (i = 0; i < sizeof toobig / sizeof toobig[0]; i++) {
		cause = NULL;
		assert_int_equal(cmd_parse_size(toobig[i], &v, &cause), -1);
		snprintf(want, sizeof want, "size is too large, got '%s'",
		    toobig[i]);
		assert_string_equal(cause, want);
		free(cause);
	}
	cause = NULL;
	assert_int_equal(cmd_parse_size("0", &v, &cause), -1);
	assert_string_equal(cause, "size must be at least 1");
	free(cause);
	cause = NULL;
	assert_int_equal(cmd_parse_size("0M", &v, &cause), -1);
	assert_string_equal(cause, "size must be at least 1");
	free(cause);
}

/* End-of-line keywords, bytes and names; view names. */
static void
test_eol_view(void **state)
{
	enum cmd_eol	e;

	(void)state;
	assert_int_equal(cmd_parse_eol("lf", &e), 0);
	assert_int_equal(e, EOL_LF);
	assert_int_equal(cmd_parse_eol("LF", &e), 0);
	assert_int_equal(e, EOL_LF);
	assert_int_equal(cmd_parse_eol("crlf", &e), 0);
	assert_int_equal(e, EOL_CRLF);
	assert_int_equal(cmd_parse_eol("CrLf", &e), 0);
	assert_int_equal(e, EOL_CRLF);
	assert_int_equal(cmd_parse_eol("cr", &e), 0);
	assert_int_equal(e, EOL_CR);
	assert_int_equal(cmd_parse_eol("none", &e), 0);
	assert_int_equal(e, EOL_NONE);
	e = EOL_CR;
	assert_int_equal(cmd_parse_eol("", &e), -1);
	assert_int_equal(cmd_parse_eol("crlf ", &e), -1);
	assert_int_equal(cmd_parse_eol("l f", &e), -1);
	assert_int_equal(cmd_parse_eol("\\n", &e), -1);
	assert_int_equal(cmd_parse_eol("lfx", &e), -1);
	assert_int_equal(e, EOL_CR);

	assert_string_equal(cmd_eol_bytes(EOL_LF), "\n");
	assert_string_equal(cmd_eol_bytes(EOL_CRLF), "\r\n");
	assert_string_equal(cmd_eol_bytes(EOL_CR), "\r");
	assert_string_equal(cmd_eol_bytes(EOL_NONE), "");
	assert_string_equal(cmd_eol_name(EOL_LF), "LF");
	assert_string_equal(cmd_eol_name(EOL_CRLF), "CRLF");
	assert_string_equal(cmd_eol_name(EOL_CR), "CR");
	assert_string_equal(cmd_eol_name(EOL_NONE), "none");

	assert_string_equal(cmd_view_name(VIEW_SPLIT), "split");
	assert_string_equal(cmd_view_name(VIEW_HEX), "hex");
	assert_string_equal(cmd_view_name(VIEW_TEXT), "text");
	assert_string_equal(cmd_view_name(VIEW_LAB), "lab");
	assert_string_equal(cmd_view_name(VIEW_PAIR), "pair");
}

/* Assert that help text is printable ASCII lines of at most 79 columns. */
static void
check_help_text(const char *s)
{
	size_t	col = 0;

	assert_non_null(s);
	assert_true(strlen(s) > 0);
	assert_int_equal(s[strlen(s) - 1], '\n');
	for (; *s != '\0'; s++) {
		if (*s == '\n') {
			assert_true(col > 0);
			col = 0;
			continue;
		}
		assert_true(*s >= 0x20 && *s < 0x7f);
		if (++col > 79)
			fail_msg("help line too long");
	}
}

/* Every command has help, usage first; cmd_help_all lists them aligned. */
static void
test_help(void **state)
{
	const char	*all, *help, *line, *nl, *hnl;
	size_t		 i, ulen, col = 0, c;
	char		*cause;
	struct cmd	 cmd;
	char		 buf[64];

	(void)state;
	all = cmd_help_all();
	check_help_text(all);
	line = all;
	for (i = 0; cmd_name_list()[i] != NULL; i++) {
		assert_int_equal(cmd_name_list()[i][0], '/');
		help = cmd_help(cmd_name_list()[i]);
		check_help_text(help);
		assert_ptr_equal(cmd_help(cmd_name_list()[i] + 1), help);

		/* Usage line, then at least one line of explanation. */
		ulen = strlen(cmd_name_list()[i]);
		assert_memory_equal(help, cmd_name_list()[i], ulen);
		assert_true(help[ulen] == ' ' || help[ulen] == '\n');
		hnl = strchr(help, '\n');
		assert_true(hnl[1] != '\0');

		/* The matching line of cmd_help_all: usage, then summary. */
		nl = strchr(line, '\n');
		assert_non_null(nl);
		ulen = (size_t)(hnl - help);
		if (strncmp(line, help, ulen) != 0 || line[ulen] != ' ')
			fail_msg("help_all line %zu does not start with "
			    "\"%.*s\"", i, (int)ulen, help);
		for (c = ulen; line[c] == ' '; c++)
			/* nothing */;
		assert_true(c - ulen >= 2);
		if (col == 0)
			col = c;
		if (c != col)
			fail_msg("help_all line %zu not aligned", i);
		assert_true(nl - line > (ptrdiff_t)c);
		line = nl + 1;

		/* "/help NAME" names the same topic. */
		snprintf(buf, sizeof buf, "/help %s", cmd_name_list()[i] + 1);
		cause = NULL;
		assert_int_equal(cmd_parse(buf, strlen(buf), &cmd, &cause), 0);
		assert_string_equal(cmd.topic, cmd_name_list()[i] + 1);
		assert_ptr_equal(cmd_help(cmd.topic), help);
		cmd_free(&cmd);
	}
	assert_int_equal(i, 22);	/* with /notation, /serve, /accept */
	assert_int_equal(*line, '\0');
	assert_true(strstr(all, "/connect HOST PORT ") == all);

	assert_null(cmd_help("frob"));
	assert_null(cmd_help("/frob"));
	assert_null(cmd_help(""));
	assert_null(cmd_help("/"));
	assert_null(cmd_help("//quit"));
	assert_null(cmd_help("Quit"));
	assert_null(cmd_help("quit "));
}

/*
 * The command table is the one list: every entry has a usage line, an
 * explanation and a summary that fits --help's 80 columns (indented by
 * two), aliases name the same entry, and the lists built from the table
 * (names, /help topics, help_all) agree in order and length.
 */
static void
test_table(void **state)
{
	const char *const	*names = cmd_name_list();
	const char *const	*topics = cmd_keywords("help");
	const char		*all = cmd_help_all(), *line, *nl, *help;
	size_t			 i, ulen;

	(void)state;
	line = all;
	for (i = 0; names[i] != NULL; i++) {
		help = cmd_help(names[i]);
		assert_non_null(help);
		nl = strchr(help, '\n');
		assert_non_null(nl);
		/* An explanation of at least a few words after the usage. */
		assert_true(strlen(nl + 1) > 20);
		assert_non_null(topics[i]);
		assert_string_equal(topics[i], names[i] + 1);
		/* help_all: usage, blanks, a summary of a few words. */
		nl = strchr(line, '\n');
		assert_non_null(nl);
		ulen = strcspn(help, "\n");
		assert_memory_equal(line, help, ulen);
		assert_true(nl - line > (ptrdiff_t)ulen + 10);
		assert_true(line[nl - line - 1] != ' ');
		if (nl - line + 2 > 79)
			fail_msg("help_all line %zu is too wide for --help", i);
		line = nl + 1;
	}
	assert_null(topics[i]);
	assert_int_equal(*line, '\0');
	assert_ptr_equal(cmd_name_list(), names);

	/* Aliases: the same help, the same command. */
	assert_ptr_equal(cmd_help("?"), cmd_help("help"));
	assert_ptr_equal(cmd_help("/exit"), cmd_help("/quit"));
	{
		struct cmd	 c;
		char		*cause = NULL;

		assert_int_equal(cmd_parse("/exit", 5, &c, &cause), 0);
		assert_int_equal(c.kind, CMD_QUIT);
		cmd_free(&c);
		assert_int_equal(cmd_parse("/? conn", 7, &c, &cause), 0);
		assert_int_equal(c.kind, CMD_HELP);
		assert_string_equal(c.topic, "conn");
		cmd_free(&c);
		assert_int_equal(cmd_parse("/help exit", 10, &c, &cause), 0);
		assert_string_equal(c.topic, "quit");
		cmd_free(&c);
	}
}

/* One host check for the command line and /connect; address forms. */
static void
test_address(void **state)
{
	static const struct {
		const char	*in;
		const char	*host, *port;
		int		 tls;
	} ok[] = {
		{ "127.0.0.1:30007", "127.0.0.1", "30007", 0 },
		{ "[::1]:80", "::1", "80", 0 },
		{ "localhost:http", "localhost", "http", 0 },
		{ "http://example.com/", "example.com", "80", 0 },
		{ "http://example.com", "example.com", "80", 0 },
		{ "HTTP://example.com:8080/a/b?c#d", "example.com", "8080", 0 },
		{ "http://[::1]/", "::1", "80", 0 },
		{ "http://[::1]:81", "::1", "81", 0 },
		{ "https://example.com/x", "example.com", "443", 1 },
		{ "https://10.0.0.1:8443", "10.0.0.1", "8443", 1 },
	};
	static const struct {
		const char	*in;
		const char	*cause;
	} bad[] = {
		{ "127.0.0.1", "'127.0.0.1' needs a PORT too (HOST PORT or "
		  "HOST:PORT)" },
		{ "::1", "'::1' needs a PORT too (write [V6]:PORT or V6 PORT)" },
		{ "[::1]", "'[::1]' needs a PORT too (write [V6]:PORT or V6 "
		  "PORT)" },
		{ "[::1", "unbalanced brackets in '[::1' (write [V6]:PORT)" },
		{ "[::1]x", "bad address '[::1]x' (write [V6]:PORT)" },
		{ "a:", "port must be 1-65535, got ''" },
		{ "a:70000", "port must be 1-65535, got '70000'" },
		{ ":80", "host must not be empty" },
		{ "ho\x01st:80", "bad host 'ho\\x01st'" },
		{ "http://", "no host in 'http://'" },
		{ "http:///x", "no host in 'http:///x'" },
		{ "http://u@h/", "user names are not supported in 'http://u@h/'" },
		{ "gopher://h/", "unknown scheme 'gopher' (http:// and https:// "
		  "are known)" },
		{ "http://h:0/", "port must be 1-65535, got '0'" },
		{ "http://\x1b[2J/", "bad host '\\x1b[2J'" },
	};
	char	*host, *port, *cause;
	size_t	 i;
	int	 tls;

	(void)state;
	for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		cause = NULL;
		if (cmd_parse_address(ok[i].in, strlen(ok[i].in), &host, &port,
		    &tls, &cause) != 0)
			fail_msg("'%s' refused: %s", ok[i].in, cause);
		assert_string_equal(host, ok[i].host);
		assert_string_equal(port, ok[i].port);
		assert_int_equal(tls, ok[i].tls);
		free(host);
		free(port);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		if (cmd_parse_address(bad[i].in, strlen(bad[i].in), &host,
		    &port, &tls, &cause) != -1)
			fail_msg("'%s' accepted", bad[i].in);
		assert_null(host);
		assert_null(port);
		assert_non_null(cause);
		assert_string_equal(cause, bad[i].cause);
		free(cause);
	}

	/* The host check alone: what the command line's HOST gets too. */
	assert_int_equal(cmd_check_host("[::1]", 5, &host, &cause), 0);
	assert_string_equal(host, "::1");
	free(host);
	assert_int_equal(cmd_check_host("ho\x01st", 5, &host, &cause), -1);
	assert_string_equal(cause, "bad host 'ho\\x01st'");
	free(cause);
	assert_int_equal(cmd_check_host("a b", 3, &host, &cause), -1);
	assert_string_equal(cause, "bad host 'a b': it contains white space");
	free(cause);
	assert_int_equal(cmd_check_host("", 0, &host, &cause), -1);
	assert_string_equal(cause, "host must not be empty");
	free(cause);

	/* /connect with one word is the same parser. */
	{
		struct cmd	c;

		cause = NULL;
		assert_int_equal(cmd_parse("/connect https://h/", 19, &c,
		    &cause), 0);
		assert_string_equal(c.host, "h");
		assert_string_equal(c.port, "443");
		assert_int_equal(c.tls, 1);
		cmd_free(&c);
	}
}

/* Typos of a word get the word meant; other words get nothing. */
static void
test_suggest(void **state)
{
	static const char *const modes[] = { "connect", "listen", NULL };
	static const struct {
		const char	*in;
		const char	*want;
	} t[] = {
		{ "lisen", "listen" }, { "listne", "listen" },
		{ "Listen", "listen" }, { "conect", "connect" },
		{ "connetc", "connect" }, { "lsten", "listen" },
		{ "listen", NULL }, { "localhost", NULL },
		{ "example.com", NULL }, { "li", NULL }, { "", NULL },
		{ "l1st3n", NULL }, { "127.0.0.1", NULL }, { "sockscope", NULL },
	};
	size_t	i;
	const char	*got;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		got = cmd_suggest(t[i].in, strlen(t[i].in), modes);
		if (t[i].want == NULL && got != NULL)
			fail_msg("'%s' suggested '%s'", t[i].in, got);
		if (t[i].want != NULL && (got == NULL ||
		    strcmp(got, t[i].want) != 0))
			fail_msg("'%s': wanted '%s'", t[i].in, t[i].want);
	}
	assert_null(cmd_suggest("x", 1, NULL));
}

/* Assert that a NULL-terminated keyword list is exactly the given words. */
static void
check_keywords(const char *const *got, const char *const *want)
{
	size_t	i;

	assert_non_null(got);
	for (i = 0; want[i] != NULL; i++) {
		assert_non_null(got[i]);
		assert_string_equal(got[i], want[i]);
	}
	assert_null(got[i]);
}

/* Completion keywords, each of which the parser accepts. */
static void
test_keywords(void **state)
{
	static const char *const autow[] = { "on", "off", NULL };
	static const char *const eolw[] = { "lf", "crlf", "cr", "none", NULL };
	static const char *const vieww[] = {
		"split", "hex", "text", "lab", "pair", "http", NULL
	};
	static const char *const notw[] = { "c", "python", NULL };
	static const char *const *lists[] = {
		autow, eolw, vieww, autow, notw
	};
	static const char *const cmds[] = {
		"/auto", "/eol", "/view", "/follow", "/notation"
	};
	const char *const	*kw;
	char			 buf[64], *cause;
	struct cmd		 c;
	size_t			 i, j;

	(void)state;
	for (i = 0; i < 5; i++) {
		check_keywords(cmd_keywords(cmds[i]), lists[i]);
		check_keywords(cmd_keywords(cmds[i] + 1), lists[i]);
		for (j = 0; lists[i][j] != NULL; j++) {
			snprintf(buf, sizeof buf, "%s %s", cmds[i],
			    lists[i][j]);
			cause = NULL;
			assert_int_equal(cmd_parse(buf, strlen(buf), &c,
			    &cause), 0);
			cmd_free(&c);
		}
	}

	/* /help completes to every command name. */
	kw = cmd_keywords("/help");
	assert_non_null(kw);
	for (i = 0; cmd_name_list()[i] != NULL; i++) {
		assert_non_null(kw[i]);
		assert_string_equal(kw[i], cmd_name_list()[i] + 1);
	}
	assert_null(kw[i]);

	assert_null(cmd_keywords("/connect"));
	assert_null(cmd_keywords("/send"));
	assert_null(cmd_keywords("/quit"));
	assert_null(cmd_keywords("/frob"));
	assert_null(cmd_keywords(""));
}

/* Hostile input is quoted with escapes and cut short in messages. */
static void
test_hostile(void **state)
{
	static const struct bad_case t[] = {
		{ LINE("/\x1b[2Jfoo"),
		  "unknown command '/\\x1b[2Jfoo' (try /help)" },
		{ LINE("/conn \x1b]0;pwned\x07"),
		  "/conn: expected #ID like #2, got '\\x1b]0;pwned\\x07'" },
		{ LINE("/conn \xc3\xa9"),
		  "/conn: expected #ID like #2, got '\\xc3\\xa9'" },
		{ LINE("/conn \xe2\x80\xae" "2"),
		  "/conn: expected #ID like #2, got '\\xe2\\x80\\xae2'" },
		{ LINE("/conn a\\b"),
		  "/conn: expected #ID like #2, got 'a\\\\b'" },
		{ LINE("/conn \x7f\x9b" "31m"),
		  "/conn: expected #ID like #2, got '\\x7f\\x9b31m'" },
		{ LINE("/help \xff\xfe"), "/help: no command '/\\xff\\xfe'" },
		{ LINE("/hex \x1b" "1"),
		  "/hex: not hex digits: '\\x1b1' (write bytes like 47 45 "
		  "0d0a)" },
		{ LINE("/connect a \x1b[31m"),
		  "/connect: port must be 1-65535, got '\\x1b[31m'" },
		{ LINE("/connect [\r 1"),
		  "/connect: unbalanced brackets in host '[\\x0d' "
		  "(write an IPv6 address as ::1 or [::1])" },
		{ LINE("/recv \n"), "/recv: N must be 1-1048576, got '\\x0a'" },
		{ LINE("/\x80"), "unknown command '/\\x80' (try /help)" },
		{ LINE("/conn "
		    "0123456789012345678901234567890123456789x"),
		  "/conn: expected #ID like #2, got "
		  "'0123456789012345678901234567890123456789...'" },
		{ LINE("/conn "
		    "012345678901234567890123456789012345678x"),
		  "/conn: expected #ID like #2, got "
		  "'012345678901234567890123456789012345678x'" },
	};
	struct cmd	 c;
	char		*cause, *line;
	size_t		 i, n;

	(void)state;
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		cause = NULL;
		assert_int_equal(cmd_parse(t[i].line, t[i].len, &c, &cause),
		    -1);
		assert_non_null(cause);
		check_safe(cause);
		if (strcmp(cause, t[i].cause) != 0)
			fail_msg("got \"%s\", want \"%s\"", cause, t[i].cause);
		free(cause);
	}

	/* A huge line of escape bytes gives a short, safe message. */
	n = 100000;
	line = malloc(n);
	assert_non_null(line);
	memset(line, '\x1b', n);
	line[0] = '/';
	cause = NULL;
	assert_int_equal(cmd_parse(line, n, &c, &cause), -1);
	check_safe(cause);
	assert_true(strstr(cause, "...' (try /help)") != NULL);
	free(cause);

	/* And a huge /send is all data, as typed. */
	memset(line, 'a', n);
	memcpy(line, "/send ", 6);
	cause = NULL;
	assert_int_equal(cmd_parse(line, n, &c, &cause), 0);
	assert_int_equal(c.kind, CMD_SEND);
	assert_int_equal(c.len, n - 6);
	cmd_free(&c);
	free(line);
}

/* cmd_free() may be called twice and leaves the struct empty. */
static void
test_free_twice(void **state)
{
	struct cmd	 c;
	char		*cause = NULL;

	(void)state;
	assert_int_equal(cmd_parse("/connect [::1] 80", 17, &c, &cause), 0);
	cmd_free(&c);
	assert_null(c.host);
	assert_null(c.port);
	cmd_free(&c);
	assert_int_equal(cmd_parse("/send x", 7, &c, &cause), 0);
	cmd_free(&c);
	assert_null(c.data);
	cmd_free(&c);
}

/* A small fixed-seed generator, so a failure can be reproduced. */
static uint32_t
rnd_next(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/*
 * Random lines built from command names and awkward bytes: the parser
 * never crashes, returns 0 or -1, sets cause exactly on -1 and leaves
 * nothing behind (valgrind and ASan check the freeing).
 */
static void
test_random(void **state)
{
	static const char *const pieces[] = {
		"/connect", "/listen", "/send", "/hex", "/recv", "/auto",
		"/recvsize", "/eol", "/shutdown", "/reset", "/close", "/conn",
		"/view", "/clear", "/help", "/quit", "/", "//", " ", " ", " ",
		"\t", "0", "1", "9", "65535", "65536", "1048576", "#", "L",
		"\\", "\\x", "x", "0x", "a", "f", "g", "[", "]", "::1", "on",
		"off", "crlf", "hex", "http", "-", "\0", "\x01", "\x1b",
		"\xff", "\xc3\xa9", "\r", "\n", "\\0",
	};
	static const size_t npieces = sizeof pieces / sizeof pieces[0];
	static const size_t plen[] = {
		8, 7, 5, 4, 5, 5, 9, 4, 9, 6, 6, 5, 5, 6, 5, 5, 1, 2, 1, 1, 1,
		1, 1, 1, 1, 5, 5, 7, 1, 1, 1, 2, 1, 2, 1, 1, 1, 1, 1, 3, 2, 3,
		4, 3, 4, 1, 1, 1, 1, 1, 2, 1, 1, 2,
	};
	struct cmd	 c;
	char		 line[256], *cause;
	uint32_t	 seed = 0x5eed1234;
	size_t		 len, k, nparts, ok = 0, bad = 0;
	long		 iter;
	int		 r;

	(void)state;
	assert_int_equal(sizeof plen / sizeof plen[0], npieces);
	for (k = 0; k < npieces; k++)
		assert_int_equal(plen[k], strlen(pieces[k]) +
		    (pieces[k][0] == '\0'));

	for (iter = 0; iter < 200000; iter++) {
		line[0] = '/';
		len = 1;
		k = rnd_next(&seed) % 16;
		memcpy(line + len, pieces[k] + 1, plen[k] - 1);
		len += plen[k] - 1;
		nparts = rnd_next(&seed) % 12;
		while (nparts-- > 0) {
			k = rnd_next(&seed) % npieces;
			if (len + plen[k] > sizeof line)
				break;
			memcpy(line + len, pieces[k], plen[k]);
			len += plen[k];
		}

		cause = NULL;
		memset(&c, 0xa5, sizeof c);
		r = cmd_parse(line, len, &c, &cause);
		if (r == 0) {
			ok++;
			assert_null(cause);
			switch (c.kind) {
			case CMD_LINE:
			case CMD_SEND:
			case CMD_HEX:
				assert_non_null(c.data);
				assert_true(c.len > 0);
				break;
			default:
				assert_null(c.data);
				break;
			}
			if (c.kind == CMD_CONNECT)
				assert_non_null(c.host);
			if (c.kind == CMD_CONNECT || c.kind == CMD_LISTEN)
				assert_non_null(c.port);
			else {
				assert_null(c.host);
				assert_null(c.port);
			}
			if (c.kind == CMD_RECVSIZE)
				assert_true(c.n >= CMD_RECV_MIN);
			assert_true(c.n <= CMD_RECV_MAX);
			assert_true(c.conn >= 0 && c.listener >= 0);
			cmd_free(&c);
		} else {
			bad++;
			assert_int_equal(r, -1);
			assert_non_null(cause);
			check_safe(cause);
			free(cause);
		}
	}
	/* The alphabet must reach both outcomes often. */
	assert_true(ok > 1000);
	assert_true(bad > 1000);
}

/* Run every test. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_usage_matches_help),
		cmocka_unit_test(test_unescape_ok),
		cmocka_unit_test(test_unescape_bad),
		cmocka_unit_test(test_port),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_eol_view),
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_address),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_free_twice),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
