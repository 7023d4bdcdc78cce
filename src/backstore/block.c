/* block: a block device.  Size and logical block size come from the
 * device; I/O goes through uring.c, where discard and write-zeroes become
 * fallocate() on the device, which the kernel turns into discards and
 * zero-outs (the same as BLKDISCARD / BLKZEROOUT, but asynchronous). */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backstore/plugins.h"
#include "common/util.h"

static int check_is_block(int fd, const struct bs_params *p, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "block %s: cannot stat %s: %s", p->name, p->path,
			 strerror(errno));
		return -errno;
	}
	if (!S_ISBLK(st.st_mode)) {
		snprintf(err, errlen, "block %s: %s is not a block device (%s)", p->name, p->path,
			 S_ISREG(st.st_mode) ? "use the fileio plugin for regular files"
					     : "give the path of a block device");
		return -ENOTBLK;
	}
	return 0;
}

static int query_device(struct backstore *bs, int fd, const struct bs_params *p, char *err,
			size_t errlen)
{
	uint64_t bytes = 0;
	int lbs = 512;

	if (ioctl(fd, BLKGETSIZE64, &bytes) < 0 || ioctl(fd, BLKSSZGET, &lbs) < 0) {
		snprintf(err, errlen, "block %s: cannot read the size of %s: %s", p->name, p->path,
			 strerror(errno));
		return -errno;
	}
	if (p->block_size == 0)
		bs->block_size = (uint32_t)lbs;
	if (bs->block_size < (uint32_t)lbs) {
		snprintf(err, errlen,
			 "block %s: %s has %d-byte sectors, larger than the block "
			 "size %u (set attributes.block_size to %d)",
			 p->name, p->path, lbs, bs->block_size, lbs);
		return -EINVAL;
	}
	if (p->size > bytes) {
		snprintf(err, errlen,
			 "block %s: size %llu is larger than %s (%llu bytes; remove "
			 "\"size\")",
			 p->name, (unsigned long long)p->size, p->path, (unsigned long long)bytes);
		return -EINVAL;
	}
	bytes = p->size ? p->size : bytes;
	bs->size = bytes - bytes % bs->block_size;
	return 0;
}

static int block_open(struct backstore *bs, const struct bs_params *p, char *err, size_t errlen)
{
	int fl = O_CLOEXEC | (p->readonly ? O_RDONLY : O_RDWR) | (p->direct ? O_DIRECT : 0);
	struct file_store *fs;
	int fd, rc;

	if (p->path == NULL || p->path[0] == '\0') {
		snprintf(err, errlen, "block %s: no device given (set \"dev\" to a device path)",
			 p->name);
		return -EINVAL;
	}
	fd = open(p->path, fl);
	if (fd < 0) {
		int e = errno;
		snprintf(err, errlen, "block %s: cannot open %s: %s%s", p->name, p->path,
			 strerror(e), e == ENOENT ? " (is the device present?)" : "");
		return -e;
	}
	rc = check_is_block(fd, p, err, errlen);
	if (rc == 0)
		rc = query_device(bs, fd, p, err, errlen);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	fs = xcalloc(1, sizeof(*fs));
	fs->fd = fd;
	fs->is_block = true;
	bs->priv = fs;
	bs->can_discard = true;
	return 0;
}

static void block_close(struct backstore *bs)
{
	struct file_store *fs = bs->priv;

	close(fs->fd);
	free(fs);
}

/* The device itself changed size (a grown LV): take up to its new size. */
static int block_resize(struct backstore *bs, uint64_t size, char *err, size_t errlen)
{
	struct file_store *fs = bs->priv;
	uint64_t bytes = 0;

	if (ioctl(fs->fd, BLKGETSIZE64, &bytes) < 0 || size > bytes) {
		snprintf(err, errlen,
			 "block %s: %s is smaller than %llu bytes (grow the device "
			 "first)",
			 bs->name, bs->path, (unsigned long long)size);
		return -EINVAL;
	}
	bs->size = size - size % bs->block_size;
	return 0;
}

const struct backstore_ops bs_block_ops = {
    .plugin = "block",
    .open = block_open,
    .close = block_close,
    .submit = file_io_submit,
    .resize = block_resize,
};
