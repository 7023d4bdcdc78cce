/* The iSCSI side of one SCSI command: its Data-Out collection (immediate
 * data, unsolicited Data-Out, R2Ts), execution through the SCSI core, and
 * the Data-In / SCSI Response that answer it. */
#ifndef LUNA_ISCSI_TASK_H
#define LUNA_ISCSI_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "common/list.h"
#include "iscsi/conn.h"
#include "scsi/scsi_cmd.h"

struct iscsi_session;

enum task_state {
	TASK_COLLECTING, /* waiting for its CmdSN turn and/or its data-out */
	TASK_RUNNING,	 /* in the SCSI core */
	TASK_RESPONDING, /* response queued */
};

struct iscsi_task {
	struct scsi_cmd cmd;
	struct iscsi_session *sess;
	struct iscsi_conn *conn;
	struct list_node hash_node;
	enum task_state state;
	uint32_t itt;
	uint32_t cmdsn;
	bool delivered; /* its CmdSN turn has come */
	bool immediate;
	bool failed;	  /* refused before execution: answer with `status`/sense */
	bool consumed_window; /* took a CmdSN: give it back when done */
	uint8_t lun_raw[8];

	/* Data-Out */
	uint32_t edtl;
	uint32_t received;	    /* bytes of data-out received */
	uint32_t unsolicited_end;   /* data-out below this comes without R2T */
	uint32_t unsol_next;	    /* next expected unsolicited offset */
	uint32_t unsol_datasn;
	uint32_t r2t_next_offset;   /* next offset to ask for */
	uint32_t r2t_sn;
	unsigned r2t_outstanding;
	struct {
		uint32_t ttt, offset, len, next, datasn;
		bool active;
	} r2t[16];

	/* Data-In */
	uint32_t in_sent;
	uint32_t in_total;
	uint32_t datasn;
	uint32_t burst_left;
	struct tx_item tx;
	uint8_t rsp_sense[SCSI_SENSE_MAX + 2];
};

/* A SCSI Command PDU header (and its AHS) has arrived: create the task and
 * say where its immediate data goes (*dst, NULL = discard).  Returns the
 * task, or NULL after having answered or dropped the PDU. */
struct iscsi_task *iscsi_task_from_cmd(struct iscsi_conn *conn, const struct iscsi_scsi_cmd *hdr,
				       const uint8_t *ahs, uint32_t ahslen, uint8_t **dst);
/* The immediate data has arrived (or there was none). */
void iscsi_task_cmd_received(struct iscsi_conn *conn, struct iscsi_task *task);
/* Its CmdSN turn has come. */
void iscsi_task_deliver(struct iscsi_task *task);

/* A Data-Out header has arrived: where does its data go?  Returns the task,
 * or NULL (data to be discarded, PDU already answered). */
struct iscsi_task *iscsi_task_data_out_hdr(struct iscsi_conn *conn, const struct iscsi_data *hdr,
					   uint8_t **dst, bool *fatal);
void iscsi_task_data_out_done(struct iscsi_conn *conn, struct iscsi_task *task,
			      const struct iscsi_data *hdr);

struct iscsi_task *iscsi_task_find(struct iscsi_session *sess, uint32_t itt);
/* Free the connection's cached tasks (it idles, or is freed). */
void iscsi_task_cache_drain(struct iscsi_conn *conn);
/* Drop a task that never reached the SCSI core (abort, connection loss). */
void iscsi_task_discard(struct iscsi_task *task);
/* The connection died: forget every task; running ones are released when
 * the SCSI core completes them. */
void iscsi_task_abort_all(struct iscsi_session *sess);

#endif
