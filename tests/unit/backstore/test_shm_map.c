/* fileio on tmpfs used in place (shm_map.c): reads are handed out from the
 * file's pages only where every page is there, holes are neither read
 * through the mapping nor allocated by it, writes into the mapping reach
 * the file, and a file shrunk behind the store's back is survived. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include <cmocka.h>

#include "bs_test_util.h"
#include "common/fault_copy.h"
#include "net/loop.h"

#define KB 1024u
#define SIZE (1024u * KB)

struct fx {
	char path[64];
	struct backstore *bs;
	uint8_t *a, *b, *r;
};

static bool shm_usable(void)
{
	struct statfs s;

	return statfs("/dev/shm", &s) == 0 && s.f_type == TMPFS_MAGIC;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct bs_params p = {.name = "s0", .plugin = "fileio", .size = SIZE, .write_back = true};
	char err[512];

	if (!shm_usable()) {
		free(f);
		return -1;
	}
	snprintf(f->path, sizeof(f->path), "/dev/shm/luna-shm-test-%d", (int)getpid());
	unlink(f->path);
	p.path = f->path;
	f->bs = backstore_open(&p, err, sizeof(err));
	if (f->bs == NULL)
		return -1;
	f->a = malloc(SIZE);
	f->b = malloc(SIZE);
	f->r = malloc(SIZE);
	memset(f->a, 0xaa, SIZE);
	memset(f->b, 0xbb, SIZE);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	backstore_put(f->bs);
	unlink(f->path);
	free(f->a);
	free(f->b);
	free(f->r);
	free(f);
	return 0;
}

/* Run fn on an event loop thread, where fileio takes its inline path. */
struct on_loop {
	void (*fn)(struct fx *f);
	struct fx *f;
	sem_t done;
};

static void run_it(void *arg)
{
	struct on_loop *o = arg;

	o->fn(o->f);
	backstore_thread_fini();
	sem_post(&o->done);
}

static void *loop_thread(void *arg)
{
	loop_run(arg);
	return NULL;
}

static void on_loop(struct fx *f, void (*fn)(struct fx *f))
{
	struct on_loop o = {.fn = fn, .f = f};
	struct loop *l = loop_new();
	pthread_t t;

	sem_init(&o.done, 0, 0);
	assert_int_equal(pthread_create(&t, NULL, loop_thread, l), 0);
	loop_post(l, run_it, &o);
	sem_wait(&o.done);
	loop_stop(l);
	pthread_join(t, NULL);
	loop_free(l);
}

static long long allocated(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long long)st.st_blocks * 512 : -1;
}

static const uint8_t *send_ptr(struct backstore *bs, uint64_t off, uint64_t len)
{
	return bs->ops->map_for_send(bs, off, len);
}

static void holes_are_zeroes_and_stay_holes(void **state)
{
	struct fx *f = *state;
	const uint8_t *p = send_ptr(f->bs, 0, 256 * KB);

	assert_non_null(p);
	assert_true(all_bytes(p, 256 * KB, 0));
	assert_int_equal(allocated(f->path), 0);
}

static void writes_then_reads(struct fx *f)
{
	/* A hole: written the ordinary way, which allocates it. */
	assert_int_equal(do_io(f->bs, BS_WRITE, 0, 0, f->a, 64 * KB), 0);
	/* Now all there: a write over it goes into the mapping. */
	assert_int_equal(do_io(f->bs, BS_WRITE, 0, 16 * KB, f->b, 16 * KB), 0);
	assert_int_equal(do_io(f->bs, BS_READ, 0, 0, f->r, 64 * KB), 0);
}

static void written_pages_are_sent_in_place(void **state)
{
	struct fx *f = *state;
	const uint8_t *p;
	uint8_t check[64 * KB];
	int fd;

	on_loop(f, writes_then_reads);
	assert_true(all_bytes(f->r, 16 * KB, 0xaa));
	assert_true(all_bytes(f->r + 16 * KB, 16 * KB, 0xbb));
	assert_true(all_bytes(f->r + 32 * KB, 32 * KB, 0xaa));
	/* The file itself has the bytes, read past the store. */
	fd = open(f->path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, check, sizeof(check), 0), (ssize_t)sizeof(check));
	close(fd);
	assert_memory_equal(check, f->r, sizeof(check));
	p = send_ptr(f->bs, 0, 64 * KB);
	assert_non_null(p);
	assert_memory_equal(p, f->r, 64 * KB);
	/* Only what was written is allocated. */
	assert_int_equal(allocated(f->path), 64 * KB);
}

static void write_a_little(struct fx *f)
{
	assert_int_equal(do_io(f->bs, BS_WRITE, 0, 512 * KB, f->a, 4 * KB), 0);
}

static void mixed_ranges_take_the_copy_path(void **state)
{
	struct fx *f = *state;

	on_loop(f, write_a_little);
	assert_null(send_ptr(f->bs, 508 * KB, 8 * KB)); /* hole, then data */
	assert_null(send_ptr(f->bs, 512 * KB, 8 * KB)); /* data, then hole */
	assert_non_null(send_ptr(f->bs, 512 * KB, 4 * KB));
	assert_null(send_ptr(f->bs, SIZE - 4 * KB, 8 * KB)); /* past the end */
	assert_int_equal(allocated(f->path), 4 * KB);
}

static void write_after_shrink(struct fx *f)
{
	assert_int_equal(do_io(f->bs, BS_WRITE, 0, 0, f->b, 8 * KB), 0);
}

static void file_shrunk_behind_our_back(void **state)
{
	struct fx *f = *state;
	const uint8_t *p;
	int pfd[2];
	ssize_t n;

	on_loop(f, writes_then_reads);
	fault_copy_init(); /* as lunad has it; cmocka put its own in between */
	assert_int_equal(truncate(f->path, 0), 0);
	/* The store still believes the pages are there: the write into the
	 * mapping faults, and goes the ordinary way instead. */
	on_loop(f, write_after_shrink);
	/* (read off the loop: past the end it completes through the ring) */
	assert_int_equal(do_io(f->bs, BS_READ, 0, 0, f->r, 128 * KB), 0);
	assert_true(all_bytes(f->r, 8 * KB, 0xbb));
	assert_true(all_bytes(f->r + 8 * KB, 120 * KB, 0));
	/* A read handed out from the mapping past the new end: only the
	 * kernel ever reads it, and it fails the copy instead of a signal. */
	p = send_ptr(f->bs, 16 * KB, 16 * KB);
	assert_non_null(p);
	assert_int_equal(pipe(pfd), 0);
	n = write(pfd[1], p, 4 * KB);
	assert_true(n == -1 && errno == EFAULT);
	close(pfd[0]);
	close(pfd[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(holes_are_zeroes_and_stay_holes, setup, teardown),
	    cmocka_unit_test_setup_teardown(written_pages_are_sent_in_place, setup, teardown),
	    cmocka_unit_test_setup_teardown(mixed_ranges_take_the_copy_path, setup, teardown),
	    cmocka_unit_test_setup_teardown(file_shrunk_behind_our_back, setup, teardown),
	};
	if (!shm_usable()) {
		printf("/dev/shm is not tmpfs here: nothing to test\n");
		return 0;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
