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

/* len read-only zero bytes that reads of holes can be sent from without a
 * copy, or NULL (len above BS_ZERO_REGION_MAX, or no address space). */
#define BS_ZERO_REGION_MAX (32u << 20)
const uint8_t *bs_zero_region(uint64_t len);

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
	/* In memory and not O_DIRECT: the file's first map_len bytes, mapped
	 * (shm_map.c); NULL if not. */
	uint8_t *map;
	uint64_t map_len;
	bool map_writable;
	_Atomic uint64_t *present; /* a bit per page known to be there */
};

void file_io_submit(struct backstore *bs, struct bs_io *io);
/* Synchronous execution of one I/O, used outside event loops. */
int file_io_sync(struct backstore *bs, struct bs_io *io);

/* A file on tmpfs used in place (shm_map.c).  Only the size at open is
 * mapped; I/O past it, or that the mapping cannot take, goes the ordinary
 * way. */
void shm_map_open(struct file_store *fs, uint64_t size, bool writable);
void shm_map_close(struct file_store *fs);
/* For backstore ops->map_for_send: the bytes in place, or NULL. */
const uint8_t *shm_map_for_send(struct file_store *fs, uint64_t offset, uint64_t len);
/* The range was just written the ordinary way (so its pages are there):
 * map them now, so that later I/O through the mapping does not take a
 * page fault per page. */
void shm_map_populate(struct file_store *fs, uint64_t offset, uint64_t len);
/* The range is about to be deallocated: forget its pages were there. */
void shm_map_forget(struct file_store *fs, uint64_t offset, uint64_t len);
/* Copy a write into the mapping if every page of the range is there;
 * false if the write must take the ordinary path. */
bool shm_map_write(struct file_store *fs, uint64_t offset, const struct iovec *iov, int iovcnt,
		   uint64_t len);

#endif
