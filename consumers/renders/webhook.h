/*
 * webhook: Plainly's webhook, taken by bf-renders (renders.webhook_listen).
 *
 * Plainly POSTs {id, success, output, expirationDate, passthrough, error}
 * once a render is final, retries a non-2xx answer, and signs nothing.  So
 * the call is only a hint: a call without the configured secret (?secret=
 * in plainly.webhook_url) is refused with 403; otherwise the subject of the
 * render (its renders row by Plainly's id, else the passthrough, which our
 * requests set to the subject) gets a render message on bf.work, confirmed
 * before the answer: bf-renders then reads the state back with GET at once
 * instead of at its next wait tier.  A duplicate call makes a duplicate
 * message, which finds the render final and changes nothing.
 *
 * One thread of libmicrohttpd with its own database connection and broker
 * connection: nothing is shared with the consume loop.
 */
#ifndef BF_WEBHOOK_H
#define BF_WEBHOOK_H

#include "lib/config.h"

struct webhook;

/* Starts listening (renders.webhook_listen must be set).  0, or -1 with
 * the reason logged. */
int webhook_start(struct webhook **out, const struct bf_config *cfg, const char *conn_name)
	__attribute__((warn_unused_result));
void webhook_stop(struct webhook *w);

/* What webhook_start would refuse in the configuration (renders.webhook_*,
 * none when webhook_listen is empty): 0, or -1 with why in err. */
int webhook_check(const struct bf_config *cfg, char *err, size_t n)
	__attribute__((warn_unused_result));

/* "HOST:PORT" (HOST may be empty: all addresses) into an IPv4 address and
 * port.  0 or -1. */
int webhook_parse_listen(const char *s, char *host, size_t n, unsigned *port);

#endif
