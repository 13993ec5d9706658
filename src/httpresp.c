/*
 * httpresp.c: the bytes of an HTTP/1.1 response typed with /respond (see
 * httpresp.h).  Pure; called by app.c, which reads files and sends.
 */
#include "config.h"

#include <string.h>

#include "sockscope/httpresp.h"

/* Status codes and their reason phrases (RFC 9110 section 15). */
static const struct {
	int		 status;
	const char	*reason;
} httpresp_reasons[] = {
	{ 100, "Continue" }, { 101, "Switching Protocols" },
	{ 200, "OK" }, { 201, "Created" }, { 202, "Accepted" },
	{ 203, "Non-Authoritative Information" }, { 204, "No Content" },
	{ 205, "Reset Content" }, { 206, "Partial Content" },
	{ 300, "Multiple Choices" }, { 301, "Moved Permanently" },
	{ 302, "Found" }, { 303, "See Other" }, { 304, "Not Modified" },
	{ 307, "Temporary Redirect" }, { 308, "Permanent Redirect" },
	{ 400, "Bad Request" }, { 401, "Unauthorized" },
	{ 402, "Payment Required" }, { 403, "Forbidden" },
	{ 404, "Not Found" }, { 405, "Method Not Allowed" },
	{ 406, "Not Acceptable" }, { 408, "Request Timeout" },
	{ 409, "Conflict" }, { 410, "Gone" }, { 411, "Length Required" },
	{ 412, "Precondition Failed" }, { 413, "Content Too Large" },
	{ 414, "URI Too Long" }, { 415, "Unsupported Media Type" },
	{ 416, "Range Not Satisfiable" }, { 417, "Expectation Failed" },
	{ 418, "I'm a teapot" }, { 421, "Misdirected Request" },
	{ 422, "Unprocessable Content" }, { 426, "Upgrade Required" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" }, { 501, "Not Implemented" },
	{ 502, "Bad Gateway" }, { 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" }, { 505, "HTTP Version Not Supported" },
};

/* File name extensions and their media types. */
static const struct {
	const char	*ext;
	const char	*type;
} httpresp_types[] = {
	{ "html", "text/html; charset=utf-8" },
	{ "htm", "text/html; charset=utf-8" },
	{ "txt", "text/plain; charset=utf-8" },
	{ "css", "text/css; charset=utf-8" },
	{ "js", "text/javascript; charset=utf-8" },
	{ "mjs", "text/javascript; charset=utf-8" },
	{ "json", "application/json" },
	{ "xml", "application/xml" },
	{ "csv", "text/csv; charset=utf-8" },
	{ "md", "text/markdown; charset=utf-8" },
	{ "svg", "image/svg+xml" },
	{ "png", "image/png" },
	{ "jpg", "image/jpeg" },
	{ "jpeg", "image/jpeg" },
	{ "gif", "image/gif" },
	{ "webp", "image/webp" },
	{ "ico", "image/x-icon" },
	{ "pdf", "application/pdf" },
	{ "wasm", "application/wasm" },
	{ "woff2", "font/woff2" },
	{ "mp4", "video/mp4" },
};

/* The reason phrase of a status. */
const char *
httpresp_reason(int status)
{
	size_t	i;

	for (i = 0; i < sizeof httpresp_reasons / sizeof httpresp_reasons[0];
	    i++) {
		if (httpresp_reasons[i].status == status)
			return httpresp_reasons[i].reason;
	}
	return "";
}

/* Nonzero for statuses that never carry a body. */
int
httpresp_bodyless(int status)
{
	return (status >= 100 && status < 200) || status == 204 ||
	    status == 304;
}

/* Lower-case an ASCII letter (no locale). */
static char
httpresp_lower(char ch)
{
	return ch >= 'A' && ch <= 'Z' ? (char)(ch - 'A' + 'a') : ch;
}

/* The media type for a file name's extension. */
const char *
httpresp_type(const char *name)
{
	const char	*dot = strrchr(name, '.'), *slash = strrchr(name, '/');
	size_t		 i, j, n;

	if (dot == NULL || (slash != NULL && dot < slash))
		return "application/octet-stream";
	dot++;
	n = strlen(dot);
	for (i = 0; i < sizeof httpresp_types / sizeof httpresp_types[0];
	    i++) {
		if (strlen(httpresp_types[i].ext) != n)
			continue;
		for (j = 0; j < n; j++) {
			if (httpresp_lower(dot[j]) != httpresp_types[i].ext[j])
				break;
		}
		if (j == n)
			return httpresp_types[i].type;
	}
	return "application/octet-stream";
}

/* Append the response's bytes. */
void
httpresp_build(struct sbuf *out, int status, const char *type,
    const void *body, size_t len, int keep_alive, int head_only)
{
	const char	*reason = httpresp_reason(status);

	/* The space after the status stays even with no reason (RFC 9112). */
	sbuf_printf(out, "HTTP/1.1 %d %s\r\n", status, reason);
	if (!httpresp_bodyless(status)) {
		if (type != NULL)
			sbuf_printf(out, "Content-Type: %s\r\n", type);
		sbuf_printf(out, "Content-Length: %zu\r\n", len);
	}
	sbuf_printf(out, "Connection: %s\r\n\r\n", keep_alive ? "keep-alive" :
	    "close");
	if (!httpresp_bodyless(status) && !head_only && len > 0)
		sbuf_add(out, body, len);
}
