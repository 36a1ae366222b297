/* bfctl replay: dead letters back to bf.work. */
#ifndef BF_BFCTL_REPLAY_H
#define BF_BFCTL_REPLAY_H

#include "lib/config.h"

/* argv[0] is the command's name ("replay"), its options follow. */
int cmd_replay(const struct bf_config *c, int argc, char **argv);

#endif
