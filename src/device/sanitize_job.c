/* The background sanitize of a disk LU (see sanitize_job.h).
 *
 * The job belongs to the LU, not to the SANITIZE command: it holds a
 * reference on the LU and the whole medium exclusively, and goes through it
 * chunk by chunk, paced by a timer of the worker that started it.  The
 * command only waits for the end.  Task management may abort the command,
 * and the I_T nexus may go; the sanitize goes on regardless (SBC-4 4.11.3),
 * the aborted command is answered (as aborted) at the next chunk, so a TMF
 * never waits for the whole sanitize.  Meanwhile sbc.c answers other
 * commands NOT READY, SANITIZE IN PROGRESS with the progress. */
#include "device/sanitize_job.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "device/dev.h"
#include "device/sbc_lu.h"
#include "net/loop.h"
#include "scsi/lu.h"
#include "scsi/range_lock.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

/* One backstore operation of the job: small enough that the other commands
 * of the worker wait at most a moment behind it. */
#define SAN_CHUNK (1u << 20)

struct sanitize_job {
	struct list_node node; /* in running_jobs */
	struct scsi_lu *lu;    /* a reference */
	struct scsi_cmd *cmd;  /* the SANITIZE to answer at the end; NULL once answered */
	struct loop *loop;     /* the worker that paces the job (NULL: no pacing) */
	struct loop_timer timer;
	struct range_req range;
	struct bs_io bio;
	enum bs_op op;
	uint8_t *chunk; /* OVERWRITE: the pattern, repeated */
	uint32_t chunk_len;
	uint64_t size; /* bytes of medium */
	uint64_t off;  /* of this pass */
	unsigned pass, passes;
	bool invert;
	uint64_t done, total; /* bytes, over all passes */
	uint64_t rate;	      /* bytes per second */
	uint64_t start_ms;
	bool in_submit, done_inline;
	int error;
};

/* Every running job, for sanitize_jobs_abandon(). */
static pthread_mutex_t jobs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list_node running_jobs = {&running_jobs, &running_jobs};

static void job_free(struct sanitize_job *j)
{
	pthread_mutex_lock(&jobs_lock);
	list_del(&j->node);
	pthread_mutex_unlock(&jobs_lock);
	scsi_lu_put(j->lu);
	free(j->chunk);
	free(j);
}

void sanitize_jobs_abandon(void)
{
	pthread_mutex_lock(&jobs_lock);
	while (!list_empty(&running_jobs)) {
		struct sanitize_job *j = list_first(&running_jobs, struct sanitize_job, node);

		list_del(&j->node);
		list_init(&j->node);
		pthread_mutex_unlock(&jobs_lock);
		atomic_store(&sbc_lu(j->lu)->sanitize, SANITIZE_IDLE);
		job_free(j);
		pthread_mutex_lock(&jobs_lock);
	}
	pthread_mutex_unlock(&jobs_lock);
}

uint64_t sanitize_due_ms(uint64_t done, uint64_t rate)
{
	if (rate == 0)
		return 0;
	/* done * 1000 would overflow only past 16 PiB. */
	if (done > UINT64_MAX / 1000)
		return done / rate * 1000;
	return done * 1000 / rate;
}

uint16_t sanitize_progress(const struct scsi_lu *lu)
{
	return (uint16_t)atomic_load(&sbc_lu(lu)->sanitize_progress);
}

static void publish_progress(struct sanitize_job *j)
{
	/* 65536ths; done < total while running, so it stays below 65536. */
	uint64_t p = j->total ? (uint64_t)((unsigned __int128)j->done * 65536 / j->total) : 0;

	atomic_store(&sbc_lu(j->lu)->sanitize_progress, (unsigned)MIN(p, 65535u));
}

/* Answer an aborted SANITIZE now: the TMF that aborted it waits for it. */
static void answer_if_aborted(struct sanitize_job *j)
{
	struct scsi_cmd *cmd = j->cmd;

	if (cmd && scsi_cmd_is_aborted(cmd)) {
		j->cmd = NULL;
		scsi_cmd_complete(cmd);
	}
}

static void job_end(struct sanitize_job *j)
{
	struct sbc_lu *s = sbc_lu(j->lu);
	struct scsi_cmd *cmd = j->cmd;

	range_lock_release(&s->ranges, &j->range);
	atomic_store(&s->sanitize_progress, 0);
	/* A failed sanitize leaves the medium unusable until a sanitize
	 * succeeds or EXIT FAILURE MODE (SBC-4 4.11.4). */
	atomic_store(&s->sanitize, j->error ? SANITIZE_FAILED : SANITIZE_IDLE);
	if (cmd) {
		if (j->error)
			scsi_sense_set(cmd, SK_MEDIUM_ERROR, ASC_SANITIZE_FAILED);
		else
			scsi_cmd_good(cmd);
		scsi_cmd_complete(cmd);
	}
	job_free(j);
}

static void job_run(struct sanitize_job *j);

static void job_timer(void *arg)
{
	job_run(arg);
}

static void job_io_done(struct bs_io *io)
{
	struct sanitize_job *j = io->arg;

	if (io->result < 0) {
		j->error = io->result;
	} else {
		j->off += io->len;
		j->done += io->len;
		publish_progress(j);
	}
	if (j->in_submit) { /* completed inside backstore_submit: job_run loops */
		j->done_inline = true;
		return;
	}
	job_run(j);
}

/* The next pass of an OVERWRITE, with the pattern inverted if asked. */
static void next_pass(struct sanitize_job *j)
{
	j->pass++;
	j->off = 0;
	if (j->invert)
		for (uint32_t i = 0; i < j->chunk_len; i++)
			j->chunk[i] = (uint8_t)~j->chunk[i];
}

/* The milliseconds to wait before the next chunk, to keep to the rate. */
static uint64_t wait_ms(const struct sanitize_job *j)
{
	uint64_t rate = j->rate, due, now;

	if (j->loop == NULL)
		return 0;
	if (j->op == BS_DISCARD)
		rate = rate > UINT64_MAX / SANITIZE_DISCARD_SPEEDUP
			   ? UINT64_MAX
			   : rate * SANITIZE_DISCARD_SPEEDUP;
	due = j->start_ms + sanitize_due_ms(j->done, rate);
	now = now_ms();
	return due > now ? due - now : 0;
}

static void job_run(struct sanitize_job *j)
{
	for (;;) {
		uint64_t len, wait;

		answer_if_aborted(j);
		if (j->off >= j->size && j->pass + 1 < j->passes)
			next_pass(j);
		if (j->error || j->off >= j->size) {
			job_end(j);
			return;
		}
		wait = wait_ms(j);
		if (wait > 0) {
			loop_timer_add(j->loop, &j->timer, wait, job_timer, j);
			return;
		}
		len = MIN((uint64_t)j->chunk_len, j->size - j->off);
		bs_io_prep(&j->bio, j->op, j->off, j->chunk, len, job_io_done, j);
		j->in_submit = true;
		j->done_inline = false;
		backstore_submit(j->lu->bs, &j->bio);
		j->in_submit = false;
		if (!j->done_inline)
			return; /* job_io_done goes on */
	}
}

static void job_granted(void *arg)
{
	struct sanitize_job *j = arg;

	j->start_ms = now_ms();
	job_run(j);
}

static struct sanitize_job *job_new(struct scsi_cmd *cmd, const struct sanitize_params *p)
{
	struct scsi_lu *lu = cmd->lu;
	struct sanitize_job *j = calloc(1, sizeof(*j));

	if (j == NULL)
		return NULL;
	j->op = p->op;
	j->chunk_len = p->op == BS_DISCARD ? SAN_CHUNK * SANITIZE_DISCARD_SPEEDUP : SAN_CHUNK;
	if (p->op == BS_WRITE) {
		j->chunk = malloc(SAN_CHUNK);
		if (j->chunk == NULL || p->patlen == 0) {
			free(j->chunk);
			free(j);
			return NULL;
		}
		for (uint32_t i = 0; i < SAN_CHUNK; i++)
			j->chunk[i] = p->pattern[i % p->patlen];
	}
	j->lu = lu;
	j->cmd = p->immed ? NULL : cmd;
	j->loop = loop_current();
	j->size = atomic_load(&lu->nblocks) * lu->block_size;
	j->passes = p->passes ? p->passes : 1;
	j->invert = p->invert;
	j->total = j->size * j->passes;
	j->rate = lu->sanitize_rate ? lu->sanitize_rate : SANITIZE_DEFAULT_RATE;
	j->range.lba = 0;
	j->range.count = UINT64_MAX;
	j->range.mode = RANGE_EXCLUSIVE;
	j->range.resume = job_granted;
	j->range.arg = j;
	return j;
}

void sanitize_job_start(struct scsi_cmd *cmd, const struct sanitize_params *p)
{
	struct scsi_lu *lu = cmd->lu;
	struct sbc_lu *s = sbc_lu(lu);
	struct sanitize_job *j = job_new(cmd, p);
	int state;

	if (j == NULL) {
		dev_no_memory(cmd);
		scsi_cmd_complete(cmd);
		return;
	}
	/* One sanitize at a time: a second SANITIZE that slipped past the
	 * check in sbc.c gets the answer it would have had there. */
	state = atomic_load(&s->sanitize);
	do {
		if (state == SANITIZE_RUNNING) {
			free(j->chunk);
			free(j);
			scsi_sense_set_progress(cmd, SK_NOT_READY, ASC_LUN_NOT_READY_SANITIZE,
						sanitize_progress(lu));
			scsi_cmd_complete(cmd);
			return;
		}
	} while (!atomic_compare_exchange_weak(&s->sanitize, &state, SANITIZE_RUNNING));
	atomic_store(&s->sanitize_progress, 0);
	scsi_lu_get(lu);
	pthread_mutex_lock(&jobs_lock);
	list_add_tail(&running_jobs, &j->node);
	pthread_mutex_unlock(&jobs_lock);
	if (p->immed) {
		/* SBC-4 5.30: with IMMED, GOOD once the CDB and parameters
		 * are checked; the progress is polled with REQUEST SENSE or
		 * TEST UNIT READY. */
		scsi_cmd_good(cmd);
		scsi_cmd_complete(cmd);
	}
	/* Commands already past the NOT READY check finish first. */
	if (range_lock_acquire(&s->ranges, &j->range))
		job_granted(j);
}
