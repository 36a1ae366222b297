/* What bfctl's commands share. */
#include "lib/proc.h"
#include "lib/signals.h"
#include "ops/bfctl/common.h"

int bfctl_broker(const struct bf_config *c, const struct topology *t, struct broker **out)
{
	char name[300];
	struct broker_opts o;

	proc_conn_name(name, sizeof(name));
	o = broker_opts_from_config(c, name, t, &signals_stop);
	o.max_connect_tries = 3;
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
