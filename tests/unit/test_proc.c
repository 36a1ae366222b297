/*
 * test_proc: lib/proc.c, proc_trim_memory (the shared library pages
 * start-up touched are dropped, and the libraries still work after it).
 */
#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/proc.h"
#include "tests/support/t.h"

/* A field of /proc/self/status in kB, or -1. */
static long status_kb(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;
	size_t n = strlen(field);

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, n) == 0 && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static void trim_drops_library_pages_and_keeps_them_working(void)
{
	CURL *c;
	cJSON *j;
	long file_before, file_after, anon_before, anon_after;
	static char heap_check[] = "written before the trim";

	/* what a program's start-up does: TLS and libcurl set-up */
	REQUIRE(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
	c = curl_easy_init();
	REQUIRE(c != NULL);
	file_before = status_kb("RssFile");
	anon_before = status_kb("RssAnon");
	REQUIRE(file_before > 0);

	proc_trim_memory();

	file_after = status_kb("RssFile");
	anon_after = status_kb("RssAnon");
	printf("# RssFile %ld -> %ld kB, RssAnon %ld -> %ld kB\n", file_before, file_after,
	       anon_before, anon_after);
	/* the libraries' unmodified pages are gone from this process... */
	CHECK(file_after < file_before / 2);
	/* ...and what was written (data, relocations, heap) is untouched */
	CHECK(anon_after >= anon_before - 64);
	CHECK_STR(heap_check, "written before the trim");

	/* the code comes back on use: libcurl, libpq, cJSON, libc */
	CHECK(curl_easy_setopt(c, CURLOPT_URL, "http://127.0.0.1:1/") == CURLE_OK);
	CHECK(strstr(curl_version(), "libcurl") != NULL);
	CHECK(PQlibVersion() > 0);
	j = cJSON_Parse("{\"a\": [1, 2.5, \"x\"]}");
	REQUIRE(j != NULL);
	char *s = cJSON_PrintUnformatted(j);
	CHECK_STR(s, "{\"a\":[1,2.5,\"x\"]}");
	free(s);
	cJSON_Delete(j);
	curl_easy_cleanup(c);
	curl_global_cleanup();

	/* twice is harmless */
	proc_trim_memory();
	CHECK(status_kb("RssFile") > 0);
}

int main(void)
{
	T_RUN(trim_drops_library_pages_and_keeps_them_working);
	return t_done();
}
