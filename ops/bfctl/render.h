/* bfctl render again: a new video for a subject that has one, on purpose;
 * bfctl render follow: render messages for accepted renders not followed. */
#ifndef BF_BFCTL_RENDER_H
#define BF_BFCTL_RENDER_H

#include "lib/config.h"

/* argv[0] is the command's name ("render"), then "again" and the subject,
 * or "follow" and "--submitted" or subjects. */
int cmd_render(const struct bf_config *c, int argc, char **argv);

#endif
