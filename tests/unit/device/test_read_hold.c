/* A READ served straight from a memory store holds its LBA range until the
 * transport has sent the data (scsi_cmd_release), so that COMPARE AND WRITE
 * and WRITE ATOMIC cannot change the blocks under it; a READ that copied
 * its data gives the range back when it completes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../scsi/fake_bs.h"
#include "common/bytes.h"
#include "scsi/sense.h"

#define BLOCKS 64
#define BS 512

struct fixture {
	struct scsi_lu *lu;
	struct scsi_nexus *nx;
};

static struct fixture fx;

static int setup(void **state)
{
	fx.lu = fake_lu_new("zc0", BLOCKS, false, false);
	fx.nx = fake_nexus_new(fx.lu, 0, false);
	fake_of(fx.lu)->use_map = true;
	memset(fake_of(fx.lu)->mem, 'A', BLOCKS * BS);
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	scsi_nexus_free(f->nx);
	scsi_lu_put(f->lu);
	return 0;
}

static const uint8_t read10[10] = {0x28, 0, 0, 0, 0, 0, 0, 0, 2, 0}; /* LBA 0, 2 blocks */

/* COMPARE AND WRITE of one block at `lba`: compare 'A', write 'B'. */
static void caw_prep(struct test_cmd *tc, struct scsi_nexus *nx, uint64_t lba)
{
	static uint8_t data[2 * BS];
	uint8_t c[16] = {0x89};

	put_be64(c + 2, lba);
	c[13] = 1;
	memset(data, 'A', BS);
	memset(data + BS, 'B', BS);
	test_cmd_prep(tc, nx, 0, c, 16, data, sizeof(data), sizeof(data));
}

static void zero_copy_read_holds_until_release(void **state)
{
	struct fixture *f = *state;
	uint8_t *mem = fake_of(f->lu)->mem;
	struct test_cmd rd, caw;

	test_cmd_run(&rd, f->nx, 0, read10, 10, NULL, 0);
	assert_int_equal(rd.done_calls, 1);
	assert_int_equal(rd.cmd.status, SAM_STAT_GOOD);
	assert_ptr_equal(rd.cmd.in.data, mem); /* no copy */

	/* The data is "on the wire": the atomic write must wait. */
	caw_prep(&caw, f->nx, 1);
	scsi_cmd_submit(&caw.cmd);
	assert_int_equal(caw.done_calls, 0);
	assert_int_equal(mem[BS], 'A');

	scsi_cmd_release(&rd.cmd);
	assert_int_equal(caw.done_calls, 1);
	assert_int_equal(caw.cmd.status, SAM_STAT_GOOD);
	assert_int_equal(mem[BS], 'B');
	scsi_cmd_release(&caw.cmd);
}

static void write_atomic_waits_too(void **state)
{
	struct fixture *f = *state;
	uint8_t wa[16] = {0x9c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0}, data[BS];
	struct test_cmd rd, w;

	memset(data, 'C', BS);
	test_cmd_run(&rd, f->nx, 0, read10, 10, NULL, 0);
	test_cmd_prep(&w, f->nx, 0, wa, 16, data, BS, BS);
	scsi_cmd_submit(&w.cmd);
	assert_int_equal(w.done_calls, 0);
	scsi_cmd_release(&rd.cmd);
	assert_int_equal(w.done_calls, 1);
	assert_int_equal(w.cmd.status, SAM_STAT_GOOD);
	assert_int_equal(fake_of(f->lu)->mem[0], 'C');
	scsi_cmd_release(&w.cmd);
}

static void plain_writes_and_other_ranges_go_on(void **state)
{
	struct fixture *f = *state;
	uint8_t w10[10] = {0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0}, data[BS];
	struct test_cmd rd, w, caw;

	memset(data, 'A', BS);
	/* No data digest: the transport hands the bytes to the socket unread. */
	test_cmd_prep(&rd, f->nx, 0, read10, 10, NULL, 0, 0);
	rd.cmd.in_sent_unread = true;
	scsi_cmd_submit(&rd.cmd);
	assert_int_equal(rd.done_calls, 1);
	/* A SIMPLE write may overlap a read (SAM-5: no ordering promised). */
	test_cmd_run(&w, f->nx, 0, w10, 10, data, BS);
	assert_int_equal(w.done_calls, 1);
	/* An atomic write elsewhere does not wait. */
	caw_prep(&caw, f->nx, 10);
	scsi_cmd_submit(&caw.cmd);
	assert_int_equal(caw.done_calls, 1);
	scsi_cmd_release(&caw.cmd);
	scsi_cmd_release(&w.cmd);
	scsi_cmd_release(&rd.cmd);
}

/* With a data digest the transport checksums the bytes before the socket
 * copies them: a write to them waits until they are sent, or the digest
 * would not match the data.  Reads still go on. */
static void checksummed_read_keeps_writes_off(void **state)
{
	struct fixture *f = *state;
	uint8_t w10[10] = {0x2a, 0, 0, 0, 0, 1, 0, 0, 1, 0}, data[BS];
	struct test_cmd rd, rd2, w, w2;

	memset(data, 'D', BS);
	test_cmd_run(&rd, f->nx, 0, read10, 10, NULL, 0); /* in_sent_unread false */
	assert_int_equal(rd.cmd.status, SAM_STAT_GOOD);
	test_cmd_run(&rd2, f->nx, 0, read10, 10, NULL, 0);
	assert_int_equal(rd2.done_calls, 1);		    /* reads share */
	test_cmd_prep(&w, f->nx, 0, w10, 10, data, BS, BS); /* LBA 1 */
	scsi_cmd_submit(&w.cmd);
	assert_int_equal(w.done_calls, 0);
	assert_int_equal(fake_of(f->lu)->mem[BS], 'A');
	w10[5] = 20; /* LBA 20: elsewhere, goes at once */
	test_cmd_run(&w2, f->nx, 0, w10, 10, data, BS);
	assert_int_equal(w2.done_calls, 1);
	scsi_cmd_release(&rd.cmd);
	assert_int_equal(w.done_calls, 0); /* rd2 still holds LBA 1 */
	scsi_cmd_release(&rd2.cmd);
	assert_int_equal(w.done_calls, 1);
	assert_int_equal(w.cmd.status, SAM_STAT_GOOD);
	assert_int_equal(fake_of(f->lu)->mem[BS], 'D');
	scsi_cmd_release(&w.cmd);
	scsi_cmd_release(&w2.cmd);
}

static void copied_read_releases_at_completion(void **state)
{
	struct fixture *f = *state;
	struct test_cmd rd, caw;

	fake_of(f->lu)->use_map = false;
	test_cmd_run(&rd, f->nx, 0, read10, 10, NULL, 0);
	assert_int_equal(rd.cmd.status, SAM_STAT_GOOD);
	assert_true(rd.cmd.in.owned);
	caw_prep(&caw, f->nx, 0);
	scsi_cmd_submit(&caw.cmd);
	assert_int_equal(caw.done_calls, 1);
	/* The read's copy is its own. */
	assert_int_equal(rd.cmd.in.data[0], 'A');
	assert_int_equal(fake_of(f->lu)->mem[0], 'B');
	scsi_cmd_release(&caw.cmd);
	scsi_cmd_release(&rd.cmd);
}

static void failed_read_holds_nothing(void **state)
{
	struct fixture *f = *state;
	uint8_t bad[10] = {0x28, 0, 0, 0, 0, BLOCKS - 1, 0, 0, 2, 0}; /* past the end */
	struct test_cmd rd, caw;

	test_cmd_run(&rd, f->nx, 0, bad, 10, NULL, 0);
	assert_int_equal(rd.cmd.status, SAM_STAT_CHECK_CONDITION);
	caw_prep(&caw, f->nx, BLOCKS - 1);
	scsi_cmd_submit(&caw.cmd);
	assert_int_equal(caw.done_calls, 1);
	scsi_cmd_release(&caw.cmd);
	scsi_cmd_release(&rd.cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(zero_copy_read_holds_until_release, setup, teardown),
	    cmocka_unit_test_setup_teardown(write_atomic_waits_too, setup, teardown),
	    cmocka_unit_test_setup_teardown(plain_writes_and_other_ranges_go_on, setup, teardown),
	    cmocka_unit_test_setup_teardown(checksummed_read_keeps_writes_off, setup, teardown),
	    cmocka_unit_test_setup_teardown(copied_read_releases_at_completion, setup, teardown),
	    cmocka_unit_test_setup_teardown(failed_read_holds_nothing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
