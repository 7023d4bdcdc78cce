/* A fileio store on tmpfs, mapped.
 *
 * A file on tmpfs is nothing but page cache, so its pages can be used in
 * place, as a RAM disk's are: reads are sent to the socket straight from
 * them and writes are copied into them, sparing the read's copy through a
 * buffer and the write's page-by-page walk through the filesystem.
 *
 * Two things make a file's mapping less forgiving than a RAM disk:
 *  - Touching a hole through the mapping allocates it (and could fail for
 *    want of space with SIGBUS).  So only ranges whose every page is in
 *    memory go through the mapping; a range that is all hole is read from
 *    the zero region; anything else takes the ordinary path, which reads
 *    holes as zeroes without allocating and reports a full filesystem as
 *    an error.  Which pages are there is remembered in a bitmap (a bit set
 *    once a write put the page there or mincore() saw it, cleared before
 *    we deallocate), which spares a system call per command.  Should
 *    someone else punch a hole behind our back, the page reads as zeroes
 *    (and is allocated again); should they cut the file short, see below.
 *  - Someone else may shrink the file, and a page past the new end raises
 *    SIGBUS when touched.  Reads are only ever touched by the kernel's copy
 *    to the socket (the transport promises it, see scsi_cmd.in_sent_unread),
 *    which then fails with EFAULT and ends that connection, not lunad;
 *    writes go through fault_copy(), which turns the signal into a
 *    fallback to the ordinary path. */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backstore/plugins.h"
#include "common/fault_copy.h"
#include "common/util.h"

static uintptr_t page_size(void)
{
	static uintptr_t pg;

	if (pg == 0)
		pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	return pg;
}

void shm_map_open(struct file_store *fs, uint64_t size, bool writable)
{
	uint64_t pages = (size + page_size() - 1) / page_size();
	void *p = mmap(NULL, size, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, fs->fd, 0);

	if (p == MAP_FAILED) /* no address space: the ordinary path serves */
		return;
	fs->present = calloc((pages + 63) / 64, sizeof(*fs->present));
	if (fs->present == NULL) {
		munmap(p, size);
		return;
	}
	fs->map = p;
	fs->map_len = size;
	fs->map_writable = writable;
	if (writable)
		fault_copy_init();
}

void shm_map_close(struct file_store *fs)
{
	if (fs->map)
		munmap(fs->map, fs->map_len);
	fs->map = NULL;
	free(fs->present);
	fs->present = NULL;
}

/* Is [offset, offset + len) a non-empty range inside the mapping? */
static bool in_map(const struct file_store *fs, uint64_t offset, uint64_t len)
{
	return fs->map && len > 0 && offset <= fs->map_len && len <= fs->map_len - offset;
}

/* The pages [first, last] of the mapping, as bits of fs->present: call
 * fn on each 64-bit word with the mask of the pages in it. */
static bool each_word(struct file_store *fs, uint64_t first, uint64_t last,
		      bool (*fn)(_Atomic uint64_t *w, uint64_t mask))
{
	for (uint64_t w = first / 64; w <= last / 64; w++) {
		uint64_t lo = w == first / 64 ? first % 64 : 0;
		uint64_t hi = w == last / 64 ? last % 64 : 63;
		uint64_t mask = (hi == 63 ? ~0ull : (1ull << (hi + 1)) - 1) & ~((1ull << lo) - 1);
		if (!fn(&fs->present[w], mask))
			return false;
	}
	return true;
}

static bool word_all_set(_Atomic uint64_t *w, uint64_t mask)
{
	return (atomic_load_explicit(w, memory_order_relaxed) & mask) == mask;
}

static bool word_set(_Atomic uint64_t *w, uint64_t mask)
{
	atomic_fetch_or_explicit(w, mask, memory_order_relaxed);
	return true;
}

static bool word_clear(_Atomic uint64_t *w, uint64_t mask)
{
	atomic_fetch_and_explicit(w, ~mask, memory_order_relaxed);
	return true;
}

/* Is every page of the mapping in [start, end) in memory?  For a file on
 * tmpfs that means allocated: a hole, or a page out in swap, is not. */
static bool pages_in_core(const uint8_t *start, const uint8_t *end)
{
	const uintptr_t pg = page_size();
	uintptr_t a = (uintptr_t)start & ~(pg - 1);
	unsigned char vec[256];

	while (a < (uintptr_t)end) {
		size_t n = MIN(((uintptr_t)end - a + pg - 1) / pg, sizeof(vec));
		if (mincore((void *)a, n * pg, vec) < 0)
			return false;
		for (size_t i = 0; i < n; i++)
			if (!(vec[i] & 1))
				return false;
		a += n * pg;
	}
	return true;
}

/* Are the pages of [offset, offset + len) all there?  The bitmap first;
 * mincore() for what it does not know, remembering a yes. */
static bool range_present(struct file_store *fs, uint64_t offset, uint64_t len)
{
	uint64_t first = offset / page_size(), last = (offset + len - 1) / page_size();

	if (each_word(fs, first, last, word_all_set))
		return true;
	if (!pages_in_core(fs->map + offset, fs->map + offset + len))
		return false;
	each_word(fs, first, last, word_set);
	return true;
}

void shm_map_forget(struct file_store *fs, uint64_t offset, uint64_t len)
{
	uint64_t end = MIN(offset + len, fs->map_len);

	if (fs->map == NULL || offset >= end)
		return;
	each_word(fs, offset / page_size(), (end - 1) / page_size(), word_clear);
}

/* Is [offset, offset + len) one hole?  SEEK_DATA steps over holes quickly
 * (SEEK_HOLE, on a full file, would walk every page to the end). */
static bool all_hole(int fd, uint64_t offset, uint64_t len)
{
	off_t data = lseek(fd, (off_t)offset, SEEK_DATA);

	if (data < 0)
		return errno == ENXIO; /* no data from here to the end */
	return (uint64_t)data >= offset + len;
}

const uint8_t *shm_map_for_send(struct file_store *fs, uint64_t offset, uint64_t len)
{
	if (!in_map(fs, offset, len))
		return NULL;
	if (range_present(fs, offset, len))
		return fs->map + offset;
	if (all_hole(fs->fd, offset, len))
		return bs_zero_region(len);
	return NULL;
}

void shm_map_populate(struct file_store *fs, uint64_t offset, uint64_t len)
{
	const uintptr_t pg = page_size();
	uintptr_t a, b;

	if (!fs->map_writable || !in_map(fs, offset, len))
		return;
	a = (uintptr_t)(fs->map + offset) & ~(pg - 1);
	b = (uintptr_t)(fs->map + offset + len);
	/* Errors are no matter: the first touch will fault the pages in. */
	(void)madvise((void *)a, b - a, MADV_POPULATE_WRITE);
	each_word(fs, offset / pg, (offset + len - 1) / pg, word_set);
}

bool shm_map_write(struct file_store *fs, uint64_t offset, const struct iovec *iov, int iovcnt,
		   uint64_t len)
{
	if (!fs->map_writable || !in_map(fs, offset, len) || !range_present(fs, offset, len))
		return false;
	return fault_copy_from_iov(fs->map + offset, iov, iovcnt, len) == 0;
}
