/*
 * hexdump_bench.c: a driver for measuring hexdump_chunk() under callgrind.
 * Formats N MiB of bytes from a fixed PRNG in chunks at running stream
 * offsets, as batch mode does, and prints only a checksum of the output
 * (and, on standard error, which formatter ran).
 *
 * Usage: hexdump_bench [mib [chunk [engine]]]
 * (defaults: 16 MiB, 4096-byte chunks, the formatter hexdump_chunk() picks;
 * an engine, "portable", "ssse3", "avx2" or "neon", runs that one alone
 * through hexdump_chunk_by(), so each is measured in one build: the
 * checksums must be equal)
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockscope/hexdump.h"
#include "sockscope/util.h"

/* Step a xorshift64* generator; fixed seed so every run sees the same bytes. */
static uint64_t
bench_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/* Fold a buffer into the running checksum eight bytes at a time. */
static uint64_t
bench_fold(uint64_t h, const char *p, size_t n)
{
	uint64_t	v;
	size_t		i;

	for (i = 0; i + 8 <= n; i += 8) {
		memcpy(&v, p + i, 8);
		h = (h ^ v) * 0x100000001b3ULL;
	}
	for (; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ULL;
	return h;
}

/* Generate the input, format it chunk by chunk and print the checksum. */
int
main(int argc, char **argv)
{
	struct sbuf	 out = { 0 };
	unsigned char	*data;
	uint64_t	 seed = 0x5eed5eed12345678ULL;
	uint64_t	 h = 0xcbf29ce484222325ULL, v;
	size_t		 mib = 16, chunk = 4096, total, i, n;
	const char	*engine = NULL;

	if (argc > 1)
		mib = strtoul(argv[1], NULL, 10);
	if (argc > 2)
		chunk = strtoul(argv[2], NULL, 10);
	if (argc > 3)
		engine = argv[3];
	if (mib == 0 || chunk == 0 || argc > 4) {
		fprintf(stderr,
		    "usage: hexdump_bench [mib [chunk [engine]]]\n");
		return 1;
	}
	if (engine != NULL &&
	    hexdump_chunk_by(engine, &out, "  ", 0, NULL, 0) == -1) {
		fprintf(stderr, "hexdump_bench: no engine %s here\n", engine);
		return 1;
	}
	fprintf(stderr, "formatter: %s\n",
	    engine != NULL ? engine : hexdump_engine());
	total = mib << 20;

	data = xmalloc(total);
	for (i = 0; i < total; i += 8) {
		v = bench_next(&seed);
		memcpy(data + i, &v, 8);
	}

	for (i = 0; i < total; i += n) {
		n = total - i < chunk ? total - i : chunk;
		sbuf_reset(&out);
		if (engine != NULL)
			hexdump_chunk_by(engine, &out, "  ", i, data + i, n);
		else
			hexdump_chunk(&out, "  ", i, data + i, n);
		h = bench_fold(h, out.p, out.len);
	}
	printf("%016llx\n", (unsigned long long)h);

	sbuf_free(&out);
	free(data);
	return 0;
}
