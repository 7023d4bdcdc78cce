/* The iSCSI PDU codec: field layout, LUN encoding, header checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "iscsi/pdu.h"

static void layouts_match_rfc(void **state)
{
	(void)state;
	/* A few fields at the offsets RFC 7143 section 11 gives. */
	assert_int_equal(offsetof(struct iscsi_bhs, itt), 16);
	assert_int_equal(offsetof(struct iscsi_scsi_cmd, edtl), 20);
	assert_int_equal(offsetof(struct iscsi_scsi_cmd, cmdsn), 24);
	assert_int_equal(offsetof(struct iscsi_scsi_cmd, cdb), 32);
	assert_int_equal(offsetof(struct iscsi_scsi_rsp, residual), 44);
	assert_int_equal(offsetof(struct iscsi_data, datasn), 36);
	assert_int_equal(offsetof(struct iscsi_data, offset), 40);
	assert_int_equal(offsetof(struct iscsi_r2t, length), 44);
	assert_int_equal(offsetof(struct iscsi_login_req, tsih), 14);
	assert_int_equal(offsetof(struct iscsi_login_req, cid), 20);
	assert_int_equal(offsetof(struct iscsi_login_rsp, status_class), 36);
	assert_int_equal(offsetof(struct iscsi_logout_rsp, time2wait), 40);
	assert_int_equal(offsetof(struct iscsi_tmf_req, refcmdsn), 32);
	assert_int_equal(offsetof(struct iscsi_async, event), 36);
}

static void datalen_roundtrip(void **state)
{
	struct iscsi_bhs bhs;

	(void)state;
	memset(&bhs, 0, sizeof(bhs));
	iscsi_bhs_set_datalen(&bhs, 0x123456);
	assert_int_equal(bhs.datalen[0], 0x12);
	assert_int_equal(bhs.datalen[2], 0x56);
	assert_int_equal(iscsi_bhs_datalen(&bhs), 0x123456);
	bhs.ahslen = 3;
	assert_int_equal(iscsi_bhs_ahslen(&bhs), 12);
	assert_int_equal(iscsi_pad(0), 0);
	assert_int_equal(iscsi_pad(1), 3);
	assert_int_equal(iscsi_pad(4), 0);
	assert_int_equal(iscsi_pad(7), 1);
}

static void lun_encoding(void **state)
{
	uint8_t f[8];

	(void)state;
	iscsi_lun_encode(f, 0);
	assert_int_equal(f[0], 0);
	assert_int_equal(f[1], 0);
	iscsi_lun_encode(f, 5);
	assert_int_equal(f[1], 5);
	assert_int_equal(iscsi_lun_decode(f), 5);
	/* flat space addressing above 255 */
	iscsi_lun_encode(f, 300);
	assert_int_equal(f[0], 0x41);
	assert_int_equal(f[1], 300 & 0xff);
	assert_int_equal(iscsi_lun_decode(f), 300);
	iscsi_lun_encode(f, 16383);
	assert_int_equal(iscsi_lun_decode(f), 16383);
	/* peripheral addressing with a bus number, and extended addressing,
	 * are not LUNs we hand out */
	memset(f, 0, 8);
	f[0] = 0x01;
	assert_true(iscsi_lun_decode(f) == UINT64_MAX);
	f[0] = 0xc0;
	assert_true(iscsi_lun_decode(f) == UINT64_MAX);
}

static void serial_arithmetic(void **state)
{
	(void)state;
	assert_true(sn_lt(1, 2));
	assert_false(sn_lt(2, 2));
	assert_true(sn_le(2, 2));
	assert_true(sn_lt(0xffffffffu, 0)); /* wraps */
	assert_false(sn_lt(0, 0xffffffffu));
	assert_true(sn_lt(0xfffffff0u, 5));
}

static void header_checks(void **state)
{
	struct iscsi_bhs bhs;
	const char *why;

	(void)state;
	memset(&bhs, 0, sizeof(bhs));
	bhs.opcode = ISCSI_OP_SCSI_CMD;
	iscsi_bhs_set_datalen(&bhs, 8192);
	assert_int_equal(iscsi_check_initiator_bhs(&bhs, 8192, &why), 0);
	/* longer than MaxRecvDataSegmentLength */
	iscsi_bhs_set_datalen(&bhs, 8193);
	assert_int_equal(iscsi_check_initiator_bhs(&bhs, 8192, &why),
			 ISCSI_REJECT_PROTOCOL_ERROR);
	assert_non_null(why);
	/* a target opcode from an initiator */
	iscsi_bhs_set_datalen(&bhs, 0);
	bhs.opcode = ISCSI_OP_SCSI_RSP;
	assert_int_equal(iscsi_check_initiator_bhs(&bhs, 8192, &why),
			 ISCSI_REJECT_CMD_NOT_SUPPORTED);
	bhs.opcode = 0x3f;
	assert_int_equal(iscsi_check_initiator_bhs(&bhs, 8192, &why),
			 ISCSI_REJECT_CMD_NOT_SUPPORTED);
	/* data on a Logout Request */
	bhs.opcode = ISCSI_OP_LOGOUT_REQ;
	iscsi_bhs_set_datalen(&bhs, 4);
	assert_int_equal(iscsi_check_initiator_bhs(&bhs, 8192, &why),
			 ISCSI_REJECT_PROTOCOL_ERROR);
	/* an AHS on a NOP-Out */
	bhs.opcode = ISCSI_OP_NOP_OUT;
	iscsi_bhs_set_datalen(&bhs, 0);
	bhs.ahslen = 1;
	assert_int_equal(iscsi_check_initiator_bhs(&bhs, 8192, &why),
			 ISCSI_REJECT_PROTOCOL_ERROR);
	/* immediate flag and opcode */
	bhs.ahslen = 0;
	bhs.opcode = ISCSI_OP_NOP_OUT | ISCSI_FLAG_IMMEDIATE;
	assert_true(iscsi_bhs_immediate(&bhs));
	assert_int_equal(iscsi_bhs_opcode(&bhs), ISCSI_OP_NOP_OUT);
	assert_int_equal(iscsi_check_initiator_bhs(&bhs, 8192, &why), 0);
}

static void opcode_names(void **state)
{
	(void)state;
	assert_string_equal(iscsi_opcode_name(ISCSI_OP_SCSI_CMD), "SCSI Command");
	assert_string_equal(iscsi_opcode_name(0x3e), "unknown");
	assert_true(iscsi_opcode_from_initiator(ISCSI_OP_DATA_OUT));
	assert_false(iscsi_opcode_from_initiator(ISCSI_OP_DATA_IN));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(layouts_match_rfc), cmocka_unit_test(datalen_roundtrip),
		cmocka_unit_test(lun_encoding),	     cmocka_unit_test(serial_arithmetic),
		cmocka_unit_test(header_checks),     cmocka_unit_test(opcode_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
