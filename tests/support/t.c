#include "t.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
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

void t_run_matching(const struct t_case *cases, size_t n, int nargs, char **args)
{
	for (size_t i = 0; i < n; i++) {
		bool run = nargs < 2;
		for (int a = 1; a < nargs; a++)
			if (strstr(cases[i].name, args[a]) != NULL)
				run = true;
		if (run)
			t_run(cases[i].name, cases[i].fn);
	}
}

int t_done(void)
{
	printf("# %d passed, %d failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}

char *t_capture_stderr(void (*fn)(void))
{
	char path[] = "/tmp/bf-test-stderr.XXXXXX";
	int fd = mkstemp(path), saved;
	char *buf = NULL;
	long size;
	FILE *f;

	if (fd < 0)
		return NULL;
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	if (saved < 0 || dup2(fd, STDERR_FILENO) < 0) {
		close(fd);
		unlink(path);
		return NULL;
	}
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	f = fopen(path, "rb");
	unlink(path);
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (size >= 0 && (buf = malloc((size_t)size + 1)) != NULL)
		buf[fread(buf, 1, (size_t)size, f)] = '\0';
	fclose(f);
	return buf;
}
