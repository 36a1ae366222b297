#include "consumers/renders/webhook.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "lib/db.h"
#include "lib/log.h"
#include "protocol/broker.h"
#include "protocol/follow.h"
#include "protocol/message.h"

#define WEBHOOK_MAX_BODY 65536

struct webhook {
	const struct bf_config *cfg;
	struct MHD_Daemon *d;
	PGconn *db;
	struct broker *b;
	volatile sig_atomic_t stop;
};

/* One call's body, gathered. */
struct call {
	char *body;
	size_t len;
	bool too_big;
};

int webhook_parse_listen(const char *s, char *host, size_t n, unsigned *port)
{
	const char *colon = strrchr(s, ':');
	char *end;
	long p;

	if (colon == NULL || (size_t)(colon - s) >= n)
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 1 || p > 65535)
		return -1;
	*port = (unsigned)p;
	return 0;
}

/* The same length and bytes, in a time that does not depend on where they
 * differ. */
static bool secret_ok(const char *got, const char *want)
{
	size_t n = strlen(want), m = got != NULL ? strlen(got) : 0;
	unsigned char diff = (unsigned char)(n != m);

	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)(want[i] ^ (i < m ? got[i] : 0));
	return got != NULL && n > 0 && diff == 0;
}

static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *json)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(strlen(json), (void *)json, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result rc;

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "application/json");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* The subject of Plainly's render id (its renders row), else the
 * passthrough when a renders row has that subject (the POST's answer not
 * recorded yet).  1 found, 0 not ours, -1 database error. */
static int subject_of(struct webhook *w, const char *id, const char *passthrough, char *subject,
		      size_t sn)
{
	const char *p[2] = { id != NULL ? id : "", passthrough != NULL ? passthrough : "" };
	PGresult *r;

	if (db_broken(w->db) && db_reconnect(w->db) != 0)
		return -1;
	r = db_exec(w->db, "webhook render",
		    "SELECT subject FROM renders WHERE plainly_render_id = $1"
		    " UNION ALL SELECT subject FROM renders WHERE subject = $2 LIMIT 1",
		    2, p);
	if (r == NULL)
		return -1;
	if (PQntuples(r) < 1) {
		PQclear(r);
		return 0;
	}
	snprintf(subject, sn, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	return 1;
}

/* A render message for subject, confirmed.  0 or -1. */
static int publish_check(struct webhook *w, const char *subject)
{
	struct work_msg work;
	char err[200];

	if (msg_parse_subject(subject, &work, err, sizeof(err)) != 0 ||
	    follow_publish(w->b, &work, "bf-renders-webhook") != 0 ||
	    broker_flush(w->b, w->cfg->amqp_op_timeout * 1000) != 0) {
		broker_discard_unconfirmed(w->b);
		return -1;
	}
	return 0;
}

/* A whole call: its secret, its body, what it is about. */
static enum MHD_Result handle(struct webhook *w, struct MHD_Connection *c, const char *method,
			      const struct call *call)
{
	const char *secret = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "secret");
	char subject[MSG_KEY_MAX];
	const char *id, *pass;
	cJSON *root;
	int found;

	if (!secret_ok(secret, w->cfg->renders_webhook_secret)) {
		log_warn("webhook refused: %s secret", secret == NULL ? "no" : "a wrong");
		return answer(c, MHD_HTTP_FORBIDDEN, "{\"error\":\"forbidden\"}");
	}
	if (strcmp(method, "POST") != 0)
		return answer(c, MHD_HTTP_METHOD_NOT_ALLOWED, "{\"error\":\"POST only\"}");
	if (call->too_big)
		return answer(c, 413, "{\"error\":\"body too large\"}");
	root = cJSON_ParseWithLength(call->body != NULL ? call->body : "", call->len);
	id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "id"));
	pass = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(root, "passthrough"));
	if (id == NULL && pass == NULL) {
		cJSON_Delete(root);
		log_warn("webhook without a render id or passthrough: ignored");
		return answer(c, MHD_HTTP_BAD_REQUEST, "{\"error\":\"no render id\"}");
	}
	found = subject_of(w, id, pass, subject, sizeof(subject));
	if (found == 0) {
		log_warn("webhook for a render that is not ours: render_id=%.100s passthrough=%.100s:"
			 " ignored",
			 id != NULL ? id : "-", pass != NULL ? pass : "-");
		cJSON_Delete(root);
		return answer(c, MHD_HTTP_ACCEPTED, "{\"ok\":false,\"reason\":\"not ours\"}");
	}
	if (found < 0 || publish_check(w, subject) != 0) {
		log_warn("webhook render_id=%.100s: %s, Plainly will call again",
			 id != NULL ? id : "-",
			 found < 0 ? "database unavailable" : "not published");
		cJSON_Delete(root);
		return answer(c, MHD_HTTP_SERVICE_UNAVAILABLE, "{\"error\":\"try again\"}");
	}
	log_info("webhook render_id=%.100s subject=%s success=%s: state checked at once",
		 id != NULL ? id : "-", subject,
		 cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "success")) ? "true"
										 : "false");
	cJSON_Delete(root);
	return answer(c, MHD_HTTP_OK, "{\"ok\":true}");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	struct webhook *w = cls;
	struct call *call = *state;

	(void)url;
	(void)version;
	if (call == NULL) {
		call = calloc(1, sizeof(*call));
		if (call == NULL)
			return MHD_NO;
		*state = call;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (call->len + *upload_size > WEBHOOK_MAX_BODY) {
			call->too_big = true;
		} else {
			char *nb = realloc(call->body, call->len + *upload_size + 1);
			if (nb == NULL)
				return MHD_NO;
			call->body = nb;
			memcpy(call->body + call->len, upload, *upload_size);
			call->len += *upload_size;
			call->body[call->len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	return handle(w, c, method, call);
}

static void on_done(void *cls, struct MHD_Connection *c, void **state,
		    enum MHD_RequestTerminationCode why)
{
	struct call *call = *state;

	(void)cls;
	(void)c;
	(void)why;
	if (call != NULL) {
		free(call->body);
		free(call);
	}
	*state = NULL;
}

/* The address of renders.webhook_listen (and its secret set): 0, or -1
 * with why in err. */
static int listen_addr(const struct bf_config *cfg, struct sockaddr_in *sa, char *err, size_t n)
{
	char host[256];
	unsigned port;

	if (cfg->renders_webhook_secret[0] == '\0') {
		snprintf(err, n,
			 "renders.webhook_listen is set but renders.webhook_secret is empty: set"
			 " BF_RENDERS_WEBHOOK_SECRET (and ?secret=... in plainly.webhook_url)");
		return -1;
	}
	if (webhook_parse_listen(cfg->renders_webhook_listen, host, sizeof(host), &port) != 0) {
		snprintf(err, n, "renders.webhook_listen %s: not HOST:PORT",
			 cfg->renders_webhook_listen);
		return -1;
	}
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (host[0] == '\0' || strcmp(host, "*") == 0)
		sa->sin_addr.s_addr = htonl(INADDR_ANY);
	else if (inet_pton(AF_INET, strcmp(host, "localhost") == 0 ? "127.0.0.1" : host,
			   &sa->sin_addr) != 1) {
		snprintf(err, n, "renders.webhook_listen %s: not an IPv4 address",
			 cfg->renders_webhook_listen);
		return -1;
	}
	return 0;
}

int webhook_check(const struct bf_config *cfg, char *err, size_t n)
{
	struct sockaddr_in sa;

	if (cfg->renders_webhook_listen[0] == '\0')
		return 0;
	return listen_addr(cfg, &sa, err, n);
}

int webhook_start(struct webhook **out, const struct bf_config *cfg, const char *conn_name)
{
	struct webhook *w;
	struct sockaddr_in sa;
	char err[300];

	*out = NULL;
	if (listen_addr(cfg, &sa, err, sizeof(err)) != 0) {
		log_err("%s", err);
		return -1;
	}
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return -1;
	w->cfg = cfg;
	if (db_connect(&w->db, cfg->database_url, 0, &w->stop) != 0)
		goto fail;
	struct broker_opts bo = broker_opts_from_config(cfg, conn_name, NULL, &w->stop);
	if (broker_open(&w->b, &bo) != 0)
		goto fail;
	/* one thread: the calls are served in turn, each with this connection */
	w->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC, ntohs(sa.sin_port),
				NULL, NULL, on_request, w, MHD_OPTION_SOCK_ADDR,
				(struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL,
				MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT,
				64u, MHD_OPTION_END);
	if (w->d == NULL) {
		log_err("renders.webhook_listen %s: cannot listen", cfg->renders_webhook_listen);
		goto fail;
	}
	log_info("webhook listening on %s", cfg->renders_webhook_listen);
	*out = w;
	return 0;
fail:
	webhook_stop(w);
	return -1;
}

void webhook_stop(struct webhook *w)
{
	if (w == NULL)
		return;
	w->stop = 1;
	if (w->d != NULL)
		MHD_stop_daemon(w->d);
	if (w->b != NULL)
		broker_close(w->b);
	if (w->db != NULL)
		PQfinish(w->db);
	free(w);
}
