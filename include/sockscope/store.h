/*
 * store.h: the chunk store: every recv() and send() result kept for
 * viewing, bounded by --scrollback bytes for the whole program.
 *
 * Chunks are kept in arrival order; when adding one would pass the bound,
 * the oldest chunks (of any connection) leave first.  The connections'
 * counters (struct conn) keep the true totals; the store only forgets what
 * is shown.  Pure: the time is passed in.
 *
 * The bound covers memory, not just data: each chunk costs its data bytes
 * plus STORE_CHUNK_OVERHEAD (its header and malloc's own bookkeeping), and
 * after every call
 *
 *	bytes + count * STORE_CHUNK_OVERHEAD <= bound
 *
 * (store_memory()), so a flood of 1-byte recv() results cannot use ~100
 * times the bound.  Consequences:
 *  - the newest chunk is always kept; it may hold up to
 *    bound - STORE_CHUNK_OVERHEAD data bytes, and a larger one keeps only
 *    its last bound - STORE_CHUNK_OVERHEAD bytes (offset moves to match);
 *  - an empty chunk still costs STORE_CHUNK_OVERHEAD;
 *  - a bound of at most STORE_CHUNK_OVERHEAD (0 included) keeps nothing,
 *    so a non-empty chunk that is kept always keeps at least one byte.
 * Not counted: lists[], one struct store_list per connection id up to the
 * highest seen, which grows with ids, not with data.
 */
#ifndef SOCKSCOPE_STORE_H
#define SOCKSCOPE_STORE_H

#include <stddef.h>
#include <stdint.h>

enum store_dir {
	STORE_IN,	/* received */
	STORE_OUT,	/* sent */
	STORE_MARK	/* not bytes: an event where it happened in the
			   stream (EOF, shutdown, reset, an error); data
			   holds its safe one-line text, seq its ev_kind */
};

struct chunk {
	struct chunk	*next;		/* next in the whole store */
	struct chunk	*prev;		/* previous in the whole store */
	struct chunk	*cnext;		/* next of the same connection */
	struct chunk	*cprev;
	int		 conn;
	enum store_dir	 dir;
	uint64_t	 seq;		/* chunk number in its direction, from 1 */
	uint64_t	 offset;	/* stream offset of data[0] */
	double		 t;		/* seconds since start */
	size_t		 asked;		/* recv size asked (0 for sends) */
	/* The screen's cache: Text pane rows at wrap width rows_wrap (0:
	 * not known).  Written through a non-const pointer by ui-data.c. */
	size_t		 rows_wrap;
	size_t		 rows;
	size_t		 len;
	unsigned char	 data[];
};

/* Memory a chunk costs beyond its data (its header plus about 16 bytes of
 * malloc's own, as with glibc), counted against the bound so that many tiny
 * chunks cannot pass it: 96 bytes on LP64. */
#define STORE_CHUNK_OVERHEAD (sizeof(struct chunk) + 16)

/* One connection's chunks, oldest first. */
struct store_list {
	int		 conn;
	struct chunk	*head;
	struct chunk	*tail;
	size_t		 count;
	uint64_t	 generation;	/* bumped on every change */
};

struct store {
	size_t		 bound;		/* store_memory() stays within it */
	size_t		 bytes;		/* data bytes held now */
	size_t		 count;		/* chunks held now */
	struct chunk	*head;
	struct chunk	*tail;
	struct store_list *lists;	/* indexed by connection id */
	size_t		 nlists;
};

/* A store whose chunks use at most bound bytes of memory, overhead
 * included (at most STORE_CHUNK_OVERHEAD, 0 included: keep nothing). */
void store_init(struct store *s, size_t bound);
void store_free(struct store *s);

/*
 * Add a chunk, evicting the oldest ones until it fits, and truncating it
 * to its last bound - STORE_CHUNK_OVERHEAD bytes if it alone would not;
 * returns it, or NULL (nothing stored, nothing evicted) when bound is at
 * most STORE_CHUNK_OVERHEAD or conn is negative.  The chunk may be evicted
 * by a later store_add(), so callers must not keep the pointer.
 */
const struct chunk *store_add(struct store *s, int conn, enum store_dir dir,
    uint64_t seq, uint64_t offset, double t, size_t asked,
    const void *data, size_t len);

/*
 * Mark where an event happened in connection e->conn's stream (SPEC 14):
 * EOF, shutdown, a reset either way, and errors about the connection
 * become a STORE_MARK chunk whose data is a short line of safe text
 * ("EOF: the peer finished sending"), seq the event's kind.  Other events
 * add nothing.  Returns the mark, or NULL when none was added.
 */
struct ev;
const struct chunk *store_mark_event(struct store *s, const struct ev *e);

/* The chunks of connection conn (an empty list when there are none: a
 * static one with conn and generation 0 for an id never added). */
const struct store_list *store_conn(const struct store *s, int conn);

/* The memory the chunks are counted as using:
 * bytes + count * STORE_CHUNK_OVERHEAD, never more than bound. */
size_t store_memory(const struct store *s);

/* Forget the chunks of one connection (/clear); bumps its generation if
 * it had any. */
void store_clear_conn(struct store *s, int conn);

#endif
