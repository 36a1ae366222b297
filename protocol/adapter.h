/*
 * adapter: what the provider adapters (protocol/sofascore.c,
 * protocol/apifootball.c) share to read their JSON answers into the match
 * model: members looked up by name, strings copied with a bound and cut on
 * a UTF-8 character boundary (PostgreSQL rejects broken UTF-8), integers
 * only when integral and within a range, and the answer's root object.
 * Pure: cJSON only.
 */
#ifndef BF_ADAPTER_H
#define BF_ADAPTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "match.h"

/* Member key of object o; NULL when o is not an object or has no such member. */
const cJSON *adapter_get(const cJSON *o, const char *key);
/* Copies s into buf (n > 0 bytes), cut to n-1 bytes on a character boundary. */
void adapter_copy(const char *s, char *buf, size_t n);
/* Copies the string member key; false when absent or not a string. */
bool adapter_str(const cJSON *o, const char *key, char *buf, size_t n);
/* v as an integer when it is an integral number within [lo, hi]. */
bool adapter_num_int(const cJSON *v, int64_t lo, int64_t hi, int64_t *out);
/* The member key as an integer within [lo, hi] (adapter_num_int). */
bool adapter_int(const cJSON *o, const char *key, int64_t lo, int64_t hi, int64_t *out);
/* The member key as an int within [-1000000, 1000000]. */
bool adapter_int32(const cJSON *o, const char *key, int *out);
/* item as compact JSON text, as cJSON_PrintUnformatted() prints it (the
 * same bytes), without its slow path for whole numbers; malloc'd (never in
 * a jarena), free() it; NULL when out of memory. */
char *adapter_print(const cJSON *item);
/* Parses body (len bytes) into its root object; NULL with a reason in err
 * when it is empty, not JSON or not an object.  cJSON_Delete the result. */
cJSON *adapter_parse_root(const char *body, size_t len, char *err, size_t errlen);

/*
 * The events of list (a JSON array), at most max of them, each parsed by
 * one: a malformed event is skipped and counted in *skipped, the first
 * one's reason in err (empty when none was).  *out is malloc'd (free()),
 * *n its count.  0, or -1 when out of memory (err says so).
 */
int adapter_parse_event_list(const cJSON *list, size_t max,
			     int (*one)(const cJSON *e, struct match_event *ev, char *err,
					size_t errlen),
			     struct match_event **out, size_t *n, size_t *skipped, char *err,
			     size_t errlen) __attribute__((warn_unused_result));

#endif
