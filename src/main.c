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
#include <sys/socket.h>
#include <unistd.h>

#include "sockscope/app.h"
#include "sockscope/batch.h"
#include "sockscope/cmd.h"
#include "sockscope/conn.h"
#include "sockscope/loop.h"
#include "sockscope/net.h"
#include "sockscope/textesc.h"
#include "sockscope/ui.h"
#include "sockscope/util.h"

enum {
	OPT_EOL = 256,
	OPT_JSON,
	OPT_SCROLLBACK,
	OPT_NO_COLOR
};

static const char main_usage[] =
"Usage: sockscope [OPTIONS]                      full screen, nothing open yet\n"
"       sockscope [OPTIONS] HOST PORT            connect (netcat style)\n"
"       sockscope [OPTIONS] connect HOST PORT    the same\n"
"       sockscope [OPTIONS] -l [ADDR] PORT       listen (netcat style)\n"
"       sockscope [OPTIONS] listen [ADDR] PORT   the same\n"
"\n"
"An interactive socket explorer: shows every byte received in hex and as\n"
"safe text, every recv() result as its own chunk, EOF, resets and the state\n"
"of each connection.  Without a terminal it prints a transcript instead.\n"
"Listening defaults to 127.0.0.1; 0.0.0.0 or :: listens on every interface.\n"
"\n"
"Options:\n"
"  -b, --recv-size=N       bytes asked of each recv() (1-1048576; 4096)\n"
"  -m, --manual            do not call recv() by itself; /recv does\n"
"      --eol=lf|crlf|cr|none\n"
"                          appended to each typed line (lf)\n"
"  -C, --crlf              same as --eol=crlf\n"
"  -4, -6                  IPv4 / IPv6 only\n"
"  -w, --timeout=SECS      connect timeout per address (10)\n"
"  -k, --keep-listening    batch listen: keep accepting forever\n"
"  -n, --batch             no full screen even on a terminal\n"
"      --json              batch output as JSON Lines instead of text\n"
"  -t, --timestamps        batch output shows +seconds on event lines\n"
"  -o, --log=FILE          also append the text transcript to FILE\n"
"  -e, --exec=LINE         run an input line at start (repeatable)\n"
"      --scrollback=SIZE   bytes of data kept for viewing (64M)\n"
"      --no-color          no colors (also when NO_COLOR is set)\n"
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

	fputs(main_usage, stdout);
	for (; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		printf("  %.*s\n", (int)(nl - p), p);
	}
	fputs(main_usage_end, stdout);
}

static const struct option main_options[] = {
	{ "recv-size",		required_argument,	NULL, 'b' },
	{ "manual",		no_argument,		NULL, 'm' },
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
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, 'V' },
	{ NULL,			0,			NULL, 0 }
};

/* Print a usage error (quoting s safely) and exit 2. */
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

/* Check a host argument or exit 2; returns it without IPv6 brackets. */
static char *
main_host(const char *s)
{
	size_t	n = strlen(s);

	if (n == 0)
		main_usage_error("host must not be empty%s", "");
	if (strpbrk(s, " \t\r\n") != NULL)
		main_usage_error("bad host '%s': it contains white space", s);
	if (s[0] == '[') {
		if (n < 3 || s[n - 1] != ']')
			main_usage_error("bad host '%s': unbalanced [ ]", s);
		return xstrndup(s + 1, n - 2);
	}
	return xstrdup(s);
}

/* Check a port argument or exit 2. */
static const char *
main_port(const char *s)
{
	char	*cause = NULL;

	if (cmd_parse_port(s, &cause) < 0) {
		fprintf(stderr, "sockscope: %s\n", cause);
		free(cause);
		exit(2);
	}
	return s;
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

int
main(int argc, char **argv)
{
	struct net_config	 ncfg = { 4096, 1, AF_UNSPEC, 10.0 };
	struct batch_opts	 bopts;
	enum cmd_eol		 eol = EOL_LF;
	unsigned long long	 scrollback = 64ULL * 1024 * 1024;
	const char		*log_path = NULL;
	const char		**execs = NULL;
	size_t			 nexecs = 0, i;
	int			 opt, batch_flag = 0, no_color = 0;
	int			 json = 0, timestamps = 0, keep = 0;
	int			 listen_mode = 0, connect_mode = 0;
	char			*host = NULL;
	const char		*port = NULL;
	FILE			*log = NULL;
	char			*cause = NULL;
	int			 status = 0, target;

	setlocale(LC_ALL, "");
	main_std_fds();

	/* Our own one-line messages for unknown options (opterr off). */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":b:mCw:kntlo:e:hV46",
	    main_options, NULL)) != -1) {
		switch (opt) {
		case 'b':
			ncfg.recv_size = main_number(optarg, CMD_RECV_MIN,
			    CMD_RECV_MAX, "--recv-size");
			break;
		case 'm':
			ncfg.auto_recv = 0;
			break;
		case OPT_EOL:
			if (cmd_parse_eol(optarg, &eol) != 0)
				main_usage_error("--eol must be lf, crlf, cr "
				    "or none, got '%s'", optarg);
			break;
		case 'C':
			eol = EOL_CRLF;
			break;
		case 'w':
			ncfg.timeout = (double)main_number(optarg, 1, 86400,
			    "--timeout");
			break;
		case 'k':
			keep = 1;
			break;
		case 'n':
			batch_flag = 1;
			break;
		case OPT_JSON:
			json = 1;
			break;
		case 't':
			timestamps = 1;
			break;
		case 'l':
			listen_mode = 1;
			break;
		case 'o':
			log_path = optarg;
			break;
		case 'e':
			execs = xrealloc(execs, (nexecs + 1) * sizeof *execs);
			execs[nexecs++] = optarg;
			break;
		case OPT_SCROLLBACK:
			if (cmd_parse_size(optarg, &scrollback, &cause) != 0) {
				fprintf(stderr, "sockscope: --scrollback: %s\n",
				    cause);
				exit(2);
			}
			if (scrollback < 65536)
				main_usage_error("--scrollback must be at least "
				    "64K, got '%s'", optarg);
			if (scrollback > SIZE_MAX / 2)
				main_usage_error("--scrollback '%s' is too large",
				    optarg);
			break;
		case OPT_NO_COLOR:
			no_color = 1;
			break;
		case '4':
			ncfg.family = AF_INET;
			break;
		case '6':
			ncfg.family = AF_INET6;
			break;
		case 'h':
			main_help();
			return 0;
		case 'V':
			printf("sockscope %s\n", PACKAGE_VERSION);
			return 0;
		case ':':
			main_usage_error("option '%s' needs a value",
			    argv[optind - 1]);
		default:
			if (optopt != 0 && optopt != '?') {
				char	opt_text[3] = { '-', (char)optopt, '\0' };

				main_usage_error("unknown option '%s'", opt_text);
			}
			main_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	argc -= optind;
	argv += optind;

	if (argc > 0 && strcmp(argv[0], "listen") == 0) {
		listen_mode = 1;
		argc--, argv++;
	} else if (argc > 0 && strcmp(argv[0], "connect") == 0 &&
	    !listen_mode) {
		connect_mode = 1;
		argc--, argv++;
		if (argc != 2)
			main_usage_error("connect needs HOST PORT%s", "");
	}
	if (listen_mode) {
		if (argc < 1 || argc > 2)
			main_usage_error("listen needs [ADDR] PORT%s", "");
		if (argc == 2)
			host = main_host(argv[0]);
		port = main_port(argv[argc - 1]);
	} else if (argc == 2) {
		connect_mode = 1;
		host = main_host(argv[0]);
		port = main_port(argv[1]);
	} else if (argc == 1)
		main_usage_error("'%s' needs a PORT too (sockscope HOST PORT)",
		    argv[0]);
	else if (argc > 2)
		main_usage_error("too many arguments, starting at '%s'",
		    argv[2]);

	if (log_path != NULL && (log = fopen(log_path, "a")) == NULL) {
		fprintf(stderr, "sockscope: cannot open log '%s': %s\n",
		    log_path, strerror(errno));
		return 1;
	}

	/* Batch when asked, or when either end is not a terminal. */
	if (!batch_flag && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)))
		batch_flag = 1;
	if (getenv("NO_COLOR") != NULL && *getenv("NO_COLOR") != '\0')
		no_color = 1;

	util_set_fatal(main_fatal);
	loop_init();
	memset(&bopts, 0, sizeof bopts);
	bopts.tr.format = json ? TRANSCRIPT_JSON : TRANSCRIPT_TEXT;
	bopts.tr.timestamps = timestamps;
	bopts.keep_listening = keep;
	if (batch_flag) {
		batch_init(&bopts);
		app_init(&batch_app_frontend, eol, 0, log, timestamps);
	} else {
		ui_init(no_color);
		app_init(&ui_app_frontend, eol, (size_t)scrollback, log,
		    timestamps);
		/* New clients must not take the screen from the user. */
		app.keep_focus = 1;
	}
	net_init(&ncfg, app_on_event, NULL);
	app.listen_mode = listen_mode;

	target = 0;
	if (listen_mode)
		target = net_listen(host, port);
	else if (connect_mode) {
		target = net_connect(host, port);
		if (target > 0)
			app.focus = target;
	}
	if (batch_flag && (listen_mode || connect_mode) && target < 0) {
		/* The transcript has the details; stderr gets the summary. */
		status = batch_fail();
		goto out;
	}
	for (i = 0; i < nexecs; i++)
		app_exec(execs[i], strlen(execs[i]));

	if (batch_flag) {
		status = batch_run();
		if (status == 0 && connect_mode && target > 0 &&
		    net_conn(target)->state == CONN_FAILED)
			status = batch_fail();
	} else
		status = ui_run();
out:
	batch_free();
	net_free();
	app_free();
	if (log != NULL)
		fclose(log);
	free(execs);
	free(host);
	return status;
}
