/*
 * unescape-fuzzer.c: fuzz target for the escape decoder of /send
 * (cmd_unescape() in cmd.c).
 *
 * The whole input is the escaped text.  Checked: the result equals that of
 * a decoder written here from cmd.h's list of escapes, byte for byte and
 * error for error; a failure leaves nothing allocated and a safe one-line
 * message; and the input quoted by textesc_quote() (the form error lines
 * and the Events pane show) decodes back to exactly the input, so a user
 * can paste what sockscope showed into /send.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sockscope/cmd.h"
#include "sockscope/textesc.h"
#include "sockscope/util.h"

#include "fuzz.h"

/* The value of a hex digit of either case, or -1. */
static int
unescape_fuzzer_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The reference decoder: \r \n \t \0 \\ \xHH \e \a \" \'.  Writes to out
 * (n bytes at least); returns the length or -1 for a bad, cut-short or
 * trailing escape.
 */
static long
unescape_fuzzer_ref(const char *s, size_t n, unsigned char *out)
{
	static const char	 from[] = "rnt0\\ea\"'";
	static const char	 to[] = "\r\n\t\0\\\033\a\"'";
	const char		*e;
	size_t			 i, o = 0;
	int			 hi, lo;

	for (i = 0; i < n; i++) {
		if (s[i] != '\\') {
			out[o++] = (unsigned char)s[i];
			continue;
		}
		if (++i == n)
			return -1;
		if (s[i] == 'x') {
			if (i + 2 >= n)
				return -1;
			hi = unescape_fuzzer_hex(s[i + 1]);
			lo = unescape_fuzzer_hex(s[i + 2]);
			if (hi == -1 || lo == -1)
				return -1;
			out[o++] = (unsigned char)(hi << 4 | lo);
			i += 2;
			continue;
		}
		/* from[] ends in a NUL that must not match a NUL byte. */
		if (s[i] == '\0' || (e = strchr(from, s[i])) == NULL)
			return -1;
		out[o++] = (unsigned char)to[e - from];
	}
	return (long)o;
}

/* Check that quoting p with textesc_quote() and decoding gives p back. */
static void
unescape_fuzzer_roundtrip(const uint8_t *p, size_t n, int utf8)
{
	struct sbuf	 q = { 0 };
	unsigned char	*back;
	size_t		 backlen;
	char		*cause = NULL;

	textesc_quote(&q, p, n, utf8);
	FUZZ_ASSERT_BYTES(cmd_unescape(q.p != NULL ? q.p : "", q.len, &back,
	    &backlen, &cause) == 0, q.p, q.len);
	FUZZ_ASSERT(cause == NULL);
	FUZZ_ASSERT_BYTES(backlen == n, q.p, q.len);
	FUZZ_ASSERT_BYTES(n == 0 || memcmp(back, p, n) == 0, q.p, q.len);
	free(back);
	sbuf_free(&q);
}

/* Decode the input and compare with the reference decoder. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*s = (const char *)data;
	unsigned char	*out, *want;
	size_t		 outlen;
	long		 wantlen;
	char		*cause = NULL;
	int		 rc;

	want = malloc(size + 1);
	if (want == NULL)
		abort();
	wantlen = unescape_fuzzer_ref(s, size, want);

	rc = cmd_unescape(s, size, &out, &outlen, &cause);
	if (wantlen == -1) {
		FUZZ_ASSERT(rc == -1);
		FUZZ_ASSERT(out == NULL && outlen == 0);
		FUZZ_ASSERT(cause != NULL);
		fuzz_check_safe("cause", cause, strlen(cause), 0);
		free(cause);
	} else {
		FUZZ_ASSERT(rc == 0);
		FUZZ_ASSERT(cause == NULL);
		FUZZ_ASSERT(outlen == (size_t)wantlen);
		FUZZ_ASSERT(outlen == 0 || memcmp(out, want, outlen) == 0);
		free(out);
	}

	/* No message asked for: the same answer. */
	rc = cmd_unescape(s, size, &out, &outlen, NULL);
	FUZZ_ASSERT(rc == (wantlen == -1 ? -1 : 0));
	free(out);
	free(want);

	unescape_fuzzer_roundtrip(data, size, 0);
	unescape_fuzzer_roundtrip(data, size, 1);
	return 0;
}
