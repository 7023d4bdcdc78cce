/* The SCSI core: LUN lookup, unit attentions, task management. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "fake_bs.h"
#include "fake_tmf.h"
#include "scsi/sense.h"

static const uint8_t tur[6] = {0x00};

struct fixture {
	struct scsi_lu *lu;
	struct scsi_nexus *nx;
};

static int setup(void **state)
{
	static struct fixture f;

	f.lu = fake_lu_new("core", 128, false, false);
	f.nx = fake_nexus_new(f.lu, 0, false);
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	scsi_nexus_free(f->nx);
	scsi_lu_put(f->lu);
	return 0;
}

static void expect_cc(struct test_cmd *tc, unsigned key, unsigned asc)
{
	assert_int_equal(tc->done_calls, 1);
	assert_int_equal(tc->cmd.status, SAM_STAT_CHECK_CONDITION);
	assert_int_equal(test_sense_key(&tc->cmd), key);
	assert_int_equal(test_sense_asc(&tc->cmd), asc);
}

static void run_expect_good(struct scsi_nexus *nx, uint64_t lun, const uint8_t *cdb, unsigned len)
{
	struct test_cmd tc;

	test_cmd_run(&tc, nx, lun, cdb, len, NULL, 0);
	assert_int_equal(tc.done_calls, 1);
	assert_int_equal(tc.cmd.status, SAM_STAT_GOOD);
	scsi_cmd_release(&tc.cmd);
}

static void unmapped_lun(void **state)
{
	struct fixture *f = *state;
	uint8_t inq[6] = {0x12, 0, 0, 0, 36, 0}, rs[6] = {0x03, 0, 0, 0, 18, 0};
	struct test_cmd tc;

	test_cmd_run(&tc, f->nx, 5, tur, 6, NULL, 0);
	expect_cc(&tc, SK_ILLEGAL_REQUEST, ASC_LUN_NOT_SUPPORTED);
	scsi_cmd_release(&tc.cmd);

	test_cmd_run(&tc, f->nx, 5, inq, 6, NULL, 0);
	assert_int_equal(tc.cmd.status, SAM_STAT_GOOD);
	assert_int_equal(tc.cmd.in.len, 36);
	assert_int_equal(tc.cmd.in.data[0], 0x7f);
	scsi_cmd_release(&tc.cmd);

	test_cmd_run(&tc, f->nx, 5, rs, 6, NULL, 0);
	assert_int_equal(tc.cmd.status, SAM_STAT_GOOD);
	assert_int_equal(tc.cmd.in.len, 18);
	assert_int_equal(tc.cmd.in.data[2], SK_ILLEGAL_REQUEST);
	assert_int_equal(tc.cmd.in.data[12], 0x25);
	scsi_cmd_release(&tc.cmd);
}

static void new_nexus_has_no_ua(void **state)
{
	struct fixture *f = *state;

	run_expect_good(f->nx, 0, tur, 6);
}

static void capacity_changed_ua(void **state)
{
	struct fixture *f = *state;
	uint8_t inq[6] = {0x12, 0, 0, 0, 36, 0};
	struct test_cmd tc;

	f->lu->bs->size += 512 * 8;
	scsi_lu_capacity_changed(f->lu);
	assert_int_equal(atomic_load(&f->lu->nblocks), 136);
	/* INQUIRY passes a pending UA and leaves it. */
	run_expect_good(f->nx, 0, inq, 6);
	test_cmd_run(&tc, f->nx, 0, tur, 6, NULL, 0);
	expect_cc(&tc, SK_UNIT_ATTENTION, ASC_CAPACITY_CHANGED);
	scsi_cmd_release(&tc.cmd);
	run_expect_good(f->nx, 0, tur, 6);
	/* The same size again raises nothing. */
	scsi_lu_capacity_changed(f->lu);
	run_expect_good(f->nx, 0, tur, 6);
}

static void map_change_ua_cleared_by_report_luns(void **state)
{
	struct fixture *f = *state;
	struct scsi_lun_map *map = scsi_lun_map_new(2);
	uint8_t rl[12] = {0xa0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};
	struct test_cmd tc;

	scsi_lun_map_set(map, 0, 0, f->lu, false);
	scsi_lun_map_set(map, 1, 1, f->lu, true);
	scsi_lun_map_sort(map);
	scsi_nexus_set_map(f->nx, map);
	assert_true(scsi_ua_pending(f->nx, f->lu));
	run_expect_good(f->nx, 0, rl, 12);
	assert_false(scsi_ua_pending(f->nx, f->lu));
	run_expect_good(f->nx, 1, tur, 6);

	/* Same map again: no UA. */
	map = scsi_lun_map_new(2);
	scsi_lun_map_set(map, 0, 0, f->lu, false);
	scsi_lun_map_set(map, 1, 1, f->lu, true);
	scsi_nexus_set_map(f->nx, map);
	assert_false(scsi_ua_pending(f->nx, f->lu));

	/* Remove LUN 1: UA on LUN 0, LUN 1 is gone. */
	map = scsi_lun_map_new(1);
	scsi_lun_map_set(map, 0, 0, f->lu, false);
	scsi_nexus_set_map(f->nx, map);
	test_cmd_run(&tc, f->nx, 1, tur, 6, NULL, 0);
	expect_cc(&tc, SK_ILLEGAL_REQUEST, ASC_LUN_NOT_SUPPORTED);
	scsi_cmd_release(&tc.cmd);
	test_cmd_run(&tc, f->nx, 0, tur, 6, NULL, 0);
	expect_cc(&tc, SK_UNIT_ATTENTION, ASC_REPORTED_LUNS_CHANGED);
	scsi_cmd_release(&tc.cmd);
}

static void request_sense_reports_ua(void **state)
{
	struct fixture *f = *state;
	uint8_t rs[6] = {0x03, 0x01, 0, 0, 252, 0};
	struct test_cmd tc;

	scsi_ua_add(f->nx, f->lu, ASC_POWER_ON_RESET);
	scsi_ua_add(f->nx, f->lu, ASC_POWER_ON_RESET); /* coalesced */
	test_cmd_run(&tc, f->nx, 0, rs, 6, NULL, 0);
	assert_int_equal(tc.cmd.status, SAM_STAT_GOOD);
	assert_int_equal(tc.cmd.in.len, 8);
	assert_int_equal(tc.cmd.in.data[0], 0x72);
	assert_int_equal(tc.cmd.in.data[1], SK_UNIT_ATTENTION);
	assert_int_equal(tc.cmd.in.data[2], 0x29);
	scsi_cmd_release(&tc.cmd);
	run_expect_good(f->nx, 0, tur, 6);

	rs[1] = 0;
	test_cmd_run(&tc, f->nx, 0, rs, 6, NULL, 0);
	assert_int_equal(tc.cmd.in.len, 18);
	assert_int_equal(tc.cmd.in.data[2], SK_NO_SENSE);
	scsi_cmd_release(&tc.cmd);
}

static void descriptor_sense_when_d_sense(void **state)
{
	struct fixture *f = *state;
	struct test_cmd tc;
	uint8_t bad[6] = {0xff};

	f->lu->mode.d_sense = true;
	test_cmd_run(&tc, f->nx, 0, bad, 6, NULL, 0);
	assert_int_equal(tc.cmd.status, SAM_STAT_CHECK_CONDITION);
	assert_int_equal(tc.cmd.sense[0], 0x72);
	assert_int_equal(tc.cmd.sense[1], SK_ILLEGAL_REQUEST);
	assert_int_equal(tc.cmd.sense[2], 0x20);
	scsi_cmd_release(&tc.cmd);
	f->lu->mode.d_sense = false;
}

static void abort_task_waits_for_backstore(void **state)
{
	struct fixture *f = *state;
	uint8_t w10[10] = {0x2a, 0, 0, 0, 0, 4, 0, 0, 1, 0};
	uint8_t data[512];
	struct test_cmd tc;
	struct tmf_result r;

	memset(data, 0xab, sizeof(data));
	fake_of(f->lu)->hold = true;
	test_cmd_prep(&tc, f->nx, 0, w10, 10, data, 512, 512);
	tc.cmd.tag = 77;
	scsi_cmd_submit(&tc.cmd);
	assert_int_equal(tc.done_calls, 0);

	tmf_run(&r, f->nx, TMF_ABORT_TASK, 0, 78);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.rsp, TMF_RSP_NO_TASK);

	tmf_run(&r, f->nx, TMF_QUERY_TASK, 0, 77);
	assert_int_equal(r.rsp, TMF_RSP_SUCCEEDED);

	tmf_run(&r, f->nx, TMF_ABORT_TASK, 0, 77);
	assert_int_equal(r.calls, 0); /* the write is still in the store */
	fake_release_held(f->lu);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.rsp, TMF_RSP_COMPLETE);
	assert_int_equal(tc.done_calls, 1);
	assert_true(tc.cmd.aborted);
	scsi_cmd_release(&tc.cmd);
	assert_true(list_empty(&f->lu->tasks));

	tmf_run(&r, f->nx, TMF_ABORT_TASK_SET, 3, 0);
	assert_int_equal(r.rsp, TMF_RSP_NO_LUN);
	tmf_run(&r, f->nx, TMF_CLEAR_ACA, 0, 0);
	assert_int_equal(r.rsp, TMF_RSP_NOT_SUPPORTED);
}

static void lu_reset(void **state)
{
	struct fixture *f = *state;
	uint8_t r10[10] = {0x28, 0, 0, 0, 0, 0, 0, 0, 2, 0};
	struct test_cmd a, b;
	struct tmf_result r;

	fake_of(f->lu)->hold = true;
	test_cmd_prep(&a, f->nx, 0, r10, 10, NULL, 0, 1024);
	test_cmd_prep(&b, f->nx, 0, r10, 10, NULL, 0, 1024);
	a.cmd.tag = 1;
	b.cmd.tag = 2;
	scsi_cmd_submit(&a.cmd);
	scsi_cmd_submit(&b.cmd);
	tmf_run(&r, f->nx, TMF_QUERY_TASK_SET, 0, 0);
	assert_int_equal(r.rsp, TMF_RSP_SUCCEEDED);
	tmf_run(&r, f->nx, TMF_ABORT_TASK, 0, 1);
	assert_int_equal(r.calls, 0);
	{
		struct tmf_result reset;

		/* The reset waits for both, including the one aborted before. */
		tmf_run(&reset, f->nx, TMF_LOGICAL_UNIT_RESET, 0, 0);
		assert_int_equal(reset.calls, 0);
		fake_release_held(f->lu);
		assert_int_equal(reset.calls, 1);
		assert_int_equal(reset.rsp, TMF_RSP_COMPLETE);
	}
	assert_int_equal(r.calls, 1);
	assert_true(a.cmd.aborted && b.cmd.aborted);
	scsi_cmd_release(&a.cmd);
	scsi_cmd_release(&b.cmd);

	tmf_run(&r, f->nx, TMF_QUERY_ASYNC_EVENT, 0, 0);
	assert_int_equal(r.rsp, TMF_RSP_SUCCEEDED);
	test_cmd_run(&a, f->nx, 0, tur, 6, NULL, 0);
	expect_cc(&a, SK_UNIT_ATTENTION, ASC_LUN_RESET);
	scsi_cmd_release(&a.cmd);
	run_expect_good(f->nx, 0, tur, 6);
}

static void nexus_loss_with_command_in_store(void **state)
{
	struct fixture *f = *state;
	struct scsi_nexus *nx2 = fake_nexus_new(f->lu, 0, false);
	uint8_t r10[10] = {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0};
	struct test_cmd tc;

	fake_of(f->lu)->hold = true;
	test_cmd_prep(&tc, nx2, 0, r10, 10, NULL, 0, 512);
	scsi_cmd_submit(&tc.cmd);
	scsi_nexus_free(nx2); /* the command keeps the nexus alive */
	fake_release_held(f->lu);
	assert_int_equal(tc.done_calls, 1);
	assert_true(tc.cmd.aborted);
	scsi_cmd_release(&tc.cmd);
}

static void target_reset_reaches_other_nexus(void **state)
{
	struct fixture *f = *state;
	struct scsi_nexus *nx2 = fake_nexus_new(f->lu, 0, false);
	struct tmf_result r;
	struct test_cmd tc;

	tmf_run(&r, f->nx, TMF_TARGET_WARM_RESET, 0, 0);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.rsp, TMF_RSP_COMPLETE);
	test_cmd_run(&tc, nx2, 0, tur, 6, NULL, 0);
	expect_cc(&tc, SK_UNIT_ATTENTION, ASC_TARGET_RESET);
	scsi_cmd_release(&tc.cmd);
	test_cmd_run(&tc, f->nx, 0, tur, 6, NULL, 0);
	expect_cc(&tc, SK_UNIT_ATTENTION, ASC_TARGET_RESET);
	scsi_cmd_release(&tc.cmd);
	scsi_nexus_free(nx2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(unmapped_lun, setup, teardown),
		cmocka_unit_test_setup_teardown(new_nexus_has_no_ua, setup, teardown),
		cmocka_unit_test_setup_teardown(capacity_changed_ua, setup, teardown),
		cmocka_unit_test_setup_teardown(map_change_ua_cleared_by_report_luns, setup,
						teardown),
		cmocka_unit_test_setup_teardown(request_sense_reports_ua, setup, teardown),
		cmocka_unit_test_setup_teardown(descriptor_sense_when_d_sense, setup, teardown),
		cmocka_unit_test_setup_teardown(abort_task_waits_for_backstore, setup, teardown),
		cmocka_unit_test_setup_teardown(lu_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(nexus_loss_with_command_in_store, setup, teardown),
		cmocka_unit_test_setup_teardown(target_reset_reaches_other_nexus, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
