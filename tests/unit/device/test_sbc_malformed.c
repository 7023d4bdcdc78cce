/* Every command family of the disk against malformed and edge CDBs:
 * reserved bits, NACA, allocation lengths, LBA plus length past the last
 * block and past 2^64; and the answers of the small commands (PRE-FETCH,
 * READ DEFECT DATA, FORMAT UNIT, REPORT SUPPORTED TASK MANAGEMENT
 * FUNCTIONS, REPORT TARGET PORT GROUPS, RESERVE/RELEASE, PR IN/OUT). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "../scsi/fake_bs.h"
#include "common/bytes.h"
#include "scsi/sense.h"

#define BLOCKS 64
#define BS 512
#define MAXLBA 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
#define LASTLBA 0, 0, 0, 0, 0, 0, 0, BLOCKS - 1

struct fixture {
	struct scsi_lu *lu;
	struct scsi_nexus *nx;
};

static struct fixture fx;

static int setup(void **state)
{
	fx.lu = fake_lu_new("mal0", BLOCKS, false, false);
	fx.lu->removable = true;
	fx.nx = fake_nexus_new(fx.lu, 0, false);
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

/* One case: a CDB (with data-out of `out` bytes of zeroes) and the answer. */
struct cdb_case {
	const char *what;
	uint8_t cdb[16];
	unsigned len;
	uint32_t out;
	uint8_t status;
	uint16_t asc; /* ILLEGAL REQUEST with this ASC, when CHECK CONDITION */
};

#define CC(a) SAM_STAT_CHECK_CONDITION, (a)
#define GOOD SAM_STAT_GOOD, 0
#define BAD_CDB CC(ASC_INVALID_FIELD_IN_CDB)
#define LBA_RANGE CC(ASC_LBA_OUT_OF_RANGE)

static const struct cdb_case cases[] = {
    /* LBA + length past 2^64 and past the last block, for each family. */
    {"READ 16 wraps", {0x88, 0, MAXLBA, 0, 0, 0, 2, 0, 0}, 16, 0, LBA_RANGE},
    {"READ 16 past end", {0x88, 0, LASTLBA, 0, 0, 0, 2, 0, 0}, 16, 0, LBA_RANGE},
    {"WRITE 16 wraps", {0x8a, 0, MAXLBA, 0, 0, 0, 2, 0, 0}, 16, 2 * BS, LBA_RANGE},
    {"VERIFY 16 wraps", {0x8f, 0, MAXLBA, 0, 0, 0, 2, 0, 0}, 16, 0, LBA_RANGE},
    {"WRITE AND VERIFY 16 wraps", {0x8e, 0, MAXLBA, 0, 0, 0, 2, 0, 0}, 16, 2 * BS, LBA_RANGE},
    {"ORWRITE 16 wraps", {0x8b, 0, MAXLBA, 0, 0, 0, 2, 0, 0}, 16, 2 * BS, LBA_RANGE},
    {"WRITE ATOMIC 16 wraps", {0x9c, 0, MAXLBA, 0, 0, 0, 2, 0, 0}, 16, 2 * BS, LBA_RANGE},
    {"WRITE ATOMIC 16 past end", {0x9c, 0, LASTLBA, 0, 0, 0, 2, 0, 0}, 16, 2 * BS, LBA_RANGE},
    {"COMPARE AND WRITE wraps", {0x89, 0, MAXLBA, 0, 0, 0, 2, 0, 0}, 16, 4 * BS, LBA_RANGE},
    {"WRITE SAME 16 wraps", {0x93, 0, MAXLBA, 0, 0, 0, 2, 0, 0}, 16, BS, LBA_RANGE},
    {"PRE-FETCH 16 wraps", {0x90, 0, MAXLBA, 0, 0, 0, 2, 0, 0}, 16, 0, LBA_RANGE},
    {"PRE-FETCH 10 past end", {0x34, 0, 0, 0, 0, BLOCKS - 1, 0, 0, 2, 0}, 10, 0, LBA_RANGE},
    {"SYNCHRONIZE CACHE 16 wraps", {0x91, 0, MAXLBA, 0, 0, 0, 2, 0, 0}, 16, 0, LBA_RANGE},
    {"GET LBA STATUS past end",
     {0x9e, 0x12, 0, 0, 0, 0, 0, 0, 0, BLOCKS, 0, 0, 0, 32, 0, 0},
     16,
     0,
     LBA_RANGE},

    /* Reserved bits, NACA, protection fields. */
    {"READ 16 RDPROTECT", {0x88, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0}, 16, 0, BAD_CDB},
    {"READ 10 NACA", {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0x04}, 10, 0, BAD_CDB},
    {"WRITE ATOMIC ATOMIC BOUNDARY",
     {0x9c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0},
     16,
     BS,
     BAD_CDB},
    {"WRITE ATOMIC WRPROTECT",
     {0x9c, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0},
     16,
     BS,
     BAD_CDB},
    {"WRITE ATOMIC good", {0x9c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0}, 16, BS, GOOD},
    {"PRE-FETCH 10 reserved", {0x34, 0x80, 0, 0, 0, 0, 0, 0, 1, 0}, 10, 0, BAD_CDB},
    {"PRE-FETCH 10 NACA", {0x34, 0, 0, 0, 0, 0, 0, 0, 1, 0x04}, 10, 0, BAD_CDB},
    {"PRE-FETCH 16 NACA", {0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0x04}, 16, 0, BAD_CDB},
    {"PRE-FETCH 10 fits", {0x34, 0x02, 0, 0, 0, 0, 0, 0, 8, 0}, 10, 0, SAM_STAT_CONDITION_MET, 0},
    {"VERIFY 10 VRPROTECT", {0x2f, 0x20, 0, 0, 0, 0, 0, 0, 1, 0}, 10, 0, BAD_CDB},
    {"VERIFY 10 BYTCHK 11b matches", {0x2f, 0x06, 0, 0, 0, 0, 0, 0, 1, 0}, 10, BS, GOOD},
    {"WRITE AND VERIFY 10 BYTCHK 11b", {0x2e, 0x06, 0, 0, 0, 0, 0, 0, 1, 0}, 10, BS, BAD_CDB},
    {"READ DEFECT DATA 10 reserved", {0x37, 0x01, 0x18, 0, 0, 0, 0, 0, 4, 0}, 10, 0, BAD_CDB},
    {"READ DEFECT DATA 12 reserved", {0xb7, 0x18, 0x01, 0, 0, 0, 0, 0, 0, 8, 0, 0}, 12, 0, BAD_CDB},
    {"FORMAT UNIT FMTPINFO", {0x04, 0x40, 0, 0, 0, 0}, 6, 0, BAD_CDB},
    {"FORMAT UNIT reserved", {0x04, 0, 1, 0, 0, 0}, 6, 0, BAD_CDB},
    {"FORMAT UNIT NACA", {0x04, 0, 0, 0, 0, 0x04}, 6, 0, BAD_CDB},
    {"FORMAT UNIT short list", {0x04, 0x10, 0, 0, 0, 0}, 6, 2, CC(ASC_PARAM_LIST_LENGTH_ERROR)},
    {"FORMAT UNIT good", {0x04, 0, 0, 0, 0, 0}, 6, 0, GOOD},
    {"START STOP UNIT reserved", {0x1b, 0x02, 0, 0, 0x01, 0}, 6, 0, BAD_CDB},
    {"START STOP UNIT NACA", {0x1b, 0, 0, 0, 0x01, 0x04}, 6, 0, BAD_CDB},
    {"PREVENT ALLOW reserved", {0x1e, 0, 0, 0, 0x04, 0}, 6, 0, BAD_CDB},
    {"PREVENT ALLOW NACA", {0x1e, 0, 0, 0, 0, 0x04}, 6, 0, BAD_CDB},
    {"MODE SELECT 6 SP", {0x15, 0x11, 0, 0, 0, 0}, 6, 0, BAD_CDB},
    {"MODE SELECT 10 NACA", {0x55, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x04}, 10, 0, BAD_CDB},
    {"MODE SELECT 10 short list",
     {0x55, 0x10, 0, 0, 0, 0, 0, 0, 4, 0},
     10,
     4,
     CC(ASC_PARAM_LIST_LENGTH_ERROR)},
    {"SYNCHRONIZE CACHE 10 NACA", {0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0x04}, 10, 0, BAD_CDB},
    {"MAINTENANCE IN unknown", {0xa3, 0x1f, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0}, 12, 0, BAD_CDB},
    {"MAINTENANCE IN NACA", {0xa3, 0x0d, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0x04}, 12, 0, BAD_CDB},
    {"RSOC reserved options", {0xa3, 0x0c, 0x07, 0, 0, 0, 0, 0, 1, 0, 0, 0}, 12, 0, BAD_CDB},
    {"RESERVE 6 3RDPTY", {0x16, 0x01, 0, 0, 0, 0}, 6, 0, BAD_CDB},
    {"RESERVE 10 LONGID", {0x56, 0x02, 0, 0, 0, 0, 0, 0, 0, 0}, 10, 0, BAD_CDB},
    {"RELEASE 10 NACA", {0x57, 0, 0, 0, 0, 0, 0, 0, 0, 0x04}, 10, 0, BAD_CDB},
    {"PR IN unknown action", {0x5e, 0x1f, 0, 0, 0, 0, 0, 0x01, 0, 0}, 10, 0, BAD_CDB},
    {"PR OUT short list",
     {0x5f, 0x00, 0, 0, 0, 0, 0, 0, 8, 0},
     10,
     8,
     CC(ASC_PARAM_LIST_LENGTH_ERROR)},
    {"INQUIRY page without EVPD", {0x12, 0, 0x80, 0, 36, 0}, 6, 0, BAD_CDB},
    {"INQUIRY unknown VPD page", {0x12, 1, 0x42, 0, 255, 0}, 6, 0, BAD_CDB},
    {"SERVICE ACTION IN unknown",
     {0x9e, 0x1f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0},
     16,
     0,
     BAD_CDB},
};

static void malformed_cdbs(void **state)
{
	struct fixture *f = *state;
	static uint8_t zeroes[4 * BS];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cdb_case *k = &cases[i];
		struct test_cmd tc;

		test_cmd_run(&tc, f->nx, 0, k->cdb, k->len, k->out ? zeroes : NULL, k->out);
		if (tc.done_calls != 1 || tc.cmd.status != k->status ||
		    (k->status == SAM_STAT_CHECK_CONDITION &&
		     (test_sense_key(&tc.cmd) != SK_ILLEGAL_REQUEST ||
		      test_sense_asc(&tc.cmd) != k->asc)))
			fail_msg("%s: status %#x sense %x/%04x, expected %#x %04x", k->what,
				 tc.cmd.status, test_sense_key(&tc.cmd), test_sense_asc(&tc.cmd),
				 k->status, k->asc);
		scsi_cmd_release(&tc.cmd);
	}
}

static struct scsi_cmd *run(struct test_cmd *tc, const uint8_t *cdb, unsigned len)
{
	test_cmd_run(tc, fx.nx, 0, cdb, len, NULL, 0);
	assert_int_equal(tc->done_calls, 1);
	return &tc->cmd;
}

static void read_defect_data(void **state)
{
	uint8_t c10[10] = {0x37, 0, 0x18, 0, 0, 0, 0, 0, 0xff, 0};
	uint8_t c12[12] = {0xb7, 0x08, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0};
	struct test_cmd tc;
	struct scsi_cmd *cmd;

	(void)state;
	cmd = run(&tc, c10, 10);
	assert_int_equal(cmd->status, SAM_STAT_GOOD);
	assert_int_equal(cmd->in.len, 4); /* header only: no defects */
	assert_int_equal(cmd->in.data[1], 0x18);
	assert_int_equal(get_be16(cmd->in.data + 2), 0);
	scsi_cmd_release(cmd);
	/* The allocation length cuts the header. */
	cmd = run(&tc, c12, 12);
	assert_int_equal(cmd->status, SAM_STAT_GOOD);
	assert_int_equal(cmd->in.len, 2);
	scsi_cmd_release(cmd);
	c12[9] = 0;
	cmd = run(&tc, c12, 12);
	assert_int_equal(cmd->status, SAM_STAT_GOOD);
	assert_int_equal(cmd->in.len, 0);
	scsi_cmd_release(cmd);
}

static void format_unit_clears(void **state)
{
	struct fixture *f = *state;
	uint8_t c[6] = {0x04, 0, 0, 0, 0, 0};
	struct test_cmd tc;

	memset(fake_of(f->lu)->mem, 'x', BLOCKS * BS);
	assert_int_equal(run(&tc, c, 6)->status, SAM_STAT_GOOD);
	scsi_cmd_release(&tc.cmd);
	/* A write-protected LU is not formatted. */
	f->lu->mode.swp = true;
	assert_int_equal(run(&tc, c, 6)->status, SAM_STAT_CHECK_CONDITION);
	assert_int_equal(test_sense_key(&tc.cmd), SK_DATA_PROTECT);
	scsi_cmd_release(&tc.cmd);
	f->lu->mode.swp = false;
}

static void report_tmfs_and_tpgs(void **state)
{
	uint8_t tmf[12] = {0xa3, 0x0d, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0};
	uint8_t tpg[12] = {0xa3, 0x0a, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
	struct test_cmd tc;
	struct scsi_cmd *cmd;

	(void)state;
	cmd = run(&tc, tmf, 12);
	assert_int_equal(cmd->status, SAM_STAT_GOOD);
	assert_int_equal(cmd->in.len, 4);
	/* ABORT TASK, ABORT TASK SET, CLEAR TASK SET, LU RESET, TARGET RESET */
	assert_int_equal(cmd->in.data[0] & 0xda, 0xda);
	scsi_cmd_release(cmd);
	tmf[2] = 0x80; /* REPD: the extended format */
	tmf[9] = 0xff;
	cmd = run(&tc, tmf, 12);
	assert_int_equal(cmd->status, SAM_STAT_GOOD);
	assert_int_equal(cmd->in.len, 16);
	assert_int_equal(cmd->in.data[3], 0x0c); /* ADDITIONAL DATA LENGTH */
	scsi_cmd_release(cmd);
	tmf[2] = 0x01; /* reserved bit */
	cmd = run(&tc, tmf, 12);
	assert_int_equal(cmd->status, SAM_STAT_CHECK_CONDITION);
	scsi_cmd_release(cmd);

	cmd = run(&tc, tpg, 12);
	assert_int_equal(cmd->status, SAM_STAT_GOOD);
	assert_true(cmd->in.len >= 12);
	assert_int_equal(get_be32(cmd->in.data), cmd->in.len - 4);
	scsi_cmd_release(cmd);
	tpg[9] = 4;
	tpg[8] = 0;
	cmd = run(&tc, tpg, 12);
	assert_int_equal(cmd->in.len, 4);
	scsi_cmd_release(cmd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(malformed_cdbs, setup, teardown),
	    cmocka_unit_test_setup_teardown(read_defect_data, setup, teardown),
	    cmocka_unit_test_setup_teardown(format_unit_clears, setup, teardown),
	    cmocka_unit_test_setup_teardown(report_tmfs_and_tpgs, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
