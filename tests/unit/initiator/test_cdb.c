/* SCSI answers the tool parses: INQUIRY, READ CAPACITY, REPORT LUNS, sense. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "initiator/cdb.h"

static void inquiry(void **state)
{
	uint8_t b[36] = {0x00, 0x80, 0x06, 0x02, 31};
	struct scsi_inquiry inq;

	(void)state;
	memcpy(b + 8, "LUNA    ", 8);
	memcpy(b + 16, "ramdisk         ", 16);
	memcpy(b + 32, "0001", 4);
	assert_int_equal(scsi_parse_inquiry(b, sizeof(b), &inq), 0);
	assert_string_equal(inq.vendor, "LUNA");
	assert_string_equal(inq.product, "ramdisk");
	assert_true(inq.removable);
	assert_int_equal(scsi_parse_inquiry(b, 35, &inq), -1);
	b[0] = 0x7f;
	assert_int_equal(scsi_parse_inquiry(b, sizeof(b), &inq), 0);
	assert_int_equal(inq.qualifier, 3);
}

static void capacity(void **state)
{
	uint8_t rc10[8] = {0, 0, 0xff, 0xff, 0, 0, 2, 0};
	uint8_t rc16[32] = {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0x80};
	uint64_t blocks;
	uint32_t bs;
	bool thin;

	(void)state;
	assert_int_equal(scsi_parse_read_capacity10(rc10, 8, &blocks, &bs), 0);
	assert_int_equal(blocks, 65536);
	assert_int_equal(bs, 512);
	assert_int_equal(scsi_parse_read_capacity16(rc16, 32, &blocks, &bs, &thin), 0);
	assert_int_equal(blocks, (1ull << 32) + 1);
	assert_int_equal(bs, 4096);
	assert_true(thin);
	assert_int_equal(scsi_parse_read_capacity16(rc16, 31, &blocks, &bs, &thin), -1);
}

static void report_luns(void **state)
{
	uint8_t b[8 + 3 * 8] = {0, 0, 0, 24};
	uint64_t luns[2];
	size_t total;

	(void)state;
	b[8 + 1] = 0;
	b[16 + 1] = 5;
	b[24] = 0x41; /* flat space, LUN 0x100 + 2 */
	b[25] = 2;
	assert_int_equal(scsi_parse_report_luns(b, sizeof(b), luns, 2, &total), 2);
	assert_int_equal(total, 3);
	assert_int_equal(luns[1], 5);
	b[3] = 23; /* not a multiple of 8 */
	assert_int_equal(scsi_parse_report_luns(b, sizeof(b), luns, 2, &total), -1);
}

static void sense(void **state)
{
	uint8_t fixed[18] = {0x70, 0, 0x06, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x29, 0x00};
	uint8_t desc[8] = {0x72, 0x05, 0x24, 0x00};
	struct ini_scsi_status st = {0};
	struct scsi_sense s;
	char msg[128];

	(void)state;
	assert_int_equal(scsi_parse_sense(fixed, sizeof(fixed), &s), 0);
	assert_int_equal(s.key, SCSI_SENSE_UNIT_ATTENTION);
	assert_int_equal(s.asc, 0x29);
	assert_int_equal(scsi_parse_sense(desc, sizeof(desc), &s), 0);
	assert_int_equal(s.key, SCSI_SENSE_ILLEGAL_REQUEST);
	assert_int_equal(s.asc, 0x24);
	assert_int_equal(scsi_parse_sense(desc, 0, &s), -1);
	st.status = SCSI_STATUS_CHECK_CONDITION;
	memcpy(st.sense, desc, sizeof(desc));
	st.sense_len = sizeof(desc);
	scsi_describe(&st, msg, sizeof(msg));
	assert_string_equal(msg, "CHECK CONDITION, ILLEGAL REQUEST (ASC 0x24 ASCQ 0x00)");
}

static void cdbs(void **state)
{
	uint8_t c[16], p[24];

	(void)state;
	cdb_rw16(c, true, 0x0102030405060708ull, 0x10, true);
	assert_int_equal(c[0], 0x8a);
	assert_int_equal(c[1], 0x08);
	assert_int_equal(c[2], 0x01);
	assert_int_equal(c[9], 0x08);
	assert_int_equal(c[13], 0x10);
	cdb_unmap(c, p, 7, 9);
	assert_int_equal(c[0], 0x42);
	assert_int_equal(c[8], 24);
	assert_int_equal(p[1], 22);
	assert_int_equal(p[15], 7);
	assert_int_equal(p[19], 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(inquiry), cmocka_unit_test(capacity), cmocka_unit_test(report_luns),
	    cmocka_unit_test(sense),   cmocka_unit_test(cdbs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
