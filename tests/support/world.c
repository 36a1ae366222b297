#include "world.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/signals.h"
#include "tests/support/query.h"
#include "tests/support/t.h"

extern char **environ;

static struct world *current; /* the world of the running case, for the exit cleanup */
static bool atexit_done;

static void close_current(void)
{
	if (current != NULL)
		world_close(current);
}

void world_init(struct world *w)
{
	memset(w, 0, sizeof(*w));
	w->sofa.pid = w->plainly.pid = -1;
	for (int i = 0; i < WORLD_MAX_PROCS; i++)
		w->procs[i] = -1;
	current = w;
	if (!atexit_done)
		atexit_done = atexit(close_current) == 0;
}

int world_open(struct world *w, const char *tag, const struct world_opts *o)
{
	char logdir[600];

	world_init(w);
	snprintf(w->name, sizeof(w->name), "%s-%s-%ld", o->prefix, tag, (long)getpid());
	snprintf(w->dir, sizeof(w->dir), "%s/var/test/%s", tenv_root(), w->name);
	snprintf(w->conf, sizeof(w->conf), "%s/bf.conf", w->dir);
	snprintf(w->record, sizeof(w->record), "%s/plainly.record", w->dir);
	snprintf(w->sofa_log, sizeof(w->sofa_log), "%s/sofascore.log", w->dir);
	snprintf(logdir, sizeof(logdir), "%s/var/log", tenv_root());
	if (tenv_mkdirs(logdir) != 0 || tenv_mkdirs(w->dir) != 0) {
		printf("#   cannot create %s\n", w->dir);
		return -1;
	}
	unlink(w->record);
	unlink(w->sofa_log);
	if (tenv_world(w->name, w->amqp, sizeof(w->amqp), w->db, sizeof(w->db)) != 0) {
		printf("#   tenv_world(%s) failed (log: var/log/%s.log)\n", w->name, w->name);
		return -1;
	}
	if (o->scenario == NULL)
		return 0;
	if (world_fakes(w, o) != 0 || world_conf(w, o->extra_conf) != 0)
		return -1;
	if (o->broker != NULL && world_broker(w, o->broker) != 0)
		return -1;
	return 0;
}

int world_fakes(struct world *w, const struct world_opts *o)
{
	char slog[128], plog[128], shift[32];
	const char *sargs[32], *pargs[32];
	const char *kind;
	int n = 0;

	w->af = o->provider != NULL && strcmp(o->provider, "api-football") == 0;
	kind = w->af ? "apifootball" : "sofascore";
	snprintf(slog, sizeof(slog), "%s-%s", w->name, kind);
	if (w->af) {
		sargs[n++] = "--api-key";
		sargs[n++] = WORLD_AF_KEY;
		for (size_t i = 0; o->af_args != NULL && o->af_args[i] != NULL && n < 24; i++)
			sargs[n++] = o->af_args[i];
	}
	sargs[n++] = "--scenario";
	sargs[n++] = o->scenario;
	sargs[n++] = "--log";
	sargs[n++] = w->sofa_log;
	if (o->shift) {
		w->shift = (long long)time(NULL);
		snprintf(shift, sizeof(shift), "%lld", w->shift);
		sargs[n++] = "--shift-to";
		sargs[n++] = shift;
	}
	sargs[n] = NULL;
	if (tenv_fake_start(&w->sofa, kind, slog, sargs) != 0) {
		printf("#   fake-%s did not start on %s (var/log/%s.log)\n", kind, o->scenario,
		       slog);
		return -1;
	}
	if (!o->plainly)
		return 0;
	snprintf(plog, sizeof(plog), "%s-plainly", w->name);
	n = 0;
	pargs[n++] = "--record";
	pargs[n++] = w->record;
	if (o->plainly_key != NULL) {
		pargs[n++] = "--api-key";
		pargs[n++] = o->plainly_key;
	}
	if (o->plainly_script != NULL) {
		pargs[n++] = "--script";
		pargs[n++] = o->plainly_script;
	}
	for (size_t i = 0; o->plainly_args != NULL && o->plainly_args[i] != NULL && n < 31; i++)
		pargs[n++] = o->plainly_args[i];
	pargs[n] = NULL;
	if (tenv_fake_start(&w->plainly, "plainly", plog, pargs) != 0) {
		printf("#   fake-plainly did not start (var/log/%s.log)\n", plog);
		return -1;
	}
	return 0;
}

int world_conf(struct world *w, const char *extra)
{
	char text[4096] = "";
	const char *at = extra != NULL ? strstr(extra, "{sofa}") : NULL;
	size_t used;

	if (at != NULL)
		snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - extra), extra, w->sofa.url,
			 at + 6);
	else if (extra != NULL)
		snprintf(text, sizeof(text), "%s", extra);
	used = strlen(text);
	if (w->af && strstr(text, "source") == NULL)
		used += (size_t)snprintf(text + used, sizeof(text) - used,
					 "\nsource = { provider = \"api-football\"; };\n");
	if (w->af && strstr(text, "apifootball") == NULL && used < sizeof(text))
		snprintf(text + used, sizeof(text) - used,
			 "apifootball = { base_url = \"%s\"; api_key = \"%s\"; timeout = \"5s\";"
			 " max_requests_per_second = 200.0; refusal_pause = \"15m\";"
			 " requests_per_day = 0; requests_per_minute = 0; };\n",
			 w->sofa.url, WORLD_AF_KEY);
	snprintf(w->conf, sizeof(w->conf), "%s/bf.conf", w->dir);
	return tenv_write_conf(w->conf, w->amqp, w->db, w->sofa.url[0] ? w->sofa.url : NULL,
			       w->plainly.url[0] ? w->plainly.url : NULL, text);
}

int world_broker(struct world *w, const char *conn_name)
{
	char err[512];

	if (w->cfg_loaded)
		cfg_free(&w->cfg);
	w->cfg_loaded = false;
	if (cfg_load(&w->cfg, w->conf, err, sizeof(err)) != 0) {
		printf("#   cfg_load(%s): %s\n", w->conf, err);
		cfg_free(&w->cfg);
		return -1;
	}
	w->cfg_loaded = true;
	/* the BF_* variables of the test environment override the file */
	free(w->cfg.amqp_url);
	w->cfg.amqp_url = strdup(w->amqp);
	free(w->cfg.database_url);
	w->cfg.database_url = strdup(w->db);
	if (topo_build(&w->topo, &w->cfg) != 0)
		return -1;
	struct broker_opts o = {
		.urls = w->amqp,
		.conn_name = conn_name,
		.heartbeat = 30,
		.op_timeout = 20,
		.confirm_window = 1000,
		.topo = &w->topo,
		.stop = &signals_stop,
		.max_connect_tries = 3,
	};
	if (broker_open(&w->b, &o) != 0) {
		printf("#   broker_open(%s) failed\n", w->amqp);
		return -1;
	}
	return 0;
}

void world_close(struct world *w)
{
	for (int i = 0; i < WORLD_MAX_PROCS; i++) {
		if (w->procs[i] > 0 && tenv_wait(w->procs[i], 0) < 0) {
			kill(w->procs[i], SIGKILL);
			tenv_wait(w->procs[i], 5000);
		}
		w->procs[i] = -1;
	}
	if (w->b != NULL)
		broker_close(w->b);
	w->b = NULL;
	tenv_fake_stop(&w->sofa);
	tenv_fake_stop(&w->plainly);
	if (w->cfg_loaded)
		cfg_free(&w->cfg);
	w->cfg_loaded = false;
	if (w->name[0] != '\0') {
		tenv_vhost_delete(w->name);
		tenv_db_drop(w->name);
	}
	/* the files stay for a look when the case failed */
	if (!t_case_failed && w->dir[0] != '\0') {
		static const char *const files[] = { "bf.conf", "plainly.record", "sofascore.log" };
		char path[700];
		for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", w->dir, files[i]);
			unlink(path);
		}
		rmdir(w->dir);
	}
	w->name[0] = '\0';
	w->dir[0] = '\0';
	if (current == w)
		current = NULL;
}

/* ---- child processes ------------------------------------------------------ */

void world_track(struct world *w, pid_t pid)
{
	for (int i = 0; w != NULL && pid > 0 && i < WORLD_MAX_PROCS; i++)
		if (w->procs[i] <= 0) {
			w->procs[i] = pid;
			return;
		}
}

void world_untrack(struct world *w, pid_t pid)
{
	for (int i = 0; w != NULL && i < WORLD_MAX_PROCS; i++)
		if (w->procs[i] == pid)
			w->procs[i] = -1;
}

void world_log(const struct world *w, const char *tag, char *buf, size_t n)
{
	snprintf(buf, n, "%s/var/log/%s-%s.log", tenv_root(), w->name, tag);
}

/* What a child must not inherit: it would override the configuration file
 * (BF_AMQP_URL would point it at the shared vhost) or switch on a test hook. */
static bool inherited(const char *e)
{
	return strncmp(e, "BF_AMQP_URL=", 12) != 0 && strncmp(e, "BF_DATABASE_URL=", 16) != 0 &&
	       strncmp(e, "BF_SOFASCORE_URL=", 17) != 0 && strncmp(e, "BF_PLAINLY_", 11) != 0 &&
	       strncmp(e, "BF_APIFOOTBALL_", 15) != 0 && strncmp(e, "BF_TEST_", 8) != 0;
}

pid_t world_spawn(struct world *w, char *const argv[], bool urls, const char *const *set,
		  const char *log, const char *out)
{
	char amqp[600], db[600];
	size_t n = 3, k = 0;
	char **env;
	pid_t pid;
	bool plainly = false;

	for (size_t i = 0; environ[i] != NULL; i++)
		n++;
	for (size_t i = 0; set != NULL && set[i] != NULL; i++)
		n++;
	env = calloc(n + 1, sizeof(*env));
	if (env == NULL)
		return -1;
	for (size_t i = 0; environ[i] != NULL; i++)
		if (inherited(environ[i]))
			env[k++] = environ[i];
	if (urls && w != NULL) {
		snprintf(amqp, sizeof(amqp), "BF_AMQP_URL=%s", w->amqp);
		snprintf(db, sizeof(db), "BF_DATABASE_URL=%s", w->db);
		env[k++] = amqp;
		env[k++] = db;
	}
	for (size_t i = 0; set != NULL && set[i] != NULL; i++) {
		env[k++] = (char *)set[i];
		plainly = plainly || strncmp(set[i], "BF_PLAINLY_API_KEY=", 19) == 0 ||
			  strncmp(set[i], "BF_PLAINLY_DRY_RUN=", 19) == 0;
	}
	/* no key given: the program runs dry, as these tests always had it
	 * (plainly.dry_run must be said) */
	if (!plainly)
		env[k++] = "BF_PLAINLY_DRY_RUN=true";
	env[k] = NULL;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int fe = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		int fo = out != NULL ? open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644) : fe;
		if (fo >= 0)
			dup2(fo, 1);
		if (fe >= 0)
			dup2(fe, 2);
		execve(argv[0], argv, env);
		_exit(127);
	}
	free(env);
	if (pid > 0)
		world_track(w, pid);
	return pid;
}

pid_t world_start(struct world *w, const char *prog, const char *tag, bool urls,
		  const char *const *set, const char *const *args)
{
	char bin[512], log[600];
	const char *argv[24];
	int n = 0;

	/* BF_TEST_BIN=build/asan/bin: the programs of another build (sanitizers) */
	const char *dir = getenv("BF_TEST_BIN");
	if (dir != NULL && dir[0] != '\0')
		snprintf(bin, sizeof(bin), "%s%s%s/%s", dir[0] == '/' ? "" : tenv_root(),
			 dir[0] == '/' ? "" : "/", dir, prog);
	else
		snprintf(bin, sizeof(bin), "%s/bin/%s", tenv_root(), prog);
	world_log(w, tag, log, sizeof(log));
	unlink(log);
	argv[n++] = bin;
	argv[n++] = "-c";
	argv[n++] = w->conf;
	for (size_t i = 0; args != NULL && args[i] != NULL && n < 23; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	return world_spawn(w, (char *const *)argv, urls, set, log, NULL);
}

int world_wait(struct world *w, pid_t pid, int timeout_ms)
{
	int st = tenv_wait(pid, timeout_ms);

	if (st >= 0)
		world_untrack(w, pid);
	return st;
}

int world_reap(struct world *w, pid_t pid, int timeout_ms, const char *what)
{
	int st = tenv_wait(pid, timeout_ms);

	if (st < 0) {
		if (what != NULL)
			printf("#   %s still running after %d ms: killed\n", what, timeout_ms);
		else
			printf("#   pid %ld still running after %d ms: killed\n", (long)pid,
			       timeout_ms);
		kill(pid, SIGKILL);
		tenv_wait(pid, 5000);
	}
	world_untrack(w, pid);
	return st;
}

/* ---- RabbitMQ ------------------------------------------------------------------ */

int world_publish(struct world *w, const struct work_msg *m, const char *app_id)
{
	char body[256], key[MSG_KEY_MAX];
	int len = msg_encode(m, body, sizeof(body));
	struct broker_msg bm = {
		.exchange = TOPO_WORK_EXCHANGE,
		.routing_key = msg_type_name(m->type),
		.body = body,
		.message_id = key,
		.type = msg_type_name(m->type),
		.app_id = app_id,
	};

	if (len < 0 || msg_key(m, key, sizeof(key)) < 0)
		return -1;
	bm.len = (size_t)len;
	return broker_publish(w->b, &bm);
}

int world_publish_raw(struct world *w, const char *routing_key, const char *type, const char *body,
		      const char *app_id)
{
	struct broker_msg bm = {
		.exchange = TOPO_WORK_EXCHANGE,
		.routing_key = routing_key,
		.body = body,
		.len = strlen(body),
		.type = type,
		.app_id = app_id,
	};

	return broker_publish(w->b, &bm);
}

long world_depth(struct world *w, const char *queue, long want, int timeout_ms)
{
	long long end = tenv_now_ms() + timeout_ms;
	long d;

	for (;;) {
		d = broker_queue_depth(w->b, queue);
		if (d == want || tenv_now_ms() >= end)
			return d;
		tenv_sleep_ms(50);
	}
}

long world_wait_count(const struct world *w, const char *q, long want, int timeout_ms)
{
	long long end = tenv_now_ms() + timeout_ms;
	long n;

	for (;;) {
		n = sql_long(w->db, q, NULL);
		if (n == want || tenv_now_ms() >= end)
			return n;
		tenv_sleep_ms(100);
	}
}

void world_check_queues_empty(struct world *w, const char *kind)
{
	static const char *const suffix[] = { "", ".wait.1s", ".wait.2s", ".dead" };
	char queue[128];

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(queue, sizeof(queue), "bf.%s%s", kind, suffix[i]);
		long d = world_depth(w, queue, 0, 3000);
		if (d != 0)
			t_fail(__FILE__, __LINE__, "queue %s holds %ld messages, want 0", queue, d);
	}
}

/* ---- PostgreSQL ------------------------------------------------------------------ */

void world_job_state(const struct world *w, const char *kind, const char *subject, char *buf,
		     size_t n)
{
	const char *p[2] = { kind, subject };
	PGresult *r =
		sql_query(w->db, "SELECT state FROM jobs WHERE kind = $1 AND subject = $2", 2, p);

	buf[0] = '\0';
	if (r != NULL && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
		snprintf(buf, n, "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
}

/* ---- the fake Plainly ---------------------------------------------------------------- */

cJSON *rec_read(const struct world *w)
{
	char *text = tenv_slurp(w->record, NULL);
	cJSON *arr = cJSON_CreateArray();

	if (text == NULL)
		return arr;
	for (char *line = text, *next; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		if (*line == '\0')
			continue;
		cJSON *j = cJSON_Parse(line);
		if (j != NULL)
			cJSON_AddItemToArray(arr, j);
		else
			printf("#   record: unreadable line %.80s\n", line);
	}
	free(text);
	return arr;
}

bool rec_is(const cJSON *r, const char *method, const char *path)
{
	return strcmp(jstr(r, "method"), method) == 0 && strcmp(jstr(r, "path"), path) == 0;
}

int rec_count(const cJSON *rec, const char *method, const char *path)
{
	const cJSON *r;
	int n = 0;

	cJSON_ArrayForEach (r, rec)
		if (rec_is(r, method, path))
			n++;
	return n;
}

const cJSON *rec_nth(const cJSON *rec, const char *method, const char *path, int n)
{
	const cJSON *r;

	cJSON_ArrayForEach (r, rec)
		if (rec_is(r, method, path) && n-- == 0)
			return r;
	return NULL;
}

const char *rec_subject(const cJSON *r)
{
	return jstr(jget(jget(r, "body"), "attributes"), "bfSubject");
}

int rec_posts(const cJSON *rec, const char *subject, const char *prefix)
{
	const cJSON *r;
	int n = 0;

	cJSON_ArrayForEach (r, rec) {
		if (!rec_is(r, "POST", "/renders"))
			continue;
		if (subject != NULL ? strcmp(rec_subject(r), subject) == 0
				    : prefix == NULL ||
					      strncmp(rec_subject(r), prefix, strlen(prefix)) == 0)
			n++;
	}
	return n;
}

const cJSON *rec_post(const cJSON *rec, const char *subject)
{
	const cJSON *r;

	cJSON_ArrayForEach (r, rec)
		if (rec_is(r, "POST", "/renders") && strcmp(rec_subject(r), subject) == 0)
			return r;
	return NULL;
}

const cJSON *rec_post_doc(const cJSON *rec, const char *subject)
{
	return jget(jget(rec_post(rec, subject), "body"), "parameters");
}

cJSON *world_plainly_stats(const struct world *w)
{
	char url[256];

	snprintf(url, sizeof(url), "%s/_fake/stats", w->plainly.url);
	return tenv_http_get_json(url, NULL, NULL);
}

int world_plainly_stat(const struct world *w, const char *key)
{
	cJSON *s = world_plainly_stats(w);
	const cJSON *x = jget(s, key);
	int v = cJSON_IsNumber(x) ? x->valueint : -1;

	cJSON_Delete(s);
	return v;
}

/* ---- the fake Sofascore's request log ------------------------------------------------ */

static size_t discard_body(void *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

void world_child_config(const struct world *w, int k, struct bf_config *cfg)
{
	char log[512];

	snprintf(log, sizeof(log), "%s/var/log/%s-child%d.log", tenv_root(), w->name, k);
	if (freopen(log, "w", stderr) == NULL)
		_exit(100);
	tenv_config(cfg, NULL, w->db);
	if (w->af) {
		free(cfg->source_provider);
		cfg->source_provider = strdup("api-football");
		free(cfg->af_base_url);
		cfg->af_base_url = strdup(w->sofa.url);
		free(cfg->af_api_key);
		cfg->af_api_key = strdup(WORLD_AF_KEY);
		cfg->af_timeout = 5;
	} else {
		free(cfg->sofa_base_url);
		cfg->sofa_base_url = strdup(w->sofa.url);
		cfg->sofa_timeout = 5;
	}
}

long world_http_post(const char *url, const char *body)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	long status = 0;

	if (c != NULL && h != NULL) {
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_body);
		if (curl_easy_perform(c) == CURLE_OK)
			curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	}
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return status;
}

long world_fake_post(const struct world *w, const char *path, const char *body)
{
	char url[256];

	snprintf(url, sizeof(url), "%s%s", w->sofa.url, path);
	return world_http_post(url, body);
}

/* "<ms> <method> <path> <status>" (fake-sofascore), or "<ms> <method>
 * <route key> <status> key=..." (fake-apifootball, whose keys hold
 * spaces: "round=Regular Season - 12").  0, or -1. */
static int parse_req(char *line, struct sofa_req *r, char *method, size_t mlen)
{
	char *end = line + strcspn(line, "\r\n"), *sp;
	int at = 0;

	*end = '\0';
	if (sscanf(line, "%lld %15s %n", &r->ms, method, &at) != 2 || at == 0 || mlen < 16)
		return -1;
	sp = strrchr(line, ' ');
	if (sp != NULL && strncmp(sp + 1, "key=", 4) == 0) {
		*sp = '\0';
		sp = strrchr(line, ' ');
	}
	if (sp == NULL || sp < line + at || sscanf(sp + 1, "%d", &r->status) != 1)
		return -1;
	snprintf(r->path, sizeof(r->path), "%.*s", (int)(sp - (line + at)), line + at);
	return 0;
}

size_t world_sofa_requests(const struct world *w, struct sofa_req **out)
{
	FILE *f = fopen(w->sofa_log, "r");
	char line[512], method[16];
	size_t n = 0, cap = 64;
	struct sofa_req *r = calloc(cap, sizeof(*r));

	*out = r;
	if (f == NULL || r == NULL) {
		if (f != NULL)
			fclose(f);
		return 0;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		if (n == cap) {
			struct sofa_req *nr = realloc(r, cap * 2 * sizeof(*r));
			if (nr == NULL)
				break;
			r = nr;
			cap *= 2;
		}
		if (parse_req(line, &r[n], method, sizeof(method)) == 0)
			n++;
	}
	fclose(f);
	*out = r;
	return n;
}

size_t world_sofa_count(const struct world *w)
{
	struct sofa_req *r;
	size_t n = world_sofa_requests(w, &r);

	free(r);
	return n;
}

int world_sofa_matching(const struct world *w, size_t from, const char *path, int status)
{
	struct sofa_req *r;
	size_t n = world_sofa_requests(w, &r);
	int k = 0;

	for (size_t i = from; i < n; i++)
		if ((path == NULL || strcmp(r[i].path, path) == 0) &&
		    (status < 0 || r[i].status == status))
			k++;
	free(r);
	return k;
}

void world_case(const char *tag, const struct world_opts *o, int (*prepare)(const struct world *),
		void (*body)(struct world *))
{
	struct world w;

	if (world_open(&w, tag, o) == 0 && (prepare == NULL || prepare(&w) == 0))
		body(&w);
	else
		t_fail(__FILE__, __LINE__, "world setup failed (%s)", tag);
	world_close(&w);
}
