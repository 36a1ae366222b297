/*
 * proc: what every program does the same way at start-up: the loaded
 * configuration, the connection name, the memory start-up left behind.
 * (Signals: signals.h; time: clock.h; versions: version.h.)
 */
#ifndef BF_PROC_H
#define BF_PROC_H

#include <stddef.h>

#include "config.h"

/*
 * Loads the configuration or exits 1 with the error.  With check_only,
 * prints "configuration OK" and exits 0.  Applies log.level.
 */
void proc_config_load(struct bf_config *c, const char *path, int check_only);

/* "<prog>@<host>:<pid>": the connection name shown by the management UI. */
void proc_conn_name(char *buf, size_t n);

/* After start-up: drops this process's mappings of the shared library
 * pages start-up touched and left unmodified (they come back on use). */
void proc_trim_memory(void);

#endif
