/*
 * proc: what every program does the same way at start-up: the loaded
 * configuration, the connection name, the memory start-up left behind.
 * (Signals: signals.h; time: clock.h; versions: version.h.)
 */
#ifndef BF_PROC_H
#define BF_PROC_H

#include <stddef.h>

#include "config.h"

/* A program's own checks of a loaded configuration (what its start would
 * refuse): 0, or -1 with the reason in err. */
typedef int (*proc_check_fn)(const struct bf_config *c, const void *arg, char *err, size_t n);

/*
 * Loads the configuration, applies log.level and log.format, and runs
 * check (may be NULL) with arg: on an error prints it and exits 1.  With
 * check_only, then prints "configuration OK" and exits 0: -n runs exactly
 * the checks a start runs.
 */
void proc_config_load(struct bf_config *c, const char *path, int check_only, proc_check_fn check,
		      const void *arg);

/* "<prog>@<host>:<pid>": the connection name shown by the management UI. */
void proc_conn_name(char *buf, size_t n);

/* After start-up: drops this process's mappings of the shared library
 * pages start-up touched and left unmodified (they come back on use). */
void proc_trim_memory(void);

#endif
