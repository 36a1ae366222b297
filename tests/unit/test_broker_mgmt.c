/*
 * test_broker_mgmt: protocol/broker_mgmt.c's reading of the configuration
 * (no request is sent): the vhost and the credentials come from the first
 * URL of amqp.url split as broker_open splits the list.
 */
#include <string.h>

#include "lib/config.h"
#include "protocol/broker_mgmt.h"
#include "tests/support/t.h"

static void first_url_of_the_list(void)
{
	static const char *const lists[] = {
		"amqp://bf:pw@mq1:5672/live, amqp://bf:pw@mq2:5672/live",
		" amqp://bf:pw@mq1:5672/live,amqp://bf:pw@mq2:5672/live",
		"amqp://bf:pw@mq1:5672/live amqp://bf:pw@mq2:5672/live",
	};
	struct bf_config c;
	char err[300];

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		struct mgmt *m = NULL;
		memset(&c, 0, sizeof(c));
		c.amqp_url = (char *)lists[i];
		c.amqp_management_url = (char *)"http://mq1:15672";
		c.amqp_op_timeout = 5;
		int rc = mgmt_open(&m, &c, err, sizeof(err));
		if (rc != 0) {
			t_fail(__FILE__, __LINE__, "\"%s\": %d %s", lists[i], rc, err);
			continue;
		}
		CHECK_STR(mgmt_vhost(m), "live");
		CHECK_STR(mgmt_base(m), "http://mq1:15672");
		mgmt_close(m);
	}
	/* not configured: nothing to open */
	struct mgmt *none = NULL;
	memset(&c, 0, sizeof(c));
	c.amqp_url = (char *)"amqp://mq/%2f";
	c.amqp_management_url = (char *)"";
	CHECK_INT(mgmt_open(&none, &c, err, sizeof(err)), 1);
	CHECK(none == NULL);
}

int main(void)
{
	T_RUN(first_url_of_the_list);
	return t_done();
}
