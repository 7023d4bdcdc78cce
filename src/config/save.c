/* saveconfig: the running configuration written to a file atomically, so
 * that a crash leaves either the old file or the new one, never half of
 * one: write a temporary file in the same directory, fsync it, rename it
 * over the target, fsync the directory.  The file holds CHAP secrets, so
 * it is readable by its owner only. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/util.h"
#include "config/config.h"

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int fsync_dir_of(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = -1;

	free(copy);
	if (fd >= 0) {
		r = fsync(fd);
		close(fd);
	}
	return r;
}

int config_save_text(const char *text, const char *path, char *err, size_t errlen)
{
	size_t n = strlen(path) + 16;
	char *tmp = xmalloc(n);
	int fd;

	snprintf(tmp, n, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a file next to %s: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	fchmod(fd, 0600);
	if (write_all(fd, text, strlen(text)) < 0 || write_all(fd, "\n", 1) < 0 || fsync(fd) < 0) {
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		fd = -1;
		snprintf(err, errlen, "cannot replace %s: %s", path, strerror(errno));
		goto fail;
	}
	free(tmp);
	if (fsync_dir_of(path) < 0) {
		snprintf(err, errlen, "%s written, but its directory could not be synced: %s", path,
			 strerror(errno));
		return -1;
	}
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

int config_save_file(const struct luna_config *cfg, const char *path, char *err, size_t errlen)
{
	char *text = config_to_json(cfg);
	int r;

	if (text == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r = config_save_text(text, path, err, errlen);
	free(text);
	return r;
}
