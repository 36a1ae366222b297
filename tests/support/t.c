#include "t.h"

#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

int t_case_failed;
static int passed, failed;

void t_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stdout, "#   %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
	t_case_failed = 1;
}

void t_run(const char *name, void (*fn)(void))
{
	struct timespec a, b;

	t_case_failed = 0;
	clock_gettime(CLOCK_MONOTONIC, &a);
	fn();
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (t_case_failed)
		failed++;
	else
		passed++;
	printf("%s - %s (%.2fs)\n", t_case_failed ? "not ok" : "ok", name,
	       (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
	fflush(stdout);
}

int t_done(void)
{
	printf("# %d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}
