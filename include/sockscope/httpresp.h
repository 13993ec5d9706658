/*
 * httpresp.h: HTTP/1.1 responses typed by hand (/respond, SPEC section
 * 11): the reason phrase of a status, a Content-Type guessed from a file
 * name, and the response bytes with a correct Content-Length.  Pure: app.c
 * reads the file and sends what this builds.
 */
#ifndef SOCKSCOPE_HTTPRESP_H
#define SOCKSCOPE_HTTPRESP_H

#include <stddef.h>

#include "sockscope/util.h"

/* Largest file /respond @FILE and /sendfile send (16 MiB). */
#define HTTPRESP_FILE_MAX	(16u * 1024 * 1024)
/* The status /respond uses when none is given. */
#define HTTPRESP_DEFAULT_STATUS	200
/* The Content-Type of /respond TEXT. */
#define HTTPRESP_TEXT_TYPE	"text/plain; charset=utf-8"

/* The reason phrase of a status ("OK", "Not Found"); "" if unknown. */
const char *httpresp_reason(int status);

/* Nonzero if a response with this status never has a body (1xx, 204,
 * 304). */
int httpresp_bodyless(int status);

/* The Content-Type for a file name, from its extension, case ignored
 * ("page.HTML" gives "text/html; charset=utf-8"); application/octet-stream
 * when unknown. */
const char *httpresp_type(const char *name);

/*
 * Append a response to out: "HTTP/1.1 STATUS REASON", Content-Type (when
 * type is not NULL and the status has a body), Content-Length of len
 * (likewise), "Connection: keep-alive" or "Connection: close", the empty
 * line, then the body (nothing of it for a bodyless status, nor when
 * head_only: the answer to a HEAD request has GET's headers, no body).
 */
void httpresp_build(struct sbuf *out, int status, const char *type,
    const void *body, size_t len, int keep_alive, int head_only);

#endif
