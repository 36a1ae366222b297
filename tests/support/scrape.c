#include "tests/support/scrape.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/support/testenv.h"

double scrape_value(const char *text, const char *series)
{
	size_t n = strlen(series);

	for (const char *p = text; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (strncmp(p, series, n) == 0 && p[n] == ' ')
			return strtod(p + n + 1, NULL);
	return -1;
}

double scrape_sum(const char *text, const char *prefix)
{
	size_t n = strlen(prefix);
	double sum = 0;

	for (const char *p = text; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (strncmp(p, prefix, n) == 0) {
			const char *sp = strchr(p, ' ');
			const char *nl = strchr(p, '\n');
			if (sp != NULL && (nl == NULL || sp < nl))
				sum += strtod(sp + 1, NULL);
		}
	return sum;
}

char *scrape_wait(const char *url, const char *series, double want, int timeout_ms)
{
	long long end = tenv_now_ms() + timeout_ms;
	char *text = NULL;

	for (;;) {
		long st;
		free(text);
		text = tenv_http_get(url, NULL, &st);
		if (text != NULL && st == 200 && scrape_value(text, series) == want)
			return text;
		if (tenv_now_ms() >= end)
			return text;
		tenv_sleep_ms(100);
	}
}

long scrape_status(const char *url, char *why, int n)
{
	long st = 0;
	char *body = tenv_http_get(url, NULL, &st);

	if (why != NULL)
		snprintf(why, (size_t)n, "%.*s", body != NULL ? (int)strcspn(body, "\n") : 0,
			 body != NULL ? body : "");
	free(body);
	return st;
}

long scrape_wait_status(const char *url, long status, int timeout_ms)
{
	long long end = tenv_now_ms() + timeout_ms;
	long st;

	while ((st = scrape_status(url, NULL, 0)) != status && tenv_now_ms() < end)
		tenv_sleep_ms(100);
	return st;
}
