/*
 * query: reading what the programs under test left behind.  SQL on a
 * database URL (one connection per call; a failure is said as a "#" line
 * and returned as -1, "" or NULL, so that a check fails on it), and the
 * members of a JSON document (absent members read as "" and -1).
 */
#ifndef BF_TEST_QUERY_H
#define BF_TEST_QUERY_H

#include <cjson/cJSON.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

/* ---- PostgreSQL ------------------------------------------------------------ */

/* Runs q with n text parameters (params may be NULL when n is 0) on url.
 * The result (tuples or command) to PQclear, or NULL: the connection or the
 * statement failed (printed as a "#" line). */
PGresult *sql_query(const char *url, const char *q, int n, const char *const *params);

/* The same for a statement whose result does not matter; 0 or -1. */
int sql_cmd(const char *url, const char *q, int n, const char *const *params);

/* One or more statements separated by ";" (simple protocol, so no
 * parameters); 0 or -1. */
int sql_exec(const char *url, const char *sql);

/* The first column of the first row of q (param, may be NULL, is $1) as
 * text into buf: 0, or -1 with buf "" when there is no row, the value is
 * NULL or the query failed. */
int sql_text(const char *url, const char *q, const char *param, char *buf, size_t n);

/* The same as a long: -1 when there is no row, the value is NULL or the
 * query failed. */
long sql_long(const char *url, const char *q, const char *param);

/* true when the first value is NULL (or there is no row). */
bool sql_null(const char *url, const char *q, const char *param);

/* ---- JSON -------------------------------------------------------------------- */

/* Member k of object o (NULL when o is not an object or has no k). */
const cJSON *jget(const cJSON *o, const char *k);
/* Its string ("" when absent or not a string). */
const char *jstr(const cJSON *o, const char *k);
/* Its number (-1 when absent or not a number). */
double jnum(const cJSON *o, const char *k);

#endif
