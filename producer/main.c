/*
 * bf-producer: polls Sofascore, keeps events in PostgreSQL, publishes what
 * is due.  The only program that creates new work.  Two may run: a
 * PostgreSQL advisory lock makes one active and the other a standby.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/clock.h"
#include "lib/db.h"
#include "lib/log.h"
#include "lib/metrics.h"
#include "lib/notify.h"
#include "lib/proc.h"
#include "lib/signals.h"
#include "lib/version.h"
#include "producer/due.h"
#include "producer/store.h"
#include "protocol/broker.h"
#include "protocol/message.h"
#include "protocol/source.h"
#include "protocol/source_pg.h"
#include "protocol/topology.h"

#define MAX_DUE 20000
#define PUBLISH_BATCH 500
#define MAX_VERIFIED 256

struct round_seen {
	int64_t ut, season;
	int round;
	int64_t at;
};

/* A day list asked in this cycle. */
struct list_seen {
	int64_t competition;
	char date[16];
};

#define MAX_LISTS 64
#define PRODUCER_CYCLE_MAX_AGE 900 /* seconds: /healthz */
#define MAX_KEPT 256

struct producer {
	const char *name; /* bf-producer@host:pid (producers table, connection names) */
	struct bf_config *cfg;
	PGconn *db;
	struct source *src;
	struct broker *broker;
	struct topology topo;
	bool active;
	int64_t next_schedule, next_watch, next_due;
	unsigned schedule_polls; /* since start: yesterday and tomorrow every AWAY_EVERY-th */
	/* per cycle */
	unsigned fetched, failed, not_modified;
	size_t upserted, changed, requeued;
	struct list_seen lists[MAX_LISTS]; /* the day lists asked (competition 0: all) */
	size_t nlists;
	int64_t kept[MAX_KEPT]; /* finished events whose answers a batch kept */
	size_t nkept;
	/* rounds whose full event list was fetched, and when */
	struct round_seen verified[MAX_VERIFIED];
	size_t nverified;
};

/* Yesterday's and tomorrow's schedules change seldom: asked every this
 * many schedule polls (today's every time), and at low priority. */
#define AWAY_EVERY 3

static int64_t now_s(void)
{
	return (int64_t)time(NULL);
}

/* Sleeps until when, keeping the broker connection alive meanwhile. */
static void sleep_until(struct broker *b, int64_t when)
{
	while (!signals_stop && now_s() < when) {
		notify_watchdog();
		clock_sleep_ms(200);
		if (b != NULL && broker_idle(b) != 0)
			log_warn(
				"broker connection lost while idle: reconnects at the next publish");
	}
}

/* A request skipped by the client's backoff (said once, when it began). */
static bool backing_off(const struct source_resp *r)
{
	return r->reason == SOURCE_R_BACKING_OFF;
}

/* Drops the events of a league that apifootball.seasons pins to another
 * season (a new season starting while the old one's play-offs go on: both
 * on the same days).  The count kept, at the front of evs. */
static size_t keep_chosen_seasons(const struct bf_config *cfg, struct match_event *evs, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++) {
		bool keep = true;
		for (size_t k = 0; k + 1 < cfg->naf_seasons; k += 2)
			if (evs[i].unique_tournament_id == cfg->af_seasons[k] &&
			    evs[i].season_id != cfg->af_seasons[k + 1])
				keep = false;
		if (keep && w != i)
			evs[w] = evs[i];
		w += keep;
	}
	return w;
}

/* An event list asked for (a 304 is not parsed); upserts what belongs to
 * followed tournaments. */
static void poll_list(struct producer *p, enum source_result res, const struct source_resp *r,
		      struct match_event *evs, size_t n, size_t skipped)
{
	size_t kept = 0, changed = 0;

	p->fetched++;
	if (res == SOURCE_NOT_MODIFIED || r->status == 304) {
		p->not_modified++;
		if (res == SOURCE_NOT_MODIFIED) {
			/* unchanged since the last answer: no parsing, nothing to write */
			free(evs);
			return;
		}
	}
	if (res == SOURCE_BAD) {
		p->failed++;
		log_warn("bad response url=%s error=%s", r->url, log_quote(r->error));
		free(evs);
		return;
	} else if (res != SOURCE_OK && res != SOURCE_NOT_MODIFIED) {
		p->failed++;
		/* a challenge is said once, loudly, by the client; the cycle line
		 * repeats that the breaker is open */
		if (res != SOURCE_REFUSED && !backing_off(r) && res != SOURCE_NOT_FOUND)
			log_warn("fetch failed url=%s error=%s", r->url, log_quote(r->error));
		free(evs);
		return;
	}
	if (skipped > 0)
		log_warn("skipped %zu events url=%s first_error=%s", skipped, r->url,
			 log_quote(r->error));
	n = keep_chosen_seasons(p->cfg, evs, n);
	if (store_upsert_events(p->db, evs, n, p->cfg->tournaments, p->cfg->ntournaments, &kept,
				&changed) != 0)
		log_err("upsert failed url=%s events=%zu", r->url, kept);
	p->upserted += kept;
	p->changed += changed;
	free(evs);
}

/* Remembers that the day list (competition, date) was asked this cycle. */
static void list_asked(struct producer *p, int64_t competition, const char *date)
{
	if (p->nlists < MAX_LISTS) {
		p->lists[p->nlists].competition = competition;
		snprintf(p->lists[p->nlists].date, sizeof(p->lists[0].date), "%s", date);
		p->nlists++;
	}
}

static bool list_was_asked(const struct producer *p, int64_t competition, const char *date)
{
	for (size_t i = 0; i < p->nlists; i++)
		if (p->lists[i].competition == competition && strcmp(p->lists[i].date, date) == 0)
			return true;
	return false;
}

/* The schedules of yesterday, today and tomorrow (UTC): one request per
 * day and followed competition, or one per day for all of them when the
 * provider answers that way (API-Football: the upsert keeps the followed
 * ones, and each fixture brings its season).  Yesterday and tomorrow only
 * every AWAY_EVERY-th time and at low priority (they leave the day's
 * quota reserve to the checks of videos about to be made). */
static void poll_schedules(struct producer *p)
{
	static const int days[] = { -1, 0, 1 };
	bool by_day = source_schedule_by_day(p->src);
	size_t ncomp = by_day ? 1 : p->cfg->ntournaments;
	bool away = p->schedule_polls++ % AWAY_EVERY == 0;
	char date[16];

	if (p->cfg->ntournaments == 0)
		return;
	for (size_t t = 0; t < ncomp && !signals_stop; t++) {
		for (size_t d = 0; d < 3 && !signals_stop; d++) {
			time_t when = (time_t)(now_s() + days[d] * 86400);
			unsigned flags = SOURCE_SKIP_UNCHANGED | (days[d] != 0 ? SOURCE_LOW : 0);
			struct tm tm;

			if (days[d] != 0 && !away)
				continue;
			gmtime_r(&when, &tm);
			strftime(date, sizeof(date), "%Y-%m-%d", &tm);
			struct source_resp r;
			struct match_event *evs;
			size_t n, skipped;
			int64_t comp = by_day ? 0 : p->cfg->tournaments[t];
			enum source_result res = source_get_schedule(p->src, comp, date, flags,
								     &evs, &n, &skipped, &r);
			poll_list(p, res, &r, evs, n, skipped);
			list_asked(p, comp, date);
		}
	}
}

static void poll_event(struct producer *p, int64_t id)
{
	struct source_resp r;
	struct match_event ev;
	size_t kept, changed;
	enum source_result res;

	res = source_get_event(p->src, id, SOURCE_SKIP_UNCHANGED, &ev, &r);
	p->fetched++;
	if (res == SOURCE_NOT_MODIFIED) {
		p->not_modified++;
		return;
	}
	if (res == SOURCE_BAD) {
		p->failed++;
		log_warn("bad response url=%s event_id=%" PRId64 " error=%s", r.url, id,
			 log_quote(r.error));
		return;
	}
	if (res != SOURCE_OK) {
		p->failed++;
		if (res != SOURCE_REFUSED && !backing_off(&r))
			log_warn("fetch failed url=%s event_id=%" PRId64 " error=%s", r.url, id,
				 log_quote(r.error));
		return;
	}
	if (store_upsert_events(p->db, &ev, 1, p->cfg->tournaments, p->cfg->ntournaments, &kept,
				&changed) != 0)
		log_err("upsert failed event_id=%" PRId64, id);
	p->changed += changed;
	if (changed > 0)
		log_info("event updated event_id=%" PRId64 " status=%s code=%d", id,
			 match_status_name(ev.status), ev.status_code);
}

/* Events asked many at once (API-Football fixtures?ids=): their
 * statuses, and the finished ones' answers kept for bf-results. */
static void poll_events_batched(struct producer *p, const int64_t *ids, size_t n)
{
	size_t max = source_batch_max(p->src);

	for (size_t from = 0; from < n && !signals_stop; from += max) {
		size_t k = n - from < max ? n - from : max, nev, skipped;
		struct match_event *evs;
		struct source_resp r;
		enum source_result res =
			source_get_events_batch(p->src, ids + from, k, &evs, &nev, &skipped, &r);

		/* their answers are kept for bf-results: not asked again this cycle */
		for (size_t i = 0; res == SOURCE_OK && i < nev && p->nkept < MAX_KEPT; i++)
			if (evs[i].status == MATCH_ST_FINISHED)
				p->kept[p->nkept++] = evs[i].id;
		poll_list(p, res, &r, evs, nev, skipped);
	}
}

/*
 * The followed matches that should have finished by now (kick-off at
 * least finish_watch_after ago, no final status stored) are asked for
 * their status, as few requests as the provider allows: the fixtures
 * themselves many at once (API-Football fixtures?ids=), or the day list
 * of their competition (Sofascore: one request for a whole kick-off slot,
 * none when this cycle's schedule poll asked it already); a match the
 * lists still do not show final finish_check_after past kick-off is
 * asked on its own.  Returns the number of matches watched.
 */
static size_t watch_finishes(struct producer *p)
{
	struct store_watch *w = NULL;
	size_t n = 0;

	if (store_watch_candidates(p->db, p->cfg->finish_watch_after, &w, &n) != 0 || n == 0) {
		free(w);
		return 0;
	}
	if (source_batch_max(p->src) > 0) {
		int64_t *ids = calloc(n, sizeof(*ids));
		for (size_t i = 0; ids != NULL && i < n; i++)
			ids[i] = w[i].id;
		if (ids != NULL)
			poll_events_batched(p, ids, n);
		free(ids);
		free(w);
		return n;
	}
	bool by_day = source_schedule_by_day(p->src);
	for (size_t i = 0; i < n && !signals_stop; i++) {
		int64_t comp = by_day ? 0 : w[i].competition;
		time_t start = (time_t)w[i].start_ts;
		struct tm tm;
		char date[16];

		gmtime_r(&start, &tm);
		strftime(date, sizeof(date), "%Y-%m-%d", &tm);
		if (list_was_asked(p, comp, date))
			continue;
		struct source_resp r;
		struct match_event *evs;
		size_t nev, skipped;
		enum source_result res = source_get_schedule(p->src, comp, date,
							     SOURCE_SKIP_UNCHANGED, &evs, &nev,
							     &skipped, &r);
		poll_list(p, res, &r, evs, nev, skipped);
		list_asked(p, comp, date);
	}
	free(w);
	/* what the lists still do not show final long after kick-off */
	size_t watched = n;
	if (store_watch_candidates(p->db, p->cfg->finish_check_after, &w, &n) == 0)
		for (size_t i = 0; i < n && !signals_stop; i++)
			poll_event(p, w[i].id);
	free(w);
	return watched;
}

static struct round_seen *round_verified(struct producer *p, const struct work_msg *m)
{
	for (size_t i = 0; i < p->nverified; i++) {
		struct round_seen *r = &p->verified[i];
		if (r->ut == m->unique_tournament_id && r->season == m->season_id &&
		    r->round == m->round)
			return r;
	}
	return NULL;
}

/* The round's full list was fetched within the last schedule_interval. */
static bool round_fresh(struct producer *p, const struct work_msg *m)
{
	const struct round_seen *r = round_verified(p, m);

	return r != NULL && now_s() - r->at < p->cfg->schedule_interval;
}

/*
 * A round looks complete from the events we know, but it may span more
 * days than the three we poll: fetch its whole event list before saying
 * so.  Returns true when the round was (recently) verified.
 */
static bool verify_round(struct producer *p, const struct work_msg *m)
{
	struct round_seen *r = round_verified(p, m);
	struct source_resp resp;
	enum source_result res;
	struct match_event *evs = NULL;
	size_t n = 0, skipped = 0;

	if (r != NULL && now_s() - r->at < p->cfg->schedule_interval)
		return true;
	res = source_get_round(p->src, m->unique_tournament_id, m->season_id, m->round, 0, &evs, &n,
			       &skipped, &resp);
	p->fetched++;
	if (res == SOURCE_OK || res == SOURCE_NOT_MODIFIED) {
		size_t kept = 0, changed = 0;
		if (store_upsert_events(p->db, evs, n, p->cfg->tournaments, p->cfg->ntournaments,
					&kept, &changed) == 0)
			p->changed += changed;
	} else if (res != SOURCE_NOT_FOUND && res != SOURCE_BAD) {
		/* cannot tell now: try again next cycle */
		p->failed++;
		free(evs);
		return false;
	}
	free(evs);
	if (r == NULL && p->nverified < MAX_VERIFIED)
		r = &p->verified[p->nverified++];
	else if (r == NULL)
		r = &p->verified[(size_t)now_s() % MAX_VERIFIED];
	r->ut = m->unique_tournament_id;
	r->season = m->season_id;
	r->round = m->round;
	r->at = now_s();
	return true;
}

static size_t compute_due(struct producer *p, struct due_item *items)
{
	struct due_event *ev = NULL;
	struct due_job *jobs = NULL;
	size_t nev = 0, njobs = 0, n;
	struct due_params dp = { .now = now_s(), .lineup_lead = p->cfg->lineup_lead };

	if (store_load_due(p->db, &ev, &nev, &jobs, &njobs) != 0)
		return 0;
	n = due_compute(ev, nev, jobs, njobs, &dp, items, MAX_DUE);
	free(ev);
	free(jobs);
	return n;
}

static void log_published(const struct work_msg *m)
{
	if (m->type == MSG_TSTATS)
		log_info("published type=tournament-stats unique_tournament_id=%" PRId64
			 " season_id=%" PRId64 " round=%d",
			 m->unique_tournament_id, m->season_id, m->round);
	else
		log_info("published type=%s event_id=%" PRId64, msg_type_name(m->type),
			 m->event_id);
}

/* Publishes every pending job with confirms; confirmed ones become enqueued. */
static int publish_pending(struct producer *p, size_t *published)
{
	struct work_msg *msgs = NULL;
	size_t n = 0;
	int rc = 0;

	*published = 0;
	if (store_pending_jobs(p->db, &msgs, &n, 5000) != 0)
		return -1;
	for (size_t start = 0; start < n && rc == 0; start += PUBLISH_BATCH) {
		size_t end = start + PUBLISH_BATCH < n ? start + PUBLISH_BATCH : n;
		for (size_t i = start; i < end; i++) {
			char body[256], key[MSG_KEY_MAX];
			int len = msg_encode(&msgs[i], body, sizeof(body));
			struct broker_msg bm = {
				.exchange = TOPO_WORK_EXCHANGE,
				.routing_key = msg_type_name(msgs[i].type),
				.body = body,
				.message_id = key,
				.type = msg_type_name(msgs[i].type),
				.app_id = "bf-producer",
			};
			if (len < 0 || msg_key(&msgs[i], key, sizeof(key)) < 0)
				continue;
			bm.len = (size_t)len;
			if (broker_publish(p->broker, &bm) != 0) {
				rc = -1;
				break;
			}
		}
		if (rc == 0 && broker_flush(p->broker, p->cfg->amqp_op_timeout * 1000) != 0)
			rc = -1;
		if (rc != 0) {
			/* not confirmed: they stay pending and go out again next cycle */
			broker_discard_unconfirmed(p->broker);
			log_warn("publish not confirmed: %zu jobs stay pending for the next cycle",
				 end - start);
			break;
		}
		if (store_mark_enqueued(p->db, msgs + start, end - start) != 0) {
			rc = -1;
			break;
		}
		for (size_t i = start; i < end; i++)
			log_published(&msgs[i]);
		*published += end - start;
	}
	free(msgs);
	return rc;
}

/*
 * Seconds without news (no state written by a consumer) after which an
 * enqueued job is published again: a message may legitimately wait the
 * longest wait tier, then requeue_after more.
 */
static int requeue_threshold(const struct bf_config *c)
{
	int longest = c->lineups_tiers[c->lineups_ntiers - 1];

	if (c->results_tiers[c->results_ntiers - 1] > longest)
		longest = c->results_tiers[c->results_ntiers - 1];
	return longest + c->requeue_after;
}

/* A batch of this cycle kept this finished event's answer already. */
static bool kept_now(const struct producer *p, int64_t id)
{
	for (size_t i = 0; i < p->nkept; i++)
		if (p->kept[i] == id)
			return true;
	return false;
}

static void publish_due(struct producer *p, size_t *due, size_t *published)
{
	struct due_item *items = calloc(MAX_DUE, sizeof(*items));
	size_t n, recorded = 0;
	bool recompute = false;

	*due = *published = 0;
	if (items == NULL)
		return;
	/* before the pending ones are published: these go out with them */
	if (p->cfg->requeue_after > 0 &&
	    store_requeue_stale(p->db, requeue_threshold(p->cfg), &p->requeued) != 0)
		log_err("cannot requeue stale jobs");
	n = compute_due(p, items);
	/* rounds: make sure we know every event of the round first */
	for (size_t i = 0; i < n; i++) {
		if (items[i].msg.type == MSG_TSTATS && !round_fresh(p, &items[i].msg)) {
			verify_round(p, &items[i].msg);
			recompute = true;
		}
	}
	if (recompute)
		n = compute_due(p, items);
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (items[i].msg.type != MSG_TSTATS || round_fresh(p, &items[i].msg))
			items[w++] = items[i];
	n = w;
	*due = n;
	/* the finished matches' answers fetched many at once and kept: each
	 * result then costs bf-results no request of its own */
	if (source_batch_max(p->src) > 0) {
		int64_t *rid = calloc(n + 1, sizeof(*rid));
		size_t nr = 0;
		for (size_t i = 0; rid != NULL && i < n; i++)
			if (items[i].msg.type == MSG_RESULT && !items[i].rearm &&
			    !kept_now(p, items[i].msg.event_id))
				rid[nr++] = items[i].msg.event_id;
		if (nr > 0)
			poll_events_batched(p, rid, nr);
		free(rid);
	}
	if (n > 0 && store_record_jobs(p->db, items, n, &recorded) != 0)
		log_err("cannot record %zu due jobs", n);
	free(items);
	if (publish_pending(p, published) != 0)
		log_warn("publishing incomplete");
}

/*
 * When the loop wakes next: the next poll, the moment a line-up job or a
 * match to watch becomes due (nothing is polled to find those: the stored
 * kick-off times say when), and at least every live_interval (at most a
 * minute) to publish what the consumers' results made due (a round).
 */
static void next_moments(struct producer *p, int64_t now)
{
	int64_t lineup = 0, watch = 0,
		tick = p->cfg->live_interval < 60 ? p->cfg->live_interval : 60;

	p->next_due = now + tick;
	if (store_next_moments(p->db, p->cfg->lineup_lead, p->cfg->finish_watch_after, &lineup,
			       &watch) != 0)
		return;
	if (lineup > 0 && lineup < p->next_due)
		p->next_due = lineup;
	if (watch > 0 && watch < p->next_watch)
		p->next_watch = watch;
}

/* The queues' depths and the unfinished jobs, for the metrics (the
 * active producer serves them: one process, however many consumers). */
static void gauges(struct producer *p)
{
	static const enum msg_type types[] = { MSG_LINEUP, MSG_RESULT, MSG_TSTATS, MSG_RENDER };
	char q[TOPO_NAME_MAX];
	long msgs, consumers;

	if (store_job_gauges(p->db) != 0)
		log_warn("job gauges not read: the metrics keep the last ones");
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		for (int dead = 0; dead < 2; dead++) {
			int rc;
			if (dead)
				topo_dead_queue(types[i], q, sizeof(q));
			else
				topo_work_queue(types[i], q, sizeof(q));
			rc = broker_queue_info(p->broker, q, &msgs, &consumers);
			if (rc < 0)
				return; /* no broker: the next cycle asks again */
			if (rc == 0)
				metrics_set(M_QUEUE_MESSAGES, (double)msgs, "queue", q,
					    METRICS_END);
		}
}

static void run_cycle(struct producer *p, bool once)
{
	int64_t now = now_s();
	size_t due = 0, published = 0;
	bool polled = false;

	p->fetched = p->failed = p->not_modified = 0;
	p->upserted = p->changed = p->requeued = 0;
	p->nlists = p->nkept = 0;
	if (once || now >= p->next_schedule) {
		poll_schedules(p);
		p->next_schedule = now + p->cfg->schedule_interval;
		polled = true;
	}
	if (once || now >= p->next_watch) {
		/* none to watch: the next one's moment wakes the loop */
		p->next_watch = watch_finishes(p) > 0 ? now + p->cfg->live_interval : INT64_MAX;
		polled = polled || p->fetched > 0;
	}
	publish_due(p, &due, &published);
	next_moments(p, now);
	if (polled || published > 0)
		log_info("cycle requests=%u failed=%u not_modified=%u events=%zu changed=%zu due=%zu published=%zu requeued=%zu",
			 p->fetched, p->failed, p->not_modified, p->upserted, p->changed, due,
			 published, p->requeued);
	long br = source_breaker_remaining(p->src);
	if (br > 0 && polled)
		log_warn("%s circuit breaker open: %lds left, no calls until then",
			 source_provider(p->src), br);
	gauges(p);
	if (store_producer_seen(p->db, p->name, true, true) != 0)
		log_warn("producers table not updated: bfctl status shows an older cycle");
	metrics_add(M_PRODUCER_CYCLES, 1, METRICS_END);
	metrics_set(M_PRODUCER_LAST_CYCLE, (double)now_s(), METRICS_END);
	notify_status("active: last cycle %s requests=%u published=%zu",
		      br > 0 ? "(breaker open)" : "ok", p->fetched, published);
}

static bool try_activate(struct producer *p)
{
	PGresult *r;
	bool got;

	if (db_broken(p->db)) {
		p->active = false;
		metrics_set(M_PRODUCER_ACTIVE, 0, METRICS_END);
		if (db_reconnect(p->db) != 0)
			return false;
	}
	if (p->active)
		return true;
	r = db_exec(p->db, "active lock", "SELECT pg_try_advisory_lock(" DB_PRODUCER_LOCK_KEY ")",
		    0, NULL);
	got = r != NULL && PQntuples(r) == 1 && PQgetvalue(r, 0, 0)[0] == 't';
	PQclear(r);
	metrics_set(M_PRODUCER_ACTIVE, got ? 1 : 0, METRICS_END);
	if (got) {
		metrics_health_cycle(PRODUCER_CYCLE_MAX_AGE); /* its first cycle from now */
		p->active = true;
		p->next_schedule = p->next_watch = p->next_due = 0;
		log_info("active: this producer polls and publishes");
	}
	return got;
}

/* What a start refuses, before anything connects (and all that -n checks). */
static int producer_check(const struct bf_config *c, const void *arg, char *err, size_t n)
{
	(void)arg;
	if (broker_urls_check(c->amqp_url, err, n) != 0 ||
	    db_url_check(c->database_url, err, n) != 0)
		return -1;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: bf-producer [-c FILE] [-n] [--once] [-h] [-V]\n"
		   "\n"
		   "Polls the data source (source.provider: Sofascore or API-Football) for the\n"
		   "competitions in producer.competitions, keeps the events in PostgreSQL and\n"
		   "publishes line-up, result and tournament-stats work to bf.work.  Two may run:\n"
		   "one is active, the other waits to take over.\n"
		   "\n"
		   "  -c FILE   configuration file (default ./bf.conf, then /etc/bf/bf.conf)\n"
		   "  -n        check the configuration, print \"configuration OK\", exit\n"
		   "  --once    run one full cycle and exit (1 when nothing could be fetched)\n"
		   "  -h        this help\n"
		   "  -V        version\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct bf_config cfg;
	struct producer p;
	const char *path = NULL;
	int check = 0, once = 0, ch, rc = 1;
	char err[512], name[300];
	int64_t standby_logged = 0;

	log_init("bf-producer");
	while ((ch = getopt_long(argc, argv, "c:nhVo", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'o':
			once = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			version_print();
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	signals_install();
	proc_config_load(&cfg, path, check, producer_check, NULL);
	notify_init();
	metrics_init("bf-producer", BF_VERSION);
	memset(&p, 0, sizeof(p));
	p.cfg = &cfg;
	log_info("starting version=%s provider=%s competitions=%zu config=%s %s", BF_VERSION,
		 cfg.source_provider, cfg.ntournaments, cfg.path ? cfg.path : "(defaults)",
		 version_libs());
	if (cfg.ntournaments == 0)
		log_warn("producer.competitions is empty: nothing will be followed");
	if (topo_build(&p.topo, &cfg) != 0)
		goto out_cfg;
	/* an active producer whose last cycle is older is not healthy: a
	 * cycle runs every minute at least, a slow provider's budget makes
	 * one last a few */
	metrics_health_cycle(PRODUCER_CYCLE_MAX_AGE);
	if (!once && metrics_serve(cfg.metrics_listen) != 0)
		goto out_cfg;
	notify_status("connecting to the database");
	if (db_connect(&p.db, cfg.database_url, 0, &signals_stop) != 0)
		goto out_cfg;
	if (db_check_schema(p.db, err, sizeof(err)) != 0) {
		log_err("%s", err);
		goto out_db;
	}
	if (source_pg_open(&p.src, &cfg, cfg.database_url, SOURCE_BACKOFF) != 0)
		goto out_db;
	proc_conn_name(name, sizeof(name));
	p.name = name;
	struct broker_opts bo = broker_opts_from_config(&cfg, name, &p.topo, &signals_stop);
	if (broker_open(&p.broker, &bo) != 0)
		goto out_sofa;
	proc_trim_memory();
	notify_ready("connected to %s, polling %s", broker_peer(p.broker), cfg.source_provider);
	log_info("ready broker=%s provider=%s source=%s", broker_peer(p.broker),
		 cfg.source_provider,
		 strcmp(cfg.source_provider, "api-football") == 0 ? cfg.af_base_url
								  : cfg.sofa_base_url);

	rc = 0;
	while (!signals_stop) {
		if (!try_activate(&p)) {
			if (once) {
				log_err("another producer is active (advisory lock held): --once does nothing");
				rc = 1;
				break;
			}
			if (now_s() - standby_logged >= 60) {
				if (store_producer_seen(p.db, p.name, false, false) != 0)
					log_warn("producers table not updated");
				notify_status("standby: another producer is active");
				log_info("standby: another producer is active");
				standby_logged = now_s();
			}
			int wait = cfg.live_interval / 4;
			sleep_until(p.broker, now_s() + (wait < 1 ? 1 : wait > 15 ? 15 : wait));
			continue;
		}
		run_cycle(&p, once);
		if (once) {
			if (p.fetched > 0 && p.failed == p.fetched)
				rc = 1;
			break;
		}
		int64_t next = p.next_watch < p.next_schedule ? p.next_watch : p.next_schedule;
		sleep_until(p.broker, p.next_due < next ? p.next_due : next);
	}
	notify_stopping();
	broker_close(p.broker);
out_sofa:
	source_close(p.src);
out_db:
	PQfinish(p.db);
out_cfg:
	metrics_serve_stop();
	/* stopped while starting (a connect that waited): a clean stop */
	if (signals_stop && !once)
		rc = 0;
	log_info("stopped");
	cfg_free(&cfg);
	return rc;
}
