#include "proc.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "log.h"

void proc_config_load(struct bf_config *c, const char *path, int check_only, proc_check_fn check,
		      const void *arg)
{
	char err[512];
	enum log_level lvl;
	enum log_format fmt;

	if (cfg_load(c, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: configuration error: %s\n", log_prog(), err);
		cfg_free(c);
		exit(1);
	}
	/* an API key never reaches a log line, whoever prints it */
	for (size_t i = 0; i < cfg_nkeys; i++)
		if (cfg_is_api_key(&cfg_keys[i]))
			log_add_secret(cfg_string(c, &cfg_keys[i]));
	if (log_level_parse(c->log_level, &lvl) == 0)
		log_set_level(lvl);
	if (log_format_parse(c->log_format, &fmt) == 0)
		log_set_format(fmt);
	if (check != NULL && check(c, arg, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s: configuration error: %s\n", log_prog(), err);
		cfg_free(c);
		exit(1);
	}
	if (check_only) {
		printf("configuration OK%s%s\n", c->path ? ": " : " (built-in defaults)",
		       c->path ? c->path : "");
		cfg_free(c);
		exit(0);
	}
}

void proc_conn_name(char *buf, size_t n)
{
	char host[256];

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(buf, n, "%s@%s:%ld", log_prog(), host, (long)getpid());
}

/*
 * Start-up (the loader, the libraries' constructors, the TLS, Kerberos and
 * LDAP set-up that libcurl and libpq bring) maps about 10 MB of shared
 * library pages into the process, most of them never used again: the
 * kernel maps whole runs of pages around each page touched.  This drops
 * this process's mappings of the unmodified ones (read-only private file
 * mappings with no private copy in them: code and constants); the pages
 * stay in the page cache, and those the loop uses come back on first
 * touch (a minor fault).  Pages written at start-up (relocations, data)
 * have a private copy and are left alone.
 */
void proc_trim_memory(void)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	char line[512];
	unsigned long lo = 0, hi = 0;
	bool clean_candidate = false;

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		unsigned long a, b, off, inode, anon;
		char perms[8], dev[16], path[2];

		int n = sscanf(line, "%lx-%lx %7s %lx %15s %lu %1s", &a, &b, perms, &off, dev,
			       &inode, path);

		if (n >= 6) { /* a mapping's first line */
			lo = a;
			hi = b;
			/* r-xp or r--p of a file */
			clean_candidate = n == 7 && inode != 0 && path[0] == '/' &&
					  perms[0] == 'r' && perms[1] == '-' && perms[3] == 'p';
		} else if (clean_candidate && sscanf(line, "Anonymous: %lu kB", &anon) == 1) {
			if (anon == 0 && hi > lo)
				(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
			clean_candidate = false;
		}
	}
	fclose(f);
}
