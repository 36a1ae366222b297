/*
 * follow: the render message that makes bf-renders follow a work message's
 * video ({"processing_type": "render", "kind": ..., "subject": ...} to
 * bf.work with routing key "render", message_id "render:<subject>"),
 * published by whoever knows Plainly accepted the render: the branch
 * consumers, the webhook listener, bfctl render follow.
 */
#ifndef BF_FOLLOW_H
#define BF_FOLLOW_H

#include "broker.h"
#include "message.h"

/*
 * Publishes the render message of work (line-up, result or
 * tournament-stats) on b without waiting for its confirm (broker_flush()
 * does).  0; 1 when the broker could not be reached (the message is kept
 * for broker_flush()); -1 when work has no video to follow.
 */
int follow_publish(struct broker *b, const struct work_msg *work, const char *app_id);

#endif
