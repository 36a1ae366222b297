/* bfctl's commands, one file each. */
#ifndef BF_BFCTL_H
#define BF_BFCTL_H

#include "lib/config.h"
#include "protocol/broker.h"
#include "protocol/topology.h"

/* A broker handle named like every program's (bfctl@host:pid). */
int bfctl_broker(const struct bf_config *c, const struct topology *t, struct broker **out);

int cmd_replay(const struct bf_config *c, int argc, char **argv);
int cmd_status(const struct bf_config *c, int argc, char **argv);

/* The reason of a dead letter: x-bf-reason, else the broker's x-death. */
const char *bfctl_reason(const struct broker_delivery *d);

#endif
