/*
 * scrape: a program's GET /metrics (Prometheus text) as a test reads it:
 * one series' value, the sum of a family's series, a wait for a value.
 * The format itself is checked by tests/support/promcheck.py.
 */
#ifndef BF_TEST_SCRAPE_H
#define BF_TEST_SCRAPE_H

/* The value of the sample line that starts with series (name and labels
 * as written, e.g. "bf_messages_total{type=\"line-up\",outcome=\"done\"}");
 * -1 when there is none. */
double scrape_value(const char *text, const char *series);

/* The sum of the samples whose line starts with prefix (e.g.
 * "bf_plainly_requests_total{"); 0 when none. */
double scrape_sum(const char *text, const char *prefix);

/*
 * GETs url (http://127.0.0.1:PORT/metrics) until series has the value want
 * or timeout_ms passed: the last text read (malloc'd; NULL when none came).
 */
char *scrape_wait(const char *url, const char *series, double want, int timeout_ms);

/* GET url's status (0 when none), its first line into why (may be NULL). */
long scrape_status(const char *url, char *why, int n);

/* GETs url until it answers status or timeout_ms passed: the last status. */
long scrape_wait_status(const char *url, long status, int timeout_ms);

#endif
