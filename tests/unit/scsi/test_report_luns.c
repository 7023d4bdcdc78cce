/* REPORT LUNS data and LUN field encoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "fake_bs.h"
#include "scsi/lun.h"
#include "scsi/report_luns.h"
#include "scsi/sense.h"

static void lun_encoding(void **state)
{
	uint8_t f[8];

	(void)state;
	scsi_lun_encode(0, f);
	assert_memory_equal(f, "\0\0\0\0\0\0\0\0", 8);
	scsi_lun_encode(255, f);
	assert_int_equal(f[0], 0);
	assert_int_equal(f[1], 255);
	scsi_lun_encode(256, f);
	assert_int_equal(f[0], 0x41);
	assert_int_equal(f[1], 0x00);
	scsi_lun_encode(16383, f);
	assert_int_equal(f[0], 0x7f);
	assert_int_equal(f[1], 0xff);
	assert_int_equal(scsi_lun_decode(f), 16383);
	scsi_lun_encode(70000, f);
	assert_int_equal(f[0], 0xd2);
	assert_int_equal(scsi_lun_decode(f), 70000);
}

static void lun_decoding_bad(void **state)
{
	uint8_t f[8] = {0};

	(void)state;
	f[0] = 0x01; /* peripheral, bus 1 */
	assert_true(scsi_lun_decode(f) == SCSI_LUN_INVALID);
	f[0] = 0x00;
	f[2] = 0x40; /* second level */
	assert_true(scsi_lun_decode(f) == SCSI_LUN_INVALID);
	f[2] = 0;
	f[0] = 0x80; /* logical unit addressing */
	assert_true(scsi_lun_decode(f) == SCSI_LUN_INVALID);
	f[0] = 0x40;
	f[1] = 0x05;
	assert_int_equal(scsi_lun_decode(f), 5);
}

static void build_list(void **state)
{
	struct scsi_lu *lu = fake_lu_new("rl", 64, false, false);
	struct scsi_lun_map *map = scsi_lun_map_new(3);
	uint8_t buf[64];
	long n;

	(void)state;
	scsi_lun_map_set(map, 0, 300, lu, false);
	scsi_lun_map_set(map, 1, 0, lu, false);
	scsi_lun_map_set(map, 2, 7, lu, true);
	scsi_lun_map_sort(map);
	assert_non_null(scsi_lun_map_find(map, 7));
	assert_null(scsi_lun_map_find(map, 8));

	memset(buf, 0xee, sizeof(buf));
	n = scsi_report_luns_build(map, 0, buf, sizeof(buf));
	assert_int_equal(n, 8 + 24);
	assert_int_equal(buf[3], 24);
	assert_int_equal(buf[4], 0);
	assert_int_equal(buf[8 + 1], 0);
	assert_int_equal(buf[16 + 1], 7);
	assert_int_equal(buf[24], 0x41);
	assert_int_equal(buf[25], 0x2c);

	/* Truncated: the list length still tells the whole. */
	n = scsi_report_luns_build(map, 2, buf, 12);
	assert_int_equal(n, 32);
	assert_int_equal(buf[3], 24);

	/* Well-known LUs only: none. */
	assert_int_equal(scsi_report_luns_build(map, 1, buf, sizeof(buf)), 8);
	assert_int_equal(buf[3], 0);
	assert_int_equal(scsi_report_luns_build(map, 3, buf, sizeof(buf)), -1);
	scsi_lun_map_put(map);
	scsi_lu_put(lu);
}

static void command(void **state)
{
	struct scsi_lu *lu = fake_lu_new("rl2", 64, false, false);
	struct scsi_nexus *nx = fake_nexus_new(lu, 3, false);
	uint8_t cdb[12] = {0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0};
	struct test_cmd tc;

	(void)state;
	/* To a LUN that is not mapped: still answered. */
	test_cmd_run(&tc, nx, 9, cdb, 12, NULL, 0);
	assert_int_equal(tc.done_calls, 1);
	assert_int_equal(tc.cmd.status, 0);
	assert_int_equal(tc.cmd.in.len, 16);
	assert_int_equal(tc.cmd.in.data[3], 8);
	assert_int_equal(tc.cmd.in.data[9], 3);
	scsi_cmd_release(&tc.cmd);

	cdb[9] = 0; /* allocation length 0: no data, not an error */
	test_cmd_run(&tc, nx, 3, cdb, 12, NULL, 0);
	assert_int_equal(tc.cmd.status, 0);
	assert_int_equal(tc.cmd.in.len, 0);
	scsi_cmd_release(&tc.cmd);

	cdb[9] = 16;
	cdb[2] = 0x05; /* bad SELECT REPORT */
	test_cmd_run(&tc, nx, 3, cdb, 12, NULL, 0);
	assert_int_equal(tc.cmd.status, SAM_STAT_CHECK_CONDITION);
	assert_int_equal(test_sense_asc(&tc.cmd), ASC_INVALID_FIELD_IN_CDB);
	assert_int_equal(tc.cmd.sense[15], 0xc0);
	assert_int_equal(tc.cmd.sense[17], 2);
	scsi_cmd_release(&tc.cmd);

	scsi_nexus_free(nx);
	scsi_lu_put(lu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lun_encoding),
		cmocka_unit_test(lun_decoding_bad),
		cmocka_unit_test(build_list),
		cmocka_unit_test(command),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
