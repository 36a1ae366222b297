/*
 * version: this program's version and the versions of the libraries it
 * runs with, for the start-up line and -V.
 */
#ifndef BF_VERSION_H
#define BF_VERSION_H

#define BF_VERSION "0.1.0"

/* "rabbitmq-c=... libcurl=... cjson=... libpq=... libconfig=..." */
const char *version_libs(void);

/* Prints "<prog> <version> (<libraries>)" (-V). */
void version_print(void);

#endif
