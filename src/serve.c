/*
 * serve.c: responders on real connections (serve.h).  Owns the table of
 * served listeners and, per served connection, its responder, its timer,
 * the bytes read but not yet taken by the responder, and what waits for
 * the send queue to drain.  Everything it does to a connection it does
 * from app_later() reactions or its own timer, never inside the engine's
 * call that emitted the event.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sockscope/app.h"
#include "sockscope/loop.h"
#include "sockscope/net.h"
#include "sockscope/serve.h"
#include "sockscope/util.h"

/* One served connection while it is open. */
struct serve_conn {
	int			 id;
	struct responder	*r;
	long long		 timer;		/* armed WAIT, 0 = none */
	struct sbuf		 in;		/* read, not yet taken */
	int			 eof;		/* the peer's EOF was read */
	int			 eof_fed;	/* and given to the responder */
	int			 drained;	/* the send queue emptied */
	int			 end;		/* CLOSE or RESET after the
						   queue drains: 1 or 2 */
	int			 throttled;	/* queue too large: not reading */
	int			 scheduled;	/* a reaction is queued */
	int			 gone;		/* the connection ended */
};

static struct {
	int			 inited;
	uint32_t		 seed;
	int			 def;		/* --respond kind + 1, 0 = none */
	int			*lkind;		/* by Lid: kind + 1, 0 = none */
	size_t			 nlkind;
	int			*ckind;		/* by #id: kind + 1, 0 = none */
	size_t			 nckind;
	struct serve_conn	**conns;	/* by #id, NULL = not served */
	size_t			 nconns;
} serve = { 0, 1, 0, NULL, 0, NULL, 0, NULL, 0 };

static app_event_fn serve_event;
static app_later_fn serve_step;

/* Grow an int table to hold index i (new entries 0). */
static void
serve_grow_int(int **t, size_t *n, size_t i)
{
	size_t	old = *n;

	if (i < *n)
		return;
	*n = i * 2 + 16;
	*t = xrealloc(*t, *n * sizeof **t);
	memset(*t + old, 0, (*n - old) * sizeof **t);
}

/* The wall clock in milliseconds since the epoch, for the responder. */
static uint64_t
serve_now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Subscribe to the app's events. */
void
serve_init(void)
{
	if (serve.inited)
		return;
	serve.inited = 1;
	app_subscribe(serve_event, NULL);
}

/* Free one served connection's state (its timer too). */
static void
serve_conn_free(struct serve_conn *sc)
{
	if (sc->timer != 0)
		loop_del_timer(sc->timer);
	responder_free(sc->r);
	sbuf_free(&sc->in);
	serve.conns[sc->id] = NULL;
	free(sc);
}

/* Forget every responder and timer. */
void
serve_free(void)
{
	size_t	i;

	for (i = 0; i < serve.nconns; i++) {
		if (serve.conns[i] != NULL)
			serve_conn_free(serve.conns[i]);
	}
	free(serve.conns);
	free(serve.lkind);
	free(serve.ckind);
	serve.conns = NULL;
	serve.lkind = serve.ckind = NULL;
	serve.nconns = serve.nlkind = serve.nckind = 0;
	serve.def = 0;
	serve.inited = 0;
}

/* chunky's seed. */
void
serve_set_seed(uint32_t seed)
{
	serve.seed = seed;
}

/* Every listener's connections get kind, unless served otherwise. */
void
serve_set_default(enum responder_kind kind)
{
	serve.def = (int)kind + 1;
}

/* Listener lid's connections get kind. */
void
serve_listener(int lid, enum responder_kind kind)
{
	if (lid <= 0)
		return;
	serve_grow_int(&serve.lkind, &serve.nlkind, (size_t)lid);
	serve.lkind[lid] = (int)kind + 1;
}

/* The kind serving connection id, or NULL. */
const char *
serve_conn_kind(int id)
{
	if (id <= 0 || (size_t)id >= serve.nckind || serve.ckind[id] == 0)
		return NULL;
	return responder_kind_name((enum responder_kind)(serve.ckind[id] - 1));
}

/* The kind serving listener lid (--respond's too), or NULL. */
const char *
serve_listener_kind(int lid)
{
	int	k = serve.def;

	if (lid > 0 && (size_t)lid < serve.nlkind && serve.lkind[lid] != 0)
		k = serve.lkind[lid];
	if (lid <= 0 || k == 0)
		return NULL;
	return responder_kind_name((enum responder_kind)(k - 1));
}

/* The served connection id, or NULL. */
static struct serve_conn *
serve_find(int id)
{
	if (id <= 0 || (size_t)id >= serve.nconns)
		return NULL;
	return serve.conns[id];
}

/* Queue one reaction for sc, unless one is queued already. */
static void
serve_schedule(struct serve_conn *sc)
{
	if (sc->scheduled)
		return;
	sc->scheduled = 1;
	app_later(serve_step, sc->id, NULL);
}

/* A new connection on listener lid: serve it if the listener is served. */
static void
serve_accepted(int id, int lid)
{
	struct serve_conn	*sc;
	int			 k = 0;

	if (lid > 0 && (size_t)lid < serve.nlkind)
		k = serve.lkind[lid];
	if (k == 0)
		k = serve.def;
	if (k == 0)
		return;
	if ((size_t)id >= serve.nconns) {
		size_t	old = serve.nconns;

		serve.nconns = (size_t)id * 2 + 16;
		serve.conns = xrealloc(serve.conns,
		    serve.nconns * sizeof *serve.conns);
		memset(serve.conns + old, 0,
		    (serve.nconns - old) * sizeof *serve.conns);
	}
	serve_grow_int(&serve.ckind, &serve.nckind, (size_t)id);
	serve.ckind[id] = k;
	sc = xcalloc(1, sizeof *sc);
	sc->id = id;
	sc->r = responder_new((enum responder_kind)(k - 1), serve.seed,
	    serve_now_ms());
	serve.conns[id] = sc;
	serve_schedule(sc);
}

/* Subscriber: note what happened to served connections; react later. */
static void
serve_event(const struct ev *e, void *arg)
{
	struct serve_conn	*sc;
	const struct conn	*c;

	(void)arg;
	if (e->kind == EV_ACCEPTED && e->conn > 0) {
		serve_accepted(e->conn, e->listener);
		return;
	}
	if ((sc = serve_find(e->conn)) == NULL)
		return;
	switch (e->kind) {
	case EV_RECV:
		sbuf_add(&sc->in, e->data, e->len);
		break;
	case EV_EOF:
		sc->eof = 1;
		break;
	case EV_SEND:
		c = net_conn(e->conn);
		if (c != NULL && c->qlen == 0)
			sc->drained = 1;
		break;
	case EV_CLOSED:
	case EV_RESET:
		c = net_conn(e->conn);
		if (e->kind == EV_CLOSED || !conn_is_open(c))
			sc->gone = 1;
		break;
	default:
		return;
	}
	serve_schedule(sc);
}

/* Bytes in connection id's send queue (0 when it has none). */
static size_t
serve_queued(int id)
{
	const struct conn	*c = net_conn(id);

	return c != NULL ? c->qlen : 0;
}

/* The timer of a WAIT is due. */
static void
serve_on_timer(long long tid, void *arg)
{
	struct serve_conn	*sc = arg;

	(void)tid;
	sc->timer = 0;
	responder_on_timer(sc->r, serve_now_ms());
	/* Its actions, and what else waits, in the usual order. */
	sc->scheduled = 1;
	serve_step(sc->id, NULL);
}

/* Carry out CLOSE (end 1) or RESET (end 2) now. */
static void
serve_end(struct serve_conn *sc)
{
	char	*cause = NULL;
	int	 rc;

	rc = sc->end == 2 ? net_reset(sc->id, &cause) :
	    net_close(sc->id, &cause);
	if (rc != 0)
		free(cause);
	sc->end = 0;
	sc->gone = 1;
}

/* Apply the responder's actions, in order. */
static void
serve_take(struct serve_conn *sc)
{
	struct responder_action	 a;
	char			*cause;

	while (!sc->gone && responder_next(sc->r, &a)) {
		cause = NULL;
		switch (a.kind) {
		case RESPONDER_A_SEND:
			if (sc->end == 0 &&
			    net_send(sc->id, a.data, a.len, &cause) != 0)
				free(cause);
			break;
		case RESPONDER_A_WAIT:
			if (sc->timer != 0)
				loop_del_timer(sc->timer);
			sc->timer = loop_add_timer((long long)a.ms,
			    serve_on_timer, sc);
			break;
		case RESPONDER_A_SHUTDOWN:
			if (net_shutdown(sc->id, &cause) != 0)
				free(cause);
			break;
		case RESPONDER_A_CLOSE:
		case RESPONDER_A_RESET:
			sc->end = a.kind == RESPONDER_A_RESET ? 2 : 1;
			if (serve_queued(sc->id) == 0)
				serve_end(sc);
			break;
		case RESPONDER_A_READ_LIMIT:
			/* serve_limit() applies responder_read_limit(). */
			break;
		}
	}
}

/* Tell the engine how much more to read for sc. */
static void
serve_limit(struct serve_conn *sc)
{
	size_t	 l = responder_read_limit(sc->r);
	char	*cause = NULL;

	if (serve_queued(sc->id) > SERVE_QUEUE_HIGH)
		sc->throttled = 1;
	else if (serve_queued(sc->id) == 0)
		sc->throttled = 0;
	if (sc->throttled || responder_done(sc->r) || sc->eof)
		l = sc->eof ? RESPONDER_UNLIMITED : 0;
	else if (l != RESPONDER_UNLIMITED)
		l = l > sc->in.len ? l - sc->in.len : 0;
	if (net_set_read_limit(sc->id, l == RESPONDER_UNLIMITED ? SIZE_MAX :
	    l, &cause) != 0)
		free(cause);
}

/* The reaction: feed the responder what came, take its actions. */
static void
serve_step(int id, void *arg)
{
	struct serve_conn	*sc = serve_find(id);
	size_t			 took;

	(void)arg;
	if (sc == NULL)
		return;
	sc->scheduled = 0;
	serve_take(sc);
	if (sc->in.len > 0 && !sc->gone) {
		took = responder_on_data(sc->r, sc->in.p, sc->in.len,
		    serve_now_ms());
		if (took > sc->in.len)
			took = sc->in.len;
		memmove(sc->in.p, sc->in.p + took, sc->in.len - took);
		sc->in.len -= took;
		serve_take(sc);
	}
	if (sc->eof && !sc->eof_fed && sc->in.len == 0 && !sc->gone) {
		sc->eof_fed = 1;
		responder_on_eof(sc->r, serve_now_ms());
		serve_take(sc);
	}
	if (sc->drained && !sc->gone) {
		sc->drained = 0;
		if (sc->end != 0 && serve_queued(id) == 0)
			serve_end(sc);
		else {
			responder_on_drained(sc->r, serve_now_ms());
			serve_take(sc);
		}
	}
	if (!conn_is_open(net_conn(id)))
		sc->gone = 1;
	if (sc->gone) {
		serve_conn_free(sc);
		return;
	}
	serve_limit(sc);
}
