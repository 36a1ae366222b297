/* O_TMPFILE (Linux 3.11): an unnamed file linked once it is whole */
#define _GNU_SOURCE
#include "consumers/renders/archive.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lib/http.h"

struct sink {
	int fd;
	EVP_MD_CTX *md;
	long long bytes;
};

static int to_file(const char *buf, size_t n, void *arg)
{
	struct sink *s = arg;

	if (EVP_DigestUpdate(s->md, buf, n) != 1)
		return -1;
	while (n > 0) {
		ssize_t w = write(s->fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		n -= (size_t)w;
		s->bytes += w;
	}
	return 0;
}

void archive_name(const char *subject, const char *render_id, char *buf, size_t n)
{
	size_t o = 0;

	/* "result:9101" -> "result-9101", then the render's id: one name per
	 * render, nothing a path could be made of */
	for (const char *p = subject; *p != '\0' && o + 1 < n; p++)
		buf[o++] = (*p == ':' || *p == '/' || *p == '.') ? '-' : *p;
	for (const char *p = "-"; *p != '\0' && o + 1 < n; p++)
		buf[o++] = *p;
	for (const char *p = render_id; *p != '\0' && o + 1 < n; p++)
		buf[o++] = (*p == '/' || *p == '.') ? '-' : *p;
	buf[o] = '\0';
	snprintf(buf + o, n - o, ".mp4");
}

int archive_video(const struct bf_config *cfg, const char *subject, const char *render_id,
		  const char *url, struct archived *out, char *err, size_t errlen)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	struct sink s = { .fd = -1 };
	char proc[64], hint[300];
	long status = 0;
	int dir = -1, rc = -1;

	memset(out, 0, sizeof(*out));
	archive_name(subject, render_id, out->name, sizeof(out->name));
	snprintf(out->path, sizeof(out->path), "%s/%s", cfg->renders_archive_dir, out->name);
	dir = open(cfg->renders_archive_dir, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (dir < 0) {
		snprintf(err, errlen, "archive_dir %s: %s", cfg->renders_archive_dir,
			 strerror(errno));
		return -1;
	}
	/* an unnamed file in the archive's own file system: a download that
	 * dies (even by SIGKILL) leaves nothing behind; it gets its name only
	 * once it is whole and on disk */
	s.fd = openat(dir, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0640);
	if (s.fd < 0) {
		snprintf(err, errlen, "archive_dir %s: unnamed file: %s", cfg->renders_archive_dir,
			 strerror(errno));
		goto out;
	}
	s.md = EVP_MD_CTX_new();
	if (s.md == NULL || EVP_DigestInit_ex(s.md, EVP_sha256(), NULL) != 1) {
		snprintf(err, errlen, "sha256: out of memory");
		goto out;
	}
	if (http_download(url, (long long)cfg->renders_archive_max_mb * 1024 * 1024,
			  (long)cfg->renders_archive_timeout * 1000, to_file, &s, &status, hint,
			  sizeof(hint)) != 0) {
		snprintf(err, errlen, "downloading %s: %s", url, hint);
		goto out;
	}
	if (EVP_DigestFinal_ex(s.md, digest, &dlen) != 1 || fsync(s.fd) != 0) {
		snprintf(err, errlen, "%s: %s", out->path, dlen == 0 ? "sha256" : strerror(errno));
		goto out;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", s.fd);
	if (linkat(AT_FDCWD, proc, dir, out->name, AT_SYMLINK_FOLLOW) != 0 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", out->path, strerror(errno));
		goto out;
	}
	/* EEXIST: archived already by an earlier delivery (the same render:
	 * the same name and bytes) */
	if (fsync(dir) != 0) {
		snprintf(err, errlen, "%s: %s", cfg->renders_archive_dir, strerror(errno));
		goto out;
	}
	for (unsigned int i = 0; i < dlen && i < 32; i++)
		snprintf(out->sha256 + 2 * i, sizeof(out->sha256) - 2 * i, "%02x", digest[i]);
	out->bytes = s.bytes;
	rc = 0;
out:
	EVP_MD_CTX_free(s.md);
	if (s.fd >= 0)
		close(s.fd);
	close(dir);
	return rc;
}
