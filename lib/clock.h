/*
 * clock: time as the programs use it: monotonic milliseconds for durations
 * and deadlines, sleeping, and ISO-8601 UTC dates.
 */
#ifndef BF_CLOCK_H
#define BF_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds of CLOCK_MONOTONIC: for durations and deadlines. */
int64_t clock_mono_ms(void);

/* Sleeps ms milliseconds (none when ms <= 0); a signal does not cut it short. */
void clock_sleep_ms(int64_t ms);

/* "2026-11-26T09:00:00Z" of epoch seconds ts, in buf (n >= 21 for all of it). */
void clock_iso_utc(int64_t ts, char *buf, size_t n);

#endif
