/*
 * cmd-fuzzer.c: fuzz target for the input line parser (cmd.c): every line
 * a user types or batch mode reads goes through cmd_parse(), and main.c
 * gives option arguments to cmd_parse_port() and cmd_parse_size(), and
 * operands to cmd_check_host(), cmd_parse_address() and cmd_suggest().
 *
 * The whole input is one line.  Checked: a line parses or fails with a
 * short one-line message that is safe to show on a terminal; a failure
 * leaves nothing to free; a success fills only the fields its kind uses,
 * with values in range; passing no cause gives the same result; cmd_free()
 * can be called twice.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sockscope/cmd.h"

#include "fuzz.h"

/* Longest message cmd_parse() may give: input quoted in it is cut short. */
#define CMD_FUZZ_CAUSE_MAX 512

/* Check a failure's message: one short line, safe for a terminal. */
static void
cmd_fuzzer_cause(const char *cause)
{
	size_t	len;

	FUZZ_ASSERT(cause != NULL);
	len = strlen(cause);
	FUZZ_ASSERT_BYTES(len > 0 && len <= CMD_FUZZ_CAUSE_MAX, cause, len);
	fuzz_check_safe("cause", cause, len, 0);
}

/* Check a host as stored: not empty, no control byte, no bracket. */
static void
cmd_fuzzer_host(const char *host)
{
	size_t	i, len;

	FUZZ_ASSERT(host != NULL);
	len = strlen(host);
	FUZZ_ASSERT(len > 0);
	for (i = 0; i < len; i++) {
		FUZZ_ASSERT_BYTES((unsigned char)host[i] >= 0x20 &&
		    host[i] != 0x7f && host[i] != '[' && host[i] != ']',
		    host, len);
	}
}

/* Check the fields a successful parse of line filled. */
static void
cmd_fuzzer_ok(const char *line, size_t len, const struct cmd *c)
{
	unsigned char	*want;
	size_t		 wantlen, skip;
	int		 uses_data, uses_addr;

	uses_data = c->kind == CMD_LINE || c->kind == CMD_SEND ||
	    c->kind == CMD_HEX;
	uses_addr = c->kind == CMD_CONNECT || c->kind == CMD_LISTEN;
	if (!uses_data)
		FUZZ_ASSERT(c->data == NULL && c->len == 0);
	if (!uses_addr)
		FUZZ_ASSERT(c->host == NULL && c->port == NULL);
	if (c->kind != CMD_HELP)
		FUZZ_ASSERT(c->topic == NULL);
	FUZZ_ASSERT(c->conn >= 0 && c->listener >= 0);
	FUZZ_ASSERT(c->conn == 0 || c->listener == 0);

	switch (c->kind) {
	case CMD_EMPTY:
		FUZZ_ASSERT(len == 0);
		break;
	case CMD_LINE:
		/* As typed, less the first '/' of a leading "//". */
		skip = len >= 2 && line[0] == '/' ? 1 : 0;
		FUZZ_ASSERT(len > 0 &&
		    (line[0] != '/' || (len >= 2 && line[1] == '/')));
		FUZZ_ASSERT(c->data != NULL && c->len == len - skip);
		FUZZ_ASSERT(memcmp(c->data, line + skip, c->len) == 0);
		FUZZ_ASSERT(c->data[c->len] == '\0');
		break;
	case CMD_SEND:
		/* The escapes after "/send" and one separator, decoded. */
		FUZZ_ASSERT(len >= 7 && memcmp(line, "/send", 5) == 0);
		FUZZ_ASSERT(line[5] == ' ' || line[5] == '\t');
		FUZZ_ASSERT(cmd_unescape(line + 6, len - 6, &want, &wantlen,
		    NULL) == 0);
		FUZZ_ASSERT(c->len == wantlen);
		FUZZ_ASSERT(wantlen == 0 ||
		    memcmp(c->data, want, wantlen) == 0);
		free(want);
		break;
	case CMD_HEX:
		/* Two digits a byte, at least one byte. */
		FUZZ_ASSERT(c->data != NULL && c->len > 0);
		FUZZ_ASSERT(c->len <= len / 2);
		break;
	case CMD_RECV:
		FUZZ_ASSERT(c->n == 0 ||
		    (c->n >= CMD_RECV_MIN && c->n <= CMD_RECV_MAX));
		break;
	case CMD_RECVSIZE:
		FUZZ_ASSERT(c->n >= CMD_RECV_MIN && c->n <= CMD_RECV_MAX);
		break;
	case CMD_AUTO:
		FUZZ_ASSERT(c->on == 0 || c->on == 1);
		break;
	case CMD_EOL:
		FUZZ_ASSERT(c->eol == EOL_LF || c->eol == EOL_CRLF ||
		    c->eol == EOL_CR || c->eol == EOL_NONE);
		break;
	case CMD_VIEW:
		FUZZ_ASSERT(c->view == VIEW_SPLIT || c->view == VIEW_HEX ||
		    c->view == VIEW_TEXT);
		break;
	case CMD_SHUTDOWN:
	case CMD_RESET:
		FUZZ_ASSERT(c->listener == 0);
		break;
	case CMD_CLOSE:
		break;
	case CMD_CONN:
		FUZZ_ASSERT(c->conn >= 1);
		break;
	case CMD_CONNECT:
		cmd_fuzzer_host(c->host);
		/* FALLTHROUGH */
	case CMD_LISTEN:
		if (c->host != NULL)
			cmd_fuzzer_host(c->host);
		FUZZ_ASSERT(c->port != NULL);
		FUZZ_ASSERT(cmd_parse_port(c->port, NULL) != -1);
		break;
	case CMD_HELP:
		if (c->topic != NULL) {
			FUZZ_ASSERT(strchr(c->topic, '/') == NULL);
			FUZZ_ASSERT(cmd_help(c->topic) != NULL);
		}
		break;
	case CMD_CLEAR:
	case CMD_QUIT:
		break;
	default:
		FUZZ_ASSERT(!"unknown kind");
	}
}

/* Run the operand parsers of main.c over s (a C string). */
static void
cmd_fuzzer_address(const char *s)
{
	static const char *const modes[] = { "connect", "listen", NULL };
	const char	*near;
	char		*host = NULL, *port = NULL, *cause = NULL;
	size_t		 n = strlen(s);
	int		 tls = -1;

	if (cmd_check_host(s, n, &host, &cause) == 0) {
		FUZZ_ASSERT(cause == NULL);
		FUZZ_ASSERT(strlen(host) <= n);
		free(host);
	} else {
		FUZZ_ASSERT(host == NULL);
		cmd_fuzzer_cause(cause);
	}
	free(cause);

	cause = NULL;
	if (cmd_parse_address(s, n, &host, &port, &tls, &cause) == 0) {
		FUZZ_ASSERT(cause == NULL && (tls == 0 || tls == 1));
		cmd_fuzzer_host(host);
		FUZZ_ASSERT(cmd_parse_port(port, NULL) != -1);
	} else {
		FUZZ_ASSERT(host == NULL && port == NULL);
		cmd_fuzzer_cause(cause);
	}
	free(host);
	free(port);
	free(cause);

	near = cmd_suggest(s, n, modes);
	FUZZ_ASSERT(near == NULL || near == modes[0] || near == modes[1]);
}

/* Run the option parsers of main.c over s (a C string). */
static void
cmd_fuzzer_options(const char *s)
{
	unsigned long long	 size;
	enum cmd_eol		 eol;
	char			*cause = NULL;
	int			 port;

	port = cmd_parse_port(s, &cause);
	FUZZ_ASSERT(port >= -1 && port <= 65535);
	if (port == -1)
		cmd_fuzzer_cause(cause);
	else
		FUZZ_ASSERT(cause == NULL);
	free(cause);
	FUZZ_ASSERT(cmd_parse_port(s, NULL) == port);

	cause = NULL;
	if (cmd_parse_size(s, &size, &cause) == 0) {
		FUZZ_ASSERT(cause == NULL && size >= 1);
	} else
		cmd_fuzzer_cause(cause);
	free(cause);

	if (cmd_parse_eol(s, &eol) == 0)
		FUZZ_ASSERT(*cmd_eol_name(eol) != '\0');
	cmd_fuzzer_address(s);
	(void)cmd_help(s);
	(void)cmd_keywords(s);
}

/* Parse the input as a typed line, then as option arguments. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char	 unset[] = "unset";
	const char	*line = (const char *)data;
	struct cmd	 c, c2;
	char		*cause = unset, *s;
	int		 rc;

	rc = cmd_parse(line, size, &c, &cause);
	FUZZ_ASSERT(rc == 0 || rc == -1);
	FUZZ_ASSERT(cause != unset);
	if (rc == 0) {
		FUZZ_ASSERT(cause == NULL);
		cmd_fuzzer_ok(line, size, &c);
	} else {
		cmd_fuzzer_cause(cause);
		FUZZ_ASSERT(c.data == NULL && c.host == NULL &&
		    c.port == NULL && c.topic == NULL);
	}
	free(cause);

	/* The same answer when the caller wants no message. */
	FUZZ_ASSERT(cmd_parse(line, size, &c2, NULL) == rc);
	if (rc == 0) {
		FUZZ_ASSERT(c2.kind == c.kind && c2.len == c.len);
		cmd_free(&c2);
	}

	/* The struct may be freed again, and parsed into again. */
	cmd_free(&c);
	cmd_free(&c);

	/* The option parsers see a C string: up to the first NUL. */
	s = malloc(size + 1);
	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	cmd_fuzzer_options(s);
	free(s);
	return 0;
}
