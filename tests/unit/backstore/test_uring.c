/* The asynchronous path: I/O submitted from a loop thread goes through
 * io_uring and completes later, on that same thread. */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>
#include <cmocka.h>

#include "bs_test_util.h"
#include "net/loop.h"

#define NIO 64
#define IOSZ 16384

struct ctx {
	struct loop *loop;
	pthread_t thread;
	struct backstore *bs;
	sem_t finished;
	int phase;
	int outstanding;
	bool in_submit;
	int inline_done;  /* completions of ring-only operations inside submit() */
	int wrong_thread; /* completions seen off the loop thread */
	int errors;
	struct bs_io io[NIO];
	uint8_t *buf[NIO];
	uint8_t *check[NIO];
	struct iovec split[NIO][3];
};

static void next_phase(struct ctx *c);

static void io_done(struct bs_io *io)
{
	struct ctx *c = io->arg;

	/* Reads and writes that the page cache (or tmpfs) can serve may
	 * complete inside submit(); flushes, discards and zeroing always go
	 * through the ring. */
	if (c->in_submit && io->op != BS_READ && io->op != BS_WRITE)
		c->inline_done++;
	if (!pthread_equal(pthread_self(), c->thread) || loop_current() != c->loop)
		c->wrong_thread++;
	if (io->result != 0)
		c->errors++;
	if (--c->outstanding == 0)
		next_phase(c);
}

static void submit(struct ctx *c, int i, enum bs_op op, unsigned flags, uint64_t off, void *buf,
		   uint64_t len)
{
	bs_io_prep(&c->io[i], op, off, buf, len, io_done, c);
	c->io[i].flags = flags;
	c->in_submit = true;
	backstore_submit(c->bs, &c->io[i]);
	c->in_submit = false;
}

/* Phase 1: NIO writes (half FUA); 2: a flush; 3: reads back into buffers
 * split over three iovecs, the last longer than needed; 4: discard, then
 * 5: read a discarded range; then finish. */
static void next_phase(struct ctx *c)
{
	int p = ++c->phase;

	if (p == 1) {
		c->outstanding = NIO;
		for (int i = 0; i < NIO; i++)
			submit(c, i, BS_WRITE, (i & 1) ? BS_IO_FUA : 0, (uint64_t)i * IOSZ,
			       c->buf[i], IOSZ);
	} else if (p == 2) {
		c->outstanding = 1;
		submit(c, 0, BS_FLUSH, 0, 0, NULL, 0);
	} else if (p == 3) {
		c->outstanding = NIO;
		for (int i = 0; i < NIO; i++) {
			c->split[i][0] = (struct iovec){c->check[i], 100};
			c->split[i][1] = (struct iovec){c->check[i] + 100, 4000};
			c->split[i][2] = (struct iovec){c->check[i] + 4100, IOSZ}; /* too long */
			bs_io_prep(&c->io[i], BS_READ, (uint64_t)i * IOSZ, NULL, IOSZ, io_done, c);
			c->io[i].iov = c->split[i];
			c->io[i].iovcnt = 3;
			c->in_submit = true;
			backstore_submit(c->bs, &c->io[i]);
			c->in_submit = false;
		}
	} else if (p == 4) {
		c->outstanding = 2;
		submit(c, 0, BS_DISCARD, 0, 0, NULL, IOSZ);
		submit(c, 1, BS_WRITE_ZEROES, 0, IOSZ, NULL, IOSZ);
	} else if (p == 5) {
		c->outstanding = 1;
		submit(c, 0, BS_READ, 0, 0, c->check[0], 2 * IOSZ);
	} else {
		backstore_thread_fini();
		sem_post(&c->finished);
	}
}

static void start(void *arg)
{
	next_phase(arg);
}

static void *run_loop(void *arg)
{
	loop_run(arg);
	return NULL;
}

static void test_async_completions(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));
	char *dir = make_tmpdir(), path[4200], err[512];
	struct bs_params p = {.name = "f0", .plugin = "fileio", .write_back = true};

	(void)state;
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/u.img", dir);
	p.path = path;
	p.size = (uint64_t)NIO * IOSZ;
	c->bs = backstore_open(&p, err, sizeof(err));
	assert_non_null(c->bs);
	for (int i = 0; i < NIO; i++) {
		c->buf[i] = malloc(IOSZ);
		c->check[i] = calloc(1, 2 * IOSZ + 4100);
		memset(c->buf[i], i + 1, IOSZ);
	}
	sem_init(&c->finished, 0, 0);
	c->loop = loop_new();
	assert_int_equal(pthread_create(&c->thread, NULL, run_loop, c->loop), 0);
	loop_post(c->loop, start, c);
	sem_wait(&c->finished);
	loop_stop(c->loop);
	pthread_join(c->thread, NULL);
	loop_free(c->loop);

	assert_int_equal(c->phase, 6);
	assert_int_equal(c->errors, 0);
	assert_int_equal(c->wrong_thread, 0);
	assert_int_equal(c->inline_done, 0);
	for (int i = 1; i < NIO; i++) {
		assert_true(all_bytes(c->check[i], IOSZ, (uint8_t)(i + 1)));
		assert_true(all_bytes(c->check[i] + IOSZ, 4100, 0)); /* nothing beyond len */
	}
	assert_true(all_bytes(c->check[0], 2 * IOSZ, 0));
	/* the loop thread dropped its in-flight references */
	assert_int_equal(atomic_load(&c->bs->refcnt), 1);
	backstore_put(c->bs);
	for (int i = 0; i < NIO; i++) {
		free(c->buf[i]);
		free(c->check[i]);
	}
	unlink(path);
	rmdir(dir);
	free(dir);
	free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_async_completions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
