/*
 * bfctl dead: the dead letters, looked at and removed one by one.
 *
 *   dead list [--type T] [--limit N] [--json]   every dead queue's letters, in queue order
 *   dead show MESSAGE_ID [--type T]             the first with that id, in full
 *   dead discard MESSAGE_ID... [--type T] [--yes]
 *                                               ack those (every copy of each id)
 *
 * All of them read with struct dead_reader (below), always the whole queue:
 * nothing is consumed but what discard acks, and what stays keeps its
 * order.  Without --yes, discard reads once to show what it would remove,
 * closes (everything goes back), asks, and reads again to remove: a person
 * may take longer to answer than a held connection lives without
 * heartbeats.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "lib/clock.h"
#include "lib/log.h"
#include "lib/signals.h"
#include "ops/bfctl/common.h"
#include "ops/bfctl/dead.h"
#include "protocol/message.h"

/* the most messages read from one queue (each is held in memory) */
#define DEAD_MAX 100000
/* x-bf-error in a row of `dead list` is cut to this many bytes */
#define ERROR_COLUMN 80
#define NTYPES (MSG_RENDER - MSG_LINEUP + 1)
#define MAX_IDS 256

/* ---- the reader ------------------------------------------------------------ */

int dead_reader_open(struct dead_reader *r, struct broker *b, const char *queue, long max)
{
	long consumers;
	int rc;

	memset(r, 0, sizeof(*r));
	r->b = b;
	snprintf(r->queue, sizeof(r->queue), "%s", queue);
	rc = broker_queue_info(b, queue, &r->depth, &consumers);
	if (rc != 0)
		return rc;
	r->want = r->depth < max ? r->depth : max;
	r->held = calloc((size_t)r->want + 1, sizeof(*r->held));
	if (r->held == NULL)
		return -1;
	r->epoch = broker_epoch(b);
	return 0;
}

int dead_reader_next(struct dead_reader *r, struct broker_delivery **d)
{
	struct broker_delivery *x;
	int g;

	if ((long)r->nheld >= r->want)
		return 0;
	x = &r->held[r->nheld];
	g = broker_get(r->b, r->queue, x);
	if (g == 0)
		return 0;
	if (g < 0)
		return -1;
	r->nheld++;
	/* read on a new connection: what was held went back and would be read twice */
	if (broker_epoch(r->b) != r->epoch)
		return -1;
	*d = x;
	return 1;
}

int dead_reader_ack(struct dead_reader *r, struct broker_delivery *d)
{
	if (broker_epoch(r->b) != r->epoch || broker_ack(r->b, d) != 0)
		return -1;
	d->tag = 0; /* settled */
	return 0;
}

void dead_reader_close(struct dead_reader *r)
{
	for (size_t i = 0; i < r->nheld; i++)
		broker_delivery_free(&r->held[i]);
	free(r->held);
	r->held = NULL;
	r->nheld = 0;
}

void dead_to_work(const struct broker_delivery *d, enum msg_type type, struct broker_msg *bm)
{
	memset(bm, 0, sizeof(*bm));
	bm->exchange = TOPO_WORK_EXCHANGE;
	bm->routing_key = msg_type_name(type);
	bm->body = d->body;
	bm->len = d->len;
	bm->message_id = d->message_id[0] ? d->message_id : NULL;
	bm->type = d->type[0] ? d->type : msg_type_name(type);
	bm->app_id = d->app_id[0] ? d->app_id : NULL;
	bm->timestamp = d->timestamp;
	bm->attempt = d->has_attempt ? d->attempt : 0;
	bm->first_published = dead_since(d);
	bm->reason = d->reason[0] ? d->reason : NULL;
	bm->error = d->error[0] ? d->error : NULL;
	bm->replayed_at = d->replayed_at;
}

uint64_t dead_since(const struct broker_delivery *d)
{
	return d->first_published ? d->first_published : d->timestamp;
}

void dead_age_text(uint64_t ts, char *buf, size_t n)
{
	long s = ts ? (long)((uint64_t)time(NULL) - ts) : -1;

	if (s < 0)
		snprintf(buf, n, "?");
	else if (s < 120)
		snprintf(buf, n, "%lds", s);
	else if (s < 7200)
		snprintf(buf, n, "%ldm", s / 60);
	else if (s < 172800)
		snprintf(buf, n, "%ldh", s / 3600);
	else
		snprintf(buf, n, "%ldd", s / 86400);
}

/* ---- what the three share ------------------------------------------------------ */

/* The dead queues a command goes through (one type's, or all), read on a
 * handle of its own: what it holds goes back when set_close() closes it. */
struct dead_set {
	size_t n;
	enum msg_type type[NTYPES];
	char queue[NTYPES][TOPO_NAME_MAX];
	struct dead_reader r[NTYPES];
	int state[NTYPES]; /* dead_reader_open's answer: 0, or 1 for a missing queue */
	struct broker *b;
	bool done; /* set by a visitor: the queues after this one are not read */
};

/* Waits (at most 5 s) until each queue holds at least depth[i]: what a
 * closed connection held goes back a moment after it closed, and reading
 * before would take the messages out of their order. */
static void settle(struct dead_set *s, const long *depth)
{
	int64_t end = clock_mono_ms() + 5000;

	for (size_t i = 0; i < s->n; i++) {
		for (;;) {
			long n, consumers;
			if (broker_queue_info(s->b, s->queue[i], &n, &consumers) != 0 ||
			    n >= depth[i] || clock_mono_ms() >= end || signals_stop)
				break;
			struct timespec ts = { 0, 50 * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
}

/*
 * The dead queues of type only (MSG_NONE: all), on a new connection (no
 * topology declared: these commands look, they do not create queues), each
 * opened before any is read; with depth (may be NULL), once each holds
 * that many (settle).  0, or -1 (said); set_close() it in both cases.
 */
static int set_start(struct dead_set *s, const struct bf_config *c, enum msg_type only,
		     const long *depth)
{
	memset(s, 0, sizeof(*s));
	for (int t = MSG_LINEUP; t <= MSG_RENDER; t++) {
		if (only != MSG_NONE && t != (int)only)
			continue;
		s->type[s->n] = (enum msg_type)t;
		topo_dead_queue((enum msg_type)t, s->queue[s->n], sizeof(s->queue[s->n]));
		s->n++;
	}
	if (bfctl_broker(c, NULL, &s->b) != 0) {
		log_err("dead: cannot connect to the broker");
		return -1;
	}
	if (depth != NULL)
		settle(s, depth);
	for (size_t i = 0; i < s->n; i++) {
		s->state[i] = dead_reader_open(&s->r[i], s->b, s->queue[i], DEAD_MAX);
		if (s->state[i] < 0) {
			log_err("dead: cannot read queue %s", s->queue[i]);
			return -1;
		}
	}
	return 0;
}

/* A visitor of set_each: 0 to go on, -1 to stop (it said why). */
typedef int (*dead_fn)(struct dead_set *s, size_t q, struct broker_delivery *d, void *arg);

/* fn on every dead letter of the queues there are, in queue order, each
 * queue read to its end (see dead.h: a partial read changes the order).
 * 0, or -1 when fn stopped or the connection was lost (said). */
static int set_each(struct dead_set *s, const char *cmd, dead_fn fn, void *arg)
{
	for (size_t i = 0; i < s->n && !s->done; i++) {
		struct broker_delivery *d;
		int g;

		if (s->state[i] != 0)
			continue;
		while ((g = dead_reader_next(&s->r[i], &d)) == 1)
			if (fn(s, i, d, arg) != 0)
				return -1;
		if (g < 0) {
			log_err("dead %s: connection lost while reading %s; nothing more was done",
				cmd, s->queue[i]);
			return -1;
		}
	}
	return 0;
}

/* What was read goes back now, in its order (but what was acked). */
static void set_close(struct dead_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		dead_reader_close(&s->r[i]);
	broker_close(s->b);
	s->b = NULL;
}

static int parse_type(const char *cmd, const char *s, enum msg_type *t)
{
	*t = msg_type_parse(s, strlen(s));
	if (*t == MSG_NONE) {
		fprintf(stderr,
			"bfctl dead %s: --type takes line-up, result, tournament-stats or render\n",
			cmd);
		return -1;
	}
	return 0;
}

static const char *or_dash(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : "-";
}

/* The attempt column: "-" when the header is absent. */
static void attempt_text(const struct broker_delivery *d, char *buf, size_t n)
{
	if (d->has_attempt)
		snprintf(buf, n, "%d", d->attempt);
	else
		snprintf(buf, n, "-");
}

/* s with control characters as '?' (an error text goes on one line). */
static void one_line(const char *s, char *out, size_t n)
{
	size_t i = 0;

	for (; i < n - 1 && s[i] != '\0'; i++)
		out[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	out[i] = '\0';
}

#define ROW_FORMAT "%-30s %-16s %-20s %7s %5s  %s\n"

static void row_header(void)
{
	printf(ROW_FORMAT, "message_id", "type", "reason", "attempt", "age", "error");
}

/* One dead letter as a row of `dead list` (x-bf-error cut). */
static void row_print(enum msg_type type, const struct broker_delivery *d)
{
	char att[16], age[16], err[ERROR_COLUMN + 1];

	attempt_text(d, att, sizeof(att));
	dead_age_text(dead_since(d), age, sizeof(age));
	one_line(or_dash(d->error), err, sizeof(err));
	printf(ROW_FORMAT, or_dash(d->message_id), msg_type_name(type), bfctl_reason(d), att, age,
	       err);
}

static cJSON *row_json(enum msg_type type, const struct broker_delivery *d)
{
	cJSON *o = cJSON_CreateObject();
	uint64_t since = dead_since(d);

	cJSON_AddStringToObject(o, "message_id", d->message_id);
	cJSON_AddStringToObject(o, "type", msg_type_name(type));
	cJSON_AddStringToObject(o, "reason", bfctl_reason(d));
	cJSON_AddStringToObject(o, "error", d->error);
	if (d->has_attempt)
		cJSON_AddNumberToObject(o, "attempt", d->attempt);
	else
		cJSON_AddNullToObject(o, "attempt");
	if (since != 0) {
		cJSON_AddNumberToObject(o, "since", (double)since);
		cJSON_AddNumberToObject(o, "age_seconds",
					(double)((int64_t)time(NULL) - (int64_t)since));
	} else {
		cJSON_AddNullToObject(o, "since");
		cJSON_AddNullToObject(o, "age_seconds");
	}
	cJSON_AddStringToObject(o, "app_id", d->app_id);
	return o;
}

/* ---- dead list ------------------------------------------------------------------ */

static void list_usage(FILE *f)
{
	fprintf(f, "usage: bfctl dead list [--type line-up|result|tournament-stats|render]"
		   " [--limit N] [--json]\n"
		   "The dead letters of each dead queue (the oldest first, the first N of each),\n"
		   "left in place and in their order.\n");
}

struct list_ctx {
	long limit;
	long shown[NTYPES];
	cJSON *letters[NTYPES]; /* --json: each queue's array; NULL: rows */
};

static int list_one(struct dead_set *s, size_t q, struct broker_delivery *d, void *arg)
{
	struct list_ctx *x = arg;

	if (x->shown[q] >= x->limit)
		return 0;
	x->shown[q]++;
	if (x->letters[q] != NULL)
		cJSON_AddItemToArray(x->letters[q], row_json(s->type[q], d));
	else
		row_print(s->type[q], d);
	return 0;
}

/* The line under the rows of one queue. */
static void list_summary(const struct dead_set *s, size_t i, long shown)
{
	if (s->state[i] == 1)
		printf("%s: missing (bfctl topology declare creates it)\n", s->queue[i]);
	else if (shown < s->r[i].depth)
		printf("%s: %ld dead letters (%ld listed)\n", s->queue[i], s->r[i].depth, shown);
	else
		printf("%s: %ld dead letters\n", s->queue[i], s->r[i].depth);
}

static int dead_list(const struct bf_config *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "limit", required_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum msg_type only = MSG_NONE;
	bool json = false;
	struct dead_set set;
	struct list_ctx x;
	cJSON *root = NULL, *qs = NULL, *qo[NTYPES] = { NULL };
	int ch, rc = 1;

	memset(&x, 0, sizeof(x));
	x.limit = DEAD_MAX;
	optind = 0; /* GNU: start again, and take options after the ids too */
	while ((ch = getopt_long(argc, argv, "t:l:jh", longopts, NULL)) != -1) {
		char *end;
		switch (ch) {
		case 't':
			if (parse_type("list", optarg, &only) != 0)
				return 2;
			break;
		case 'l':
			x.limit = strtol(optarg, &end, 10);
			if (*end != '\0' || x.limit < 1 || x.limit > DEAD_MAX) {
				fprintf(stderr, "bfctl dead list: --limit takes 1..%d\n", DEAD_MAX);
				return 2;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			list_usage(stdout);
			return 0;
		default:
			list_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		list_usage(stderr);
		return 2;
	}
	/* the whole of each queue is read, the first limit printed */
	if (set_start(&set, c, only, NULL) != 0)
		goto out;
	if (json) {
		root = cJSON_CreateObject();
		qs = cJSON_AddArrayToObject(root, "queues");
		for (size_t i = 0; i < set.n; i++) {
			qo[i] = cJSON_CreateObject();
			cJSON_AddStringToObject(qo[i], "name", set.queue[i]);
			cJSON_AddStringToObject(qo[i], "type", msg_type_name(set.type[i]));
			cJSON_AddStringToObject(qo[i], "state", set.state[i] ? "missing" : "ok");
			if (set.state[i] == 0)
				x.letters[i] = cJSON_AddArrayToObject(qo[i], "dead_letters");
			cJSON_AddItemToArray(qs, qo[i]);
		}
	} else {
		row_header();
	}
	if (set_each(&set, "list", list_one, &x) != 0)
		goto out;
	/* a missing queue is an error when it is the one asked for */
	rc = only != MSG_NONE && set.state[0] != 0 ? 1 : 0;
	for (size_t i = 0; i < set.n; i++) {
		if (!json) {
			list_summary(&set, i, x.shown[i]);
		} else if (set.state[i] == 0) {
			cJSON_AddNumberToObject(qo[i], "messages", (double)set.r[i].depth);
			cJSON_AddNumberToObject(qo[i], "listed", (double)x.shown[i]);
		}
	}
	if (json) {
		char *text = cJSON_Print(root);
		if (text == NULL) {
			rc = 1;
			goto out;
		}
		printf("%s\n", text);
		free(text);
	}
out:
	cJSON_Delete(root);
	set_close(&set);
	return rc;
}

/* ---- dead show ------------------------------------------------------------------- */

static void show_usage(FILE *f)
{
	fprintf(f,
		"usage: bfctl dead show MESSAGE_ID [--type line-up|result|tournament-stats|render]\n"
		"One dead letter in full (the first with that message id), left in place.\n");
}

/* "2026-12-07 01:20:53 UTC (2h ago)", "-" for 0 */
static void time_text(uint64_t ts, char *buf, size_t n)
{
	time_t t = (time_t)ts;
	struct tm tm;
	char age[16];

	if (ts == 0 || gmtime_r(&t, &tm) == NULL) {
		snprintf(buf, n, "-");
		return;
	}
	dead_age_text(ts, age, sizeof(age));
	if (strftime(buf, n, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		buf[0] = '\0';
	snprintf(buf + strlen(buf), n - strlen(buf), " (%s ago)", age);
}

static void show_one(const char *queue, long position, long depth, const struct broker_delivery *d)
{
	char t[64], att[16];

	attempt_text(d, att, sizeof(att));
	printf("queue                 %s (message %ld of %ld)\n", queue, position, depth);
	printf("message_id            %s\n", or_dash(d->message_id));
	printf("type                  %s\n", or_dash(d->type));
	printf("app_id                %s\n", or_dash(d->app_id));
	printf("content_type          %s\n", or_dash(d->content_type));
	time_text(d->timestamp, t, sizeof(t));
	printf("timestamp             %s\n", t);
	printf("exchange              %s\n", or_dash(d->exchange));
	printf("routing_key           %s\n", or_dash(d->routing_key));
	printf("%-21s %s\n", BROKER_H_ATTEMPT, att);
	time_text(d->first_published, t, sizeof(t));
	printf("%-21s %s\n", BROKER_H_FIRST, t);
	printf("%-21s %s\n", BROKER_H_REASON, or_dash(d->reason));
	printf("%-21s %s\n", BROKER_H_ERROR, or_dash(d->error));
	time_text(d->replayed_at, t, sizeof(t));
	printf("%-21s %s\n", BROKER_H_REPLAYED, t);
	printf("x-death reason        %s\n", or_dash(d->death_reason));
	printf("body                  %zu bytes\n", d->len);
	/* untrusted bytes: printable ones as they are, the rest as \xNN */
	for (size_t i = 0; i < d->len; i++) {
		unsigned char ch = (unsigned char)d->body[i];
		if ((ch >= 0x20 && ch != 0x7f) || ch == '\n' || ch == '\t')
			putchar(ch);
		else
			printf("\\x%02x", ch);
	}
	printf("\n");
}

struct show_ctx {
	const char *id;
	bool found;
};

static int show_match(struct dead_set *s, size_t q, struct broker_delivery *d, void *arg)
{
	struct show_ctx *x = arg;

	if (x->found || strcmp(d->message_id, x->id) != 0)
		return 0;
	show_one(s->queue[q], (long)s->r[q].nheld, s->r[q].depth, d);
	x->found = true;
	s->done = true; /* this queue to its end, no other */
	return 0;
}

static int dead_show(const struct bf_config *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum msg_type only = MSG_NONE;
	struct dead_set set;
	struct show_ctx x = { NULL, false };
	int ch, rc = 1;

	optind = 0; /* GNU: start again, and take options after the id too */
	while ((ch = getopt_long(argc, argv, "t:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			if (parse_type("show", optarg, &only) != 0)
				return 2;
			break;
		case 'h':
			show_usage(stdout);
			return 0;
		default:
			show_usage(stderr);
			return 2;
		}
	}
	if (argc - optind != 1 || argv[optind][0] == '\0') {
		show_usage(stderr);
		return 2;
	}
	x.id = argv[optind];
	if (set_start(&set, c, only, NULL) != 0 || set_each(&set, "show", show_match, &x) != 0)
		goto out;
	if (x.found) {
		rc = 0;
	} else {
		fprintf(stderr, "bfctl dead show: no dead letter with message id \"%s\" in", x.id);
		for (size_t i = 0; i < set.n; i++)
			fprintf(stderr, "%s %s%s", i ? "," : "", set.queue[i],
				set.state[i] == 1 ? " (missing)" : "");
		fprintf(stderr, "\n");
	}
out:
	set_close(&set);
	return rc;
}

/* ---- dead discard ------------------------------------------------------------------ */

static void discard_usage(FILE *f)
{
	fprintf(f,
		"usage: bfctl dead discard MESSAGE_ID... [--type line-up|result|tournament-stats|render] [--yes]\n"
		"Removes those dead letters (every copy of each id) for good; the others stay,\n"
		"in their order.  Asks first on a terminal; elsewhere it needs --yes.\n");
}

struct discard {
	const char *const *ids;
	size_t nids;
	bool remove; /* ack what matches */
	bool show; /* print a row for what matches */
	size_t found[MAX_IDS]; /* dead letters of each id seen */
	long total; /* dead letters matched */
	long acked;
	bool seen; /* a pass ran: depth[] holds what it found */
	long depth[NTYPES]; /* each queue's messages when the pass read it */
};

static long id_index(const struct discard *x, const char *mid)
{
	for (size_t i = 0; i < x->nids; i++)
		if (strcmp(x->ids[i], mid) == 0)
			return (long)i;
	return -1;
}

static int discard_one(struct dead_set *s, size_t q, struct broker_delivery *d, void *arg)
{
	struct discard *x = arg;
	long k = id_index(x, d->message_id);

	if (k < 0)
		return 0;
	x->found[k]++;
	x->total++;
	if (x->show)
		row_print(s->type[q], d);
	if (!x->remove)
		return 0;
	if (dead_reader_ack(&s->r[q], d) != 0) {
		log_err("dead discard: connection lost after %ld discarded; the rest stays in %s",
			x->acked, s->queue[q]);
		return -1;
	}
	x->acked++;
	log_info("dead letter discarded queue=%s message_id=%s reason=%s", s->queue[q],
		 log_quote(d->message_id), bfctl_reason(d));
	return 0;
}

/*
 * One pass over the dead queues on a new connection: every dead letter
 * whose id is named is counted, shown (x->show) and acked (x->remove).
 * The rest goes back, in its order, when the connection closes.  0, or -1
 * when the broker failed us (what was acked is gone; the rest stays).
 */
static int discard_pass(const struct bf_config *c, struct discard *x, enum msg_type only)
{
	struct dead_set set;
	int rc = -1;

	memset(x->found, 0, sizeof(x->found));
	x->total = x->acked = 0;
	if (set_start(&set, c, only, x->seen ? x->depth : NULL) != 0)
		goto out;
	for (size_t i = 0; i < set.n; i++)
		x->depth[i] = set.state[i] == 0 ? set.r[i].depth : 0;
	x->seen = true;
	if (x->show)
		row_header();
	rc = set_each(&set, "discard", discard_one, x);
out:
	set_close(&set);
	return rc;
}

/* y or yes on the terminal */
static bool ask(long n)
{
	char line[32];

	fprintf(stderr, "discard %ld dead letter%s? [y/N] ", n, n == 1 ? "" : "s");
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, "y") == 0 || strcmp(line, "Y") == 0 || strcmp(line, "yes") == 0;
}

static int dead_discard(const struct bf_config *c, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "yes", no_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum msg_type only = MSG_NONE;
	bool yes = false;
	struct discard x;
	int ch, rc = 1;

	optind = 0; /* GNU: start again, and take options after the ids too */
	while ((ch = getopt_long(argc, argv, "t:yh", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			if (parse_type("discard", optarg, &only) != 0)
				return 2;
			break;
		case 'y':
			yes = true;
			break;
		case 'h':
			discard_usage(stdout);
			return 0;
		default:
			discard_usage(stderr);
			return 2;
		}
	}
	memset(&x, 0, sizeof(x));
	x.ids = (const char *const *)argv + optind;
	x.nids = (size_t)(argc - optind);
	if (x.nids == 0 || x.nids > MAX_IDS) {
		discard_usage(stderr);
		return 2;
	}
	if (!yes && !isatty(STDIN_FILENO)) {
		fprintf(stderr, "bfctl dead discard: not asked on a terminal: nothing discarded;"
				" add --yes to discard without asking\n");
		return 2;
	}
	if (!yes) {
		/* what it would discard, then the question, then the discard itself */
		x.show = true;
		if (discard_pass(c, &x, only) != 0)
			return 1;
		if (x.total == 0) {
			printf("no dead letter with those message ids: nothing discarded\n");
			return 1;
		}
		if (!ask(x.total)) {
			printf("nothing discarded\n");
			return 1;
		}
	}
	x.remove = true;
	x.show = yes;
	if (discard_pass(c, &x, only) != 0) {
		printf("%ld dead letters discarded before the broker failed (see the log)\n",
		       x.acked);
		return 1;
	}
	printf("%ld dead letter%s discarded\n", x.acked, x.acked == 1 ? "" : "s");
	rc = 0;
	for (size_t i = 0; i < x.nids; i++) {
		if (x.found[i] > 0)
			continue;
		fprintf(stderr, "bfctl dead discard: no dead letter with message id \"%s\"\n",
			x.ids[i]);
		rc = 1;
	}
	return rc;
}

/* ---- dispatch -------------------------------------------------------------------- */

int cmd_dead(const struct bf_config *c, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return dead_list(c, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return dead_show(c, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "discard") == 0)
		return dead_discard(c, argc - 1, argv + 1);
	fprintf(stderr, "bfctl dead: expected \"list\", \"show MESSAGE_ID\" or"
			" \"discard MESSAGE_ID...\" (see bfctl -h)\n");
	return 2;
}
