/*
 * serve.h: the shell that drives responders (responder.h) on real
 * connections (SPEC section 11).  serve.c subscribes to the app's events:
 * a connection accepted on a served listener gets a responder of that
 * listener's kind; what the peer sends, its EOF and our drained send
 * queue go to the responder after the emitting call returned
 * (app_later()), and its actions go to the engine (net_send(),
 * net_shutdown(), net_close(), net_reset(), net_set_read_limit()) and
 * the loop (one timer per connection, armed only while a WAIT is due).
 * A served connection is an ordinary connection otherwise.
 *
 * Reading stops while our send queue to the peer holds more than
 * SERVE_QUEUE_HIGH bytes, so a peer that sends to echo and never reads
 * cannot grow our memory without bound.
 */
#ifndef SOCKSCOPE_SERVE_H
#define SOCKSCOPE_SERVE_H

#include <stdint.h>

#include "sockscope/responder.h"

/* Stop reading a served connection while its send queue is this large. */
#define SERVE_QUEUE_HIGH	(256 * 1024)

/* Subscribe to the app's events (after app_init()). */
void serve_init(void);
/* Forget every responder and timer. */
void serve_free(void);
/* The seed for chunky's pieces (--seed); 1 by default. */
void serve_set_seed(uint32_t seed);
/* Every connection accepted on any listener not served otherwise gets a
 * responder of kind (--respond KIND). */
void serve_set_default(enum responder_kind kind);
/* Listener lid's accepted connections get a responder of kind. */
void serve_listener(int lid, enum responder_kind kind);
/* The kind serving connection id ("echo"), or NULL when none does. */
const char *serve_conn_kind(int id);
/* The kind serving listener lid, or NULL. */
const char *serve_listener_kind(int lid);

#endif
