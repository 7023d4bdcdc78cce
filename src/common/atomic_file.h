/* Writing files so that a crash of the daemon or the machine leaves either
 * the old contents or the new, never a mix (the saved configuration and
 * persistent-reservation state, DESIGN.md "Durability"). */
#ifndef LUNA_COMMON_ATOMIC_FILE_H
#define LUNA_COMMON_ATOMIC_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* Write all len bytes, going on after EINTR.  Returns 0 or -errno. */
int write_all(int fd, const void *buf, size_t len);

/* fsync the directory that holds path, so that a rename in it is stable.
 * Returns 0 or -errno. */
int fsync_parent_dir(const char *path);

/* Replace path with data: a temporary file beside it, written, fsynced,
 * renamed over path, then the directory fsynced.  Returns 0, or -errno
 * with *failed naming the step for messages ("create a temporary file
 * beside", "write", "replace", "sync the directory of"). */
int atomic_write_file(const char *path, const void *data, size_t len, mode_t mode,
		      const char **failed);

#endif
