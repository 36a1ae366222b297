/*
 * test_clock: lib/clock.c, the monotonic clock, the one sleep and the
 * ISO-8601 UTC dates the documents carry.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

#include "lib/clock.h"
#include "tests/support/t.h"

static void iso_utc_dates(void)
{
	char buf[32];

	clock_iso_utc(0, buf, sizeof(buf));
	CHECK_STR(buf, "1970-01-01T00:00:00Z");
	clock_iso_utc(1795683600, buf, sizeof(buf)); /* a kick-off */
	CHECK_STR(buf, "2026-11-26T09:00:00Z");
	clock_iso_utc(951782400, buf, sizeof(buf)); /* a leap day */
	CHECK_STR(buf, "2000-02-29T00:00:00Z");
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void sleep_sleeps_its_time_through_signals(void)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 0 }, { 0, 20000 } }; /* one SIGALRM after 20 ms */
	int64_t t0 = clock_mono_ms();

	clock_sleep_ms(0);
	clock_sleep_ms(-5);
	CHECK(clock_mono_ms() - t0 < 20);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	REQUIRE(sigaction(SIGALRM, &sa, NULL) == 0);
	REQUIRE(setitimer(ITIMER_REAL, &it, NULL) == 0);
	t0 = clock_mono_ms();
	clock_sleep_ms(80);
	int64_t slept = clock_mono_ms() - t0;
	printf("# slept %lld ms for 80\n", (long long)slept);
	CHECK(slept >= 80);
	CHECK(slept < 2000);
}

int main(void)
{
	T_RUN(iso_utc_dates);
	T_RUN(sleep_sleeps_its_time_through_signals);
	return t_done();
}
