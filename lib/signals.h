/*
 * signals: the stop flag and its handlers.  SIGTERM/SIGINT set the flag
 * (a second one exits at once); SIGPIPE is ignored.
 */
#ifndef BF_SIGNALS_H
#define BF_SIGNALS_H

#include <signal.h>

/* Set by SIGTERM/SIGINT.  A second signal exits at once. */
extern volatile sig_atomic_t signals_stop;

/* Installs the handlers (and ignores SIGPIPE). */
void signals_install(void);

#endif
