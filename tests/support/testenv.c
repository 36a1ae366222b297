#include "testenv.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *env_or(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : def;
}

void tenv_require(void)
{
	if (getenv("BF_AMQP_URL") == NULL || getenv("BF_MGMT_URL") == NULL ||
	    getenv("BF_PG_ADMIN_URL") == NULL) {
		fprintf(stdout,
			"not ok - environment: run through tests/run.sh (needs BF_AMQP_URL, "
			"BF_MGMT_URL, BF_PG_ADMIN_URL from ops/dev/services env)\n");
		exit(1);
	}
}

const char *tenv_root(void)
{
	return env_or("BF_ROOT", ".");
}

long long tenv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void tenv_sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

struct buf {
	char *p;
	size_t len;
};

static size_t on_data(char *d, size_t sz, size_t nm, void *arg)
{
	struct buf *b = arg;
	size_t n = sz * nm;
	char *np = realloc(b->p, b->len + n + 1);

	if (np == NULL)
		return 0;
	b->p = np;
	memcpy(b->p + b->len, d, n);
	b->len += n;
	b->p[b->len] = '\0';
	return n;
}

long tenv_mgmt(const char *method, const char *path, const char *body, char **out)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct buf b = { NULL, 0 };
	char url[1024], up[256];
	long status = 0;

	snprintf(url, sizeof(url), "%s%s", env_or("BF_MGMT_URL", "http://127.0.0.1:35673"), path);
	snprintf(up, sizeof(up), "%s:%s", env_or("BF_MGMT_USER", "bf"),
		 env_or("BF_MGMT_PASSWORD", "bf"));
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_USERPWD, up);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (body != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (out != NULL)
		*out = b.p != NULL ? b.p : calloc(1, 1);
	else
		free(b.p);
	return status;
}

int tenv_vhost_create(const char *name, char *url, size_t n)
{
	char path[512], body[256];
	const char *base = env_or("BF_AMQP_URL", "amqp://bf:bf@127.0.0.1:35672/");
	const char *user = env_or("BF_MGMT_USER", "bf");
	size_t blen;

	tenv_vhost_delete(name);
	snprintf(path, sizeof(path), "/api/vhosts/%s", name);
	if (tenv_mgmt("PUT", path, "{}", NULL) / 100 != 2)
		return -1;
	snprintf(path, sizeof(path), "/api/permissions/%s/%s", name, user);
	snprintf(body, sizeof(body), "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
	if (tenv_mgmt("PUT", path, body, NULL) / 100 != 2)
		return -1;
	/* base ends with "/" (vhost "/"): replace the path by the vhost name */
	const char *slash = strrchr(base, '/');
	blen = slash != NULL ? (size_t)(slash - base) : strlen(base);
	snprintf(url, n, "%.*s/%s", (int)blen, base, name);
	return 0;
}

void tenv_vhost_delete(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "/api/vhosts/%s", name);
	tenv_mgmt("DELETE", path, NULL, NULL);
}

static int admin_exec(const char *sql)
{
	PGconn *c = PQconnectdb(env_or("BF_PG_ADMIN_URL", ""));
	int rc = -1;

	if (PQstatus(c) == CONNECTION_OK) {
		PGresult *r = PQexec(c, sql);
		rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
		if (rc != 0)
			fprintf(stdout, "#   admin sql failed: %s", PQresultErrorMessage(r));
		PQclear(r);
	}
	PQfinish(c);
	return rc;
}

int tenv_db_create(const char *name, char *url, size_t n)
{
	char sql[512];
	const char *admin = env_or("BF_PG_ADMIN_URL", "");
	const char *slash = strrchr(admin, '/');

	/* test-only DDL: identifiers cannot be parameters; names are ours */
	tenv_db_drop(name);
	snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\"", name);
	if (admin_exec(sql) != 0)
		return -1;
	snprintf(url, n, "%.*s/%s", (int)(slash != NULL ? slash - admin : 0), admin, name);
	return 0;
}

void tenv_db_drop(const char *name)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", name);
	admin_exec(sql);
}

void tenv_config(struct bf_config *c, const char *amqp_url, const char *db_url)
{
	char err[512];
	const char *path = "tests/data/fixtures/test.conf";

	if (access(path, R_OK) != 0)
		path = "/dev/null";
	if (cfg_load(c, path, err, sizeof(err)) != 0) {
		fprintf(stdout, "#   test config: %s\n", err);
		exit(1);
	}
	if (amqp_url != NULL) {
		free(c->amqp_url);
		c->amqp_url = strdup(amqp_url);
	}
	if (db_url != NULL) {
		free(c->database_url);
		c->database_url = strdup(db_url);
	}
	c->lineups_ntiers = 2;
	c->lineups_tiers[0] = 1;
	c->lineups_tiers[1] = 2;
	c->results_ntiers = 2;
	c->results_tiers[0] = 1;
	c->results_tiers[1] = 2;
	c->renders_ntiers = 3; /* as tenv_write_conf writes them */
	c->renders_tiers[0] = 1;
	c->renders_tiers[1] = 2;
	c->renders_tiers[2] = 3;
}

pid_t tenv_spawn(char *const argv[], const char *logfile)
{
	pid_t pid = fork();

	if (pid == 0) {
		if (logfile != NULL) {
			int fd = open(logfile, O_WRONLY | O_CREAT | O_APPEND, 0644);
			if (fd >= 0) {
				dup2(fd, 1);
				dup2(fd, 2);
				close(fd);
			}
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	return pid;
}

int tenv_wait(pid_t pid, int timeout_ms)
{
	long long end = tenv_now_ms() + timeout_ms;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (r < 0 || tenv_now_ms() >= end)
			return -1;
		tenv_sleep_ms(20);
	}
}

int tenv_sh(const char *cmd)
{
	int st = system(cmd);

	if (st == -1)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int tenv_fake_start(struct tenv_fake *f, const char *kind, const char *logname,
		    const char *const *args)
{
	char bin[512], portfile[512], logfile[512];
	const char *argv[40];
	int n = 0;
	long long end;

	memset(f, 0, sizeof(*f));
	f->pid = -1;
	snprintf(bin, sizeof(bin), "%s/build/fakes/fake-%s", tenv_root(), kind);
	snprintf(portfile, sizeof(portfile), "%s/var/test/%s.%ld.port", tenv_root(), logname,
		 (long)getpid());
	snprintf(f->portfile, sizeof(f->portfile), "%s", portfile);
	snprintf(logfile, sizeof(logfile), "%s/var/log/%s.log", tenv_root(), logname);
	unlink(portfile);
	argv[n++] = bin;
	argv[n++] = "--port";
	argv[n++] = "0";
	argv[n++] = "--port-file";
	argv[n++] = portfile;
	for (int i = 0; args != NULL && args[i] != NULL && n < 38; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	f->pid = tenv_spawn((char *const *)argv, logfile);
	if (f->pid < 0)
		return -1;
	end = tenv_now_ms() + 10000;
	while (tenv_now_ms() < end) {
		FILE *pf = fopen(portfile, "r");
		if (pf != NULL) {
			int ok = fscanf(pf, "%d", &f->port);
			fclose(pf);
			if (ok == 1 && f->port > 0) {
				snprintf(f->url, sizeof(f->url), "http://127.0.0.1:%d", f->port);
				return 0;
			}
		}
		if (tenv_wait(f->pid, 0) >= 0) {
			f->pid = -1;
			return -1; /* exited */
		}
		tenv_sleep_ms(20);
	}
	return -1;
}

void tenv_fake_stop(struct tenv_fake *f)
{
	if (f->pid > 0) {
		kill(f->pid, SIGTERM);
		if (tenv_wait(f->pid, 5000) < 0) {
			kill(f->pid, SIGKILL);
			tenv_wait(f->pid, 5000);
		}
	}
	f->pid = -1;
	if (f->portfile[0] != '\0')
		unlink(f->portfile);
	f->portfile[0] = '\0';
}

/* true when extra defines group name itself ("name = {" at a line start) */
static bool extra_has(const char *extra, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = extra; p != NULL && *p != '\0'; p = strchr(p, '\n')) {
		while (*p == '\n' || *p == ' ')
			p++;
		if (strncmp(p, name, n) == 0 && (p[n] == ' ' || p[n] == '='))
			return true;
	}
	return false;
}

int tenv_write_conf(const char *path, const char *amqp_url, const char *db_url,
		    const char *sofa_url, const char *plainly_url, const char *extra)
{
	FILE *f = fopen(path, "w");
	/* dry runs beside the file: tests that run side by side write apart */
	const char *slash = strrchr(path, '/');
	int dirlen = slash != NULL ? (int)(slash - path) : 1;
	const char *dir = slash != NULL ? path : ".";

	if (f == NULL)
		return -1;
	/* it holds the broker password: programs refuse a file others can read */
	if (chmod(path, 0600) != 0) {
		fclose(f);
		return -1;
	}
	if (extra == NULL)
		extra = "";
	fprintf(f, "# generated by tests/support/testenv.c\n");
	if (!extra_has(extra, "amqp"))
		fprintf(f, "amqp = { url = \"%s\"; heartbeat = \"30s\"; op_timeout = \"20s\"; };\n",
			amqp_url);
	if (!extra_has(extra, "database"))
		fprintf(f, "database = { url = \"%s\"; };\n", db_url);
	if (!extra_has(extra, "sofascore"))
		fprintf(f,
			"sofascore = { base_url = \"%s\"; timeout = \"5s\";"
			" max_requests_per_second = 200.0; challenge_pause = \"15m\"; };\n",
			sofa_url ? sofa_url : "http://127.0.0.1:9");
	if (!extra_has(extra, "plainly"))
		fprintf(f,
			"plainly = { base_url = \"%s\"; timeout = \"5s\";"
			" dry_run_dir = \"%s%s%.*s/renders\";"
			" templates = { line-up = { project_id = \"proj-lineup\"; template_id = \"tpl-lineup\"; };"
			" result = { project_id = \"proj-result\"; template_id = \"tpl-result\"; };"
			" tournament-stats = { project_id = \"proj-tstats\"; template_id = \"tpl-tstats\"; }; }; };\n",
			plainly_url ? plainly_url : "http://127.0.0.1:9",
			dir[0] == '/' ? "" : tenv_root(), dir[0] == '/' ? "" : "/", dirlen, dir);
	if (!extra_has(extra, "lineups"))
		fprintf(f, "lineups = { wait_tiers = [\"1s\", \"2s\"]; near_kickoff = \"15m\";"
			   " give_up_after = \"10m\"; max_attempts = 30; prefetch = 20; };\n");
	if (!extra_has(extra, "results"))
		fprintf(f,
			"results = { wait_tiers = [\"1s\", \"2s\"]; max_attempts = 10; prefetch = 10; };\n");
	if (!extra_has(extra, "renders"))
		fprintf(f, "renders = { wait_tiers = [\"1s\", \"2s\", \"3s\"]; max_attempts = 30;"
			   " prefetch = 10; };\n");
	fprintf(f, "%s\n", extra);
	return fclose(f) == 0 ? 0 : -1;
}

int tenv_world(const char *name, char *amqp_url, size_t an, char *db_url, size_t dn)
{
	char cmd[2048];

	if (tenv_vhost_create(name, amqp_url, an) != 0 || tenv_db_create(name, db_url, dn) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "BF_DATABASE_URL='%s' %s/bin/bfctl -c /dev/null migrate >> %s/var/log/%s.log 2>&1",
		 db_url, tenv_root(), tenv_root(), name);
	return tenv_sh(cmd) == 0 ? 0 : -1;
}

/* ---- files -------------------------------------------------------------- */

int tenv_mkdirs(const char *path)
{
	char tmp[600];

	snprintf(tmp, sizeof(tmp), "%s", path);
	for (char *p = tmp + 1; *p != '\0'; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	}
	return mkdir(tmp, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

char *tenv_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long size;
	size_t n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)(size < 0 ? 0 : size) + 1);
	if (buf == NULL) {
		fclose(f);
		return NULL;
	}
	n = fread(buf, 1, (size_t)(size < 0 ? 0 : size), f);
	buf[n] = '\0';
	fclose(f);
	if (len != NULL)
		*len = n;
	return buf;
}

int tenv_count_lines(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	char line[8192];
	int n = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, needle) != NULL)
			n++;
	fclose(f);
	return n;
}

bool tenv_wait_lines(const char *path, const char *needle, int count, int timeout_ms)
{
	long long end = tenv_now_ms() + timeout_ms;

	for (;;) {
		if (tenv_count_lines(path, needle) >= count)
			return true;
		if (tenv_now_ms() >= end)
			return false;
		tenv_sleep_ms(10);
	}
}

/* ---- HTTP --------------------------------------------------------------- */

char *tenv_http_get(const char *url, const char *userpwd, long *status)
{
	CURL *c = curl_easy_init();
	struct buf b = { NULL, 0 };
	long st = 0;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (userpwd != NULL) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERPWD, userpwd);
	}
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
	curl_easy_cleanup(c);
	if (status != NULL)
		*status = st;
	return b.p;
}

cJSON *tenv_http_get_json(const char *url, const char *userpwd, long *status)
{
	char *body = tenv_http_get(url, userpwd, status);
	cJSON *j = body != NULL ? cJSON_Parse(body) : NULL;

	free(body);
	return j;
}

int tenv_listen_loopback(int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 16) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

int tenv_free_port(void)
{
	int port = 0, fd = tenv_listen_loopback(&port);

	if (fd < 0)
		return 0;
	close(fd);
	return port;
}
