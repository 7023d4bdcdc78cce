/* ramdisk: the bytes live in an anonymous private mapping.  The kernel
 * allocates pages on first write, so a large thin RAM disk costs nothing
 * until it is used, and discarded pages are given back with
 * MADV_DONTNEED (they read as zeroes afterwards).
 *
 * Thin RAM disks keep one bit per page saying whether it was written since
 * it was last discarded.  (mincore() cannot tell: reading a page maps the
 * shared zero page, which counts as resident.)
 *
 * Every change of the bytes goes through rd_submit, which tells the CRC
 * cache, so the data digests of reads sent straight from the disk can be
 * combined from it (ops->crc). */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backstore/crc_cache.h"
#include "backstore/plugins.h"
#include "common/util.h"

struct ramdisk {
	uint8_t *base;
	size_t len;
	size_t page;
	atomic_ulong *alloc; /* a bit per page, set = written */
	size_t npages;
	/* Made by the first read with a data digest (most RAM disks never
	 * have one); NULL until then. */
	_Atomic(struct crc_cache *) crc;
};

#define WORD_BITS (8 * sizeof(unsigned long))

static void alloc_mark(struct ramdisk *rd, uint64_t off, uint64_t len, bool set)
{
	uint64_t first = off / rd->page, end = (off + len + rd->page - 1) / rd->page;

	if (rd->alloc == NULL || len == 0)
		return;
	for (uint64_t pg = first; pg < end; pg++) {
		unsigned long bit = 1ul << (pg % WORD_BITS);
		if (set)
			atomic_fetch_or(&rd->alloc[pg / WORD_BITS], bit);
		else
			atomic_fetch_and(&rd->alloc[pg / WORD_BITS], ~bit);
	}
}

static bool alloc_test(struct ramdisk *rd, uint64_t pg)
{
	return atomic_load(&rd->alloc[pg / WORD_BITS]) & (1ul << (pg % WORD_BITS));
}

static int rd_open(struct backstore *bs, const struct bs_params *p, char *err, size_t errlen)
{
	struct ramdisk *rd;

	if (p->size == 0 || p->size > SIZE_MAX) {
		snprintf(err, errlen, "ramdisk %s: a size is required (for example 1G)", p->name);
		return -EINVAL;
	}
	rd = xcalloc(1, sizeof(*rd));
	rd->page = (size_t)sysconf(_SC_PAGESIZE);
	rd->len = (size_t)p->size;
	/* MAP_NORESERVE: do not charge the whole size against overcommit up
	 * front; the point of a thin RAM disk is that unused space is free. */
	rd->base = mmap(NULL, rd->len, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (rd->base == MAP_FAILED) {
		snprintf(err, errlen,
			 "ramdisk %s: cannot reserve %llu bytes of memory: %s "
			 "(choose a smaller size)",
			 p->name, (unsigned long long)p->size, strerror(errno));
		free(rd);
		return -ENOMEM;
	}
	/* Huge pages would allocate megabytes for a 4 KiB write; a thin disk
	 * does not want that. */
	if (p->thin)
		madvise(rd->base, rd->len, MADV_NOHUGEPAGE);
	/* Every RAM disk can deallocate (UNMAP, SANITIZE), so every one keeps
	 * the map GET LBA STATUS answers from: a bit per page. */
	rd->npages = (rd->len + rd->page - 1) / rd->page;
	rd->alloc = xcalloc((rd->npages + WORD_BITS - 1) / WORD_BITS, sizeof(atomic_ulong));
	bs->priv = rd;
	bs->size = p->size;
	bs->can_discard = true;
	return 0;
}

static void rd_close(struct backstore *bs)
{
	struct ramdisk *rd = bs->priv;

	munmap(rd->base, rd->len);
	free(rd->alloc);
	crc_cache_free(atomic_load(&rd->crc));
	free(rd);
}

/* Deallocate whole pages, zero the partial pages at either edge. */
static void rd_discard(struct ramdisk *rd, uint64_t off, uint64_t len)
{
	uint64_t start = ALIGN_UP(off, (uint64_t)rd->page);
	uint64_t end = (off + len) & ~((uint64_t)rd->page - 1);

	if (start >= end) {
		memset(rd->base + off, 0, len);
		return;
	}
	memset(rd->base + off, 0, start - off);
	if (madvise(rd->base + start, end - start, MADV_DONTNEED) < 0)
		memset(rd->base + start, 0, end - start);
	memset(rd->base + end, 0, off + len - end);
	alloc_mark(rd, start, end - start, false);
}

/* The bytes of [off, off + len) have changed.  The fence orders the change
 * before the look at rd->crc: a cache made after that look reads the new
 * bytes, one made before it is told. */
static void rd_changed(struct ramdisk *rd, uint64_t off, uint64_t len)
{
	atomic_thread_fence(memory_order_seq_cst);
	crc_cache_forget(atomic_load_explicit(&rd->crc, memory_order_relaxed), off, len);
}

static void rd_submit(struct backstore *bs, struct bs_io *io)
{
	struct ramdisk *rd = bs->priv;
	int rc = bs_io_check(bs, io);

	if (rc == 0) {
		switch (io->op) {
		case BS_READ:
			bs_copy_iov(io, rd->base + io->offset, true);
			break;
		case BS_WRITE:
			bs_copy_iov(io, rd->base + io->offset, false);
			alloc_mark(rd, io->offset, io->len, true);
			break;
		case BS_FLUSH:
			break;
		case BS_DISCARD:
			rd_discard(rd, io->offset, io->len);
			break;
		case BS_WRITE_ZEROES:
			memset(rd->base + io->offset, 0, io->len);
			alloc_mark(rd, io->offset, io->len, true);
			break;
		default:
			rc = -EOPNOTSUPP;
		}
		if (io->op != BS_READ && io->op != BS_FLUSH)
			rd_changed(rd, io->offset, io->len);
	}
	io->done_bytes = rc == 0 ? io->len : 0;
	bs_io_finish(io, rc);
}

static uint8_t *rd_map(struct backstore *bs, uint64_t offset, uint64_t len)
{
	struct ramdisk *rd = bs->priv;

	if (offset > bs->size || len > bs->size - offset)
		return NULL;
	return rd->base + offset;
}

static uint32_t rd_crc(struct backstore *bs, uint64_t offset, uint64_t len, uint32_t crc)
{
	struct ramdisk *rd = bs->priv;
	struct crc_cache *cc = atomic_load(&rd->crc), *none = NULL;

	if (cc == NULL) {
		cc = crc_cache_new(rd->len);
		if (cc && !atomic_compare_exchange_strong(&rd->crc, &none, cc)) {
			crc_cache_free(cc); /* another thread made one first */
			cc = none;
		}
	}
	return crc_cache_update(cc, rd->base, offset, len, crc);
}

static int rd_lba_status(struct backstore *bs, uint64_t offset, uint64_t len, bool *mapped,
			 uint64_t *run)
{
	struct ramdisk *rd = bs->priv;
	uint64_t pg = offset / rd->page, end = (offset + len + rd->page - 1) / rd->page;

	if (rd->alloc == NULL || len == 0) {
		*mapped = true;
		*run = len;
		return 0;
	}
	*mapped = alloc_test(rd, pg);
	while (++pg < end && alloc_test(rd, pg) == *mapped)
		;
	*run = MIN(pg * rd->page - offset, len);
	return 0;
}

/* Grow in place only: map() pointers handed out earlier must stay valid. */
static int rd_resize(struct backstore *bs, uint64_t size, char *err, size_t errlen)
{
	struct ramdisk *rd = bs->priv;
	void *p;

	if (size < bs->size || rd->alloc) {
		snprintf(err, errlen,
			 "ramdisk %s: cannot %s a RAM disk (remove it and add it again)",
			 bs->name, size < bs->size ? "shrink" : "grow");
		return -EINVAL;
	}
	p = mremap(rd->base, rd->len, (size_t)size, 0);
	if (p == MAP_FAILED) {
		snprintf(err, errlen,
			 "ramdisk %s: cannot grow in place to %llu bytes: %s (restart "
			 "the daemon to apply the new size)",
			 bs->name, (unsigned long long)size, strerror(errno));
		return -errno;
	}
	rd->len = (size_t)size;
	bs->size = size;
	return 0;
}

const struct backstore_ops bs_ramdisk_ops = {
    .plugin = "ramdisk",
    .open = rd_open,
    .close = rd_close,
    .submit = rd_submit,
    .resize = rd_resize,
    .map = rd_map,
    .crc = rd_crc,
    .lba_status = rd_lba_status,
};
