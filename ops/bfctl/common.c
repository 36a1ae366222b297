/* What bfctl's commands share. */
#include "lib/proc.h"
#include "ops/bfctl/common.h"

int bfctl_broker(const struct bf_config *c, const struct topology *t, struct broker **out)
{
	char name[300];
	struct broker_opts o = {
		.urls = c->amqp_url, .heartbeat = c->amqp_heartbeat, .op_timeout = c->amqp_op_timeout,
		.ca_cert = c->amqp_ca_cert, .client_cert = c->amqp_client_cert,
		.client_key = c->amqp_client_key, .verify_hostname = c->amqp_verify_hostname,
		.confirm_window = c->amqp_confirm_window, .topo = t, .stop = &proc_stop,
		.max_connect_tries = 3,
	};

	proc_conn_name(name, sizeof(name));
	o.conn_name = name;
	return broker_open(out, &o);
}

const char *bfctl_reason(const struct broker_delivery *d)
{
	if (d->reason[0] != '\0')
		return d->reason;
	if (d->death_reason[0] != '\0')
		return d->death_reason; /* dead-lettered by the broker (delivery_limit, ...) */
	return "unknown";
}
