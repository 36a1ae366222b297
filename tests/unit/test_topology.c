/*
 * test_topology: the queue table of DESIGN section 4 and the committed
 * RabbitMQ definitions.  No broker.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/config.h"
#include "protocol/message.h"
#include "protocol/topology.h"
#ifdef AMQP_H
#error "protocol/topology.h is plain data: it must not pull in <amqp.h>"
#endif
#include "tests/support/t.h"
#include "tests/support/testenv.h"

#define EXAMPLE "ops/bf.conf.example"
#define DEFINITIONS "ops/rabbitmq/definitions.json"
#define REGENERATE "make && bin/bfctl -c ops/bf.conf.example topology definitions > " DEFINITIONS

static void clear_env(void)
{
	for (size_t i = 0; i < cfg_nkeys; i++)
		if (cfg_keys[i].env != NULL)
			unsetenv(cfg_keys[i].env);
}

static int load_example(struct bf_config *c)
{
	char err[512];

	clear_env();
	if (cfg_load(c, EXAMPLE, err, sizeof(err)) != 0) {
		t_fail(__FILE__, __LINE__, "cfg_load(%s): %s", EXAMPLE, err);
		return -1;
	}
	return 0;
}

static int load_text(const char *text, struct bf_config *c)
{
	char path[] = "/tmp/test_topology.XXXXXX";
	char err[512];
	int fd = mkstemp(path);
	int rc;

	clear_env();
	memset(c, 0, sizeof(*c));
	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	rc = cfg_load(c, path, err, sizeof(err));
	unlink(path);
	if (rc != 0)
		t_fail(__FILE__, __LINE__, "cfg_load: %s", err);
	return rc;
}

static const struct topo_queue *find(const struct topology *t, const char *name)
{
	for (size_t i = 0; i < t->nqueues; i++)
		if (strcmp(t->queues[i].name, name) == 0)
			return &t->queues[i];
	return NULL;
}

static const struct topo_arg *arg(const struct topo_arg *a, size_t n, const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(a[i].key, key) == 0)
			return &a[i];
	return NULL;
}

/* Checks that key is a string argument with value v. */
static void check_s(const char *q, const struct topo_arg *a, size_t n, const char *key,
		    const char *v)
{
	const struct topo_arg *x = arg(a, n, key);

	if (x == NULL)
		t_fail(__FILE__, __LINE__, "%s: no argument %s", q, key);
	else if (x->is_int || strcmp(x->s, v) != 0)
		t_fail(__FILE__, __LINE__, "%s: %s = \"%s\", want \"%s\"", q, key,
		       x->is_int ? "(int)" : x->s, v);
}

static void check_i(const char *q, const struct topo_arg *a, size_t n, const char *key, int64_t v)
{
	const struct topo_arg *x = arg(a, n, key);

	if (x == NULL)
		t_fail(__FILE__, __LINE__, "%s: no argument %s", q, key);
	else if (!x->is_int || x->i != v)
		t_fail(__FILE__, __LINE__, "%s: %s = %lld, want %lld", q, key, (long long)x->i,
		       (long long)v);
}

static void queues_of_design_section_4(void)
{
	static const struct {
		const char *name;
		enum topo_kind kind;
		enum msg_type type;
		int ttl;
	} want[] = {
		{ "bf.line-up", TOPO_WORK, MSG_LINEUP, 0 },
		{ "bf.result", TOPO_WORK, MSG_RESULT, 0 },
		{ "bf.tournament-stats", TOPO_WORK, MSG_TSTATS, 0 },
		{ "bf.render", TOPO_WORK, MSG_RENDER, 0 },
		{ "bf.line-up.wait.5m", TOPO_WAIT, MSG_LINEUP, 300 },
		{ "bf.line-up.wait.15m", TOPO_WAIT, MSG_LINEUP, 900 },
		{ "bf.result.wait.1m", TOPO_WAIT, MSG_RESULT, 60 },
		{ "bf.result.wait.10m", TOPO_WAIT, MSG_RESULT, 600 },
		{ "bf.line-up.dead", TOPO_DEAD, MSG_LINEUP, 0 },
		{ "bf.result.dead", TOPO_DEAD, MSG_RESULT, 0 },
		{ "bf.tournament-stats.dead", TOPO_DEAD, MSG_TSTATS, 0 },
		{ "bf.render.wait.30s", TOPO_WAIT, MSG_RENDER, 30 },
		{ "bf.render.wait.2m", TOPO_WAIT, MSG_RENDER, 120 },
		{ "bf.render.wait.10m", TOPO_WAIT, MSG_RENDER, 600 },
		{ "bf.render.dead", TOPO_DEAD, MSG_RENDER, 0 },
	};
	const size_t nwant = sizeof(want) / sizeof(want[0]);
	struct bf_config c;
	struct topology t;

	REQUIRE(load_example(&c) == 0);
	REQUIRE(topo_build(&t, &c) == 0);
	CHECK_INT(t.nqueues, nwant);
	for (size_t i = 0; i < nwant; i++) {
		const struct topo_queue *q = find(&t, want[i].name);
		if (q == NULL) {
			t_fail(__FILE__, __LINE__, "no queue %s", want[i].name);
			continue;
		}
		CHECK_INT(q->kind, want[i].kind);
		CHECK_INT(q->type, want[i].type);
		if (want[i].kind == TOPO_WAIT)
			CHECK_INT(q->ttl, want[i].ttl);
	}
	for (size_t i = 0; i < t.nqueues; i++) {
		bool known = false;
		for (size_t j = 0; j < nwant; j++)
			known = known || strcmp(t.queues[i].name, want[j].name) == 0;
		if (!known)
			t_fail(__FILE__, __LINE__, "unexpected queue %s", t.queues[i].name);
	}
	/* the default configuration builds the same table */
	{
		struct bf_config d;
		struct topology td;
		REQUIRE(load_text("# defaults\n", &d) == 0);
		REQUIRE(topo_build(&td, &d) == 0);
		CHECK_INT(td.nqueues, t.nqueues);
		for (size_t i = 0; i < t.nqueues && i < td.nqueues; i++)
			CHECK_STR(td.queues[i].name, t.queues[i].name);
		cfg_free(&d);
	}
	cfg_free(&c);
}

static void queue_arguments(void)
{
	struct bf_config c;
	struct topology t;

	REQUIRE(load_example(&c) == 0);
	REQUIRE(topo_build(&t, &c) == 0);
	for (size_t i = 0; i < t.nqueues; i++) {
		const struct topo_queue *q = &t.queues[i];
		struct topo_arg a[TOPO_MAX_ARGS];
		size_t n = topo_queue_args(q, a, TOPO_MAX_ARGS);

		check_s(q->name, a, n, "x-queue-type", "quorum");
		for (size_t j = 0; j < n; j++)
			for (size_t k = j + 1; k < n; k++)
				if (strcmp(a[j].key, a[k].key) == 0)
					t_fail(__FILE__, __LINE__, "%s: %s twice", q->name,
					       a[j].key);
		switch (q->kind) {
		case TOPO_WORK:
			CHECK_INT(n, 5);
			check_s(q->name, a, n, "x-dead-letter-exchange", "bf.dead");
			check_s(q->name, a, n, "x-dead-letter-strategy", "at-least-once");
			check_s(q->name, a, n, "x-overflow", "reject-publish");
			check_i(q->name, a, n, "x-delivery-limit", TOPO_DELIVERY_LIMIT);
			CHECK(arg(a, n, "x-message-ttl") == NULL);
			break;
		case TOPO_WAIT:
			CHECK_INT(n, 6);
			check_i(q->name, a, n, "x-message-ttl", (int64_t)q->ttl * 1000);
			check_s(q->name, a, n, "x-dead-letter-exchange", "bf.work");
			check_s(q->name, a, n, "x-dead-letter-routing-key", msg_type_name(q->type));
			check_s(q->name, a, n, "x-dead-letter-strategy", "at-least-once");
			check_s(q->name, a, n, "x-overflow", "reject-publish");
			/* no consumer reads a wait queue: no delivery limit needed */
			CHECK(arg(a, n, "x-delivery-limit") == NULL);
			break;
		case TOPO_DEAD:
			CHECK_INT(n, 1);
			CHECK(arg(a, n, "x-dead-letter-exchange") == NULL);
			break;
		}
	}
	/* spot checks by name */
	{
		struct topo_arg a[TOPO_MAX_ARGS];
		const struct topo_queue *q = find(&t, "bf.result.wait.10m");
		REQUIRE(q != NULL);
		size_t n = topo_queue_args(q, a, TOPO_MAX_ARGS);
		check_i(q->name, a, n, "x-message-ttl", 600000);
		check_s(q->name, a, n, "x-dead-letter-routing-key", "result");
		q = find(&t, "bf.line-up.wait.5m");
		REQUIRE(q != NULL);
		n = topo_queue_args(q, a, TOPO_MAX_ARGS);
		check_i(q->name, a, n, "x-message-ttl", 300000);
		check_s(q->name, a, n, "x-dead-letter-routing-key", "line-up");
	}
	/* a short args buffer is filled, not overrun */
	{
		struct topo_arg a[3];
		struct topo_arg guard = { 0 };
		const struct topo_queue *q = find(&t, "bf.line-up.wait.15m");
		REQUIRE(q != NULL);
		CHECK_INT(topo_queue_args(q, a, 2), 2);
		CHECK_INT(topo_queue_args(q, a, 0), 0);
		CHECK(guard.key == NULL);
	}
	cfg_free(&c);
}

static void tiers_in_seconds(void)
{
	struct bf_config c;
	struct topology t;
	struct topo_arg a[TOPO_MAX_ARGS];

	REQUIRE(load_text("lineups = { wait_tiers = [ \"1s\", \"2s\" ]; };\n"
			  "results = { wait_tiers = [ \"90s\", \"1h\", \"1d\" ]; };\n",
			  &c) == 0);
	REQUIRE(topo_build(&t, &c) == 0);
	CHECK_INT(t.nqueues, 4 + 2 + 3 + 3 + 4); /* and the default render tiers */
	const struct topo_queue *q = find(&t, "bf.line-up.wait.1s");
	REQUIRE(q != NULL);
	CHECK_INT(q->ttl, 1);
	size_t n = topo_queue_args(q, a, TOPO_MAX_ARGS);
	check_i(q->name, a, n, "x-message-ttl", 1000);
	CHECK(find(&t, "bf.line-up.wait.2s") != NULL);
	CHECK(find(&t, "bf.result.wait.90s") != NULL);
	CHECK(find(&t, "bf.result.wait.1h") != NULL);
	q = find(&t, "bf.result.wait.1d");
	REQUIRE(q != NULL);
	n = topo_queue_args(q, a, TOPO_MAX_ARGS);
	check_i(q->name, a, n, "x-message-ttl", INT64_C(86400000));
	CHECK(find(&t, "bf.line-up.wait.1m") == NULL);
	cfg_free(&c);

	/* the most tiers a configuration allows still fit the table */
	REQUIRE(load_text("lineups = { wait_tiers = [ 1, 2, 3, 4, 5, 6, 7, 8 ]; };\n"
			  "results = { wait_tiers = [ 1, 2, 3, 4, 5, 6, 7, 8 ]; };\n"
			  "renders = { wait_tiers = [ 1, 2, 3, 4, 5, 6, 7, 8 ]; };\n",
			  &c) == 0);
	CHECK_INT(topo_build(&t, &c), 0);
	CHECK_INT(t.nqueues, 4 + 8 + 8 + 8 + 4);
	cfg_free(&c);
}

static void wait_queue_lookup(void)
{
	struct bf_config c;
	struct topology t;
	const struct topo_queue *tiers[8];

	REQUIRE(load_example(&c) == 0);
	REQUIRE(topo_build(&t, &c) == 0);
	const struct topo_queue *q = topo_wait_queue(&t, MSG_LINEUP, 300);
	REQUIRE(q != NULL);
	CHECK_STR(q->name, "bf.line-up.wait.5m");
	q = topo_wait_queue(&t, MSG_LINEUP, 900);
	REQUIRE(q != NULL);
	CHECK_STR(q->name, "bf.line-up.wait.15m");
	q = topo_wait_queue(&t, MSG_RESULT, 600);
	REQUIRE(q != NULL);
	CHECK_STR(q->name, "bf.result.wait.10m");
	CHECK(topo_wait_queue(&t, MSG_LINEUP, 60) == NULL);
	CHECK(topo_wait_queue(&t, MSG_RESULT, 300) == NULL);
	CHECK(topo_wait_queue(&t, MSG_TSTATS, 60) == NULL);
	CHECK(topo_wait_queue(&t, MSG_LINEUP, 0) == NULL); /* not a work queue */

	CHECK_INT(topo_wait_tiers(&t, MSG_LINEUP, tiers, 8), 2);
	CHECK_STR(tiers[0]->name, "bf.line-up.wait.5m");
	CHECK_STR(tiers[1]->name, "bf.line-up.wait.15m");
	CHECK(tiers[0]->ttl < tiers[1]->ttl);
	CHECK_INT(topo_wait_tiers(&t, MSG_RESULT, tiers, 8), 2);
	CHECK_INT(tiers[0]->ttl, 60);
	CHECK_INT(tiers[1]->ttl, 600);
	CHECK_INT(topo_wait_tiers(&t, MSG_TSTATS, tiers, 8), 0);
	tiers[1] = NULL;
	CHECK_INT(topo_wait_tiers(&t, MSG_LINEUP, tiers, 1), 1);
	CHECK(tiers[1] == NULL);

	char buf[TOPO_NAME_MAX];
	topo_work_queue(MSG_TSTATS, buf, sizeof(buf));
	CHECK_STR(buf, "bf.tournament-stats");
	topo_dead_queue(MSG_RESULT, buf, sizeof(buf));
	CHECK_STR(buf, "bf.result.dead");
	topo_dead_queue(MSG_LINEUP, buf, 8);
	CHECK_STR(buf, "bf.line");
	cfg_free(&c);
}

/* What the broker declares: exchanges and bindings as plain data. */
static void exchanges_and_bindings(void)
{
	struct bf_config c;
	struct topology t;
	const char *x, *rk;

	CHECK_INT(TOPO_NEXCHANGES, 3);
	CHECK_STR(topo_exchanges[0].name, "bf.work");
	CHECK_STR(topo_exchanges[0].type, "direct");
	CHECK_STR(topo_exchanges[1].name, "bf.dead");
	CHECK_STR(topo_exchanges[1].type, "direct");
	CHECK_STR(topo_exchanges[2].name, "bf.videos");
	CHECK_STR(topo_exchanges[2].type, "topic");

	REQUIRE(load_example(&c) == 0);
	REQUIRE(topo_build(&t, &c) == 0);
	for (size_t i = 0; i < t.nqueues; i++) {
		const struct topo_queue *q = &t.queues[i];

		x = rk = NULL;
		switch (q->kind) {
		case TOPO_WORK:
			CHECK(topo_queue_binding(q, &x, &rk));
			CHECK_STR(x, "bf.work");
			CHECK_STR(rk, msg_type_name(q->type));
			break;
		case TOPO_DEAD:
			CHECK(topo_queue_binding(q, &x, &rk));
			CHECK_STR(x, "bf.dead");
			CHECK_STR(rk, msg_type_name(q->type));
			break;
		case TOPO_WAIT:
			/* reached through the default exchange; out untouched */
			CHECK(!topo_queue_binding(q, &x, &rk));
			CHECK(x == NULL && rk == NULL);
			break;
		}
	}
	const struct topo_queue *q = find(&t, "bf.tournament-stats.dead");
	REQUIRE(q != NULL);
	REQUIRE(topo_queue_binding(q, &x, &rk));
	CHECK_STR(x, "bf.dead");
	CHECK_STR(rk, "tournament-stats");
	cfg_free(&c);
}

/* Bindings, exchanges and policy as a broker would read them. */
static void definitions_structure(void)
{
	struct bf_config c;
	struct topology t;
	char *json;
	cJSON *root, *x;

	REQUIRE(load_example(&c) == 0);
	REQUIRE(topo_build(&t, &c) == 0);
	json = topo_definitions_json(&t);
	REQUIRE(json != NULL);
	root = cJSON_Parse(json);
	REQUIRE(root != NULL);

	const cJSON *xs = cJSON_GetObjectItem(root, "exchanges");
	CHECK_INT(cJSON_GetArraySize(xs), 3);
	cJSON_ArrayForEach (x, xs) {
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(x, "name"));
		CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(x, "type")),
			  strcmp(name, "bf.videos") == 0 ? "topic" : "direct");
		CHECK(cJSON_IsTrue(cJSON_GetObjectItem(x, "durable")));
	}
	CHECK_INT(cJSON_GetArraySize(cJSON_GetObjectItem(root, "queues")), t.nqueues);

	/* every work and dead queue bound by its type; wait queues unbound */
	const cJSON *bs = cJSON_GetObjectItem(root, "bindings");
	CHECK_INT(cJSON_GetArraySize(bs), 8);
	for (size_t i = 0; i < t.nqueues; i++) {
		const struct topo_queue *q = &t.queues[i];
		int found = 0;
		cJSON_ArrayForEach (x, bs) {
			if (strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(x, "destination")),
				   q->name) != 0)
				continue;
			found++;
			CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(x, "source")),
				  q->kind == TOPO_WORK ? "bf.work" : "bf.dead");
			CHECK_STR(cJSON_GetStringValue(cJSON_GetObjectItem(x, "routing_key")),
				  msg_type_name(q->type));
		}
		CHECK_INT(found, q->kind == TOPO_WAIT ? 0 : 1);
	}
	/* queue arguments in JSON: numbers are numbers */
	cJSON_ArrayForEach (x, cJSON_GetObjectItem(root, "queues")) {
		const char *name = cJSON_GetStringValue(cJSON_GetObjectItem(x, "name"));
		const cJSON *args = cJSON_GetObjectItem(x, "arguments");
		if (name != NULL && strcmp(name, "bf.line-up.wait.5m") == 0) {
			const cJSON *ttl = cJSON_GetObjectItem(args, "x-message-ttl");
			CHECK(cJSON_IsNumber(ttl) && ttl->valuedouble == 300000.0);
		}
		if (name != NULL && strcmp(name, "bf.line-up") == 0) {
			const cJSON *lim = cJSON_GetObjectItem(args, "x-delivery-limit");
			CHECK(cJSON_IsNumber(lim) && lim->valueint == TOPO_DELIVERY_LIMIT);
		}
	}
	cJSON_Delete(root);
	free(json);
	cfg_free(&c);
}

/* ops/rabbitmq/definitions.json is what bfctl prints for the example. */
static void committed_definitions_are_current(void)
{
	struct bf_config c;
	struct topology t;
	size_t flen = 0, glen;
	char *file, *gen;

	REQUIRE(load_example(&c) == 0);
	REQUIRE(topo_build(&t, &c) == 0);
	gen = topo_definitions_json(&t);
	REQUIRE(gen != NULL);
	file = tenv_slurp(DEFINITIONS, &flen);
	if (file == NULL) {
		t_fail(__FILE__, __LINE__, "cannot read %s; regenerate it with: %s", DEFINITIONS,
		       REGENERATE);
		free(gen);
		cfg_free(&c);
		return;
	}
	glen = strlen(gen);
	if (flen > 0 && file[flen - 1] == '\n')
		flen--;
	if (glen > 0 && gen[glen - 1] == '\n')
		glen--;
	if (flen != glen || memcmp(file, gen, flen) != 0) {
		size_t at = 0, line = 1;
		while (at < flen && at < glen && file[at] == gen[at])
			line += file[at++] == '\n';
		t_fail(__FILE__, __LINE__,
		       "%s differs from the topology of %s (first difference at byte %zu, line %zu); "
		       "regenerate it with: %s",
		       DEFINITIONS, EXAMPLE, at, line, REGENERATE);
	}
	free(file);
	free(gen);
	cfg_free(&c);
}

int main(void)
{
	T_RUN(queues_of_design_section_4);
	T_RUN(queue_arguments);
	T_RUN(tiers_in_seconds);
	T_RUN(wait_queue_lookup);
	T_RUN(exchanges_and_bindings);
	T_RUN(definitions_structure);
	T_RUN(committed_definitions_are_current);
	return t_done();
}
