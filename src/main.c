/*
 * main.c: the command line (SPEC section 2).  Parses options and the
 * target, sets up the engine and the app, opens the first connection or
 * listener, runs the -e lines, then hands over to batch mode or the full
 * screen.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sockscope/app.h"
#include "sockscope/batch.h"
#include "sockscope/cmd.h"
#include "sockscope/conn.h"
#include "sockscope/loop.h"
#include "sockscope/net.h"
#include "sockscope/prompt.h"
#include "sockscope/responder.h"
#include "sockscope/serve.h"
#include "sockscope/textesc.h"
#include "sockscope/tls.h"
#include "sockscope/ui.h"
#include "sockscope/util.h"

enum {
	OPT_EOL = 256,
	OPT_JSON,
	OPT_SCROLLBACK,
	OPT_NO_COLOR,
	OPT_HISTORY,
	OPT_TLS_VERIFY,
	OPT_INSECURE,
	OPT_TLS_CERT,
	OPT_TLS_KEY,
	OPT_FOLLOW,
	OPT_LAB,
	OPT_NOTATION,
	OPT_RESPOND,
	OPT_SEED,
	OPT_MANUAL_ACCEPT
};

/* The mode words, for "did you mean" on a typo. */
static const char *const main_modes[] = {
	"connect", "listen", "serve", NULL
};

static const char main_usage[] =
"Usage: sockscope [OPTIONS]                      full screen, nothing open yet\n"
"       sockscope [OPTIONS] HOST PORT            connect (netcat style)\n"
"       sockscope [OPTIONS] HOST:PORT            the same; also [V6]:PORT\n"
"       sockscope [OPTIONS] http://HOST[:PORT]/  connect to HOST (port 80)\n"
"       sockscope [OPTIONS] connect HOST PORT    the same\n"
"       sockscope [OPTIONS] -l [ADDR] PORT       listen (netcat style)\n"
"       sockscope [OPTIONS] listen [ADDR] PORT   the same\n"
"       sockscope [OPTIONS] serve KIND [ADDR] PORT\n"
"                                        a demo server: listen and answer\n"
"                                        each connection with responder KIND\n"
"\n"
"An interactive socket explorer: shows every byte received in hex and as\n"
"safe text, every recv() result as its own chunk, EOF, resets and the state\n"
"of each connection.  Without a terminal it prints a transcript instead.\n"
"Listening defaults to 127.0.0.1; 0.0.0.0 or :: listens on every interface.\n"
"\n"
"Options:\n"
"  -b, --recv-size=N       bytes asked of each recv() (1-1048576; 4096)\n"
"  -m, --manual            do not call recv() by itself; /recv does\n"
"      --manual-accept     listeners do not accept() by themselves;\n"
"                          clients wait in the backlog for /accept\n"
"      --eol=lf|crlf|cr|none\n"
"                          appended to each typed line (lf)\n"
"  -C, --crlf              same as --eol=crlf\n"
"  -4, -6                  IPv4 / IPv6 only\n"
"  -w, --timeout=SECS      connect timeout per address (10)\n"
"  -k, --keep-listening    batch listen: keep accepting forever\n"
"  -n, --batch             no full screen even on a terminal\n"
"      --json              batch output as JSON Lines instead of text\n"
"  -t, --timestamps        batch output shows +seconds on event lines\n"
"  -o, --log=FILE          also append the transcript to FILE (JSON with --json)\n"
"  -e, --exec=LINE         run an input line at start (repeatable)\n"
"      --scrollback=SIZE   bytes of data kept for viewing (64M)\n"
"      --no-color          no colors (also when NO_COLOR is set)\n"
"      --follow            every new connection takes focus (/follow on)\n"
"      --lab               full screen: start in the lab view (/view lab), for\n"
"                          a projector: narration, data, kernel facts\n"
"      --notation=c|python socket calls narrated as strace shows them (c),\n"
"                          or as a blocking Python program makes them; in\n"
"                          batch, replaces the transcript's event lines\n"
"      --history=commands|all|none\n"
"                          input lines the history file keeps (commands:\n"
"                          not lines sent to the peer, nor /send or /hex)\n"
"  -u, --udp               UDP instead of TCP (connect and listen)\n"
"  -U, --unix              HOST is a Unix socket path: sockscope -U PATH,\n"
"                          sockscope -U -l PATH (with -u: datagrams)\n"
"  -c, --tls               TLS over TCP: client, or server with listen;\n"
"                          https://HOST[:PORT]/ is TLS on 443\n"
"      --tls-verify, --insecure\n"
"                          verify the server's certificate, or do not\n"
"                          (default: verify names, not addresses)\n"
"      --tls-cert=FILE, --tls-key=FILE\n"
"                          the TLS server's certificate and key (default:\n"
"                          self-signed, made at start, for localhost)\n"
"      --respond=KIND      listen: a responder answers every accepted\n"
"                          connection (KIND: see the list below)\n"
"      --seed=N            chunky's piece sizes (1)\n"
"  /connect and /listen use the transport given here (-u, -c);\n"
"  /connect https://HOST/ uses TLS.\n"
"  -h, --help              show this help and exit\n"
"  -V, --version           show the version and exit\n"
"\n"
"Input lines are sent with the end-of-line appended; //text sends /text.\n"
"In the full screen, F1 lists the keys; F10 or /quit leaves.\n"
"\n"
"Commands (/help COMMAND explains one):\n";

static const char main_usage_end[] =
"\n"
"Exit status: 0 normal end, 1 network or runtime failure, 2 usage error.\n";

/* Print --help: the options, then every command from the command table. */
static void
main_help(void)
{
	const char	*p = cmd_help_all(), *nl;
	size_t		 i;

	fputs(main_usage, stdout);
	for (; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		printf("  %.*s\n", (int)(nl - p), p);
	}
	fputs("\nResponders (serve KIND, /serve KIND, --respond KIND):\n",
	    stdout);
	for (i = 0; responder_names[i] != NULL; i++)
		printf("  %-9s %s\n", responder_names[i],
		    responder_kind_help((enum responder_kind)i));
	fputs(main_usage_end, stdout);
}

static const struct option main_options[] = {
	{ "recv-size",		required_argument,	NULL, 'b' },
	{ "manual",		no_argument,		NULL, 'm' },
	{ "manual-accept",	no_argument,		NULL, OPT_MANUAL_ACCEPT },
	{ "eol",		required_argument,	NULL, OPT_EOL },
	{ "crlf",		no_argument,		NULL, 'C' },
	{ "timeout",		required_argument,	NULL, 'w' },
	{ "keep-listening",	no_argument,		NULL, 'k' },
	{ "batch",		no_argument,		NULL, 'n' },
	{ "json",		no_argument,		NULL, OPT_JSON },
	{ "timestamps",		no_argument,		NULL, 't' },
	{ "log",		required_argument,	NULL, 'o' },
	{ "exec",		required_argument,	NULL, 'e' },
	{ "scrollback",		required_argument,	NULL, OPT_SCROLLBACK },
	{ "no-color",		no_argument,		NULL, OPT_NO_COLOR },
	{ "follow",		no_argument,		NULL, OPT_FOLLOW },
	{ "lab",		no_argument,		NULL, OPT_LAB },
	{ "respond",		required_argument,	NULL, OPT_RESPOND },
	{ "seed",		required_argument,	NULL, OPT_SEED },
	{ "history",		required_argument,	NULL, OPT_HISTORY },
	{ "notation",		required_argument,	NULL, OPT_NOTATION },
	{ "udp",		no_argument,		NULL, 'u' },
	{ "unix",		no_argument,		NULL, 'U' },
	{ "tls",		no_argument,		NULL, 'c' },
	{ "tls-verify",		no_argument,		NULL, OPT_TLS_VERIFY },
	{ "insecure",		no_argument,		NULL, OPT_INSECURE },
	{ "tls-cert",		required_argument,	NULL, OPT_TLS_CERT },
	{ "tls-key",		required_argument,	NULL, OPT_TLS_KEY },
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, 'V' },
	{ NULL,			0,			NULL, 0 }
};

/* Print a usage error (quoting s safely) and exit 2.  fmt is a literal
 * with at most one %s, for s. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void __attribute__((noreturn))
main_usage_error(const char *fmt, const char *s)
{
	char	*q = s != NULL ? textesc_quote_str(s) : NULL;

	fprintf(stderr, "sockscope: ");
	fprintf(stderr, fmt, q);
	fprintf(stderr, " (see sockscope --help)\n");
	free(q);
	exit(2);
}
#pragma GCC diagnostic pop

/* Parse a whole decimal number in [min, max] or exit 2. */
static unsigned long
main_number(const char *s, unsigned long min, unsigned long max,
    const char *what)
{
	char		*end;
	unsigned long	 v;

	errno = 0;
	if (*s < '0' || *s > '9')
		v = 0, end = (char *)s;
	else
		v = strtoul(s, &end, 10);
	if (end == s || *end != '\0' || errno != 0 || v < min || v > max) {
		fprintf(stderr, "sockscope: %s must be %lu-%lu, got '", what,
		    min, max);
		char *q = textesc_quote_str(s);
		fprintf(stderr, "%s'\n", q);
		free(q);
		exit(2);
	}
	return v;
}

/* Check a host argument (the same check as /connect's) or exit 2;
 * returns it without IPv6 brackets. */
static char *
main_host(const char *s)
{
	char	*host, *cause = NULL;

	if (cmd_check_host(s, strlen(s), &host, &cause) != 0) {
		fprintf(stderr, "sockscope: %s (see sockscope --help)\n", cause);
		free(cause);
		exit(2);
	}
	return host;
}

/* Check a port argument or exit 2; returns a copy. */
static char *
main_port(const char *s)
{
	char	*cause = NULL;

	if (cmd_parse_port(s, &cause) < 0) {
		fprintf(stderr, "sockscope: %s\n", cause);
		free(cause);
		exit(2);
	}
	return xstrdup(s);
}

/*
 * An option getopt_long() refused: name it as the user wrote it.  A long
 * option given a value it does not take ("--json=1") is said so, rather
 * than blamed on the byte getopt happened to look at.
 */
static void __attribute__((noreturn))
main_bad_option(const char *arg)
{
	const struct option	*lo, *match = NULL;
	size_t			 n;
	int			 nmatch = 0;

	if (arg != NULL && strncmp(arg, "--", 2) == 0 &&
	    arg[2 + (n = strcspn(arg + 2, "="))] == '=') {
		/* getopt_long() takes unambiguous abbreviations: so do we. */
		for (lo = main_options; lo->name != NULL; lo++) {
			if (strncmp(lo->name, arg + 2, n) != 0)
				continue;
			if (strlen(lo->name) == n) {
				match = lo;
				nmatch = 1;
				break;
			}
			match = lo;
			nmatch++;
		}
		if (nmatch == 1 && match->has_arg == no_argument) {
			char	*name = xasprintf("--%s", match->name);

			main_usage_error("option '%s' takes no value", name);
		}
	}
	if (optopt != 0 && optopt != '?' && (arg == NULL ||
	    strncmp(arg, "--", 2) != 0)) {
		char	opt_text[3] = { '-', (char)optopt, '\0' };

		main_usage_error("unknown option '%s'", opt_text);
	}
	main_usage_error("unknown option '%s'", arg != NULL ? arg : "?");
}

/* The fatal path: restore the terminal, then the message. */
static void
main_fatal(const char *msg)
{
	ui_emergency_restore();
	fprintf(stderr, "sockscope: %s\n", msg);
	exit(1);
}

/* Make sure fds 0-2 are open, so no socket is ever mistaken for them. */
static void
main_std_fds(void)
{
	int	fd;

	while ((fd = open("/dev/null", O_RDWR)) != -1 && fd <= 2)
		continue;
	if (fd > 2)
		close(fd);
}

/* Everything the command line says, before anything is opened. */
struct main_opts {
	struct net_config	 ncfg;
	enum cmd_eol		 eol;
	unsigned long long	 scrollback;
	const char		*log_path;
	const char		**execs;
	size_t			 nexecs;
	int			 batch;
	int			 no_color;
	int			 follow;	/* --follow */
	int			 lab;		/* --lab: start in /view lab */
	int			 notation;	/* --notation: -1 not given,
						   else enum sysrec_notation */
	int			 json;
	int			 timestamps;
	int			 keep;
	int			 listen_mode;
	int			 connect_mode;
	char			*host;		/* NULL: the default */
	char			*port;
	/* Transports of SPEC 9 (main_transport() picks one). */
	int			 udp;
	int			 unix_path;
	int			 tls;		/* -c */
	int			 tls_url;	/* an https:// URL */
	int			 tls_verify;	/* -1 default, 0 --insecure, 1 */
	const char		*tls_cert;
	const char		*tls_key;
	int			 respond;	/* --respond, serve: kind + 1 */
	uint32_t		 seed;		/* --seed */
};

/* A responder kind's name (--respond, serve): its kind + 1, or exit 2. */
static int
main_kind(const char *s)
{
	enum responder_kind	k;

	if (responder_kind_from_name(s, &k) != 0)
		main_usage_error("'%s' is not a responder: echo, upper, reverse, "
		    "rot13, drip, chunky, slow, oneshot, reset, discard, "
		    "chargen, daytime or http", s);
	return (int)k + 1;
}

/* Parse the options into o; returns the index of the first operand. */
static int
main_parse_options(int argc, char **argv, struct main_opts *o)
{
	char	*cause = NULL;
	int	 opt;

	/* Our own one-line messages for unknown options (opterr off). */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":b:mCw:kntlo:e:hV46uUc",
	    main_options, NULL)) != -1) {
		switch (opt) {
		case 'b':
			o->ncfg.recv_size = main_number(optarg, CMD_RECV_MIN,
			    CMD_RECV_MAX, "--recv-size");
			break;
		case 'm':
			o->ncfg.auto_recv = 0;
			break;
		case OPT_MANUAL_ACCEPT:
			o->ncfg.manual_accept = 1;
			break;
		case OPT_EOL:
			if (cmd_parse_eol(optarg, &o->eol) != 0)
				main_usage_error("--eol must be lf, crlf, cr "
				    "or none, got '%s'", optarg);
			break;
		case 'C':
			o->eol = EOL_CRLF;
			break;
		case 'w':
			o->ncfg.timeout = (double)main_number(optarg, 1, 86400,
			    "--timeout");
			break;
		case 'k':
			o->keep = 1;
			break;
		case 'n':
			o->batch = 1;
			break;
		case OPT_JSON:
			o->json = 1;
			break;
		case 't':
			o->timestamps = 1;
			break;
		case 'l':
			o->listen_mode = 1;
			break;
		case 'o':
			o->log_path = optarg;
			break;
		case 'e':
			o->execs = xrealloc(o->execs,
			    (o->nexecs + 1) * sizeof *o->execs);
			o->execs[o->nexecs++] = optarg;
			break;
		case OPT_SCROLLBACK:
			if (cmd_parse_size(optarg, &o->scrollback, &cause) != 0) {
				fprintf(stderr, "sockscope: --scrollback: %s\n",
				    cause);
				exit(2);
			}
			if (o->scrollback < 65536)
				main_usage_error("--scrollback must be at least "
				    "64K, got '%s'", optarg);
			if (o->scrollback > SIZE_MAX / 2)
				main_usage_error("--scrollback '%s' is too large",
				    optarg);
			break;
		case OPT_NO_COLOR:
			o->no_color = 1;
			break;
		case OPT_FOLLOW:
			o->follow = 1;
			break;
		case OPT_LAB:
			o->lab = 1;
			break;
		case OPT_NOTATION:
			if (strcmp(optarg, "c") == 0)
				o->notation = SYSREC_C;
			else if (strcmp(optarg, "python") == 0)
				o->notation = SYSREC_PYTHON;
			else
				main_usage_error("--notation must be c or "
				    "python, got '%s'", optarg);
			break;
		case 'u':
			o->udp = 1;
			break;
		case 'U':
			o->unix_path = 1;
			break;
		case 'c':
			o->tls = 1;
			break;
		case OPT_TLS_VERIFY:
			o->tls_verify = 1;
			break;
		case OPT_INSECURE:
			o->tls_verify = 0;
			break;
		case OPT_TLS_CERT:
			o->tls_cert = optarg;
			break;
		case OPT_TLS_KEY:
			o->tls_key = optarg;
			break;
		case OPT_RESPOND:
			o->respond = main_kind(optarg);
			break;
		case OPT_SEED:
			o->seed = (uint32_t)main_number(optarg, 0, UINT32_MAX,
			    "--seed");
			break;
		case OPT_HISTORY:
			/* Which lines the screen's history file keeps. */
			if (strcmp(optarg, "commands") != 0 &&
			    strcmp(optarg, "all") != 0 &&
			    strcmp(optarg, "none") != 0)
				main_usage_error("--history must be commands, all "
				    "or none, got '%s'", optarg);
			prompt_set_history(optarg[0] == 'c' ?
			    PROMPT_HISTORY_COMMANDS : optarg[0] == 'a' ?
			    PROMPT_HISTORY_ALL : PROMPT_HISTORY_NONE);
			break;
		case '4':
			o->ncfg.family = AF_INET;
			break;
		case '6':
			o->ncfg.family = AF_INET6;
			break;
		case 'h':
			main_help();
			exit(0);
		case 'V':
			printf("sockscope %s\n", PACKAGE_VERSION);
			exit(0);
		case ':':
			main_usage_error("option '%s' needs a value",
			    argv[optind - 1]);
		default:
			main_bad_option(argv[optind - 1]);
		}
	}
	return optind;
}

/* A first operand that is a mistyped mode word ("lisen") is refused
 * with a suggestion, rather than looked up as a host name. */
static void
main_check_mode_typo(const char *word, const char *port)
{
	const char	*near = cmd_suggest(word, strlen(word), main_modes);
	char		*q;

	if (near == NULL)
		return;
	q = textesc_quote_str(word);
	if (port != NULL)
		fprintf(stderr, "sockscope: '%s' is not a mode: did you mean "
		    "'%s'? (for a host named %s, write %s:%s)\n", q, near, q,
		    q, port);
	else
		fprintf(stderr, "sockscope: '%s' is not a mode: did you mean "
		    "'%s'?\n", q, near);
	free(q);
	exit(2);
}

/* One operand: HOST:PORT, [V6]:PORT or a URL (SPEC 9). */
static void
main_parse_address(const char *s, struct main_opts *o)
{
	char	*cause = NULL;
	int	 tls;

	main_check_mode_typo(s, NULL);
	if (cmd_parse_address(s, strlen(s), &o->host, &o->port, &tls,
	    &cause) != 0) {
		fprintf(stderr, "sockscope: %s\n", cause);
		free(cause);
		exit(2);
	}
	o->tls_url = tls;
	o->connect_mode = 1;
}

/* -U: the operand is a socket path, for connect or listen. */
static void
main_parse_unix_target(int argc, char **argv, struct main_opts *o)
{
	if (argc > 0 && strcmp(argv[0], "listen") == 0) {
		o->listen_mode = 1;
		argc--, argv++;
	} else if (argc > 0 && strcmp(argv[0], "connect") == 0 &&
	    !o->listen_mode)
		argc--, argv++;
	if (argc != 1 || argv[0][0] == '\0')
		main_usage_error("--unix needs one socket PATH%s", "");
	if (strlen(argv[0]) >= 108)
		main_usage_error("--unix: the socket path is longer than 107 "
		    "bytes%s", "");
	o->host = xstrdup(argv[0]);
	if (!o->listen_mode)
		o->connect_mode = 1;
}

/* Parse the operands (the mode word and the target) into o. */
static void
main_parse_target(int argc, char **argv, struct main_opts *o)
{
	if (o->unix_path) {
		main_parse_unix_target(argc, argv, o);
		return;
	}
	if (argc > 0 && strcmp(argv[0], "listen") == 0) {
		o->listen_mode = 1;
		argc--, argv++;
	} else if (argc > 0 && strcmp(argv[0], "serve") == 0) {
		if (argc < 3 || argc > 4)
			main_usage_error("serve needs KIND [ADDR] PORT%s", "");
		o->respond = main_kind(argv[1]);
		o->listen_mode = 1;
		o->keep = 1;
		argc -= 2, argv += 2;
	} else if (argc > 0 && strcmp(argv[0], "connect") == 0 &&
	    !o->listen_mode) {
		o->connect_mode = 1;
		argc--, argv++;
		if (argc == 1) {
			main_parse_address(argv[0], o);
			return;
		}
		if (argc != 2)
			main_usage_error("connect needs HOST PORT%s", "");
	} else if (argc >= 2 && !o->listen_mode) {
		char	*port = argc == 2 ? textesc_quote_str(argv[1]) : NULL;

		main_check_mode_typo(argv[0], port);
		free(port);
	}
	if (o->listen_mode) {
		if (argc < 1 || argc > 2)
			main_usage_error("listen needs [ADDR] PORT%s", "");
		if (argc == 2)
			o->host = main_host(argv[0]);
		o->port = main_port(argv[argc - 1]);
	} else if (argc == 2) {
		o->connect_mode = 1;
		o->host = main_host(argv[0]);
		o->port = main_port(argv[1]);
	} else if (argc == 1)
		main_parse_address(argv[0], o);
	else if (argc > 2)
		main_usage_error("too many arguments, starting at '%s'",
		    argv[2]);
}

/*
 * The transport the options ask for (SPEC 9), or exit 2 for a
 * combination that means nothing (TLS over UDP, a key without a
 * certificate).
 */
static enum net_transport
main_transport(const struct main_opts *o)
{
	int	tls = o->tls || o->tls_url;

	if (tls && (o->udp || o->unix_path))
		main_usage_error("TLS (%s) works over TCP only, not with "
		    "--udp or --unix", o->tls_url ? "https://" : "--tls");
	if ((o->tls_cert == NULL) != (o->tls_key == NULL))
		main_usage_error("%s", o->tls_cert != NULL ? "--tls-cert needs "
		    "--tls-key" : "--tls-key needs --tls-cert");
	if (o->unix_path)
		return o->udp ? NET_UNIXGRAM : NET_UNIX;
	if (o->udp)
		return NET_UDP;
	return tls ? NET_TLS : NET_TCP;
}

/* The TLS contexts: client, client for addresses, server (freed after
 * net_free()), and the client verify policy (-1 default, 0, 1). */
static struct tls_ctx	*main_tls[3];
static int		 main_tls_verify = -1;

/*
 * Make the client contexts, once, and hand them to the engine: they
 * verify names and not addresses unless --tls-verify or --insecure said.
 * Loading the trust store takes tens of milliseconds, so a plain TCP
 * session makes them only at its first /connect https:// (app.c calls
 * this then).  0, or -1 and *cause.
 */
static int
main_tls_clients(char **cause)
{
	if (main_tls[0] != NULL)
		return 0;
	main_tls[0] = tls_client_ctx(main_tls_verify != 0, cause);
	if (main_tls[0] == NULL)
		return -1;
	if (main_tls_verify == -1 &&
	    (main_tls[1] = tls_client_ctx(0, cause)) == NULL) {
		tls_ctx_free(main_tls[0]);
		main_tls[0] = NULL;
		return -1;
	}
	net_set_tls(main_tls[0], main_tls[2]);
	net_set_tls_addr(main_tls[1]);
	return 0;
}

/*
 * With -c (or https://, or --tls-cert): the server context, from
 * --tls-cert/--tls-key or a self-signed certificate made now for
 * localhost and the listen address, before the screen starts so that an
 * error reaches the terminal.  0, or -1 said.
 */
static int
main_tls_server(const struct main_opts *o, enum net_transport t)
{
	const char	*names[3] = { "localhost", NULL, NULL };
	char		*cause = NULL;

	main_tls_verify = o->tls_verify;
	if (t != NET_TLS && o->tls_cert == NULL)
		return 0;
	if (o->listen_mode && o->host != NULL &&
	    strcmp(o->host, "localhost") != 0)
		names[1] = o->host;
	else if (o->listen_mode)
		names[1] = "127.0.0.1";
	main_tls[2] = tls_server_ctx(o->tls_cert, o->tls_key, names, &cause);
	if (main_tls[2] == NULL) {
		fprintf(stderr, "sockscope: TLS: %s\n", cause);
		free(cause);
		return -1;
	}
	return 0;
}

/* Open the log, pick batch or full screen, and set up every module. */
static int
main_start(struct main_opts *o, struct batch_opts *bopts, FILE **log)
{
	struct transcript	 tr;

	if (o->log_path != NULL && (*log = fopen(o->log_path, "a")) == NULL) {
		char	*q = textesc_quote_str(o->log_path);

		fprintf(stderr, "sockscope: cannot open log '%s': %s\n", q,
		    strerror(errno));
		free(q);
		return -1;
	}

	/* Batch when asked, or when either end is not a terminal. */
	if (!o->batch && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		o->batch = 1;
	if (getenv("NO_COLOR") != NULL && *getenv("NO_COLOR") != '\0')
		o->no_color = 1;

	util_set_fatal(main_fatal);
	loop_init();
	memset(&tr, 0, sizeof tr);
	tr.format = o->json ? TRANSCRIPT_JSON : TRANSCRIPT_TEXT;
	tr.timestamps = o->timestamps;
	tr.narrate = o->notation >= 0;
	tr.notation = o->notation >= 0 ? (enum sysrec_notation)o->notation :
	    SYSREC_C;
	memset(bopts, 0, sizeof *bopts);
	bopts->tr = tr;
	bopts->keep_listening = o->keep;
	bopts->listen_mode = o->listen_mode;
	/* The -o log follows --json: the same transcript as stdout's. */
	if (o->batch) {
		batch_init(bopts);
		app_init(&batch_app_frontend, o->eol, 0, *log, o->log_path,
		    &tr);
	} else {
		ui_init(o->no_color);
		if (o->lab)
			ui_set_view(VIEW_LAB);
		app_init(&ui_app_frontend, o->eol, (size_t)o->scrollback, *log,
		    o->log_path, &tr);
	}
	app_set_follow(o->follow);
	net_init(&o->ncfg, app_on_event, NULL);
	app_record_start();
	if (o->notation >= 0)
		app_set_notation((enum sysrec_notation)o->notation);
	return 0;
}

/* A message after the screen has gone: standard error. */
static void
main_stderr_message(int error, const char *text, void *arg)
{
	(void)arg;
	fprintf(stderr, "%s%s\n", error ? "sockscope: " : "", text);
}

static const struct app_frontend main_stderr_frontend = {
	NULL,
	main_stderr_message,
	NULL,
	NULL,
	NULL,
	NULL,
	NULL
};

/*
 * The screen has ended (F10, /quit, a signal): repeat on standard error
 * what leaving dropped, which the screen showed only for an instant, then
 * close what is still open, saying what that drops.
 */
static void
main_after_screen(void)
{
	if (app.quit_notes.len > 0)
		fputs(app.quit_notes.p, stderr);
	app_set_frontend(&main_stderr_frontend);
	app_close_all();
}

/* Nonzero once a TLS handshake failed (batch: exit status 1). */
static int main_tls_failed;

/* Watch the events for a failed TLS handshake. */
static void
main_watch_tls(const struct ev *e, void *arg)
{
	(void)arg;
	if (e->kind == EV_ERROR && e->call != NULL &&
	    (strcmp(e->call, "SSL_connect") == 0 ||
	    strcmp(e->call, "SSL_accept") == 0))
		main_tls_failed = 1;
}

/*
 * Raise the soft limit on open descriptors to the hard one, so that
 * thousands of connections can be held; the Events pane says so (batch's
 * transcript stays as it was).  A limit that cannot be raised is kept.
 */
static void
main_raise_nofile(void)
{
	struct rlimit	rl;
	char		text[128];

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	if (rl.rlim_max == RLIM_INFINITY)
		return;
	snprintf(text, sizeof text, "descriptor limit raised from %llu to "
	    "%llu (the hard limit, RLIMIT_NOFILE)",
	    (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	app_note(0, text);
}

/* Open the target, run the -e lines, then batch mode or the screen;
 * returns the exit status. */
static int
main_run(const struct main_opts *o, enum net_transport t)
{
	char	*cause = NULL;
	int	 target = 0, status;
	size_t	 i;

	app_set_transport(t);
	app_subscribe(main_watch_tls, NULL);
	main_raise_nofile();
	if (o->respond != 0) {
		serve_init();
		serve_set_seed(o->seed);
		serve_set_default((enum responder_kind)(o->respond - 1));
	}
	if (o->listen_mode && t == NET_TCP)
		target = net_listen(o->host, o->port);
	else if (o->listen_mode)
		target = net_listen_ex(o->host, o->port, t);
	else if (o->connect_mode && t == NET_TLS &&
	    main_tls_clients(&cause) != 0) {
		fprintf(stderr, "sockscope: TLS: %s\n", cause);
		free(cause);
		return 1;
	} else if (o->connect_mode) {
		target = net_connect_ex(o->host, o->port, t);
		if (target > 0)
			app_focus(target, NULL);
	}
	if (o->batch && (o->listen_mode || o->connect_mode) && target < 0) {
		/* The transcript has the details; stderr gets the summary. */
		return batch_fail();
	}
	for (i = 0; i < o->nexecs; i++)
		app_exec(o->execs[i], strlen(o->execs[i]));

	if (o->batch) {
		status = batch_run();
		if (status == 0 && o->connect_mode && target > 0 &&
		    net_conn(target)->state == CONN_FAILED)
			status = batch_fail();
		/* A TLS handshake that failed is a failure (SPEC 9). */
		if (status == 0 && main_tls_failed)
			status = batch_fail();
	} else {
		status = ui_run();
		main_after_screen();
	}
	/* A log that lost lines is a failure, whatever else happened. */
	if (app_log_flush() != 0 && status == 0)
		status = 1;
	return status;
}

/* Parse the command line, start, run, and return the exit status. */
int
main(int argc, char **argv)
{
	struct main_opts	 o;
	struct batch_opts	 bopts;
	FILE			*log = NULL;
	enum net_transport	 t;
	int			 first, status;
	size_t			 i;

	setlocale(LC_ALL, "");
	main_std_fds();

	memset(&o, 0, sizeof o);
	o.ncfg.recv_size = 4096;
	o.ncfg.auto_recv = 1;
	o.ncfg.family = AF_UNSPEC;
	o.ncfg.timeout = 10.0;
	o.eol = EOL_LF;
	o.scrollback = 64ULL * 1024 * 1024;
	o.tls_verify = -1;
	o.notation = -1;
	o.seed = 1;

	first = main_parse_options(argc, argv, &o);
	main_parse_target(argc - first, argv + first, &o);
	t = main_transport(&o);
	if (main_tls_server(&o, t) != 0)
		status = 1;
	else if (main_start(&o, &bopts, &log) != 0)
		status = 1;
	else {
		net_set_tls(NULL, main_tls[2]);
		app_set_tls_hook(main_tls_clients);
		status = main_run(&o, t);
		batch_free();
		net_free();
		app_free();
	}
	for (i = 0; i < 3; i++)
		if (main_tls[i] != NULL)
			tls_ctx_free(main_tls[i]);
	if (log != NULL)
		fclose(log);
	free(o.execs);
	free(o.host);
	free(o.port);
	return status;
}
