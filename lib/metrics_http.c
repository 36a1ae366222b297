/* metrics' HTTP side: GET /metrics and GET /healthz (metrics.h). */
#include "metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "log.h"

static struct MHD_Daemon *served;

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     char *body, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body, mode);
	enum MHD_Result rc;

	if (r == NULL) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_len, void **state)
{
	(void)cls;
	(void)version;
	(void)upload;
	(void)state;
	if (*upload_len != 0)
		return MHD_NO;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "GET only\n",
			     MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics") == 0) {
		char *text = metrics_render();
		if (text == NULL)
			return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain",
				     "out of memory\n", MHD_RESPMEM_PERSISTENT);
		return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", text,
			     MHD_RESPMEM_MUST_FREE);
	}
	if (strcmp(url, "/healthz") == 0) {
		char why[200], body[220];
		bool ok = metrics_healthy(why, sizeof(why));
		snprintf(body, sizeof(body), "%s\n", why);
		return reply(c, ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", body,
			     MHD_RESPMEM_MUST_COPY);
	}
	return reply(c, MHD_HTTP_NOT_FOUND, "text/plain", "not found: /metrics or /healthz\n",
		     MHD_RESPMEM_PERSISTENT);
}

int metrics_serve(const char *listen)
{
	struct sockaddr_storage sa;
	unsigned salen;

	if (listen == NULL || listen[0] == '\0')
		return 0;
	if (metrics_parse_listen(listen, &sa, &salen) != 0) {
		log_err("metrics.listen %s: not PORT, HOST:PORT or [IPv6]:PORT", listen);
		return -1;
	}
	/* one thread: a scrape is a few kilobytes rendered from atomics */
	served = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC |
					  (sa.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				  0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
				  (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				  MHD_OPTION_CONNECTION_LIMIT, 16u, MHD_OPTION_END);
	if (served == NULL) {
		log_err("metrics.listen %s: cannot listen (port in use?)", listen);
		return -1;
	}
	log_info("metrics listening on %s: GET /metrics, GET /healthz", listen);
	return 0;
}

void metrics_serve_stop(void)
{
	if (served != NULL)
		MHD_stop_daemon(served);
	served = NULL;
}
