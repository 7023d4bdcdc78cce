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

#include "common/atomic_file.h"
#include "common/util.h"
#include "config/config.h"

int config_save_text(const char *text, const char *path, char *err, size_t errlen)
{
	size_t len = strlen(text);
	char *data = xmalloc(len + 1);
	const char *failed = "";
	int r;

	memcpy(data, text, len);
	data[len] = '\n';
	r = atomic_write_file(path, data, len + 1, 0600, &failed);
	free(data);
	if (r < 0) {
		snprintf(err, errlen, "cannot %s %s: %s", failed, path, strerror(-r));
		return -1;
	}
	return 0;
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
