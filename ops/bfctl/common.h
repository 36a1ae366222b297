/* What bfctl's commands share: a broker handle, a dead letter's reason. */
#ifndef BF_BFCTL_COMMON_H
#define BF_BFCTL_COMMON_H

#include "lib/config.h"
#include "protocol/broker.h"
#include "protocol/topology.h"

/* A broker handle named like every program's (bfctl@host:pid). */
int bfctl_broker(const struct bf_config *c, const struct topology *t, struct broker **out);

/* The reason of a dead letter: x-bf-reason, else the broker's x-death. */
const char *bfctl_reason(const struct broker_delivery *d);

#endif
