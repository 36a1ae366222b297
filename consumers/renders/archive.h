/*
 * archive: a finished video downloaded into renders.archive_dir before
 * Plainly deletes it (its expirationDate).  The file is written unnamed
 * (O_TMPFILE), fsync'd, then linked under its name and the directory
 * fsync'd: a name in the archive is always a whole video, and a download
 * that dies leaves nothing.  Its SHA-256 and size are kept with the render.
 */
#ifndef BF_ARCHIVE_H
#define BF_ARCHIVE_H

#include <stddef.h>

#include "lib/config.h"

struct archived {
	char name[300]; /* in archive_dir: result-9101-<render id>.mp4 */
	char path[1400];
	char sha256[65]; /* hex */
	long long bytes;
};

/* The file name of a render's video: its subject and render id, with
 * nothing that could make a path ("result:9101" -> "result-9101-<id>.mp4"). */
void archive_name(const char *subject, const char *render_id, char *buf, size_t n);

/* Downloads url (at most renders.archive_max_mb, within
 * renders.archive_timeout) into renders.archive_dir.  0, or -1 with the
 * reason in err (nothing left in the directory). */
int archive_video(const struct bf_config *cfg, const char *subject, const char *render_id,
		  const char *url, struct archived *out, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
