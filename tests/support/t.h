/*
 * t: the smallest test harness that does the job.  Each test binary runs
 * cases with T_RUN and ends with t_done(); every case prints "ok - name" or
 * "not ok - name", which tests/run.sh counts into "N passed, N failed".
 */
#ifndef BF_T_H
#define BF_T_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

extern int t_case_failed;

void t_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void t_run(const char *name, void (*fn)(void));
int t_done(void);

#define T_RUN(fn) t_run(#fn, fn)

/* A named case for t_run_matching: T_CASE(fn). */
struct t_case {
	const char *name;
	void (*fn)(void);
};
#define T_CASE(fn)      \
	{               \
#fn, fn \
	}

/* Runs the cases whose name contains one of args[1..nargs-1] (every case
 * when there is none: pass main's argc and argv). */
void t_run_matching(const struct t_case *cases, size_t n, int nargs, char **args);

#define CHECK(cond)                                              \
	do {                                                     \
		if (!(cond))                                     \
			t_fail(__FILE__, __LINE__, "%s", #cond); \
	} while (0)

#define CHECK_INT(a, b)                                                                         \
	do {                                                                                    \
		long long t_a = (long long)(a), t_b = (long long)(b);                           \
		if (t_a != t_b)                                                                 \
			t_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, #b, t_a, t_b); \
	} while (0)

#define CHECK_STR(a, b)                                                                  \
	do {                                                                             \
		const char *t_a = (a), *t_b = (b);                                       \
		if (t_a == NULL || t_b == NULL || strcmp(t_a, t_b) != 0)                 \
			t_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b, \
			       t_a ? t_a : "(null)", t_b ? t_b : "(null)");              \
	} while (0)

/* Stops the case when cond is false (for preconditions). */
#define REQUIRE(cond)                                                      \
	do {                                                               \
		if (!(cond)) {                                             \
			t_fail(__FILE__, __LINE__, "required: %s", #cond); \
			return;                                            \
		}                                                          \
	} while (0)

/* Runs fn with stderr redirected to a temporary file: what it wrote there
 * (malloc'd; the caller frees), or NULL. */
char *t_capture_stderr(void (*fn)(void));

#endif
