/* The transport-independent SCSI command.
 *
 * A transport (src/iscsi) fills in the fields marked "transport", calls
 * scsi_cmd_submit(), and is called back through cmd->done once the command
 * has a status.  The command may complete before scsi_cmd_submit() returns.
 * The transport then sends cmd->in (Data-In) and the status, and finally
 * calls scsi_cmd_release().  The SCSI core and device types never see the
 * transport's PDUs, and the transport never sees a CDB's meaning. */
#ifndef LUNA_SCSI_SCSI_CMD_H
#define LUNA_SCSI_SCSI_CMD_H

#include <stdbool.h>
#include <stdint.h>

#include "backstore/backstore.h"
#include "common/list.h"

#define SCSI_MAX_CDB 32
#define SCSI_SENSE_MAX 252
#define SCSI_CMD_DEV_STORAGE 160

/* SAM status codes. */
enum scsi_status {
	SAM_STAT_GOOD = 0x00,
	SAM_STAT_CHECK_CONDITION = 0x02,
	SAM_STAT_CONDITION_MET = 0x04,
	SAM_STAT_BUSY = 0x08,
	SAM_STAT_RESERVATION_CONFLICT = 0x18,
	SAM_STAT_TASK_SET_FULL = 0x28,
	SAM_STAT_ACA_ACTIVE = 0x30,
	SAM_STAT_TASK_ABORTED = 0x40,
};

enum scsi_task_attr {
	SCSI_ATTR_UNTAGGED = 0,
	SCSI_ATTR_SIMPLE = 1,
	SCSI_ATTR_ORDERED = 2,
	SCSI_ATTR_HEAD_OF_QUEUE = 3,
	SCSI_ATTR_ACA = 4,
};

enum scsi_dir {
	SCSI_DIR_NONE = 0,
	SCSI_DIR_READ = 1,  /* data-in: target to initiator */
	SCSI_DIR_WRITE = 2, /* data-out: initiator to target */
	SCSI_DIR_BIDI = 3,
};

/* A data buffer of a command.  `owned` buffers are freed by
 * scsi_cmd_release(); others point into a memory backstore or a
 * transport's buffer. */
struct scsi_buf {
	uint8_t *data;
	uint32_t len; /* valid bytes */
	uint32_t cap; /* allocated bytes */
	bool owned;
};

struct scsi_nexus;
struct scsi_lu;

struct scsi_cmd {
	/* transport: */
	struct scsi_nexus *nexus;
	uint64_t lun; /* LUN number decoded from the 8-byte field */
	uint8_t cdb[SCSI_MAX_CDB];
	uint16_t cdb_len;
	enum scsi_task_attr attr;
	uint64_t tag;	      /* the transport's task tag, for ABORT TASK */
	enum scsi_dir dir;    /* the direction the initiator announced */
	uint32_t xfer_len;    /* expected data transfer length (data-out for writes) */
	uint32_t in_xfer_len; /* bidirectional: expected data-in length */
	struct scsi_buf out;  /* data-out the initiator sent (exactly out.len bytes) */
	void (*done)(struct scsi_cmd *cmd);
	void *transport_priv;
	/* The transport hands data-in to the kernel without reading it
	 * itself (it has no data digest to compute), so in.data may point
	 * into a file's mapping (see backstore map_for_send). */
	bool in_sent_unread;

	/* device: the data-in to return (the transport sends at most what
	 * the initiator asked for and reports the residual), status, sense. */
	struct scsi_buf in;
	/* Optional, set with in: extend a running CRC32C over in.data[off,
	 * off + len) from checksums the store keeps, sparing the transport a
	 * pass over the bytes for its data digest. */
	uint32_t (*in_crc)(struct scsi_cmd *cmd, uint32_t off, uint32_t len, uint32_t crc);
	uint8_t status;
	uint8_t sense_len;
	uint8_t sense[SCSI_SENSE_MAX];

	/* SCSI core and device type private state. */
	struct scsi_lu *lu;
	bool write_protect; /* the LUN mapping is read-only */
	bool aborted;	    /* answered by a TMF: the transport sends nothing */
	bool in_task_set;
	struct list_node task_node; /* in the LU's task set */
	uint64_t lba;		    /* decoded by the device type */
	uint32_t nblocks;
	unsigned pending; /* backstore I/Os outstanding */
	int io_error;
	struct bs_io bio;
	void *dev_priv;
	/* Storage for the device type's per-command state, which lives as
	 * long as the command: no heap allocation per command. */
	_Alignas(16) unsigned char dev_storage[SCSI_CMD_DEV_STORAGE];

	/* device: the bytes of data-out the CDB called for (writes).  The
	 * transport reports the residual between this and xfer_len; the device
	 * uses only the whole blocks of out.len that arrived. */
	uint32_t out_needed;

	/* SCSI core private. */
	struct scsi_lun_map *map;     /* the map the command was looked up in */
	bool holds_nexus;	      /* scsi_cmd_submit() took a nexus reference */
	struct list_node abort_waits; /* TMFs waiting for this command */
};

/* Transport contract, in short:
 *  - Fill the "transport" fields; cmd->out holds exactly the data-out bytes
 *    that arrived (at most xfer_len).  Then call scsi_cmd_submit().
 *  - done() is called exactly once, on the submitting thread (maybe inside
 *    scsi_cmd_submit()).  If cmd->aborted is set, send nothing for the
 *    command (a TMF answered it).  Otherwise send min(in.len, expected
 *    data-in length) bytes of cmd->in, then status and sense.  Residuals:
 *    data-in: in.len against the expected length (more = overflow, less =
 *    underflow); data-out: out_needed against xfer_len.
 *  - Then call scsi_cmd_release() (also for aborted commands); cmd memory
 *    stays the transport's and must live until done() has been called. */

/* Run a command: look up the LU, check unit attentions, reservations and
 * task-set rules, and hand it to the LU's device type.  cmd->done is called
 * exactly once (possibly before this returns) unless the command is
 * aborted by task management, in which case done is called with
 * cmd->aborted set and the transport must not answer it. */
void scsi_cmd_submit(struct scsi_cmd *cmd);

/* Device types call this when a command has its status. */
void scsi_cmd_complete(struct scsi_cmd *cmd);

/* Has task management aborted the command?  Device types ask before they
 * start backstore I/O, to spare work; the answer may change right after. */
bool scsi_cmd_is_aborted(struct scsi_cmd *cmd);

/* Free owned buffers (in and out) and the core's references; the transport
 * calls this when it is done with cmd. */
void scsi_cmd_release(struct scsi_cmd *cmd);

/* Buffers: allocate `len` bytes (zeroed) for cmd->in or cmd->out. */
int scsi_buf_alloc(struct scsi_buf *b, uint32_t len);
/* The same, not zeroed: for buffers that are filled whole (data-out as it
 * arrives, READ data from a backstore). */
int scsi_buf_alloc_raw(struct scsi_buf *b, uint32_t len);
void scsi_buf_free(struct scsi_buf *b);
/* Free the calling thread's cached buffers (when the thread ends). */
void scsi_buf_pool_drain(void);

/* Results. */
static inline void scsi_cmd_good(struct scsi_cmd *cmd)
{
	cmd->status = SAM_STAT_GOOD;
	cmd->sense_len = 0;
}

#endif
