#include "notify.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"

/*
 * Written by hand rather than linking libsystemd: sd_notify(3) documents
 * the protocol as stable and small enough to implement directly (its
 * "Standalone implementations" notes), and it is one sendto().
 */
static struct sockaddr_un notify_addr;
static socklen_t notify_addrlen; /* 0: not under systemd */
static uint64_t watchdog_usec;
static int64_t watchdog_last_ms;
static pthread_t notify_thread;
static bool notify_thread_set;

void notify_init(void)
{
	const char *path = getenv("NOTIFY_SOCKET");
	const char *usec = getenv("WATCHDOG_USEC");
	const char *pid = getenv("WATCHDOG_PID");
	size_t n;

	notify_addrlen = 0;
	watchdog_usec = 0;
	watchdog_last_ms = 0;
	notify_thread = pthread_self();
	notify_thread_set = true;
	if (path == NULL || (path[0] != '/' && path[0] != '@'))
		return;
	n = strlen(path);
	if (n >= sizeof(notify_addr.sun_path)) {
		log_warn("NOTIFY_SOCKET too long: no notifications to systemd");
		return;
	}
	memset(&notify_addr, 0, sizeof(notify_addr));
	notify_addr.sun_family = AF_UNIX;
	memcpy(notify_addr.sun_path, path, n);
	if (path[0] == '@')
		notify_addr.sun_path[0] = '\0'; /* abstract namespace */
	notify_addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	if (usec != NULL && (pid == NULL || strtol(pid, NULL, 10) == (long)getpid())) {
		char *end;
		unsigned long long v = strtoull(usec, &end, 10);
		if (*end == '\0' && v > 0)
			watchdog_usec = v;
	}
}

/* One datagram; a failure is not worth more than a debug line. */
static void send_state(const char *state)
{
	int fd;

	if (notify_addrlen == 0)
		return;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&notify_addr,
		   notify_addrlen) < 0)
		log_debug("sd_notify failed: %s", strerror(errno));
	close(fd);
}

static void send_status(const char *prefix, const char *fmt, va_list ap)
{
	char buf[512];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "%sSTATUS=", prefix);

	if (n >= sizeof(buf))
		return;
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	/* one line: a newline would start another assignment */
	for (char *p = buf + n; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
	send_state(buf);
}

void notify_ready(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	send_status("READY=1\n", fmt, ap);
	va_end(ap);
	watchdog_last_ms = clock_mono_ms();
	if (notify_addrlen != 0)
		send_state("WATCHDOG=1");
}

void notify_status(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	send_status("", fmt, ap);
	va_end(ap);
}

void notify_stopping(void)
{
	send_state("STOPPING=1");
}

void notify_watchdog(void)
{
	int64_t now;

	if (watchdog_usec == 0 || notify_addrlen == 0 || !notify_thread_set ||
	    !pthread_equal(pthread_self(), notify_thread))
		return;
	now = clock_mono_ms();
	if (watchdog_last_ms != 0 && (uint64_t)(now - watchdog_last_ms) * 6000 < watchdog_usec)
		return;
	watchdog_last_ms = now;
	send_state("WATCHDOG=1");
}

uint64_t notify_watchdog_usec(void)
{
	return watchdog_usec;
}
