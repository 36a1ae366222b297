/* bfctl status: queues, jobs, renders, dead letters, circuit breaker. */
#ifndef BF_BFCTL_STATUS_H
#define BF_BFCTL_STATUS_H

#include "lib/config.h"

/* argv[0] is the command's name ("status"), its options follow. */
int cmd_status(const struct bf_config *c, int argc, char **argv);

#endif
