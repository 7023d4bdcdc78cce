/* The disk's per-LU state and the LBA range holds of its commands. */
#include "device/sbc_lu.h"

#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "device/dev.h"
#include "scsi/scsi_cmd.h"

int sbc_lu_init(struct scsi_lu *lu)
{
	struct sbc_lu *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return -1;
	range_lock_init(&s->ranges);
	lu->type_priv = s;
	return 0;
}

void sbc_lu_fini(struct scsi_lu *lu)
{
	struct sbc_lu *s = lu->type_priv;

	if (s == NULL)
		return;
	range_lock_fini(&s->ranges);
	free(s);
	lu->type_priv = NULL;
}

static void range_granted(void *arg)
{
	struct sbc_range *r = arg;

	r->run(r->cmd);
}

void sbc_range_run(struct scsi_cmd *cmd, uint64_t lba, uint64_t count, enum range_mode mode,
		   void (*fn)(struct scsi_cmd *cmd))
{
	sbc_range_run_ctx(cmd, lba, count, mode, fn, NULL);
}

void sbc_range_run_ctx(struct scsi_cmd *cmd, uint64_t lba, uint64_t count, enum range_mode mode,
		       void (*fn)(struct scsi_cmd *cmd), void *ctx)
{
	struct sbc_range *r = (struct sbc_range *)cmd->dev_storage;

	_Static_assert(sizeof(*r) <= sizeof(cmd->dev_storage), "sbc_range fits in a command");
	memset(r, 0, sizeof(*r));
	r->req.lba = lba;
	r->req.count = count;
	r->req.mode = mode;
	r->req.resume = range_granted;
	r->req.arg = r;
	r->cmd = cmd;
	r->run = fn;
	r->ctx = ctx;
	cmd->dev_priv = r;
	r->locked = count != 0;
	if (!r->locked || range_lock_acquire(&sbc_lu(cmd->lu)->ranges, &r->req))
		fn(cmd);
}

static void range_free(struct scsi_cmd *cmd, struct sbc_range *r)
{
	if (r->locked)
		range_lock_release(&sbc_lu(cmd->lu)->ranges, &r->req);
	if (r->ctx_free)
		r->ctx_free(r->ctx);
	else
		free(r->ctx);
	r->ctx = NULL; /* the range itself lives in the command */
}

void sbc_range_complete(struct scsi_cmd *cmd)
{
	struct sbc_range *r = cmd->dev_priv;

	if (r && r->hold_until_release && cmd->status == SAM_STAT_GOOD) {
		/* Freed by sbc_cmd_release(), once the data is out. */
		scsi_cmd_complete(cmd);
		return;
	}
	cmd->dev_priv = NULL;
	if (r)
		range_free(cmd, r);
	scsi_cmd_complete(cmd);
}

void sbc_cmd_release(struct scsi_cmd *cmd)
{
	struct sbc_range *r = cmd->dev_priv;

	cmd->dev_priv = NULL;
	if (r)
		range_free(cmd, r);
}
