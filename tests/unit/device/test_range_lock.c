/* LBA range locks: overlap arithmetic and who waits for whom. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "scsi/range_lock.h"

static int resumed;

static void on_resume(void *arg)
{
	(void)arg;
	resumed++;
}

static struct range_req req(uint64_t lba, uint64_t count, enum range_mode mode)
{
	struct range_req r = {.lba = lba, .count = count, .mode = mode, .resume = on_resume};

	return r;
}

static void overlap(void **state)
{
	(void)state;
	assert_true(range_overlap(0, 10, 9, 1));
	assert_false(range_overlap(0, 10, 10, 1));
	assert_false(range_overlap(5, 0, 5, 10));
	assert_true(range_overlap(0, UINT64_MAX, UINT64_MAX - 1, 1));
	assert_false(range_overlap(UINT64_MAX - 1, 1, 0, UINT64_MAX - 1));
}

static void shared_and_exclusive(void **state)
{
	struct range_lock rl;
	struct range_req a = req(0, 8, RANGE_SHARED), b = req(4, 8, RANGE_SHARED),
			 x = req(6, 1, RANGE_EXCLUSIVE), c = req(6, 1, RANGE_SHARED),
			 d = req(100, 1, RANGE_SHARED);

	(void)state;
	resumed = 0;
	range_lock_init(&rl);
	assert_true(range_lock_acquire(&rl, &a));
	assert_true(range_lock_acquire(&rl, &b));  /* readers share */
	assert_false(range_lock_acquire(&rl, &x)); /* the atomic one waits */
	assert_false(range_lock_acquire(&rl, &c)); /* and nobody jumps it */
	assert_true(range_lock_acquire(&rl, &d));  /* elsewhere is free */
	range_lock_release(&rl, &a);
	assert_int_equal(resumed, 0);
	range_lock_release(&rl, &b);
	assert_int_equal(resumed, 1); /* x */
	range_lock_release(&rl, &x);
	assert_int_equal(resumed, 2); /* c */
	range_lock_release(&rl, &c);
	range_lock_release(&rl, &d);
	range_lock_fini(&rl);
}

/* The count of exclusive requests that lets shared ones skip the scans
 * goes up and down with them, and never lets a shared request past an
 * exclusive one that overlaps it. */
static void exclusive_count(void **state)
{
	struct range_lock rl;
	struct range_req x1 = req(0, 10, RANGE_EXCLUSIVE), x2 = req(5, 5, RANGE_EXCLUSIVE),
			 s1 = req(20, 1, RANGE_SHARED), s2 = req(9, 1, RANGE_SHARED),
			 wide = req(0, 100, RANGE_SHARED), x3 = req(50, 1, RANGE_EXCLUSIVE);

	(void)state;
	resumed = 0;
	range_lock_init(&rl);
	assert_true(range_lock_acquire(&rl, &x1));
	assert_false(range_lock_acquire(&rl, &x2));
	assert_int_equal(rl.nmode[RANGE_EXCLUSIVE], 2);
	assert_true(range_lock_acquire(&rl, &s1));  /* no overlap: granted */
	assert_false(range_lock_acquire(&rl, &s2)); /* under x1 and x2 */
	range_lock_release(&rl, &x1);
	assert_int_equal(resumed, 1); /* x2; s2 still under it */
	range_lock_release(&rl, &x2);
	assert_int_equal(resumed, 2); /* s2 */
	assert_int_equal(rl.nmode[RANGE_EXCLUSIVE], 0);
	range_lock_release(&rl, &s1);
	range_lock_release(&rl, &s2);
	assert_true(range_lock_acquire(&rl, &wide)); /* nothing exclusive about */
	assert_false(range_lock_acquire(&rl, &x3));  /* overlaps a shared holder */
	assert_int_equal(rl.nmode[RANGE_EXCLUSIVE], 1);
	range_lock_release(&rl, &wide);
	assert_int_equal(resumed, 3); /* x3 */
	range_lock_release(&rl, &x3);
	assert_int_equal(rl.nmode[RANGE_EXCLUSIVE], 0);
	range_lock_fini(&rl);
}

/* Stable reads share with reads and with each other, and keep writes off
 * their blocks; writes keep stable reads off theirs. */
static void stable_reads_and_writes(void **state)
{
	struct range_lock rl;
	struct range_req s1 = req(0, 8, RANGE_STABLE), s2 = req(2, 4, RANGE_STABLE),
			 r1 = req(4, 1, RANGE_READ), w1 = req(6, 2, RANGE_SHARED),
			 r2 = req(7, 1, RANGE_READ), w2 = req(100, 1, RANGE_SHARED),
			 w3 = req(200, 10, RANGE_SHARED), s3 = req(205, 1, RANGE_STABLE);

	(void)state;
	resumed = 0;
	range_lock_init(&rl);
	assert_true(range_lock_acquire(&rl, &s1));
	assert_true(range_lock_acquire(&rl, &s2));  /* stable with stable */
	assert_true(range_lock_acquire(&rl, &r1));  /* a read with both */
	assert_false(range_lock_acquire(&rl, &w1)); /* a write waits for s1 */
	assert_true(range_lock_acquire(&rl, &r2));  /* a read does not queue behind it */
	assert_true(range_lock_acquire(&rl, &w2));  /* a write elsewhere goes */
	assert_true(range_lock_acquire(&rl, &w3));
	assert_false(range_lock_acquire(&rl, &s3)); /* a stable read waits for a write */
	assert_int_equal(rl.nmode[RANGE_STABLE], 3);
	assert_int_equal(rl.nmode[RANGE_SHARED], 3);
	range_lock_release(&rl, &s1);
	assert_int_equal(resumed, 1); /* w1: s2 ends before block 6 */
	range_lock_release(&rl, &w3);
	assert_int_equal(resumed, 2); /* s3 */
	range_lock_release(&rl, &s2);
	range_lock_release(&rl, &r1);
	range_lock_release(&rl, &w1);
	range_lock_release(&rl, &r2);
	range_lock_release(&rl, &w2);
	range_lock_release(&rl, &s3);
	for (int m = 0; m < RANGE_MODES; m++)
		assert_int_equal(rl.nmode[m], 0);
	range_lock_fini(&rl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(overlap),
	    cmocka_unit_test(shared_and_exclusive),
	    cmocka_unit_test(exclusive_count),
	    cmocka_unit_test(stable_reads_and_writes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
