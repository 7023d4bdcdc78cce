/* The disk's newer commands driven through scsi_cmd_submit() against the
 * fake RAM store: COMPARE AND WRITE, ORWRITE, VERIFY, WRITE AND VERIFY,
 * START STOP UNIT / PREVENT, MODE SELECT, GET LBA STATUS, SANITIZE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../scsi/fake_bs.h"
#include "common/bytes.h"
#include "device/dev_reset.h"
#include "scsi/sense.h"

#define BLOCKS 64
#define BS 512

struct fixture {
	struct scsi_lu *lu;
	struct scsi_nexus *nx;
	struct test_cmd tc;
};

static struct fixture fx;

static int setup(void **state)
{
	fx.lu = fake_lu_new("disk0", BLOCKS, false, false);
	fx.lu->removable = true;
	fx.nx = fake_nexus_new(fx.lu, 0, false);
	*state = &fx;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	if (f->tc.cmd.nexus)
		scsi_cmd_release(&f->tc.cmd);
	memset(&f->tc, 0, sizeof(f->tc));
	scsi_nexus_free(f->nx);
	scsi_lu_put(f->lu);
	return 0;
}

static struct scsi_cmd *run(struct fixture *f, const uint8_t *cdb, unsigned len, const void *out,
			    uint32_t out_len)
{
	if (f->tc.cmd.nexus)
		scsi_cmd_release(&f->tc.cmd);
	test_cmd_run(&f->tc, f->nx, 0, cdb, len, out, out_len);
	assert_int_equal(f->tc.done_calls, 1);
	return &f->tc.cmd;
}

static void expect_sense(const struct scsi_cmd *c, unsigned key, unsigned asc)
{
	assert_int_equal(c->status, SAM_STAT_CHECK_CONDITION);
	assert_int_equal(test_sense_key(c), key);
	assert_int_equal(test_sense_asc(c), asc);
}

static void caw_cdb(uint8_t *c, uint64_t lba, uint8_t n)
{
	memset(c, 0, 16);
	c[0] = 0x89;
	put_be64(c + 2, lba);
	c[13] = n;
}

static void compare_and_write(void **state)
{
	struct fixture *f = *state;
	uint8_t c[16], data[2 * 2 * BS];
	struct scsi_cmd *cmd;
	uint8_t *mem = fake_of(f->lu)->mem;

	memset(mem + 4 * BS, 'A', 2 * BS);
	memset(data, 'A', 2 * BS);
	memset(data + 2 * BS, 'B', 2 * BS);
	caw_cdb(c, 4, 2);
	cmd = run(f, c, 16, data, sizeof(data));
	assert_int_equal(cmd->status, SAM_STAT_GOOD);
	assert_int_equal(cmd->out_needed, 4 * BS);
	assert_int_equal(mem[4 * BS], 'B');
	assert_int_equal(mem[6 * BS - 1], 'B');

	/* Miscompare at byte 700: INFORMATION carries the offset. */
	memset(data, 'B', 2 * BS);
	data[700] = 'x';
	cmd = run(f, c, 16, data, sizeof(data));
	expect_sense(cmd, SK_MISCOMPARE, ASC_MISCOMPARE_DURING_VERIFY);
	assert_int_equal(cmd->sense[0], 0xf0); /* VALID */
	assert_int_equal(get_be32(cmd->sense + 3), 700);
	assert_int_equal(mem[4 * BS], 'B');

	/* Data-out of another size than 2 x NUMBER OF LOGICAL BLOCKS. */
	caw_cdb(c, 4, 1);
	cmd = run(f, c, 16, data, sizeof(data));
	expect_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
	/* Past the end, and LBA + count past 2^64. */
	caw_cdb(c, BLOCKS - 1, 2);
	cmd = run(f, c, 16, data, sizeof(data));
	expect_sense(cmd, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
	caw_cdb(c, UINT64_MAX, 2);
	cmd = run(f, c, 16, data, sizeof(data));
	expect_sense(cmd, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
	/* WRPROTECT without protection information; reserved byte. */
	caw_cdb(c, 4, 2);
	c[1] = 0x20;
	cmd = run(f, c, 16, data, sizeof(data));
	expect_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
	caw_cdb(c, 4, 2);
	c[11] = 1;
	cmd = run(f, c, 16, data, sizeof(data));
	expect_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
}

static void orwrite(void **state)
{
	struct fixture *f = *state;
	uint8_t c[16] = {0x8b, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 1, 0, 0}, data[BS];
	uint8_t *mem = fake_of(f->lu)->mem;
	struct scsi_cmd *cmd;

	memset(mem + 8 * BS, 0x0f, BS);
	memset(data, 0xf0, BS);
	cmd = run(f, c, 16, data, BS);
	assert_int_equal(cmd->status, SAM_STAT_GOOD);
	assert_int_equal(mem[8 * BS], 0xff);
	put_be64(c + 2, UINT64_MAX - 1);
	put_be32(c + 10, 4);
	cmd = run(f, c, 16, data, BS);
	expect_sense(cmd, SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
}

static void verify(void **state)
{
	struct fixture *f = *state;
	uint8_t c[10] = {0x2f, 0x02, 0, 0, 0, 16, 0, 0, 2, 0}, data[2 * BS];
	uint8_t *mem = fake_of(f->lu)->mem;
	struct scsi_cmd *cmd;

	memset(mem + 16 * BS, 'v', 2 * BS);
	memset(data, 'v', sizeof(data));
	cmd = run(f, c, 10, data, sizeof(data));
	assert_int_equal(cmd->status, SAM_STAT_GOOD);
	data[BS + 3] = 0;
	cmd = run(f, c, 10, data, sizeof(data));
	expect_sense(cmd, SK_MISCOMPARE, ASC_MISCOMPARE_DURING_VERIFY);
	assert_int_equal(get_be32(cmd->sense + 3), BS + 3);
	/* BYTCHK 11b: one block compared with each. */
	c[1] = 0x06;
	cmd = run(f, c, 10, data, BS);
	assert_int_equal(cmd->status, SAM_STAT_GOOD);
	assert_int_equal(cmd->out_needed, BS);
	/* BYTCHK 10b is reserved; VRPROTECT needs protection information. */
	c[1] = 0x04;
	cmd = run(f, c, 10, data, BS);
	expect_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
	c[1] = 0x20;
	cmd = run(f, c, 10, NULL, 0);
	expect_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
	/* BYTCHK 0: medium verification only. */
	c[1] = 0;
	cmd = run(f, c, 10, NULL, 0);
	assert_int_equal(cmd->status, SAM_STAT_GOOD);
}

static void write_and_verify(void **state)
{
	struct fixture *f = *state;
	uint8_t c[12] = {0xae, 0x02, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0}, data[BS];
	struct scsi_cmd *cmd;

	memset(data, 'w', BS);
	cmd = run(f, c, 12, data, BS);
	assert_int_equal(cmd->status, SAM_STAT_GOOD);
	assert_int_equal(fake_of(f->lu)->mem[20 * BS], 'w');
	assert_int_equal(fake_of(f->lu)->fua_writes > 0, 1);
	c[1] = 0x06; /* BYTCHK 11b is reserved here */
	cmd = run(f, c, 12, data, BS);
	expect_sense(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
}

static void start_stop_prevent(void **state)
{
	struct fixture *f = *state;
	uint8_t prevent[6] = {0x1e, 0, 0, 0, 1, 0}, eject[6] = {0x1b, 0, 0, 0, 0x02, 0};
	uint8_t load[6] = {0x1b, 0, 0, 0, 0x03, 0}, tur[6] = {0};
	struct scsi_cmd *cmd;

	assert_int_equal(run(f, prevent, 6, NULL, 0)->status, SAM_STAT_GOOD);
	cmd = run(f, eject, 6, NULL, 0);
	expect_sense(cmd, SK_ILLEGAL_REQUEST, ASC_MEDIUM_REMOVAL_PREVENTED);
	prevent[4] = 0;
	assert_int_equal(run(f, prevent, 6, NULL, 0)->status, SAM_STAT_GOOD);
	assert_int_equal(run(f, eject, 6, NULL, 0)->status, SAM_STAT_GOOD);
	cmd = run(f, tur, 6, NULL, 0);
	expect_sense(cmd, SK_NOT_READY, ASC_MEDIUM_NOT_PRESENT);
	assert_int_equal(run(f, load, 6, NULL, 0)->status, SAM_STAT_GOOD);
	assert_int_equal(run(f, tur, 6, NULL, 0)->status, SAM_STAT_GOOD);
	/* A power condition leaves the medium alone. */
	eject[4] = 0x32;
	assert_int_equal(run(f, eject, 6, NULL, 0)->status, SAM_STAT_GOOD);
	assert_int_equal(run(f, tur, 6, NULL, 0)->status, SAM_STAT_GOOD);
	/* Reserved bits. */
	eject[4] = 0x08;
	expect_sense(run(f, eject, 6, NULL, 0), SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
	prevent[4] = 2;
	expect_sense(run(f, prevent, 6, NULL, 0), SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
	/* A reset clears PREVENT. */
	prevent[4] = 1;
	assert_int_equal(run(f, prevent, 6, NULL, 0)->status, SAM_STAT_GOOD);
	dev_lu_reset(f->lu);
	assert_int_equal(run(f, eject, 6, NULL, 0)->status, SAM_STAT_CHECK_CONDITION);
	eject[4] = 0x02;
	assert_int_equal(run(f, eject, 6, NULL, 0)->status, SAM_STAT_GOOD);
	assert_int_equal(run(f, load, 6, NULL, 0)->status, SAM_STAT_GOOD);
}

static void mode_select_d_sense(void **state)
{
	struct fixture *f = *state;
	uint8_t c[6] = {0x15, 0x10, 0, 0, 16, 0}, p[16] = {0};
	uint8_t rd[10] = {0x28, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 1, 0};
	struct scsi_cmd *cmd;

	p[4] = 0x0a; /* control page, as MODE SENSE returns it, with D_SENSE */
	p[5] = 0x0a;
	p[6] = 0x04;
	p[7] = 0x10;
	put_be16(p + 12, 0xffff);
	cmd = run(f, c, 6, p, 16);
	assert_int_equal(cmd->status, SAM_STAT_GOOD);
	cmd = run(f, rd, 10, NULL, 0);
	assert_int_equal(cmd->sense[0], 0x72); /* descriptor format */
	p[6] = 0;
	assert_int_equal(run(f, c, 6, p, 16)->status, SAM_STAT_GOOD);
	cmd = run(f, rd, 10, NULL, 0);
	assert_int_equal(cmd->sense[0], 0x70);
	/* A bit that is not changeable (QUEUE ALGORITHM MODIFIER). */
	p[7] = 0x00;
	expect_sense(run(f, c, 6, p, 16), SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_PARAM_LIST);
	/* SP: no saved pages. */
	c[1] = 0x11;
	expect_sense(run(f, c, 6, p, 16), SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
}

static void lba_status_thick(void **state)
{
	struct fixture *f = *state;
	uint8_t c[16] = {0x9e, 0x12, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 64, 0, 0};
	struct scsi_cmd *cmd = run(f, c, 16, NULL, 0);

	assert_int_equal(cmd->status, SAM_STAT_GOOD);
	assert_int_equal(cmd->in.len, 24);
	assert_int_equal(get_be64(cmd->in.data + 8), 3);
	assert_int_equal(get_be32(cmd->in.data + 16), BLOCKS - 3);
	assert_int_equal(cmd->in.data[20], 0); /* mapped */
	put_be64(c + 2, BLOCKS);
	expect_sense(run(f, c, 16, NULL, 0), SK_ILLEGAL_REQUEST, ASC_LBA_OUT_OF_RANGE);
}

static void sanitize_overwrite(void **state)
{
	struct fixture *f = *state;
	uint8_t c[10] = {0x48, 0x01, 0, 0, 0, 0, 0, 0, 8, 0}, p[8] = {1, 0, 0, 4, 1, 2, 3, 4};
	uint8_t *mem = fake_of(f->lu)->mem;

	assert_int_equal(run(f, c, 10, p, 8)->status, SAM_STAT_GOOD);
	assert_int_equal(mem[0], 1);
	assert_int_equal(mem[BLOCKS * BS - 1], 4);
	/* Parameter list length: > 4, <= block size + 4. */
	c[8] = 4;
	expect_sense(run(f, c, 10, p, 4), SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
	/* OVERWRITE COUNT 0. */
	c[8] = 8;
	p[0] = 0;
	expect_sense(run(f, c, 10, p, 8), SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_PARAM_LIST);
	/* EXIT FAILURE MODE takes no parameter list. */
	c[1] = 0x1f;
	expect_sense(run(f, c, 10, p, 8), SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
	c[8] = 0;
	assert_int_equal(run(f, c, 10, NULL, 0)->status, SAM_STAT_GOOD);
	/* Reserved service action. */
	c[1] = 0x05;
	expect_sense(run(f, c, 10, NULL, 0), SK_ILLEGAL_REQUEST, ASC_INVALID_FIELD_IN_CDB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(compare_and_write, setup, teardown),
		cmocka_unit_test_setup_teardown(orwrite, setup, teardown),
		cmocka_unit_test_setup_teardown(verify, setup, teardown),
		cmocka_unit_test_setup_teardown(write_and_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(start_stop_prevent, setup, teardown),
		cmocka_unit_test_setup_teardown(mode_select_d_sense, setup, teardown),
		cmocka_unit_test_setup_teardown(lba_status_thick, setup, teardown),
		cmocka_unit_test_setup_teardown(sanitize_overwrite, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
