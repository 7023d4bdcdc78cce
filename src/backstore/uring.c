/* The I/O path of files and block devices.
 *
 * Inside an event loop, I/O goes through one io_uring per worker thread,
 * made the first time the thread submits.  SQEs are queued as commands
 * arrive and submitted in one batch by a loop hook that runs before the
 * loop sleeps; completions wake the loop through an eventfd registered with
 * the ring, so done() always runs on the thread that submitted.
 *
 * Outside a loop (unit tests, the configuration thread) the same operations
 * run synchronously, so the API works everywhere. */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "backstore/plugins.h"
#include "common/log.h"
#include "common/util.h"
#include "net/loop.h"

#define RING_ENTRIES 256
#define ZERO_CHUNK (1u << 20)

struct bs_ring {
	struct io_uring ring;
	int efd;
	struct loop *loop;
	struct loop_fd lfd;
	struct loop_hook hook;
	unsigned queued; /* prepared SQEs not yet handed to the kernel */
};

/* The ring lives in thread-local storage rather than on the heap: the loop
 * may still hold an epoll event for its eventfd, collected in the same
 * batch as the callback that called backstore_thread_fini(), and loop_run
 * skips such events only if the loop_fd it points to is still there. */
static __thread struct bs_ring tl_ring_store;
static __thread struct bs_ring *tl_ring;
static __thread bool tl_no_uring; /* ring creation failed: stay synchronous */

/* The iovecs still to transfer: the caller's own when the I/O is whole and
 * untouched, else a private copy trimmed to [done_bytes, len). */
static struct iovec *cur_iov(struct bs_io *io, int *cnt)
{
	uint64_t skip = io->done_bytes, left = io->len - io->done_bytes;
	int n = 0;

	if (skip == 0 && bs_iov_total(io) == io->len) {
		*cnt = io->iovcnt;
		return io->iov;
	}
	free(io->rest);
	io->rest = xcalloc((size_t)io->iovcnt, sizeof(struct iovec));
	for (int i = 0; i < io->iovcnt && left; i++) {
		size_t l = io->iov[i].iov_len;
		if (skip >= l) {
			skip -= l;
			continue;
		}
		io->rest[n].iov_base = (uint8_t *)io->iov[i].iov_base + skip;
		io->rest[n].iov_len = MIN(l - skip, left);
		left -= io->rest[n].iov_len;
		skip = 0;
		n++;
	}
	io->restcnt = n;
	*cnt = n;
	return io->rest;
}

/* Reads past the end of the file (it was truncated behind our back) return
 * zeroes rather than failing the command. */
static void zero_rest(struct bs_io *io)
{
	int cnt;
	struct iovec *v = cur_iov(io, &cnt);

	for (int i = 0; i < cnt; i++)
		memset(v[i].iov_base, 0, v[i].iov_len);
	io->done_bytes = io->len;
}

/* Writing zeroes by hand, for filesystems without fallocate modes. */
static int write_zeroes_sync(int fd, uint64_t off, uint64_t len)
{
	void *buf = NULL;
	int rc = 0;

	if (posix_memalign(&buf, 4096, ZERO_CHUNK))
		return -ENOMEM;
	memset(buf, 0, ZERO_CHUNK);
	while (len) {
		ssize_t n = pwrite(fd, buf, MIN(len, (uint64_t)ZERO_CHUNK), (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	free(buf);
	return rc;
}

static int fallocate_sync(int fd, int mode, uint64_t off, uint64_t len)
{
	if (fallocate(fd, mode, (off_t)off, (off_t)len) == 0)
		return 0;
	if (errno == EOPNOTSUPP || errno == EINVAL)
		return write_zeroes_sync(fd, off, len);
	return -errno;
}

static int discard_mode(void)
{
	return FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE;
}

static int zero_mode(void)
{
	return FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
}

static int rw_sync(int fd, struct bs_io *io)
{
	while (io->done_bytes < io->len) {
		int cnt;
		struct iovec *v = cur_iov(io, &cnt);
		off_t off = (off_t)(io->offset + io->done_bytes);
		ssize_t n;

		if (io->op == BS_READ)
			n = preadv(fd, v, cnt, off);
		else
			n = pwritev2(fd, v, cnt, off, (io->flags & BS_IO_FUA) ? RWF_DSYNC : 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (n == 0 && io->op == BS_READ) {
			zero_rest(io);
			break;
		}
		if (n == 0)
			return -EIO;
		io->done_bytes += (uint64_t)n;
	}
	return 0;
}

/* A mapped file forgets which pages were there before any are taken away
 * (see shm_map.c). */
static void forget_before_dealloc(struct file_store *fs, const struct bs_io *io)
{
	if (fs->map && (io->op == BS_DISCARD || io->op == BS_WRITE_ZEROES))
		shm_map_forget(fs, io->offset, io->len);
}

int file_io_sync(struct backstore *bs, struct bs_io *io)
{
	struct file_store *fs = bs->priv;

	forget_before_dealloc(fs, io);
	switch (io->op) {
	case BS_READ:
	case BS_WRITE:
		return rw_sync(fs->fd, io);
	case BS_FLUSH:
		return (fs->is_block ? fsync(fs->fd) : fdatasync(fs->fd)) < 0 ? -errno : 0;
	case BS_DISCARD:
		return fallocate_sync(fs->fd, discard_mode(), io->offset, io->len);
	case BS_WRITE_ZEROES:
		return fallocate_sync(fs->fd, zero_mode(), io->offset, io->len);
	}
	return -EOPNOTSUPP;
}

static void prep_sqe(struct io_uring_sqe *sqe, struct backstore *bs, struct bs_io *io)
{
	struct file_store *fs = bs->priv;
	uint64_t off = io->offset + io->done_bytes;
	struct iovec *v;
	int cnt;

	switch (io->op) {
	case BS_READ:
		v = cur_iov(io, &cnt);
		io_uring_prep_readv(sqe, fs->fd, v, (unsigned)cnt, off);
		break;
	case BS_WRITE:
		v = cur_iov(io, &cnt);
		io_uring_prep_writev(sqe, fs->fd, v, (unsigned)cnt, off);
		if (io->flags & BS_IO_FUA)
			sqe->rw_flags = RWF_DSYNC;
		break;
	case BS_FLUSH:
		io_uring_prep_fsync(sqe, fs->fd, fs->is_block ? 0 : IORING_FSYNC_DATASYNC);
		break;
	case BS_DISCARD:
		io_uring_prep_fallocate(sqe, fs->fd, discard_mode(), (off_t)off, (off_t)io->len);
		break;
	case BS_WRITE_ZEROES:
		io_uring_prep_fallocate(sqe, fs->fd, zero_mode(), (off_t)off, (off_t)io->len);
		break;
	}
	io_uring_sqe_set_data(sqe, io);
}

/* The private iovec copy goes before done(): the caller may free io. */
static void file_finish(struct bs_io *io, int result)
{
	free(io->rest);
	io->rest = NULL;
	io->restcnt = 0;
	bs_io_finish(io, result);
}

static void finish_async(struct bs_io *io, int result)
{
	struct backstore *bs = io->bs;

	io->bs = NULL;
	file_finish(io, result);
	backstore_put(bs);
}

static void queue_io(struct bs_ring *r, struct bs_io *io)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);

	if (sqe == NULL) {
		/* The SQ is full: hand the batch over now and take a fresh slot. */
		if (io_uring_submit(&r->ring) >= 0)
			r->queued = 0;
		sqe = io_uring_get_sqe(&r->ring);
	}
	if (sqe == NULL) {
		finish_async(io, file_io_sync(io->bs, io));
		return;
	}
	prep_sqe(sqe, io->bs, io);
	r->queued++;
}

static void complete_one(struct bs_ring *r, struct bs_io *io, int res)
{
	struct file_store *fs = io->bs->priv;
	bool rw = io->op == BS_READ || io->op == BS_WRITE;

	if (res == -EAGAIN || res == -EINTR) {
		queue_io(r, io);
		return;
	}
	if (res == -EOPNOTSUPP && (io->op == BS_DISCARD || io->op == BS_WRITE_ZEROES)) {
		finish_async(io, write_zeroes_sync(fs->fd, io->offset, io->len));
		return;
	}
	if (res < 0 || !rw) {
		finish_async(io, res < 0 ? res : 0);
		return;
	}
	if (res == 0 && io->op == BS_READ)
		zero_rest(io);
	else if (res == 0)
		res = -EIO;
	if (res < 0) {
		finish_async(io, res);
		return;
	}
	io->done_bytes += (uint64_t)res;
	if (io->done_bytes < io->len)
		queue_io(r, io); /* short transfer: do the rest */
	else
		finish_async(io, 0);
}

static void on_completions(void *arg, uint32_t events)
{
	struct bs_ring *r = arg;
	struct io_uring_cqe *cqe;
	uint64_t v;

	(void)events;
	if (read(r->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_warn("backstore: reading io_uring eventfd: %s", strerror(errno));
	/* One CQE at a time: done() may queue new I/O on this ring, or even
	 * release it (backstore_thread_fini). */
	while (tl_ring == r && io_uring_peek_cqe(&r->ring, &cqe) == 0) {
		struct bs_io *io = io_uring_cqe_get_data(cqe);
		int res = cqe->res;

		io_uring_cqe_seen(&r->ring, cqe);
		complete_one(r, io, res);
	}
}

static void submit_batch(void *arg)
{
	struct bs_ring *r = arg;
	int n;

	if (r->queued == 0)
		return;
	n = io_uring_submit(&r->ring);
	if (n >= 0)
		r->queued = 0;
	else if (n != -EAGAIN && n != -EBUSY && n != -EINTR)
		log_err("backstore: io_uring_submit: %s", strerror(-n));
}

static struct bs_ring *ring_new(struct loop *loop)
{
	struct bs_ring *r = &tl_ring_store;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = io_uring_queue_init(RING_ENTRIES, &r->ring, 0);
	if (rc < 0) {
		log_warn("backstore: io_uring unavailable (%s); file I/O of this thread runs "
			 "synchronously",
			 strerror(-rc));
		return NULL;
	}
	r->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->efd < 0 || io_uring_register_eventfd(&r->ring, r->efd) < 0 ||
	    loop_fd_add(loop, &r->lfd, r->efd, EPOLLIN, on_completions, r) < 0) {
		log_warn("backstore: cannot attach io_uring to the event loop (%s); file I/O of "
			 "this thread runs synchronously",
			 strerror(errno));
		if (r->efd >= 0)
			close(r->efd);
		io_uring_queue_exit(&r->ring);
		return NULL;
	}
	r->loop = loop;
	loop_hook_add(loop, &r->hook, submit_batch, r);
	return r;
}

static struct bs_ring *thread_ring(void)
{
	struct loop *loop = loop_current();

	if (loop == NULL || tl_no_uring)
		return NULL;
	if (tl_ring && tl_ring->loop == loop)
		return tl_ring;
	if (tl_ring) {
		log_warn("backstore: thread changed event loops without backstore_thread_fini()");
		return NULL;
	}
	tl_ring = ring_new(loop);
	tl_no_uring = tl_ring == NULL;
	return tl_ring;
}

/* I/O that needs no device need not go through the ring: on tmpfs it is a
 * memory copy (which io_uring would hand to one of its worker threads, as
 * tmpfs cannot promise not to block), and buffered I/O the page cache can
 * serve is tried without blocking (RWF_NOWAIT).  Done inline, the command
 * is spared the ring's round trip, a thread hand-off and the eventfd
 * wake-up; whatever is left goes through the ring.  Returns true when the
 * whole I/O is done. */
static bool try_inline(struct file_store *fs, struct bs_io *io)
{
	bool rd = io->op == BS_READ, fua = io->flags & BS_IO_FUA;
	struct iovec *v;
	int cnt, flags;
	ssize_t n;

	if (io->op != BS_READ && io->op != BS_WRITE)
		return false;
	/* On tmpfs, writes over pages that are there go into the file's
	 * mapping (shm_map.c). */
	if (fs->in_memory)
		flags = fua ? RWF_DSYNC : 0;
	else if (rd ? fs->nowait_read : fs->nowait_write && !fua)
		flags = RWF_NOWAIT;
	else
		return false;
	v = cur_iov(io, &cnt);
	if (!rd && !fua && fs->map && shm_map_write(fs, io->offset, v, cnt, io->len)) {
		io->done_bytes = io->len;
		return true;
	}
	if (rd)
		n = preadv2(fs->fd, v, cnt, (off_t)io->offset, flags);
	else
		n = pwritev2(fs->fd, v, cnt, (off_t)io->offset, flags);
	if (n < 0 && errno == EOPNOTSUPP) {
		/* This file cannot: stop paying a system call to learn it. */
		if (rd)
			fs->nowait_read = false;
		else
			fs->nowait_write = false;
	}
	/* Errors, end of file and EAGAIN go the ordinary way, which knows
	 * what to make of them. */
	if (n <= 0)
		return false;
	if (!rd && fs->map)
		shm_map_populate(fs, io->offset, (uint64_t)n);
	io->done_bytes = (uint64_t)n;
	return io->done_bytes == io->len;
}

void file_io_submit(struct backstore *bs, struct bs_io *io)
{
	int rc = bs_io_check(bs, io);
	struct bs_ring *r;

	io->done_bytes = 0;
	io->rest = NULL;
	io->restcnt = 0;
	if (rc < 0) {
		file_finish(io, rc);
		return;
	}
	r = thread_ring();
	if (r == NULL) {
		file_finish(io, file_io_sync(bs, io));
		return;
	}
	if (try_inline(bs->priv, io)) {
		file_finish(io, 0);
		return;
	}
	forget_before_dealloc(bs->priv, io);
	backstore_get(bs);
	io->bs = bs;
	queue_io(r, io);
}

void backstore_thread_fini(void)
{
	struct bs_ring *r = tl_ring;

	if (r == NULL)
		return;
	submit_batch(r);
	loop_hook_del(r->loop, &r->hook);
	loop_fd_del(r->loop, &r->lfd);
	io_uring_queue_exit(&r->ring);
	close(r->efd);
	r->efd = -1;
	tl_ring = NULL;
}
