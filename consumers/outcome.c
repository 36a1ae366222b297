#include "consumers/outcome.h"

#include <stdarg.h>
#include <stdio.h>

static void set(struct outcome *o, enum outcome_kind kind, int tier, const char *reason,
		const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

static void set(struct outcome *o, enum outcome_kind kind, int tier, const char *reason,
		const char *fmt, va_list ap)
{
	o->kind = kind;
	o->tier = tier;
	o->waits = false;
	o->follow = false;
	snprintf(o->reason, sizeof(o->reason), "%s", reason);
	vsnprintf(o->error, sizeof(o->error), fmt, ap);
}

void outcome_retry(struct outcome *o, int tier, const char *reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set(o, OUT_RETRY, tier, reason, fmt, ap);
	va_end(ap);
}

void outcome_wait(struct outcome *o, int tier, const char *reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set(o, OUT_RETRY, tier, reason, fmt, ap);
	va_end(ap);
	o->waits = true;
}

void outcome_dead(struct outcome *o, const char *reason, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set(o, OUT_DEAD, 0, reason, fmt, ap);
	va_end(ap);
}

void outcome_done(struct outcome *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set(o, OUT_DONE, 0, "", fmt, ap);
	va_end(ap);
}

void outcome_expired(struct outcome *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set(o, OUT_EXPIRED, 0, "", fmt, ap);
	va_end(ap);
}

const char *outcome_name(enum outcome_kind kind)
{
	static const char *const names[] = { "done",   "retry",	  "expired", "dead",
					     "render", "requeue", "deferred" };

	if ((unsigned)kind >= sizeof(names) / sizeof(names[0]))
		return "?";
	return names[kind];
}
