/*
 * test_store.c: unit tests for store.c: the bound on memory (data bytes
 * plus STORE_CHUNK_OVERHEAD per chunk), eviction of the oldest chunks
 * across connections, the per-connection lists, huge chunks, tiny bounds,
 * a flood of 1-byte chunks, /clear, generations, and randomized tests
 * against a simple model of what should remain.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sockscope/evlog.h"
#include "sockscope/store.h"
#include "sockscope/util.h"

/* What one chunk costs beyond its data. */
#define O	STORE_CHUNK_OVERHEAD

/* The byte at offset of connection conn's stream in direction dir. */
static unsigned char
test_byte(int conn, enum store_dir dir, uint64_t offset)
{
	return (unsigned char)(offset * 7 + (offset >> 8) + (uint64_t)conn * 31 +
	    (dir == STORE_OUT ? 101 : 0));
}

/* Fill buf with n bytes of a stream from offset. */
static void
test_fill(unsigned char *buf, int conn, enum store_dir dir, uint64_t offset,
    size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		buf[i] = test_byte(conn, dir, offset + i);
}

/* Check that a chunk holds the right bytes for its offset. */
static void
test_check_data(const struct chunk *ch)
{
	unsigned char	*want;

	if (ch->len == 0)
		return;
	want = xmalloc(ch->len);
	test_fill(want, ch->conn, ch->dir, ch->offset, ch->len);
	assert_memory_equal(ch->data, want, ch->len);
	free(want);
}

/* Add a chunk of the test stream; returns what store_add returned. */
static const struct chunk *
test_add(struct store *s, int conn, enum store_dir dir, uint64_t seq,
    uint64_t offset, size_t len)
{
	const struct chunk	*ch;
	unsigned char		*buf = xmalloc(len);

	test_fill(buf, conn, dir, offset, len);
	ch = store_add(s, conn, dir, seq, offset, 1.5 * (double)seq,
	    dir == STORE_IN ? 4096 : 0, buf, len);
	free(buf);
	return ch;
}

/* Walk every list both ways and check it against the totals. */
static void
test_check_store(const struct store *s)
{
	const struct chunk	*ch, *prev;
	const struct store_list	*l;
	size_t			 n, bytes, i, total = 0;

	/* The global list, forwards and backwards. */
	n = bytes = 0;
	prev = NULL;
	for (ch = s->head; ch != NULL; ch = ch->next) {
		assert_ptr_equal(ch->prev, prev);
		assert_true(ch->conn >= 0 && (size_t)ch->conn < s->nlists);
		test_check_data(ch);
		bytes += ch->len;
		n++;
		prev = ch;
	}
	assert_ptr_equal(s->tail, prev);
	assert_int_equal(n, s->count);
	assert_int_equal(bytes, s->bytes);
	assert_int_equal(store_memory(s), bytes + n * O);
	assert_true(store_memory(s) <= s->bound);
	for (ch = s->tail; ch != NULL; ch = ch->prev)
		n--;
	assert_int_equal(n, 0);

	/* Each connection's list. */
	for (i = 0; i < s->nlists; i++) {
		l = &s->lists[i];
		assert_int_equal(l->conn, (int)i);
		assert_ptr_equal(store_conn(s, (int)i), l);
		n = 0;
		prev = NULL;
		for (ch = l->head; ch != NULL; ch = ch->cnext) {
			assert_int_equal(ch->conn, (int)i);
			assert_ptr_equal(ch->cprev, prev);
			n++;
			prev = ch;
		}
		assert_ptr_equal(l->tail, prev);
		assert_int_equal(n, l->count);
		for (ch = l->tail; ch != NULL; ch = ch->cprev)
			n--;
		assert_int_equal(n, 0);
		total += l->count;
	}
	assert_int_equal(total, s->count);
}

/* A new store is empty and an unknown connection has an empty list. */
static void
test_empty(void **state)
{
	struct store		 s;
	const struct store_list	*l;

	(void)state;
	store_init(&s, 1000);
	assert_int_equal(s.bound, 1000);
	assert_int_equal(s.bytes, 0);
	assert_int_equal(s.count, 0);
	assert_int_equal(store_memory(&s), 0);
	assert_null(s.head);
	assert_null(s.tail);
	l = store_conn(&s, 1);
	assert_non_null(l);
	assert_null(l->head);
	assert_null(l->tail);
	assert_int_equal(l->count, 0);
	assert_int_equal(l->generation, 0);
	assert_ptr_equal(store_conn(&s, 5), l);
	assert_ptr_equal(store_conn(&s, -1), l);
	store_clear_conn(&s, 3);
	store_clear_conn(&s, -3);
	test_check_store(&s);
	store_free(&s);
	store_free(&s);
}

/* A chunk is stored with every field, on both lists. */
static void
test_add_one(void **state)
{
	struct store		 s;
	const struct chunk	*ch;
	const struct store_list	*l;

	(void)state;
	store_init(&s, 1000);
	ch = test_add(&s, 1, STORE_IN, 1, 0, 78);
	assert_non_null(ch);
	assert_int_equal(ch->conn, 1);
	assert_int_equal(ch->dir, STORE_IN);
	assert_int_equal(ch->seq, 1);
	assert_int_equal(ch->offset, 0);
	assert_true(ch->t == 1.5);
	assert_int_equal(ch->asked, 4096);
	assert_int_equal(ch->len, 78);
	test_check_data(ch);
	assert_int_equal(s.bytes, 78);
	assert_int_equal(s.count, 1);
	assert_int_equal(store_memory(&s), 78 + O);
	assert_ptr_equal(s.head, ch);
	assert_ptr_equal(s.tail, ch);

	l = store_conn(&s, 1);
	assert_int_equal(l->conn, 1);
	assert_ptr_equal(l->head, ch);
	assert_ptr_equal(l->tail, ch);
	assert_int_equal(l->count, 1);
	assert_int_equal(l->generation, 1);

	ch = test_add(&s, 1, STORE_OUT, 1, 0, 6);
	assert_int_equal(ch->asked, 0);
	assert_ptr_equal(l->tail, ch);
	assert_int_equal(l->count, 2);
	assert_int_equal(l->generation, 2);
	assert_int_equal(s.bytes, 84);
	assert_int_equal(store_memory(&s), 84 + 2 * O);
	test_check_store(&s);
	store_free(&s);
}

/* The oldest chunk leaves first, whichever connection it belongs to. */
static void
test_evict_oldest(void **state)
{
	struct store		 s;
	const struct chunk	*b, *c, *d;
	const struct store_list	*l1, *l2;
	uint64_t		 g1, g2;

	(void)state;
	/* Room for three chunks holding 100 data bytes in all. */
	store_init(&s, 3 * O + 100);
	test_add(&s, 1, STORE_IN, 1, 0, 40);		/* A */
	b = test_add(&s, 2, STORE_IN, 1, 0, 40);
	l1 = store_conn(&s, 1);
	l2 = store_conn(&s, 2);
	g1 = l1->generation;
	g2 = l2->generation;

	/* C needs 20 more bytes than are free: only A (conn 1) goes. */
	assert_int_equal(store_memory(&s), 2 * O + 80);
	c = test_add(&s, 1, STORE_IN, 2, 40, 40);
	assert_int_equal(s.count, 2);
	assert_int_equal(s.bytes, 80);
	assert_int_equal(store_memory(&s), 2 * O + 80);
	assert_ptr_equal(s.head, b);
	assert_ptr_equal(l1->head, c);
	assert_int_equal(l1->count, 1);
	assert_true(l1->generation > g1);
	assert_ptr_equal(l2->head, b);
	assert_int_equal(l2->generation, g2);
	test_check_store(&s);

	/* Exactly filling the bound evicts nothing. */
	d = test_add(&s, 3, STORE_OUT, 1, 0, 20);
	assert_int_equal(s.count, 3);
	assert_int_equal(s.bytes, 100);
	assert_int_equal(store_memory(&s), s.bound);
	test_check_store(&s);

	/* One byte more: B (conn 2) goes, and conn 2's list is empty. */
	g2 = l2->generation;
	test_add(&s, 3, STORE_OUT, 2, 20, 1);
	assert_int_equal(s.count, 3);
	assert_int_equal(s.bytes, 61);
	assert_int_equal(store_memory(&s), 3 * O + 61);
	assert_ptr_equal(s.head, c);
	assert_null(l2->head);
	assert_null(l2->tail);
	assert_int_equal(l2->count, 0);
	assert_true(l2->generation > g2);
	assert_ptr_equal(store_conn(&s, 3)->head, d);
	test_check_store(&s);

	/*
	 * The overhead alone evicts: 39 bytes are free, but not the room for
	 * a fourth chunk's header, so even an empty chunk pushes C out.
	 */
	assert_true(O > 39);
	test_add(&s, 3, STORE_OUT, 3, 21, 0);
	assert_int_equal(s.count, 3);
	assert_int_equal(s.bytes, 21);
	assert_int_equal(store_memory(&s), 3 * O + 21);
	assert_ptr_equal(s.head, d);
	assert_null(store_conn(&s, 1)->head);
	test_check_store(&s);
	store_free(&s);
}

/* After many adds of any size the memory never passes the bound. */
static void
test_bound_many(void **state)
{
	struct store	s;
	unsigned int	seed = 1;
	uint64_t	offset[5] = { 0 };
	size_t		i, len;
	int		conn;

	(void)state;
	store_init(&s, 10000);
	for (i = 0; i < 20000; i++) {
		seed = seed * 1103515245 + 12345;
		conn = 1 + (int)((seed >> 16) % 4);
		len = (seed >> 3) % 1500;
		if ((seed >> 12) % 500 == 0)
			len = 20000;
		test_add(&s, conn, STORE_IN, i + 1, offset[conn], len);
		offset[conn] += len;
		assert_true(store_memory(&s) <= s.bound);
		/* The newest chunk is always kept, truncated to what fits. */
		assert_int_equal(s.tail->len,
		    len < 10000 - O ? len : 10000 - O);
		assert_int_equal(s.tail->seq, i + 1);
		if (i % 1000 == 0)
			test_check_store(&s);
	}
	test_check_store(&s);
	store_free(&s);
}

/* A chunk that alone would pass the bound keeps its last bound - O bytes. */
static void
test_huge_chunk(void **state)
{
	struct store		 s;
	const struct chunk	*ch;
	size_t			 cap;

	(void)state;
	store_init(&s, 2 * O + 10);
	cap = s.bound - O;
	test_add(&s, 1, STORE_IN, 1, 0, 4);
	test_add(&s, 2, STORE_IN, 1, 0, 4);
	assert_int_equal(s.count, 2);
	ch = test_add(&s, 1, STORE_IN, 2, 100, cap + 15);
	assert_non_null(ch);
	assert_int_equal(ch->len, cap);
	assert_int_equal(ch->offset, 115);
	assert_int_equal(ch->seq, 2);
	test_check_data(ch);
	assert_int_equal(s.count, 1);
	assert_int_equal(s.bytes, cap);
	assert_int_equal(store_memory(&s), s.bound);
	assert_int_equal(store_conn(&s, 1)->count, 1);
	assert_int_equal(store_conn(&s, 2)->count, 0);
	test_check_store(&s);

	/* Exactly what fits: kept whole. */
	ch = test_add(&s, 2, STORE_OUT, 1, 7, cap);
	assert_int_equal(ch->len, cap);
	assert_int_equal(ch->offset, 7);
	assert_int_equal(s.count, 1);
	assert_int_equal(store_memory(&s), s.bound);
	test_check_store(&s);

	/* One byte more: the first byte goes. */
	ch = test_add(&s, 2, STORE_OUT, 2, 7 + cap, cap + 1);
	assert_int_equal(ch->len, cap);
	assert_int_equal(ch->offset, 8 + cap);
	test_check_data(ch);
	assert_int_equal(s.count, 1);
	test_check_store(&s);
	store_free(&s);
}

/* Empty chunks cost the overhead and leave in order like the others. */
static void
test_zero_length(void **state)
{
	struct store		 s;
	const struct chunk	*ch;

	(void)state;
	store_init(&s, 2 * O + 10);
	ch = store_add(&s, 1, STORE_IN, 1, 0, 0.0, 4096, NULL, 0);
	assert_non_null(ch);
	assert_int_equal(ch->len, 0);
	assert_int_equal(s.bytes, 0);
	assert_int_equal(store_memory(&s), O);
	test_add(&s, 1, STORE_IN, 2, 0, 10);
	assert_int_equal(s.count, 2);
	assert_int_equal(s.bytes, 10);
	assert_int_equal(store_memory(&s), s.bound);
	test_check_store(&s);

	/* A third empty chunk has no room for its header: the oldest, the
	 * first empty one, goes. */
	ch = store_add(&s, 1, STORE_IN, 3, 10, 0.0, 4096, NULL, 0);
	assert_non_null(ch);
	assert_int_equal(s.count, 2);
	assert_int_equal(s.bytes, 10);
	assert_int_equal(s.head->seq, 2);
	test_check_store(&s);

	/* One data byte: the 10-byte chunk goes, the empty one stays. */
	test_add(&s, 1, STORE_IN, 4, 10, 1);
	assert_int_equal(s.count, 2);
	assert_int_equal(s.bytes, 1);
	assert_int_equal(s.head->seq, 3);
	assert_int_equal(store_memory(&s), 2 * O + 1);
	test_check_store(&s);
	store_free(&s);
}

/* Clearing a connection removes its chunks from both lists. */
static void
test_clear_conn(void **state)
{
	struct store		 s;
	const struct store_list	*l1, *l2;
	uint64_t		 g1, g2;
	int			 i;

	(void)state;
	store_init(&s, 11 * (O + 10));
	for (i = 0; i < 10; i++) {
		test_add(&s, 1 + i % 2, STORE_IN, (uint64_t)i, (uint64_t)i * 10,
		    10);
	}
	assert_int_equal(s.count, 10);
	l1 = store_conn(&s, 1);
	l2 = store_conn(&s, 2);
	g1 = l1->generation;
	g2 = l2->generation;

	store_clear_conn(&s, 1);
	assert_null(l1->head);
	assert_null(l1->tail);
	assert_int_equal(l1->count, 0);
	assert_true(l1->generation > g1);
	assert_int_equal(l2->count, 5);
	assert_int_equal(l2->generation, g2);
	assert_int_equal(s.count, 5);
	assert_int_equal(s.bytes, 50);
	assert_int_equal(store_memory(&s), 5 * (O + 10));
	test_check_store(&s);

	/* Clearing an empty list changes nothing. */
	g1 = l1->generation;
	store_clear_conn(&s, 1);
	assert_int_equal(l1->generation, g1);

	/* The connection can add again; the other list is untouched. */
	test_add(&s, 1, STORE_IN, 11, 100, 5);
	assert_int_equal(l1->count, 1);
	assert_true(l1->generation > g1);
	test_check_store(&s);

	/* Clearing the rest leaves an empty store. */
	store_clear_conn(&s, 2);
	store_clear_conn(&s, 1);
	assert_int_equal(s.count, 0);
	assert_int_equal(s.bytes, 0);
	assert_int_equal(store_memory(&s), 0);
	assert_null(s.head);
	assert_null(s.tail);
	test_check_store(&s);

	/* And it fills again. */
	test_add(&s, 2, STORE_OUT, 1, 0, 3);
	assert_int_equal(s.count, 1);
	assert_ptr_equal(s.head, s.tail);
	test_check_store(&s);
	store_free(&s);
}

/* Every add, eviction and clear bumps the list's generation. */
static void
test_generation(void **state)
{
	struct store		 s;
	const struct store_list	*l;
	uint64_t		 g;

	(void)state;
	store_init(&s, 2 * O + 20);
	l = store_conn(&s, 1);
	assert_int_equal(l->generation, 0);
	test_add(&s, 1, STORE_IN, 1, 0, 10);
	l = store_conn(&s, 1);
	g = l->generation;
	assert_true(g > 0);

	test_add(&s, 1, STORE_IN, 2, 10, 10);
	assert_true(l->generation > g);
	assert_int_equal(l->count, 2);
	g = l->generation;

	/* Another connection's add that evicts from this list. */
	test_add(&s, 2, STORE_IN, 1, 0, 5);
	assert_true(l->generation > g);
	assert_int_equal(l->count, 1);
	g = l->generation;

	/* /clear. */
	store_clear_conn(&s, 1);
	assert_true(l->generation > g);
	g = l->generation;

	/* Another connection's add that evicts nothing from it. */
	test_add(&s, 2, STORE_IN, 2, 5, 5);
	assert_int_equal(l->generation, g);
	assert_int_equal(store_conn(&s, 2)->count, 2);
	test_check_store(&s);
	store_free(&s);
}

/* A bound of 0 keeps nothing. */
static void
test_bound_zero(void **state)
{
	struct store	s;

	(void)state;
	store_init(&s, 0);
	assert_null(test_add(&s, 1, STORE_IN, 1, 0, 10));
	assert_null(test_add(&s, 1, STORE_IN, 2, 10, 0));
	assert_int_equal(s.count, 0);
	assert_int_equal(s.bytes, 0);
	assert_null(s.head);
	assert_int_equal(store_conn(&s, 1)->count, 0);
	assert_int_equal(store_conn(&s, 1)->generation, 0);
	store_clear_conn(&s, 1);
	test_check_store(&s);
	store_free(&s);
}

/* Bounds around the overhead: up to O keeps nothing; O + 1 keeps one
 * chunk of at most one byte, its last. */
static void
test_bound_tiny(void **state)
{
	struct store		 s;
	const struct chunk	*ch;
	const size_t		 bounds[] = { 1, 16, O - 1, O };
	size_t			 i;

	(void)state;
	for (i = 0; i < sizeof bounds / sizeof bounds[0]; i++) {
		store_init(&s, bounds[i]);
		assert_null(test_add(&s, 1, STORE_IN, 1, 0, 1));
		assert_null(test_add(&s, 1, STORE_IN, 2, 1, 0));
		assert_null(test_add(&s, 1, STORE_IN, 3, 1, 1000));
		assert_int_equal(s.count, 0);
		assert_int_equal(store_conn(&s, 1)->generation, 0);
		test_check_store(&s);
		store_free(&s);
	}

	store_init(&s, O + 1);
	ch = test_add(&s, 1, STORE_IN, 1, 0, 5);
	assert_non_null(ch);
	assert_int_equal(ch->len, 1);
	assert_int_equal(ch->offset, 4);
	test_check_data(ch);
	test_check_store(&s);
	ch = test_add(&s, 2, STORE_OUT, 1, 0, 0);
	assert_non_null(ch);
	assert_int_equal(ch->len, 0);
	assert_int_equal(s.count, 1);
	assert_ptr_equal(s.head, ch);
	assert_int_equal(store_conn(&s, 1)->count, 0);
	ch = test_add(&s, 2, STORE_OUT, 2, 0, 1);
	assert_int_equal(ch->len, 1);
	assert_int_equal(s.count, 1);
	assert_int_equal(store_memory(&s), s.bound);
	test_check_store(&s);
	store_free(&s);
}

/* A huge bound: the arithmetic near SIZE_MAX neither wraps nor evicts. */
static void
test_bound_huge(void **state)
{
	struct store	s;
	int		i;

	(void)state;
	store_init(&s, SIZE_MAX);
	for (i = 0; i < 100; i++)
		test_add(&s, 1 + i % 3, STORE_IN, (uint64_t)i + 1, 0, 100);
	assert_int_equal(s.count, 100);
	assert_int_equal(s.bytes, 10000);
	test_check_store(&s);
	store_free(&s);

	store_init(&s, SIZE_MAX - 1);
	test_add(&s, 1, STORE_IN, 1, 0, 3);
	assert_int_equal(s.count, 1);
	test_check_store(&s);
	store_free(&s);
}

/* A flood of 1-byte chunks stays within the bound, counting the headers:
 * 100000 of them into 64 KiB keep just the newest that fit. */
static void
test_flood_tiny(void **state)
{
	struct store	s;
	size_t		i, fit;
	unsigned char	b;

	(void)state;
	store_init(&s, 64 * 1024);
	fit = s.bound / (O + 1);
	for (i = 0; i < 100000; i++) {
		b = test_byte(1, STORE_IN, i);
		assert_non_null(store_add(&s, 1, STORE_IN, i + 1, i,
		    (double)i, 1, &b, 1));
		assert_true(store_memory(&s) <= 64 * 1024);
		assert_int_equal(s.count, i + 1 < fit ? i + 1 : fit);
		if (i % 10000 == 0)
			test_check_store(&s);
	}
	assert_int_equal(s.count, fit);
	assert_int_equal(s.bytes, fit);
	assert_int_equal(store_conn(&s, 1)->count, fit);
	assert_int_equal(s.head->seq, 100000 - fit + 1);
	assert_int_equal(s.tail->seq, 100000);
	/* No room for one more 1-byte chunk without an eviction. */
	assert_true(store_memory(&s) + O + 1 > s.bound);
	test_check_store(&s);
	store_free(&s);
}

/* Ids far apart grow the lists array; unused ids have empty lists. */
static void
test_many_ids(void **state)
{
	struct store		 s;
	const struct store_list	*l;

	(void)state;
	store_init(&s, 1000);
	test_add(&s, 1, STORE_IN, 1, 0, 1);
	test_add(&s, 1000, STORE_IN, 1, 0, 1);
	test_add(&s, 17, STORE_OUT, 1, 0, 1);
	assert_true(s.nlists > 1000);
	l = store_conn(&s, 500);
	assert_int_equal(l->conn, 500);
	assert_int_equal(l->count, 0);
	assert_int_equal(store_conn(&s, 1000)->count, 1);
	assert_int_equal(store_conn(&s, 17)->count, 1);
	assert_int_equal(store_conn(&s, 100000)->count, 0);
	/* A negative id is a caller bug: nothing stored. */
	assert_null(test_add(&s, -1, STORE_IN, 1, 0, 1));
	assert_int_equal(s.count, 3);
	test_check_store(&s);
	store_free(&s);
}

#define MODEL_CONNS	6
#define MODEL_MAX	100000

/* The reference model: what the store should hold, oldest first. */
struct model {
	size_t		 bound;
	size_t		 first;		/* index of the oldest kept record */
	size_t		 n;		/* records ever added */
	size_t		 bytes;		/* data bytes of the kept records */
	size_t		 count;		/* kept records */
	struct {
		int		 conn;
		enum store_dir	 dir;
		uint64_t	 seq;
		uint64_t	 offset;
		size_t		 len;
		int		 gone;	/* cleared */
	} rec[MODEL_MAX];
};

/* Compare the store with the model, list by list and chunk by chunk
 * (and byte by byte when data is set). */
static void
test_model_compare(const struct store *s, const struct model *m, int data)
{
	const struct store_list	*l;
	const struct chunk	*ch;
	size_t			 i, count = 0;
	int			 conn;

	for (i = m->first; i < m->n; i++)
		count += !m->rec[i].gone;
	assert_int_equal(m->count, count);
	assert_int_equal(s->count, count);
	assert_int_equal(s->bytes, m->bytes);
	assert_int_equal(store_memory(s), m->bytes + m->count * O);
	assert_true(store_memory(s) <= s->bound);

	/* The global order. */
	ch = s->head;
	for (i = m->first; i < m->n; i++) {
		if (m->rec[i].gone)
			continue;
		assert_non_null(ch);
		assert_int_equal(ch->conn, m->rec[i].conn);
		assert_int_equal(ch->seq, m->rec[i].seq);
		ch = ch->next;
	}
	assert_null(ch);

	/* Each connection's list holds its records in order. */
	for (conn = 1; conn <= MODEL_CONNS; conn++) {
		l = store_conn(s, conn);
		ch = l->head;
		for (i = m->first; i < m->n; i++) {
			if (m->rec[i].gone || m->rec[i].conn != conn)
				continue;
			assert_non_null(ch);
			assert_int_equal(ch->seq, m->rec[i].seq);
			assert_int_equal(ch->dir, m->rec[i].dir);
			assert_int_equal(ch->offset, m->rec[i].offset);
			assert_int_equal(ch->len, m->rec[i].len);
			if (data)
				test_check_data(ch);
			ch = ch->cnext;
		}
		assert_null(ch);
	}
}

/* Drop the model's oldest record, marking its connection touched. */
static void
test_model_evict(struct model *m, int *touched)
{
	if (!m->rec[m->first].gone) {
		m->bytes -= m->rec[m->first].len;
		m->count--;
		touched[m->rec[m->first].conn] = 1;
	}
	m->first++;
}

/*
 * ops random adds and clears into a store of the given bound, against the
 * model.  The model states the rule its own way: a chunk keeps at most
 * bound - O bytes (none at all fit when bound <= O), and the oldest
 * records leave while data plus O per record, the new one included,
 * would pass the bound.
 */
static void
test_model_run(size_t bound, unsigned int seed, size_t ops)
{
	struct store		 s;
	struct model		*m;
	const struct chunk	*ch;
	uint64_t		 offset[MODEL_CONNS + 1][2];
	uint64_t		 gen[MODEL_CONNS + 1];
	int			 touched[MODEL_CONNS + 1];
	size_t			 i, j, len, keep, cap;
	int			 conn, dir, k;

	assert_true(ops <= MODEL_MAX);
	m = xcalloc(1, sizeof *m);
	memset(offset, 0, sizeof offset);
	m->bound = bound;
	cap = bound > O ? bound - O : 0;
	store_init(&s, m->bound);
	for (i = 0; i < ops; i++) {
		seed = seed * 1103515245 + 12345;
		conn = 1 + (int)((seed >> 16) % MODEL_CONNS);
		dir = (seed >> 9) & 1;
		for (k = 1; k <= MODEL_CONNS; k++) {
			gen[k] = store_conn(&s, k)->generation;
			touched[k] = 0;
		}

		if ((seed >> 4) % 50 == 0) {
			/* /clear on one connection. */
			for (j = m->first; j < m->n; j++) {
				if (m->rec[j].gone || m->rec[j].conn != conn)
					continue;
				m->rec[j].gone = 1;
				m->bytes -= m->rec[j].len;
				m->count--;
				touched[conn] = 1;
			}
			store_clear_conn(&s, conn);
		} else {
			len = (seed >> 5) % 700;
			if ((seed >> 3) % 300 == 0)
				len = m->bound + (seed >> 7) % 3000;
			else if ((seed >> 3) % 300 <= 3 && cap > 0)
				/* cap - 1, cap or cap + 1: the edges. */
				len = cap + (seed >> 3) % 300 - 2;
			ch = test_add(&s, conn, (enum store_dir)dir, i + 1,
			    offset[conn][dir], len);
			if (m->bound <= O) {
				/* Nothing fits: nothing kept or evicted. */
				assert_null(ch);
			} else {
				keep = len < cap ? len : cap;
				while (m->bytes + (m->count + 1) * O + keep >
				    m->bound)
					test_model_evict(m, touched);
				m->rec[m->n].conn = conn;
				m->rec[m->n].dir = (enum store_dir)dir;
				m->rec[m->n].seq = i + 1;
				m->rec[m->n].offset = offset[conn][dir] +
				    (len - keep);
				m->rec[m->n].len = keep;
				m->rec[m->n].gone = 0;
				m->n++;
				m->bytes += keep;
				m->count++;
				touched[conn] = 1;
				assert_non_null(ch);
				assert_ptr_equal(ch, s.tail);
				test_check_data(ch);
			}
			offset[conn][dir] += len;
		}
		/* Skip records of the oldest end that were cleared. */
		while (m->first < m->n && m->rec[m->first].gone)
			m->first++;

		for (k = 1; k <= MODEL_CONNS; k++) {
			if (touched[k])
				assert_true(store_conn(&s, k)->generation >
				    gen[k]);
			else
				assert_int_equal(store_conn(&s, k)->generation,
				    gen[k]);
		}
		test_model_compare(&s, m, i % 1000 == 0);
		if (i % 5000 == 0)
			test_check_store(&s);
	}
	test_check_store(&s);
	store_free(&s);
	free(m);
}

/* 100000 random adds and clears against the model. */
static void
test_random_model(void **state)
{
	(void)state;
	test_model_run(8000, 424242, MODEL_MAX);
}

/* The same with bounds that hold only a few chunks, or none. */
static void
test_random_model_small(void **state)
{
	(void)state;
	test_model_run(0, 1, 2000);
	test_model_run(O, 2, 2000);
	test_model_run(O + 1, 3, 20000);
	test_model_run(2 * O + 50, 4, 20000);
	test_model_run(5 * O + 700, 5, 20000);
	test_model_run(64 * 1024, 6, 50000);
}

/* Run the store tests. */
/* EOF, shutdown, resets and errors leave a mark in the stream (SPEC 14);
 * other events leave none. */
static void
test_marks(void **state)
{
	struct store		 s;
	const struct chunk	*ch;
	struct ev		 e;

	(void)state;
	store_init(&s, 1 << 20);
	store_add(&s, 1, STORE_IN, 1, 0, 0.5, 4096, "hi", 2);

	memset(&e, 0, sizeof e);
	e.kind = EV_EOF;
	e.conn = 1;
	e.t = 1.0;
	ch = store_mark_event(&s, &e);
	assert_non_null(ch);
	assert_int_equal(ch->dir, STORE_MARK);
	assert_int_equal(ch->seq, EV_EOF);
	assert_memory_equal(ch->data, "EOF: the peer finished sending", ch->len);
	assert_ptr_equal(store_conn(&s, 1)->tail, ch);
	assert_int_equal(store_conn(&s, 1)->count, 2);

	e.kind = EV_RESET;
	e.by_peer = 1;
	ch = store_mark_event(&s, &e);
	assert_non_null(ch);
	assert_memory_equal(ch->data, "RESET by the peer", ch->len);

	e.kind = EV_ERROR;
	e.call = "connect";
	e.addr = "127.0.0.1:1";
	e.err = ECONNREFUSED;
	e.message = "Connection refused";
	e.conn = 2;
	ch = store_mark_event(&s, &e);
	assert_non_null(ch);
	assert_non_null(memmem(ch->data, ch->len, "ECONNREFUSED", 12));

	/* Data and state changes are not marks; nor is anything without a
	 * connection. */
	e.kind = EV_CONNECTED;
	assert_null(store_mark_event(&s, &e));
	e.kind = EV_EOF;
	e.conn = 0;
	assert_null(store_mark_event(&s, &e));
	assert_int_equal(store_conn(&s, 1)->count, 3);
	store_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_add_one),
		cmocka_unit_test(test_evict_oldest),
		cmocka_unit_test(test_bound_many),
		cmocka_unit_test(test_huge_chunk),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_clear_conn),
		cmocka_unit_test(test_generation),
		cmocka_unit_test(test_bound_zero),
		cmocka_unit_test(test_bound_tiny),
		cmocka_unit_test(test_bound_huge),
		cmocka_unit_test(test_flood_tiny),
		cmocka_unit_test(test_many_ids),
		cmocka_unit_test(test_random_model),
		cmocka_unit_test(test_random_model_small),
		cmocka_unit_test(test_marks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
