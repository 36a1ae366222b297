#include "query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- PostgreSQL ------------------------------------------------------------ */

PGresult *sql_query(const char *url, const char *q, int n, const char *const *params)
{
	PGconn *c = PQconnectdb(url);
	PGresult *r;

	if (PQstatus(c) != CONNECTION_OK) {
		printf("#   cannot connect: %s", PQerrorMessage(c));
		PQfinish(c);
		return NULL;
	}
	r = PQexecParams(c, q, n, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
		printf("#   sql failed: %s#   in: %.300s\n", PQresultErrorMessage(r), q);
		PQclear(r);
		r = NULL;
	}
	PQfinish(c);
	return r;
}

int sql_cmd(const char *url, const char *q, int n, const char *const *params)
{
	PGresult *r = sql_query(url, q, n, params);

	PQclear(r);
	return r != NULL ? 0 : -1;
}

int sql_exec(const char *url, const char *sql)
{
	PGconn *c = PQconnectdb(url);
	int rc = -1;

	if (PQstatus(c) == CONNECTION_OK) {
		PGresult *r = PQexec(c, sql);
		ExecStatusType st = PQresultStatus(r);
		rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : -1;
		if (rc != 0)
			printf("#   sql failed: %s", PQresultErrorMessage(r));
		PQclear(r);
	} else {
		printf("#   cannot connect: %s", PQerrorMessage(c));
	}
	PQfinish(c);
	return rc;
}

int sql_text(const char *url, const char *q, const char *param, char *buf, size_t n)
{
	const char *p[1] = { param };
	PGresult *r = sql_query(url, q, param != NULL ? 1 : 0, param != NULL ? p : NULL);
	int rc = -1;

	buf[0] = '\0';
	if (r != NULL && PQntuples(r) > 0 && PQnfields(r) > 0 && !PQgetisnull(r, 0, 0)) {
		snprintf(buf, n, "%s", PQgetvalue(r, 0, 0));
		rc = 0;
	}
	PQclear(r);
	return rc;
}

long sql_long(const char *url, const char *q, const char *param)
{
	char buf[64];

	if (sql_text(url, q, param, buf, sizeof(buf)) != 0)
		return -1;
	return strtol(buf, NULL, 10);
}

bool sql_null(const char *url, const char *q, const char *param)
{
	char buf[64];

	return sql_text(url, q, param, buf, sizeof(buf)) != 0;
}

/* ---- JSON -------------------------------------------------------------------- */

const cJSON *jget(const cJSON *o, const char *k)
{
	return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = jget(o, k);

	return cJSON_IsString(v) ? v->valuestring : "";
}

double jnum(const cJSON *o, const char *k)
{
	const cJSON *v = jget(o, k);

	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}
