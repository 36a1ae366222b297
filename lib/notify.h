/*
 * notify: the systemd service notification protocol (sd_notify(3)), for
 * units with Type=notify and WatchdogSec=.
 *
 * READY=1 once connected, STATUS= lines an operator sees in `systemctl
 * status`, WATCHDOG=1 keep-alives from the main loop, STOPPING=1.  A
 * datagram of KEY=VALUE lines to the AF_UNIX socket in $NOTIFY_SOCKET
 * ("@name" = abstract); without it every call does nothing.
 *
 * The keep-alives come from the thread that called notify_init() only (the
 * main loop): a helper thread that still runs while the loop is wedged
 * must not keep the process alive.  Bounded waits inside the loop
 * (reconnect backoffs, a long download) call notify_watchdog() too.
 */
#ifndef BF_NOTIFY_H
#define BF_NOTIFY_H

#include <stdint.h>

/* Reads $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID; the calling
 * thread becomes the one whose keep-alives count. */
void notify_init(void);

/* READY=1 with a STATUS= text. */
void notify_ready(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* STATUS= text (shown by systemctl status). */
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* STOPPING=1. */
void notify_stopping(void);

/* WATCHDOG=1 when a sixth of the watchdog interval has passed since the
 * last one; cheap to call on every turn of the loop.  Nothing from another
 * thread, or when the unit has no watchdog. */
void notify_watchdog(void);

/* The watchdog interval systemd asked for (microseconds), 0 when none. */
uint64_t notify_watchdog_usec(void);

#endif
