/* Backstores: where a logical unit's bytes live.  Every backstore offers the
 * same small set of asynchronous operations; device types (src/device) call
 * them and never know whether the bytes are in RAM, a file or a block device.
 *
 * Completion: submit() calls io->done exactly once, either before it returns
 * (RAM, null, errors found at once) or later from the same thread's event
 * loop (io_uring).  Nothing is completed on another thread. */
#ifndef LUNA_BACKSTORE_BACKSTORE_H
#define LUNA_BACKSTORE_BACKSTORE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "common/list.h"

struct backstore;
struct bs_io;

enum bs_op {
	BS_READ,
	BS_WRITE,
	BS_FLUSH,	 /* make everything written so far stable */
	BS_DISCARD,	 /* deallocate; reads return zeroes afterwards */
	BS_WRITE_ZEROES, /* write zeroes, keeping the range allocated */
};

#define BS_IO_FUA 0x1 /* the write is stable before done() is called */

typedef void (*bs_done_fn)(struct bs_io *io);

struct bs_io {
	enum bs_op op;
	unsigned flags;
	uint64_t offset; /* bytes */
	uint64_t len;	 /* bytes */
	struct iovec *iov;
	int iovcnt;
	int result; /* 0, or a negative errno; set before done() */
	bs_done_fn done;
	void *arg;
	/* private to the backstore */
	uint64_t done_bytes;
	struct iovec iov_inline[1];
	struct backstore *bs; /* held (referenced) while the I/O is in flight */
	struct iovec *rest;   /* after a short transfer: what is left to do */
	int restcnt;
};

/* How a backstore is asked to come into being (from the config layer). */
struct bs_params {
	const char *name;
	const char *plugin; /* "ramdisk", "fileio", "block", "null" */
	const char *path;   /* fileio, block */
	uint64_t size;	    /* bytes; 0 = take it from the file or device */
	uint32_t block_size;
	bool thin;
	bool readonly;
	bool write_back; /* fileio: buffered writes (default); false = O_DSYNC */
	bool direct;	 /* fileio/block: O_DIRECT */
};

struct backstore_ops {
	const char *plugin;
	/* Open or create the store; fills bs->size.  err gets a message naming
	 * the problem and what to do about it. */
	int (*open)(struct backstore *bs, const struct bs_params *p, char *err, size_t errlen);
	void (*close)(struct backstore *bs);
	void (*submit)(struct backstore *bs, struct bs_io *io);
	/* Change the size (grow or shrink).  Optional. */
	int (*resize)(struct backstore *bs, uint64_t size, char *err, size_t errlen);
	/* Memory stores: a pointer to the bytes at offset, valid while the store
	 * lives, so reads can be sent without a copy.  Optional. */
	uint8_t *(*map)(struct backstore *bs, uint64_t offset, uint64_t len);
	/* Files in memory (tmpfs): a pointer to the bytes at offset in a
	 * mapping of the file, valid while the store lives, or NULL when the
	 * range cannot be had so (not all allocated: touching a hole through
	 * a mapping would allocate it).  Only the kernel may read through the
	 * pointer (writev() to a socket): a file shrunk behind our back makes
	 * the kernel's copy fail, where user space would take SIGBUS.
	 * Optional. */
	const uint8_t *(*map_for_send)(struct backstore *bs, uint64_t offset, uint64_t len);
	/* Memory stores: extend a running CRC32C over the bytes at offset,
	 * from checksums kept since the bytes last changed where it has them
	 * (see crc_cache.h).  Optional, for stores that have map(). */
	uint32_t (*crc)(struct backstore *bs, uint64_t offset, uint64_t len, uint32_t crc);
	/* Thin stores: is the range starting at offset allocated, and for how
	 * many bytes does that answer hold?  Optional; without it everything is
	 * mapped. */
	int (*lba_status)(struct backstore *bs, uint64_t offset, uint64_t len, bool *mapped,
			  uint64_t *run);
};

struct backstore {
	char name[64];
	const struct backstore_ops *ops;
	char *path;
	uint64_t size; /* bytes */
	uint32_t block_size;
	bool thin;
	bool readonly;
	bool can_discard; /* the store can really deallocate */
	bool created;	  /* open() created the file (a refused config removes it) */
	atomic_int refcnt;
	void *priv;
};

/* Create and open a backstore of the named plugin. */
struct backstore *backstore_open(const struct bs_params *p, char *err, size_t errlen);
void backstore_get(struct backstore *bs);
void backstore_put(struct backstore *bs);

/* Is this a plugin name we know? */
bool backstore_plugin_known(const char *plugin);

/* Change the size; refused with a message if the plugin cannot. */
int backstore_resize(struct backstore *bs, uint64_t size, char *err, size_t errlen);

/* Allocation status of the range at offset (see ops->lba_status); stores
 * that do not know report everything mapped. */
int backstore_lba_status(struct backstore *bs, uint64_t offset, uint64_t len, bool *mapped,
			 uint64_t *run);

/* See ops->map_for_send. */
static inline const uint8_t *backstore_map_for_send(struct backstore *bs, uint64_t offset,
						    uint64_t len)
{
	return bs->ops->map_for_send ? bs->ops->map_for_send(bs, offset, len) : NULL;
}

/* Release the calling thread's io_uring (if it made one).  A worker calls
 * this on its loop thread, with no backstore I/O in flight, before it frees
 * its loop. */
void backstore_thread_fini(void);

static inline void backstore_submit(struct backstore *bs, struct bs_io *io)
{
	bs->ops->submit(bs, io);
}

/* Fill a bs_io for one contiguous buffer. */
void bs_io_prep(struct bs_io *io, enum bs_op op, uint64_t offset, void *buf, uint64_t len,
		bs_done_fn done, void *arg);

#endif
