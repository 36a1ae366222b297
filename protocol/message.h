/*
 * message: the work message contract (DESIGN section 3).
 *
 *   {"event_id": 10230541, "processing_type": "line-up"}
 *   {"event_id": 10230541, "processing_type": "result"}
 *   {"processing_type": "tournament-stats", "unique_tournament_id": 17,
 *    "season_id": 76986, "round": 12}
 *   {"processing_type": "render", "kind": "result", "subject": "result:10230541"}
 *
 * A render message follows the video of a work message (its subject) from
 * the render request to a final state.
 * processing_type is also the routing key and the AMQP "type" property.
 * Unknown fields are ignored; anything else wrong makes a poison message.
 */
#ifndef BF_MESSAGE_H
#define BF_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#define MSG_MAX_BODY 65536 /* larger bodies are poison without parsing */
#define MSG_MAX_DEPTH 8 /* JSON nesting allowed in a body */
#define MSG_KEY_MAX 96 /* buffer size that holds any message_id */

enum msg_type {
	MSG_NONE = 0,
	MSG_LINEUP,
	MSG_RESULT,
	MSG_TSTATS,
	MSG_RENDER,
};
#define MSG_NTYPES 4

struct work_msg {
	enum msg_type type;
	/* render: the kind of the followed work message, whose ids are the
	 * fields below (the subject "result:10230541" is that message's key) */
	enum msg_type kind;
	int64_t event_id; /* line-up, result */
	int64_t unique_tournament_id; /* tournament-stats */
	int64_t season_id;
	int round;
};

/* "line-up", "result", "tournament-stats", "render"; NULL for MSG_NONE. */
const char *msg_type_name(enum msg_type t);
/* Parses a type name of len bytes; MSG_NONE when unknown. */
enum msg_type msg_type_parse(const char *s, size_t len);

/*
 * Decodes and validates a body of len bytes (not NUL-terminated).  Returns
 * 0, or -1 with a short human reason in err ("invalid JSON at byte 12",
 * "event_id: must be a positive integer", ...).
 */
int msg_decode(const char *body, size_t len, struct work_msg *m, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* Encodes m as compact JSON into buf; returns the length, or -1 when m is
 * invalid or buf too small. */
int msg_encode(const struct work_msg *m, char *buf, size_t n) __attribute__((warn_unused_result));

/* The deterministic message_id / subject: "line-up:123",
 * "tournament-stats:17:76986:12", "render:result:123".  Returns the length,
 * -1 when invalid. */
int msg_key(const struct work_msg *m, char *buf, size_t n);

/* The subject of the video m is about: its key, or for a render message
 * the key of the work message it follows.  The length, -1 when invalid. */
int msg_subject(const struct work_msg *m, char *buf, size_t n);

/* The render message that follows work's video (work: line-up, result or
 * tournament-stats).  0, or -1 when work is not such a message. */
int msg_follow(const struct work_msg *work, struct work_msg *render);

/* The work message whose key is subject ("result:9101",
 * "tournament-stats:17:76986:12").  0, or -1 with the reason in err. */
int msg_parse_subject(const char *subject, struct work_msg *work, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* The work message a render message follows.  0, or -1. */
int msg_followed(const struct work_msg *render, struct work_msg *work);

/* Validates the fields of m (the same rules as msg_decode). */
int msg_validate(const struct work_msg *m, char *err, size_t errlen);

#endif
