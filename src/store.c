/*
 * store.c: the chunk store.  Every recv() and send() result that app.c
 * hands over is kept here for the Hex and Text panes, up to --scrollback
 * bytes for the whole program, each chunk's overhead included (store.h).
 * The screen reads the per-connection lists and redraws when a list's
 * generation changes.
 *
 * Each chunk is on two lists: the global one in arrival order (next, prev),
 * from which the oldest chunks are evicted, and its connection's (cnext,
 * cprev), which the panes walk.  Both are doubly linked so a chunk leaves
 * either in constant time, whether evicted or cleared with its connection.
 * lists[] is indexed by connection id and grows as new ids appear.
 *
 * Pure: the time arrives as an argument; nothing here prints.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sockscope/evlog.h"
#include "sockscope/store.h"
#include "sockscope/util.h"

/* What store_conn() returns for a connection with no list. */
static const struct store_list store_empty;

/* A store using at most bound bytes of memory (small: keep nothing). */
void
store_init(struct store *s, size_t bound)
{
	memset(s, 0, sizeof *s);
	s->bound = bound;
}

/* Free every chunk and the lists; s may be initialised again afterwards. */
void
store_free(struct store *s)
{
	struct chunk	*ch, *next;

	for (ch = s->head; ch != NULL; ch = next) {
		next = ch->next;
		free(ch);
	}
	free(s->lists);
	s->lists = NULL;
	s->nlists = 0;
	s->head = s->tail = NULL;
	s->bytes = s->count = 0;
}

/* The list of connection conn, growing lists[] to hold it. */
static struct store_list *
store_list_get(struct store *s, int conn)
{
	size_t	id = (size_t)conn, n, i;

	if (id >= s->nlists) {
		n = s->nlists < 16 ? 16 : s->nlists;
		while (n <= id)
			n *= 2;
		s->lists = xrealloc(s->lists, n * sizeof *s->lists);
		for (i = s->nlists; i < n; i++) {
			memset(&s->lists[i], 0, sizeof s->lists[i]);
			s->lists[i].conn = (int)i;
		}
		s->nlists = n;
	}
	return &s->lists[id];
}

/* Take ch off the global list. */
static void
store_unlink_global(struct store *s, struct chunk *ch)
{
	if (ch->prev != NULL)
		ch->prev->next = ch->next;
	else
		s->head = ch->next;
	if (ch->next != NULL)
		ch->next->prev = ch->prev;
	else
		s->tail = ch->prev;
	s->bytes -= ch->len;
	s->count--;
}

/* Take ch off its connection's list. */
static void
store_unlink_conn(struct store_list *l, struct chunk *ch)
{
	if (ch->cprev != NULL)
		ch->cprev->cnext = ch->cnext;
	else
		l->head = ch->cnext;
	if (ch->cnext != NULL)
		ch->cnext->cprev = ch->cprev;
	else
		l->tail = ch->cprev;
	l->count--;
	l->generation++;
}

/* Unlink the oldest chunk of the whole store and return it. */
static struct chunk *
store_take_oldest(struct store *s)
{
	struct chunk	*ch = s->head;

	store_unlink_global(s, ch);
	store_unlink_conn(&s->lists[ch->conn], ch);
	return ch;
}

/* Add a chunk, evicting the oldest ones to stay within the bound. */
const struct chunk *
store_add(struct store *s, int conn, enum store_dir dir, uint64_t seq,
    uint64_t offset, double t, size_t asked, const void *data, size_t len)
{
	const unsigned char	*p = data;
	struct store_list	*l;
	struct chunk		*ch, *spare = NULL;
	size_t			 cap, need;

	if (s->bound <= STORE_CHUNK_OVERHEAD || conn < 0)
		return NULL;
	cap = s->bound - STORE_CHUNK_OVERHEAD;
	if (len > cap) {
		/* Keep the tail: the newest bytes are the interesting ones. */
		p += len - cap;
		offset += len - cap;
		len = cap;
	}
	/*
	 * The bound covers each chunk's header and allocator overhead too,
	 * so a flood of 1-byte recv() results stays within it as well.
	 * need <= bound, so bound - need cannot wrap, and store_memory() is
	 * at most bound by the invariant, so it cannot overflow either.
	 */
	need = len + STORE_CHUNK_OVERHEAD;
	while (s->head != NULL && store_memory(s) > s->bound - need) {
		struct chunk	*old = store_take_oldest(s);

		/*
		 * Under a flood every recv() is the same size: the evicted
		 * chunk's memory holds the new one, with no free() and
		 * malloc() (and no fresh pages) per chunk.  Only an exact
		 * size is reused, so the accounting stays exact.
		 */
		if (spare == NULL && old->len == len)
			spare = old;
		else
			free(old);
	}

	ch = spare != NULL ? spare : xmalloc(sizeof *ch + len);
	ch->conn = conn;
	ch->dir = dir;
	ch->seq = seq;
	ch->offset = offset;
	ch->t = t;
	ch->asked = asked;
	ch->rows_wrap = ch->rows = 0;
	ch->len = len;
	if (len > 0)
		memcpy(ch->data, p, len);

	ch->next = NULL;
	ch->prev = s->tail;
	if (s->tail != NULL)
		s->tail->next = ch;
	else
		s->head = ch;
	s->tail = ch;
	s->bytes += len;
	s->count++;

	l = store_list_get(s, conn);
	ch->cnext = NULL;
	ch->cprev = l->tail;
	if (l->tail != NULL)
		l->tail->cnext = ch;
	else
		l->head = ch;
	l->tail = ch;
	l->count++;
	l->generation++;
	return ch;
}

/* Add a mark for an event that happened in a connection's stream. */
const struct chunk *
store_mark_event(struct store *s, const struct ev *e)
{
	const struct chunk	*ch;
	struct sbuf		 b = { 0 };

	if (e->conn <= 0 || s->bound <= STORE_CHUNK_OVERHEAD)
		return NULL;	/* batch mode keeps nothing to view */
	switch (e->kind) {
	case EV_EOF:
		sbuf_adds(&b, "EOF: the peer finished sending");
		break;
	case EV_SHUTDOWN:
		sbuf_adds(&b, "shutdown: EOF sent");
		break;
	case EV_RESET:
		sbuf_adds(&b, e->by_peer ? "RESET by the peer" :
		    "RST sent: connection reset");
		break;
	case EV_ERROR:
		/* The reason, where the user looks (SPEC 14). */
		evlog_error_text(&b, e);
		break;
	default:
		return NULL;
	}
	ch = store_add(s, e->conn, STORE_MARK, (uint64_t)e->kind, 0, e->t, 0,
	    b.p, b.len);
	sbuf_free(&b);
	return ch;
}

/* The chunks of connection conn (an empty list when there are none). */
const struct store_list *
store_conn(const struct store *s, int conn)
{
	if (conn < 0 || (size_t)conn >= s->nlists)
		return &store_empty;
	return &s->lists[conn];
}

/* The memory the chunks are counted as using: data plus overhead. */
size_t
store_memory(const struct store *s)
{
	return s->bytes + s->count * STORE_CHUNK_OVERHEAD;
}

/* Forget the chunks of one connection (/clear). */
void
store_clear_conn(struct store *s, int conn)
{
	struct store_list	*l;
	struct chunk		*ch, *next;

	if (conn < 0 || (size_t)conn >= s->nlists)
		return;
	l = &s->lists[conn];
	if (l->head == NULL)
		return;
	for (ch = l->head; ch != NULL; ch = next) {
		next = ch->cnext;
		store_unlink_global(s, ch);
		free(ch);
	}
	l->head = l->tail = NULL;
	l->count = 0;
	l->generation++;
}
