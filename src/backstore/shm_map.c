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
 *    memory (mincore) go through the mapping; a range that is all hole is
 *    read from the zero region; anything else takes the ordinary path,
 *    which reads holes as zeroes without allocating and reports a full
 *    filesystem as an error.
 *  - Someone else may shrink the file, and a page past the new end raises
 *    SIGBUS when touched.  Reads are only ever touched by the kernel's copy
 *    to the socket (which then fails with EFAULT: the transport promises it,
 *    see scsi_cmd.in_sent_unread); writes go through fault_copy(), which
 *    turns the signal into a fallback to the ordinary path. */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backstore/plugins.h"
#include "common/fault_copy.h"
#include "common/util.h"

void shm_map_open(struct file_store *fs, uint64_t size, bool writable)
{
	void *p = mmap(NULL, size, PROT_READ | (writable ? PROT_WRITE : 0), MAP_SHARED, fs->fd, 0);

	if (p == MAP_FAILED) /* no address space: the ordinary path serves */
		return;
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
}

static bool in_map(const struct file_store *fs, uint64_t offset, uint64_t len)
{
	return fs->map && offset <= fs->map_len && len <= fs->map_len - offset;
}

/* Is every page of the mapping in [start, end) in memory?  For a file on
 * tmpfs that means allocated: a hole, or a page out in swap, is not. */
static bool pages_in_core(const uint8_t *start, const uint8_t *end)
{
	const uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
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
	if (pages_in_core(fs->map + offset, fs->map + offset + len))
		return fs->map + offset;
	if (all_hole(fs->fd, offset, len))
		return bs_zero_region(len);
	return NULL;
}

bool shm_map_write(struct file_store *fs, uint64_t offset, const struct iovec *iov, int iovcnt,
		   uint64_t len)
{
	uint8_t *dst = fs->map + offset;

	if (!fs->map_writable || !in_map(fs, offset, len) || !pages_in_core(dst, dst + len))
		return false;
	return fault_copy_from_iov(dst, iov, iovcnt, len) == 0;
}
