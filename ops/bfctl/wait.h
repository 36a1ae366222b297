/* bfctl wait flush: what waits in a type's wait queues goes back to bf.work now. */
#ifndef BF_BFCTL_WAIT_H
#define BF_BFCTL_WAIT_H

#include "lib/config.h"

/* argv[0] is the command's name ("wait"), then "flush" and the type. */
int cmd_wait(const struct bf_config *c, int argc, char **argv);

#endif
