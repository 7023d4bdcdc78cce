/* Private to src/backstore: the plugin tables and helpers they share. */
#ifndef LUNA_BACKSTORE_PLUGINS_H
#define LUNA_BACKSTORE_PLUGINS_H

#include "backstore/backstore.h"

extern const struct backstore_ops bs_ramdisk_ops;
extern const struct backstore_ops bs_fileio_ops;
extern const struct backstore_ops bs_block_ops;
extern const struct backstore_ops bs_null_ops;

/* 0 if io fits the store and its buffers, else the negative errno to
 * complete it with. */
int bs_io_check(struct backstore *bs, struct bs_io *io);
uint64_t bs_iov_total(const struct bs_io *io);
/* Set the result and call done(). */
void bs_io_finish(struct bs_io *io, int result);
void bs_copy_iov(struct bs_io *io, uint8_t *flat, bool to_iov);
void bs_zero_iov(struct bs_io *io);

/* Files and block devices share their I/O path (uring.c). */
struct file_store {
	int fd;
	bool is_block;
	/* Buffered (no O_DIRECT; for writes, no O_DSYNC either): I/O that the
	 * page cache can serve is tried inline, without blocking, first. */
	bool nowait_read, nowait_write;
	/* On tmpfs (/dev/shm): reads and writes are memory copies that never
	 * wait for a device, and are done inline. */
	bool in_memory;
};

void file_io_submit(struct backstore *bs, struct bs_io *io);
/* Synchronous execution of one I/O, used outside event loops. */
int file_io_sync(struct backstore *bs, struct bs_io *io);

#endif
