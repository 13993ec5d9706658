/*
 * fuzz.h: what the fuzz targets in fuzz/ share.  Each target defines
 * LLVMFuzzerTestOneInput(); libFuzzer (--enable-fuzzing) or fuzz/driver.c
 * (every other build) calls it.
 *
 * A broken property calls fuzz_fail(), which prints what broke and aborts,
 * so that libFuzzer keeps the input and make check fails.  The checks here
 * are written without the code under test (an independent UTF-8 decoder,
 * the list of characters textesc.h promises never to let through), so
 * that a bug in textesc.c cannot hide itself.
 */
#ifndef SOCKSCOPE_FUZZ_H
#define SOCKSCOPE_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* The entry point every target defines. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Print "file:line: what broke" and the bytes concerned, then abort(). */
void fuzz_fail(const char *file, int line, const char *what,
    const void *p, size_t n) __attribute__((noreturn));

/* Abort with the failed expression when cond is false. */
#define FUZZ_ASSERT(cond) do {						\
	if (!(cond))							\
		fuzz_fail(__FILE__, __LINE__, #cond, NULL, 0);		\
} while (0)

/* Like FUZZ_ASSERT, also showing n bytes at p (the output concerned). */
#define FUZZ_ASSERT_BYTES(cond, p, n) do {				\
	if (!(cond))							\
		fuzz_fail(__FILE__, __LINE__, #cond, (p), (n));		\
} while (0)

/*
 * Reading structured values from the input, front to back; once the bytes
 * run out every value is 0 and every string empty.
 */
struct fuzz_input {
	const uint8_t	*p;
	size_t		 n;
};

uint8_t fuzz_u8(struct fuzz_input *in);
uint32_t fuzz_u32(struct fuzz_input *in);
uint64_t fuzz_u64(struct fuzz_input *in);
/*
 * A malloc'd NUL-terminated string of up to max bytes (its length is one
 * input byte, its bytes are the next ones, any value but NUL), or NULL when
 * the first byte says so (0xff).  The caller frees it.
 */
char *fuzz_str(struct fuzz_input *in, size_t max);

/*
 * The decoder of the escaped form shared by textesc.h's Text pane rows
 * and textesc_quote(): "\\\\", "\\r", "\\n", "\\t", "\\xHH" (lower-case
 * hex) and anything else as itself.  Appends the bytes meant to out (which
 * holds at least n bytes) and returns how many; aborts on a backslash that
 * starts none of these.
 */
size_t fuzz_unquote(const char *s, size_t n, unsigned char *out);

/*
 * Decode one strict UTF-8 sequence (shortest form, no surrogates, at most
 * U+10FFFF): its length, or 0 if p does not start one.
 */
size_t fuzz_utf8(const unsigned char *p, size_t n, uint32_t *cp);

/* Nonzero if textesc.h promises never to let cp through as itself. */
int fuzz_forbidden(uint32_t cp);

/*
 * Check that n bytes are safe to write to a terminal: valid UTF-8, no C0
 * control (but '\n' where newlines is nonzero), no DEL, and no code point
 * that fuzz_forbidden() or textesc_printable() rejects.  what names the
 * output in the message when the check fails.
 */
void fuzz_check_safe(const char *what, const void *p, size_t n,
    int newlines);

#endif
