#include "follow.h"

int follow_publish(struct broker *b, const struct work_msg *work, const char *app_id)
{
	struct work_msg m;
	char body[300], key[MSG_KEY_MAX];
	int len;

	if (msg_follow(work, &m) != 0 || (len = msg_encode(&m, body, sizeof(body))) < 0 ||
	    msg_key(&m, key, sizeof(key)) < 0)
		return -1;
	struct broker_msg bm = {
		.exchange = TOPO_WORK_EXCHANGE,
		.routing_key = msg_type_name(MSG_RENDER),
		.body = body,
		.len = (size_t)len,
		.message_id = key,
		.type = msg_type_name(MSG_RENDER),
		.app_id = app_id,
	};
	return broker_publish(b, &bm) != 0 ? 1 : 0;
}
