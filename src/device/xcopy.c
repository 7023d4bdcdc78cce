/* EXTENDED COPY (LID1): resolve the targets among the LUs the nexus sees,
 * check every segment, then copy chunk by chunk through a bounded bounce
 * buffer: read from the source backstore, write to the destination.  The
 * I/O is asynchronous and completes on the submitting thread; completions
 * that come back inside submit() are continued by the loop in job_run(),
 * so a long copy over a RAM store does not recurse. */
#include "device/xcopy.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backstore/backstore.h"
#include "common/bytes.h"
#include "common/util.h"
#include "device/cdb.h"
#include "device/xcopy_results.h"
#include "scsi/lu.h"
#include "scsi/nexus.h"
#include "scsi/scsi_cmd.h"
#include "scsi/sense.h"

struct xcopy_job {
	struct scsi_cmd *cmd;
	struct xcopy_req req;
	struct scsi_lu *lu[XCOPY_MAX_TARGETS];
	unsigned seg;	  /* the segment being copied */
	uint32_t done;	  /* blocks of it copied */
	uint32_t chunk;	  /* blocks in the current chunk */
	bool writing;	  /* the chunk has been read, is being written */
	bool in_submit;	  /* inside backstore_submit() */
	bool came_inline; /* ... and the I/O completed there */
	int error;
	uint64_t bytes;
	uint8_t *buf;
	struct bs_io io;
};

static void xcopy_job_run(struct xcopy_job *j);

static void set_err(struct scsi_cmd *cmd, const struct xcopy_err *e)
{
	if (e->key == SK_ILLEGAL_REQUEST && e->byte != 0xffff)
		scsi_sense_set_field(cmd, e->asc_ascq, false, e->byte, e->bit);
	else
		scsi_sense_set(cmd, (enum sense_key)e->key, e->asc_ascq);
}

static void copy_aborted(struct scsi_cmd *cmd, uint16_t asc)
{
	scsi_sense_set(cmd, SK_COPY_ABORTED, asc);
}

/* Find each target among the LUs of the command's LUN map. */
static bool resolve_targets(struct xcopy_job *j)
{
	for (unsigned i = 0; i < j->req.ntargets; i++) {
		const struct xcopy_target *t = &j->req.t[i];
		const struct scsi_lun_entry *e =
		    t->nul ? NULL : scsi_lun_map_find_naa(j->cmd->map, t->naa, t->naa_len);

		if (e == NULL || (t->block_size && t->block_size != e->lu->block_size)) {
			copy_aborted(j->cmd, ASC_COPY_TARGET_NOT_REACHABLE);
			return false;
		}
		j->lu[i] = e->lu;
	}
	return true;
}

static bool dst_writable(struct scsi_cmd *cmd, const struct scsi_lu *lu)
{
	const struct scsi_lun_entry *e = scsi_lun_map_find_naa(cmd->map, lu->naa, 16);

	return !lu->readonly && !lu->mode.swp && !(e && e->write_protect);
}

static bool check_segments(struct xcopy_job *j)
{
	for (unsigned i = 0; i < j->req.nsegments; i++) {
		const struct xcopy_segment *s = &j->req.s[i];
		struct scsi_lu *src, *dst;

		if (s->src >= j->req.ntargets || s->dst >= j->req.ntargets) {
			copy_aborted(j->cmd, ASC_COPY_TARGET_NOT_REACHABLE);
			return false;
		}
		src = j->lu[s->src];
		dst = j->lu[s->dst];
		if (src->block_size != dst->block_size ||
		    !cdb_range_ok(s->src_lba, s->nblocks, atomic_load(&src->nblocks)) ||
		    !cdb_range_ok(s->dst_lba, s->nblocks, atomic_load(&dst->nblocks))) {
			/* libiscsi expects COPY ABORTED here, not ILLEGAL REQUEST. */
			copy_aborted(j->cmd, ASC_NO_ADDITIONAL);
			return false;
		}
		if (!dst_writable(j->cmd, dst)) {
			scsi_sense_set(j->cmd, SK_DATA_PROTECT, ASC_WRITE_PROTECTED);
			return false;
		}
	}
	return true;
}

static void job_finish(struct xcopy_job *j)
{
	struct scsi_cmd *cmd = j->cmd;

	if (j->error) {
		scsi_sense_set(cmd, j->error == -EIO ? SK_MEDIUM_ERROR : SK_COPY_ABORTED,
			       j->error == -EIO ? ASC_READ_ERROR : ASC_NO_ADDITIONAL);
	} else if (cmd->status == SAM_STAT_GOOD) {
		scsi_cmd_good(cmd);
	}
	if (j->req.list_id_usage < 2)
		xcopy_results_put(cmd->nexus->id, j->req.list_id, j->error != 0, j->seg, j->bytes);
	free(j->buf);
	free(j);
	scsi_cmd_complete(cmd);
}

static void io_done(struct bs_io *io)
{
	struct xcopy_job *j = io->arg;
	uint32_t bs = j->lu[j->req.s[j->seg].src]->block_size;

	if (io->result < 0) {
		j->error = io->result;
	} else if (!j->writing) {
		j->writing = true;
	} else {
		j->writing = false;
		j->done += j->chunk;
		j->bytes += (uint64_t)j->chunk * bs;
		if (j->done == j->req.s[j->seg].nblocks) {
			j->seg++;
			j->done = 0;
		}
	}
	if (j->in_submit) {
		j->came_inline = true;
		return;
	}
	xcopy_job_run(j);
}

/* Start the next read or write; false when the job is over. */
static bool job_submit(struct xcopy_job *j)
{
	const struct xcopy_segment *s;
	struct scsi_lu *lu;
	uint64_t lba;

	/* Segments of no blocks copy nothing. */
	while (j->seg < j->req.nsegments && j->req.s[j->seg].nblocks == 0)
		j->seg++;
	if (j->error || j->seg == j->req.nsegments || scsi_cmd_is_aborted(j->cmd))
		return false;
	s = &j->req.s[j->seg];
	lu = j->lu[j->writing ? s->dst : s->src];
	if (!j->writing)
		j->chunk = MIN(s->nblocks - j->done, XCOPY_CHUNK_BYTES / lu->block_size);
	lba = (j->writing ? s->dst_lba : s->src_lba) + j->done;
	bs_io_prep(&j->io, j->writing ? BS_WRITE : BS_READ, lba * lu->block_size, j->buf,
		   (uint64_t)j->chunk * lu->block_size, io_done, j);
	j->in_submit = true;
	j->came_inline = false;
	backstore_submit(lu->bs, &j->io);
	j->in_submit = false;
	return true;
}

static void xcopy_job_run(struct xcopy_job *j)
{
	for (;;) {
		if (!job_submit(j)) {
			job_finish(j);
			return;
		}
		if (!j->came_inline)
			return; /* io_done() picks up from here */
	}
}

static bool parse_cdb(struct scsi_cmd *cmd, uint32_t *plen)
{
	if (cmd->cdb_len < 16) {
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_INVALID_OPCODE);
		return false;
	}
	if ((cmd->cdb[1] & 0x1f) != 0) { /* only LID1 */
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 1, 4);
		return false;
	}
	if (cmd->cdb[15] & 0x04) { /* NACA */
		scsi_sense_set_field(cmd, ASC_INVALID_FIELD_IN_CDB, true, 15, 2);
		return false;
	}
	*plen = get_be32(cmd->cdb + 10);
	cmd->out_needed = *plen;
	if (cmd->out.len < *plen) {
		scsi_sense_set(cmd, SK_ILLEGAL_REQUEST, ASC_PARAM_LIST_LENGTH_ERROR);
		return false;
	}
	return true;
}

static struct xcopy_job *job_new(struct scsi_cmd *cmd, uint32_t plen)
{
	struct xcopy_job *j = calloc(1, sizeof(*j));
	struct xcopy_err err;

	if (j == NULL) {
		cmd->status = SAM_STAT_BUSY;
		return NULL;
	}
	j->cmd = cmd;
	if (xcopy_parse(cmd->out.data, plen, &j->req, &err) < 0) {
		set_err(cmd, &err);
		free(j);
		return NULL;
	}
	if (!resolve_targets(j) || !check_segments(j)) {
		free(j);
		return NULL;
	}
	j->buf = malloc(XCOPY_CHUNK_BYTES);
	if (j->buf == NULL) {
		cmd->status = SAM_STAT_BUSY;
		free(j);
		return NULL;
	}
	return j;
}

void xcopy_exec(struct scsi_cmd *cmd)
{
	struct xcopy_job *j;
	uint32_t plen;

	if (!parse_cdb(cmd, &plen)) {
		scsi_cmd_complete(cmd);
		return;
	}
	if (plen == 0) { /* SPC-4: no list, nothing to do */
		scsi_cmd_good(cmd);
		scsi_cmd_complete(cmd);
		return;
	}
	j = job_new(cmd, plen);
	if (j == NULL) {
		scsi_cmd_complete(cmd);
		return;
	}
	scsi_cmd_good(cmd);
	xcopy_job_run(j);
}
