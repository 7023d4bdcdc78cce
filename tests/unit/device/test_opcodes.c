/* REPORT SUPPORTED OPERATION CODES / TASK MANAGEMENT FUNCTIONS and
 * REPORT TARGET PORT GROUPS builders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "common/bytes.h"
#include "device/opcode_info.h"
#include "device/opcodes.h"
#include "device/spc.h"

static uint8_t buf[64 << 10];

static void table_is_complete(void **state)
{
	(void)state;
	/* An entry left zeroed would advertise TEST UNIT READY twice. */
	for (size_t i = 1; i < SBC_N_OPCODES; i++)
		assert_int_not_equal(sbc_opcodes[i].cdb_len, 0);
	for (size_t i = 0; i < SBC_N_OPCODES; i++)
		assert_int_equal(sbc_opcodes[i].usage[0], sbc_opcodes[i].opcode);
}

static void all_commands(void **state)
{
	uint16_t bad;
	long n = rsoc_build(sbc_opcodes, SBC_N_OPCODES, 0, false, 0, 0, buf, sizeof(buf), &bad);

	(void)state;
	assert_int_equal(n, 4 + 8 * SBC_N_OPCODES);
	assert_int_equal(get_be32(buf), 8 * SBC_N_OPCODES);
	for (size_t i = 0; i < SBC_N_OPCODES; i++) {
		const uint8_t *d = buf + 4 + 8 * i;

		/* SERVACTV clear: service action zero. */
		if (!(d[5] & 1))
			assert_int_equal(get_be16(d + 2), 0);
		assert_int_equal(d[5] & 2, 0); /* no CTDP without RCTD */
	}
	n = rsoc_build(sbc_opcodes, SBC_N_OPCODES, 0, true, 0, 0, buf, sizeof(buf), &bad);
	assert_int_equal(n, 4 + 20 * SBC_N_OPCODES);
	assert_int_equal(buf[4 + 5] & 2, 2);
	assert_int_equal(get_be16(buf + 4 + 8), 0x0a);
}

static void one_command(void **state)
{
	uint16_t bad;
	long n;

	(void)state;
	n = rsoc_build(sbc_opcodes, SBC_N_OPCODES, 1, false, OP_READ_10, 0, buf, sizeof(buf), &bad);
	assert_int_equal(n, 4 + 10);
	assert_int_equal(buf[1] & 7, 3);
	assert_int_equal(buf[4], OP_READ_10);
	/* Options 1 for an opcode with service actions is refused ... */
	assert_int_equal(rsoc_build(sbc_opcodes, SBC_N_OPCODES, 1, false, OP_SANITIZE, 1, buf,
				    sizeof(buf), &bad),
			 -1);
	/* ... as is options 2 for one without. */
	assert_int_equal(rsoc_build(sbc_opcodes, SBC_N_OPCODES, 2, false, OP_READ_10, 0, buf,
				    sizeof(buf), &bad),
			 -1);
	n = rsoc_build(sbc_opcodes, SBC_N_OPCODES, 2, true, OP_SANITIZE, SANITIZE_OVERWRITE, buf,
		       sizeof(buf), &bad);
	assert_int_equal(n, 4 + 10 + 12);
	assert_int_equal(buf[1], 0x83);
	/* Unknown: SUPPORT 001b, no usage data. */
	n = rsoc_build(sbc_opcodes, SBC_N_OPCODES, 1, false, 0xc0, 0, buf, sizeof(buf), &bad);
	assert_int_equal(n, 4);
	assert_int_equal(buf[1], 1);
	/* Reserved reporting options. */
	assert_int_equal(rsoc_build(sbc_opcodes, SBC_N_OPCODES, 7, false, 0, 0, buf, sizeof(buf),
				    &bad),
			 -1);
	assert_int_equal(bad, 2);
}

static void small_buffer(void **state)
{
	uint16_t bad;
	long n = rsoc_build(sbc_opcodes, SBC_N_OPCODES, 0, false, 0, 0, buf, 4 + 8 * 3, &bad);

	(void)state;
	/* Only what fits is built; the length says so. */
	assert_int_equal(n, 4 + 8 * 3);
}

static void tmfs_and_tpgs(void **state)
{
	(void)state;
	assert_int_equal(rstmf_build(false, buf), 4);
	assert_int_equal(buf[0], 0xde);
	assert_int_equal(rstmf_build(true, buf), 16);
	assert_int_equal(buf[3], 0x0c);
	assert_int_equal(rtpg_build(1, 1, false, buf), 16);
	assert_int_equal(get_be32(buf), 12);
	assert_int_equal(buf[4] & 0x0f, 0);
	assert_int_equal(get_be16(buf + 6), 1);
	assert_int_equal(rtpg_build(2, 3, true, buf), 20);
	assert_int_equal(buf[4], 0x10);
	assert_int_equal(get_be16(buf + 8 + 10), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_is_complete), cmocka_unit_test(all_commands),
		cmocka_unit_test(one_command),	     cmocka_unit_test(small_buffer),
		cmocka_unit_test(tmfs_and_tpgs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
