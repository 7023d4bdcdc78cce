/* A RAM backstore for unit tests, with its own ops table, that can hold
 * I/Os back (to test task management) and a harness to run commands. */
#ifndef LUNA_TEST_FAKE_BS_H
#define LUNA_TEST_FAKE_BS_H

#include <stdlib.h>
#include <string.h>

#include "backstore/backstore.h"
#include "common/util.h"
#include "device/sbc.h"
#include "scsi/lu.h"
#include "scsi/nexus.h"
#include "scsi/scsi_cmd.h"

struct fake_store {
	uint8_t *mem;
	bool hold;	    /* keep I/Os until fake_release_held() */
	bool use_map;	    /* offer ops->map */
	int fail;	    /* complete every I/O with this error */
	struct bs_io *held[16];
	int nheld;
	int flushes, fua_writes;
};

static void fake_do(struct backstore *bs, struct bs_io *io)
{
	struct fake_store *fs = bs->priv;

	io->result = fs->fail;
	if (io->result == 0 && io->op == BS_READ)
		memcpy(io->iov[0].iov_base, fs->mem + io->offset, io->len);
	if (io->result == 0 && io->op == BS_WRITE) {
		memcpy(fs->mem + io->offset, io->iov[0].iov_base, io->len);
		if (io->flags & BS_IO_FUA)
			fs->fua_writes++;
	}
	if (io->op == BS_FLUSH)
		fs->flushes++;
	io->done(io);
}

static void fake_submit(struct backstore *bs, struct bs_io *io)
{
	struct fake_store *fs = bs->priv;

	if (fs->hold && fs->nheld < 16) {
		fs->held[fs->nheld++] = io;
		return;
	}
	fake_do(bs, io);
}

static uint8_t *fake_map(struct backstore *bs, uint64_t offset, uint64_t len)
{
	struct fake_store *fs = bs->priv;

	(void)len;
	return fs->use_map ? fs->mem + offset : NULL;
}

static void fake_close(struct backstore *bs)
{
	struct fake_store *fs = bs->priv;

	free(fs->mem);
	free(fs);
}

static const struct backstore_ops fake_ops = {
	.plugin = "fake",
	.close = fake_close,
	.submit = fake_submit,
	.map = fake_map,
};

static inline struct backstore *fake_bs_new(uint64_t size, uint32_t block_size)
{
	struct backstore *bs = xcalloc(1, sizeof(*bs));
	struct fake_store *fs = xcalloc(1, sizeof(*fs));

	fs->mem = xcalloc(1, size);
	strcpy(bs->name, "fake0");
	bs->ops = &fake_ops;
	bs->size = size;
	bs->block_size = block_size;
	bs->priv = fs;
	atomic_init(&bs->refcnt, 1);
	return bs;
}

static inline struct fake_store *fake_of(struct scsi_lu *lu)
{
	return lu->bs->priv;
}

static inline void fake_release_held(struct scsi_lu *lu)
{
	struct fake_store *fs = fake_of(lu);
	int n = fs->nheld;

	fs->nheld = 0;
	fs->hold = false;
	for (int i = 0; i < n; i++)
		fake_do(lu->bs, fs->held[i]);
}

/* An LU of `blocks` 512-byte blocks over a fresh fake store. */
static inline struct scsi_lu *fake_lu_new(const char *name, uint64_t blocks, bool thin,
					  bool readonly)
{
	struct backstore *bs = fake_bs_new(blocks * 512, 512);
	struct scsi_lu_params p = {.name = name,
				   .type = &sbc_disk_type,
				   .bs = bs,
				   .thin = thin,
				   .readonly = readonly,
				   .product = "test disk"};
	char err[256];
	struct scsi_lu *lu;

	/* A thin test LU stands for a store that can deallocate (LBPME). */
	bs->can_discard = thin;
	lu = scsi_lu_new(&p, err, sizeof(err));
	backstore_put(bs); /* the LU holds its own reference */
	return lu;
}

/* A nexus that sees lu as LUN `lun`. */
static inline struct scsi_nexus *fake_nexus_new(struct scsi_lu *lu, uint64_t lun, bool wp)
{
	static const uint8_t isid[6] = {0x80, 0, 0, 0, 0, 1};
	struct scsi_lun_map *map = scsi_lun_map_new(1);

	scsi_lun_map_set(map, 0, lun, lu, wp);
	return scsi_nexus_new("iqn.2025-01.test:init", isid, "iqn.2025-01.test:target", 1, map);
}

struct test_cmd {
	struct scsi_cmd cmd;
	int done_calls;
};

static inline void test_cmd_done(struct scsi_cmd *cmd)
{
	container_of(cmd, struct test_cmd, cmd)->done_calls++;
}

/* Prepare a command with the given CDB (and data-out, copied). */
static inline void test_cmd_prep(struct test_cmd *tc, struct scsi_nexus *nx, uint64_t lun,
				 const uint8_t *cdb, unsigned cdb_len, const void *out,
				 uint32_t out_len, uint32_t xfer_len)
{
	memset(tc, 0, sizeof(*tc));
	tc->cmd.nexus = nx;
	tc->cmd.lun = lun;
	memcpy(tc->cmd.cdb, cdb, cdb_len);
	tc->cmd.cdb_len = 16 > cdb_len ? 16 : cdb_len;
	tc->cmd.attr = SCSI_ATTR_SIMPLE;
	tc->cmd.xfer_len = xfer_len;
	tc->cmd.done = test_cmd_done;
	tc->cmd.dir = out_len ? SCSI_DIR_WRITE : SCSI_DIR_READ;
	if (out_len) {
		scsi_buf_alloc(&tc->cmd.out, out_len);
		memcpy(tc->cmd.out.data, out, out_len);
	}
}

/* Run a command to completion (the fake store answers inline). */
static inline void test_cmd_run(struct test_cmd *tc, struct scsi_nexus *nx, uint64_t lun,
				const uint8_t *cdb, unsigned cdb_len, const void *out,
				uint32_t out_len)
{
	test_cmd_prep(tc, nx, lun, cdb, cdb_len, out, out_len, out_len ? out_len : 65536);
	scsi_cmd_submit(&tc->cmd);
}

/* The sense key and ASC/ASCQ of fixed-format sense. */
static inline unsigned test_sense_key(const struct scsi_cmd *cmd)
{
	return cmd->sense_len >= 14 ? (cmd->sense[2] & 0x0f) : 0xff;
}

static inline unsigned test_sense_asc(const struct scsi_cmd *cmd)
{
	return cmd->sense_len >= 14 ? (unsigned)(cmd->sense[12] << 8 | cmd->sense[13]) : 0xffff;
}

#endif
