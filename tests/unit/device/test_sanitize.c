/* SANITIZE as a background operation of the LU: NOT READY with progress
 * while it runs, INQUIRY still answered, task management and I_T nexus
 * loss do not stop it, IMMED, one at a time; its CDB and parameter list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "../scsi/fake_bs.h"
#include "../scsi/fake_tmf.h"
#include "common/bytes.h"
#include "device/sanitize_job.h"
#include "scsi/sense.h"

#define BLOCKS 64
#define BS 512

static const uint8_t tur[6] = {0x00};
static const uint8_t inq[6] = {0x12, 0, 0, 0, 36, 0};
static const uint8_t rsense[6] = {0x03, 0, 0, 0, 18, 0};

struct fixture {
	struct scsi_lu *lu;
	struct scsi_nexus *nx;
};

static struct fixture fx;

static int setup(void **state)
{
	fx.lu = fake_lu_new("san0", BLOCKS, false, false);
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

/* Run a command that completes at once; returns its status, sense in *tc. */
static unsigned run(struct test_cmd *tc, struct scsi_nexus *nx, const uint8_t *cdb, unsigned len,
		    const void *out, uint32_t out_len)
{
	test_cmd_run(tc, nx, 0, cdb, len, out, out_len);
	assert_int_equal(tc->done_calls, 1);
	return tc->cmd.status;
}

static void expect(struct scsi_nexus *nx, const uint8_t *cdb, unsigned len, const void *out,
		   uint32_t out_len, unsigned key, unsigned asc)
{
	struct test_cmd tc;

	assert_int_equal(run(&tc, nx, cdb, len, out, out_len), SAM_STAT_CHECK_CONDITION);
	assert_int_equal(test_sense_key(&tc.cmd), key);
	assert_int_equal(test_sense_asc(&tc.cmd), asc);
	scsi_cmd_release(&tc.cmd);
}

static void expect_good(struct scsi_nexus *nx, const uint8_t *cdb, unsigned len)
{
	struct test_cmd tc;

	assert_int_equal(run(&tc, nx, cdb, len, NULL, 0), SAM_STAT_GOOD);
	scsi_cmd_release(&tc.cmd);
}

/* TEST UNIT READY answers NOT READY, SANITIZE IN PROGRESS with a valid
 * progress indication (SKSV, bytes 16-17). */
static void expect_in_progress(struct scsi_nexus *nx)
{
	struct test_cmd tc;

	assert_int_equal(run(&tc, nx, tur, 6, NULL, 0), SAM_STAT_CHECK_CONDITION);
	assert_int_equal(test_sense_key(&tc.cmd), SK_NOT_READY);
	assert_int_equal(test_sense_asc(&tc.cmd), ASC_LUN_NOT_READY_SANITIZE);
	assert_int_equal(tc.cmd.sense[15] & 0x80, 0x80);
	scsi_cmd_release(&tc.cmd);
}

static const uint8_t overwrite_cdb[10] = {0x48, 0x01, 0, 0, 0, 0, 0, 0, 8, 0};
static const uint8_t overwrite_params[8] = {1, 0, 0, 4, 0xde, 0xad, 0xbe, 0xef};

static void runs_in_background_through_tmfs(void **state)
{
	struct fixture *f = *state;
	uint8_t *mem = fake_of(f->lu)->mem;
	uint8_t r16[16] = {0x88, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0};
	struct test_cmd san, tc;
	struct tmf_result r;

	fake_of(f->lu)->hold = true;
	test_cmd_prep(&san, f->nx, 0, overwrite_cdb, 10, overwrite_params, 8, 8);
	san.cmd.tag = 5;
	scsi_cmd_submit(&san.cmd);
	assert_int_equal(san.done_calls, 0);

	expect_in_progress(f->nx);
	expect(f->nx, r16, 16, NULL, 0, SK_NOT_READY, ASC_LUN_NOT_READY_SANITIZE);
	expect(f->nx, overwrite_cdb, 10, overwrite_params, 8, SK_NOT_READY,
	       ASC_LUN_NOT_READY_SANITIZE);
	expect_good(f->nx, inq, 6);
	/* REQUEST SENSE reports the condition as parameter data. */
	assert_int_equal(run(&tc, f->nx, rsense, 6, NULL, 0), SAM_STAT_GOOD);
	assert_int_equal(tc.cmd.in.data[2] & 0x0f, SK_NOT_READY);
	assert_int_equal(get_be16(tc.cmd.in.data + 12), ASC_LUN_NOT_READY_SANITIZE);
	assert_int_equal(tc.cmd.in.data[15] & 0x80, 0x80);
	scsi_cmd_release(&tc.cmd);

	/* ABORT TASK answers the command (aborted) once its chunk is done; the
	 * sanitize goes on. */
	tmf_run(&r, f->nx, TMF_ABORT_TASK, 0, 5);
	assert_int_equal(r.calls, 0);
	fake_release_held(f->lu);
	assert_int_equal(r.calls, 1);
	assert_int_equal(san.done_calls, 1);
	assert_true(san.cmd.aborted);
	scsi_cmd_release(&san.cmd);
	/* The test LU is one chunk: the job has finished with it. */
	expect_good(f->nx, tur, 6);
	assert_int_equal(mem[0], 0xde);
	assert_int_equal(mem[BLOCKS * BS - 1], 0xef);
}

static void lu_reset_and_nexus_loss_do_not_stop_it(void **state)
{
	struct fixture *f = *state;
	struct scsi_nexus *nx2 = fake_nexus_new(f->lu, 0, false);
	uint8_t *mem = fake_of(f->lu)->mem;
	struct test_cmd san, tc;
	struct tmf_result lur, twr;

	fake_of(f->lu)->hold = true;
	test_cmd_prep(&san, nx2, 0, overwrite_cdb, 10, overwrite_params, 8, 8);
	scsi_cmd_submit(&san.cmd);
	scsi_nexus_free(nx2); /* I_T nexus loss: the command keeps it alive */
	tmf_run(&lur, f->nx, TMF_LOGICAL_UNIT_RESET, 0, 0);
	tmf_run(&twr, f->nx, TMF_TARGET_WARM_RESET, 0, 0);
	/* The unit attentions of the resets come first, then the sanitize. */
	assert_int_equal(run(&tc, f->nx, tur, 6, NULL, 0), SAM_STAT_CHECK_CONDITION);
	assert_int_equal(test_sense_key(&tc.cmd), SK_UNIT_ATTENTION);
	scsi_cmd_release(&tc.cmd);
	while (run(&tc, f->nx, tur, 6, NULL, 0) == SAM_STAT_CHECK_CONDITION &&
	       test_sense_key(&tc.cmd) == SK_UNIT_ATTENTION)
		scsi_cmd_release(&tc.cmd);
	assert_int_equal(test_sense_asc(&tc.cmd), ASC_LUN_NOT_READY_SANITIZE);
	scsi_cmd_release(&tc.cmd);
	expect_in_progress(f->nx);
	/* The resets wait for the aborted SANITIZE to be answered. */
	assert_int_equal(lur.calls + twr.calls, 0);
	fake_release_held(f->lu);
	assert_int_equal(lur.calls, 1);
	assert_int_equal(twr.calls, 1);
	assert_int_equal(san.done_calls, 1);
	assert_true(san.cmd.aborted);
	scsi_cmd_release(&san.cmd);
	expect_good(f->nx, tur, 6);
	assert_int_equal(mem[4], 0xde);
}

static void immed_answers_at_once(void **state)
{
	struct fixture *f = *state;
	uint8_t c[10];
	struct test_cmd san;

	memcpy(c, overwrite_cdb, 10);
	c[1] |= 0x80; /* IMMED */
	fake_of(f->lu)->hold = true;
	test_cmd_prep(&san, f->nx, 0, c, 10, overwrite_params, 8, 8);
	scsi_cmd_submit(&san.cmd);
	assert_int_equal(san.done_calls, 1);
	assert_int_equal(san.cmd.status, SAM_STAT_GOOD);
	/* The pattern was copied: the command's buffers may go now. */
	scsi_cmd_release(&san.cmd);
	expect_in_progress(f->nx);
	fake_release_held(f->lu);
	expect_good(f->nx, tur, 6);
	assert_int_equal(fake_of(f->lu)->mem[7], 0xef);
}

static void waits_for_commands_in_flight(void **state)
{
	struct fixture *f = *state;
	uint8_t w10[10] = {0x2a, 0, 0, 0, 0, 0, 0, 0, 1, 0}, data[BS];
	struct test_cmd w, san;

	memset(data, 0x11, sizeof(data));
	fake_of(f->lu)->hold = true;
	test_cmd_prep(&w, f->nx, 0, w10, 10, data, BS, BS);
	scsi_cmd_submit(&w.cmd);
	test_cmd_prep(&san, f->nx, 0, overwrite_cdb, 10, overwrite_params, 8, 8);
	scsi_cmd_submit(&san.cmd);
	assert_int_equal(fake_of(f->lu)->nheld, 1); /* only the write */
	expect_in_progress(f->nx);
	fake_release_held(f->lu);
	assert_int_equal(w.done_calls, 1);
	assert_int_equal(san.done_calls, 1);
	assert_int_equal(san.cmd.status, SAM_STAT_GOOD);
	/* The sanitize came after the write. */
	assert_int_equal(fake_of(f->lu)->mem[0], 0xde);
	scsi_cmd_release(&w.cmd);
	scsi_cmd_release(&san.cmd);
}

static void overwrite_passes_and_invert(void **state)
{
	struct fixture *f = *state;
	/* INVERT, 2 passes: the second pass writes the inverted pattern. */
	uint8_t p[5] = {0x82, 0, 0, 1, 0x0f}, c[10] = {0x48, 0x01, 0, 0, 0, 0, 0, 0, 5, 0};
	struct test_cmd tc;

	assert_int_equal(run(&tc, f->nx, c, 10, p, 5), SAM_STAT_GOOD);
	scsi_cmd_release(&tc.cmd);
	assert_int_equal(fake_of(f->lu)->mem[100], 0xf0);
	p[0] = 0x03; /* 3 passes, no INVERT */
	assert_int_equal(run(&tc, f->nx, c, 10, p, 5), SAM_STAT_GOOD);
	scsi_cmd_release(&tc.cmd);
	assert_int_equal(fake_of(f->lu)->mem[100], 0x0f);
}

static void malformed(void **state)
{
	struct fixture *f = *state;
	uint8_t c[10], p[8];
	const unsigned ill = SK_ILLEGAL_REQUEST;

	memcpy(p, overwrite_params, 8);
	for (unsigned byte = 2; byte <= 6; byte++) { /* reserved bytes */
		memcpy(c, overwrite_cdb, 10);
		c[byte] = 1;
		expect(f->nx, c, 10, p, 8, ill, ASC_INVALID_FIELD_IN_CDB);
	}
	memcpy(c, overwrite_cdb, 10);
	c[1] |= 0x40; /* reserved bit */
	expect(f->nx, c, 10, p, 8, ill, ASC_INVALID_FIELD_IN_CDB);
	memcpy(c, overwrite_cdb, 10);
	c[9] = 0x04; /* NACA */
	expect(f->nx, c, 10, p, 8, ill, ASC_INVALID_FIELD_IN_CDB);
	c[9] = 0;
	c[1] = 0x04; /* a reserved service action */
	expect(f->nx, c, 10, NULL, 0, ill, ASC_INVALID_FIELD_IN_CDB);
	c[1] = 0x02; /* BLOCK ERASE takes no parameter list */
	expect(f->nx, c, 10, p, 8, ill, ASC_INVALID_FIELD_IN_CDB);
	c[1] = 0x03; /* nor CRYPTO ERASE */
	expect(f->nx, c, 10, p, 8, ill, ASC_INVALID_FIELD_IN_CDB);
	/* OVERWRITE: parameter list length 0xffff, more than block size + 4. */
	memcpy(c, overwrite_cdb, 10);
	c[7] = 0xff;
	c[8] = 0xff;
	expect(f->nx, c, 10, p, 8, ill, ASC_INVALID_FIELD_IN_CDB);
	/* A parameter list shorter than announced. */
	c[7] = 0;
	c[8] = 8;
	expect(f->nx, c, 10, p, 6, ill, ASC_PARAM_LIST_LENGTH_ERROR);
	/* TEST bits; reserved byte 1; pattern length past the list. */
	p[0] = 0x21;
	expect(f->nx, c, 10, p, 8, ill, ASC_INVALID_FIELD_IN_PARAM_LIST);
	p[0] = 0x01;
	p[1] = 0x80;
	expect(f->nx, c, 10, p, 8, ill, ASC_INVALID_FIELD_IN_PARAM_LIST);
	p[1] = 0;
	p[3] = 5;
	expect(f->nx, c, 10, p, 8, ill, ASC_INVALID_FIELD_IN_PARAM_LIST);
	/* Nothing was started. */
	expect_good(f->nx, tur, 6);
}

static void erase_zeroes_or_deallocates(void **state)
{
	struct fixture *f = *state;
	uint8_t c[10] = {0x48, 0x02, 0, 0, 0, 0, 0, 0, 0, 0};
	struct test_cmd tc;

	/* The fake store zeroes nothing, but the operation must be the one
	 * that makes reads return zeroes on this (thick, no discard) LU. */
	assert_int_equal(run(&tc, f->nx, c, 10, NULL, 0), SAM_STAT_GOOD);
	scsi_cmd_release(&tc.cmd);
	c[1] = 0x03;
	assert_int_equal(run(&tc, f->nx, c, 10, NULL, 0), SAM_STAT_GOOD);
	scsi_cmd_release(&tc.cmd);
	c[1] = 0x1f; /* EXIT FAILURE MODE */
	assert_int_equal(run(&tc, f->nx, c, 10, NULL, 0), SAM_STAT_GOOD);
	scsi_cmd_release(&tc.cmd);
}

static void failed_sanitize_until_exit_failure_mode(void **state)
{
	struct fixture *f = *state;
	uint8_t efm[10] = {0x48, 0x1f, 0, 0, 0, 0, 0, 0, 0, 0};
	uint8_t r10[10] = {0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0};
	struct test_cmd tc;

	fake_of(f->lu)->fail = -5; /* EIO */
	expect(f->nx, overwrite_cdb, 10, overwrite_params, 8, SK_MEDIUM_ERROR, ASC_SANITIZE_FAILED);
	fake_of(f->lu)->fail = 0;
	expect(f->nx, r10, 10, NULL, 0, SK_MEDIUM_ERROR, ASC_SANITIZE_FAILED);
	expect_good(f->nx, inq, 6);
	assert_int_equal(run(&tc, f->nx, efm, 10, NULL, 0), SAM_STAT_GOOD);
	scsi_cmd_release(&tc.cmd);
	expect_good(f->nx, r10, 10);
}

/* Shutting down with an IMMED sanitize still going frees it and gives the
 * LU back (checked for leaks under the sanitizers). */
static void abandoned_at_shutdown(void **state)
{
	struct fixture *f = *state;
	uint8_t c[10];
	struct test_cmd san;

	memcpy(c, overwrite_cdb, 10);
	c[1] |= 0x80; /* IMMED */
	fake_of(f->lu)->hold = true;
	test_cmd_prep(&san, f->nx, 0, c, 10, overwrite_params, 8, 8);
	scsi_cmd_submit(&san.cmd);
	scsi_cmd_release(&san.cmd);
	expect_in_progress(f->nx);
	sanitize_jobs_abandon();
	/* The held I/O is never completed: the store goes with the LU. */
	fake_of(f->lu)->nheld = 0;
	fake_of(f->lu)->hold = false;
	expect_good(f->nx, tur, 6);
}

static void pacing(void **state)
{
	(void)state;
	assert_int_equal(sanitize_due_ms(0, 1000), 0);
	assert_int_equal(sanitize_due_ms(512ull << 20, SANITIZE_DEFAULT_RATE), 8000);
	assert_int_equal(sanitize_due_ms(1 << 20, 0), 0);
	/* No overflow for huge media. */
	assert_true(sanitize_due_ms(UINT64_MAX, 1ull << 30) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(runs_in_background_through_tmfs, setup, teardown),
	    cmocka_unit_test_setup_teardown(lu_reset_and_nexus_loss_do_not_stop_it, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(immed_answers_at_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(waits_for_commands_in_flight, setup, teardown),
	    cmocka_unit_test_setup_teardown(overwrite_passes_and_invert, setup, teardown),
	    cmocka_unit_test_setup_teardown(malformed, setup, teardown),
	    cmocka_unit_test_setup_teardown(erase_zeroes_or_deallocates, setup, teardown),
	    cmocka_unit_test_setup_teardown(failed_sanitize_until_exit_failure_mode, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(abandoned_at_shutdown, setup, teardown),
	    cmocka_unit_test(pacing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
