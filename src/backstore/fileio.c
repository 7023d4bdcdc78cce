/* fileio: a regular file.
 *
 * A missing file is created sparse at the configured size.  Without a size
 * the file's own size is used.  A size larger than the file grows it
 * (sparse, like LIO does); a size smaller than the file exposes only the
 * first `size` bytes and leaves the rest of the file untouched: Luna never
 * truncates user data.  I/O goes through uring.c; a file on tmpfs is also
 * mapped and used in place where it can be (shm_map.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "backstore/plugins.h"
#include "common/util.h"

static const char *create_hint(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		return " (does the directory exist?)";
	case EACCES:
	case EPERM:
		return " (check the directory's permissions)";
	case EROFS:
		return " (the filesystem is read-only)";
	default:
		return "";
	}
}

static int open_flags(const struct bs_params *p)
{
	int fl = O_CLOEXEC | (p->readonly ? O_RDONLY : O_RDWR);

	if (p->direct)
		fl |= O_DIRECT;
	/* write_back=false: every write is stable when it completes. */
	if (!p->write_back && !p->readonly)
		fl |= O_DSYNC;
	return fl;
}

static int open_or_create(struct backstore *bs, const struct bs_params *p, char *err, size_t errlen)
{
	int fl = open_flags(p);
	int fd = open(p->path, fl);

	if (fd >= 0 || errno != ENOENT)
		goto opened;
	if (p->size == 0) {
		snprintf(err, errlen,
			 "fileio %s: %s does not exist and no size was given (add "
			 "\"size\" to create it)",
			 p->name, p->path);
		return -ENOENT;
	}
	if (p->readonly) {
		snprintf(err, errlen,
			 "fileio %s: %s does not exist and the store is read-only "
			 "(create the file first)",
			 p->name, p->path);
		return -ENOENT;
	}
	fd = open(p->path, fl | O_CREAT | O_EXCL, 0600);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "fileio %s: cannot create %s: %s%s", p->name, p->path,
			 strerror(e), create_hint(e));
		return -e;
	}
	bs->created = true;
	return fd;
opened:
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "fileio %s: cannot open %s: %s%s", p->name, p->path,
			 strerror(e),
			 e == EINVAL && p->direct ? " (the filesystem does not support O_DIRECT; "
						    "remove \"direct\")"
						  : create_hint(e));
		return -e;
	}
	return fd;
}

/* Settle the size: take the file's, or grow the file to the one asked for. */
static int settle_size(struct backstore *bs, int fd, const struct bs_params *p, char *err,
		       size_t errlen)
{
	struct stat st;
	uint64_t size;

	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "fileio %s: cannot stat %s: %s", p->name, p->path,
			 strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "fileio %s: %s is not a regular file (%s)", p->name, p->path,
			 S_ISBLK(st.st_mode) ? "use the block plugin for block devices"
					     : "give the path of a file");
		return -EINVAL;
	}
	size = p->size ? p->size : (uint64_t)st.st_size;
	if (size > (uint64_t)st.st_size) {
		if (p->readonly) {
			snprintf(err, errlen,
				 "fileio %s: %s is smaller than the size asked for and "
				 "the store is read-only (remove \"size\" or grow the file)",
				 p->name, p->path);
			return -EINVAL;
		}
		if (ftruncate(fd, (off_t)size) < 0) {
			snprintf(err, errlen, "fileio %s: cannot grow %s to %llu bytes: %s",
				 p->name, p->path, (unsigned long long)size, strerror(errno));
			return -errno;
		}
	}
	bs->size = size - size % bs->block_size;
	if (bs->size == 0) {
		snprintf(err, errlen, "fileio %s: %s is smaller than one block (give a \"size\")",
			 p->name, p->path);
		return -EINVAL;
	}
	return 0;
}

static int fileio_open(struct backstore *bs, const struct bs_params *p, char *err, size_t errlen)
{
	struct statfs sfs;
	struct file_store *fs;
	int fd, rc;

	if (p->path == NULL || p->path[0] == '\0') {
		snprintf(err, errlen, "fileio %s: no file given (set \"dev\" to a file path)",
			 p->name);
		return -EINVAL;
	}
	fd = open_or_create(bs, p, err, errlen);
	if (fd < 0)
		return fd;
	rc = settle_size(bs, fd, p, err, errlen);
	if (rc < 0) {
		close(fd);
		if (bs->created)
			unlink(p->path);
		bs->created = false;
		return rc;
	}
	fs = xcalloc(1, sizeof(*fs));
	fs->fd = fd;
	fs->nowait_read = !(open_flags(p) & O_DIRECT);
	fs->nowait_write = !(open_flags(p) & (O_DIRECT | O_DSYNC));
	fs->in_memory = fstatfs(fd, &sfs) == 0 && sfs.f_type == TMPFS_MAGIC;
	if (fs->in_memory && !p->direct)
		shm_map_open(fs, bs->size, !p->readonly);
	bs->priv = fs;
	bs->can_discard = true;
	return 0;
}

static void file_close(struct backstore *bs)
{
	struct file_store *fs = bs->priv;

	shm_map_close(fs);
	close(fs->fd);
	free(fs);
}

static int fileio_resize(struct backstore *bs, uint64_t size, char *err, size_t errlen)
{
	struct file_store *fs = bs->priv;
	struct stat st;

	if (size < bs->size) {
		snprintf(err, errlen,
			 "fileio %s: cannot shrink a storage object in use (remove "
			 "it and add it again)",
			 bs->name);
		return -EINVAL;
	}
	if (fstat(fs->fd, &st) == 0 && (uint64_t)st.st_size < size &&
	    ftruncate(fs->fd, (off_t)size) < 0) {
		snprintf(err, errlen, "fileio %s: cannot grow %s to %llu bytes: %s", bs->name,
			 bs->path, (unsigned long long)size, strerror(errno));
		return -errno;
	}
	bs->size = size - size % bs->block_size;
	return 0;
}

static const uint8_t *fileio_map_for_send(struct backstore *bs, uint64_t offset, uint64_t len)
{
	return shm_map_for_send(bs->priv, offset, len);
}

/* Holes are deallocated blocks; SEEK_DATA/SEEK_HOLE find the boundaries. */
static int fileio_lba_status(struct backstore *bs, uint64_t offset, uint64_t len, bool *mapped,
			     uint64_t *run)
{
	struct file_store *fs = bs->priv;
	off_t data = lseek(fs->fd, (off_t)offset, SEEK_DATA);
	off_t hole;

	if (data < 0 && errno == ENXIO) { /* only a hole from here to the end */
		*mapped = false;
		*run = len;
		return 0;
	}
	if (data < 0) { /* no SEEK_DATA here: call it all mapped */
		*mapped = true;
		*run = len;
		return 0;
	}
	if ((uint64_t)data > offset) {
		*mapped = false;
		*run = MIN((uint64_t)data - offset, len);
		return 0;
	}
	hole = lseek(fs->fd, (off_t)offset, SEEK_HOLE);
	*mapped = true;
	*run = hole < 0 ? len : MIN((uint64_t)hole - offset, len);
	return 0;
}

const struct backstore_ops bs_fileio_ops = {
    .plugin = "fileio",
    .open = fileio_open,
    .close = file_close,
    .submit = file_io_submit,
    .resize = fileio_resize,
    .lba_status = fileio_lba_status,
    .map_for_send = fileio_map_for_send,
};
