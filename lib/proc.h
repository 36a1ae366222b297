/*
 * proc: what every program does the same way: signals, the loaded
 * configuration, the start-up line, the connection name.
 */
#ifndef BF_PROC_H
#define BF_PROC_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define BF_VERSION "0.1.0"

/* Set by SIGTERM/SIGINT.  A second signal exits at once. */
extern volatile sig_atomic_t proc_stop;

/* Milliseconds of CLOCK_MONOTONIC: for durations and deadlines. */
int64_t proc_mono_ms(void);

/* Installs the handlers (and ignores SIGPIPE). */
void proc_signals_install(void);

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

/* Library versions for the start-up line. */
const char *proc_versions(void);

/* Prints "<prog> <version>" and the library versions (-V). */
void proc_print_version(void);

#endif
