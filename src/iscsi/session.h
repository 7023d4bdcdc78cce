/* An iSCSI session: its identity (initiator name, ISID, TSIH, target), the
 * negotiated session parameters, the CmdSN window, its tasks, and the SCSI
 * I_T nexus it is.  Luna negotiates MaxConnections=1, so a session has one
 * connection and lives on that connection's worker thread.  A global table
 * (locked) finds sessions for reinstatement and TSIH allocation. */
#ifndef LUNA_ISCSI_SESSION_H
#define LUNA_ISCSI_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "common/list.h"
#include "iscsi/params.h"

struct iscsi_conn;
struct iscsi_task;
struct scsi_nexus;
struct luna_config;
struct cfg_tpg;
struct loop;

enum session_type { SESSION_NORMAL, SESSION_DISCOVERY };

#define SESSION_CMD_WINDOW 128 /* commands an initiator may have queued */
#define SESSION_TASK_HASH 256

/* A non-immediate PDU that arrived ahead of its CmdSN turn. */
struct queued_pdu {
	struct list_node node;
	uint32_t cmdsn;
	struct iscsi_task *task;	 /* SCSI Command */
	uint8_t bhs[48];		 /* other PDUs: a copy of the header */
	uint8_t *data;			 /* and of the data segment */
	uint32_t len;
};

struct iscsi_session {
	enum session_type type;
	char initiator_name[224];
	char target_name[224];
	uint8_t isid[6];
	uint16_t tsih;
	uint16_t tpgt;
	struct iscsi_params params;
	struct iscsi_conn *conn;
	struct loop *loop;
	struct luna_config *cfg; /* the config the session logged in with */
	const struct cfg_tpg *tpg;
	struct scsi_nexus *nexus;

	uint32_t exp_cmdsn;
	uint32_t max_cmdsn;
	struct list_node queued; /* struct queued_pdu, by CmdSN */
	struct list_node tasks_by_itt[SESSION_TASK_HASH];
	unsigned ntasks;

	bool closing;
	struct list_node node; /* in the global session table */
};

/* Create a session for a completed login and enter it in the table; any
 * older session of the same initiator name, ISID and target is closed
 * (session reinstatement, RFC 7143 6.3.5). */
struct iscsi_session *iscsi_session_new(struct iscsi_conn *conn, enum session_type type,
					 const char *initiator, const uint8_t isid[6],
					 const char *target, uint16_t tpgt, uint32_t cmdsn);
void iscsi_session_free(struct iscsi_session *sess);

/* Allocate a TSIH not in use. */
uint16_t iscsi_session_alloc_tsih(void);

/* Is a non-immediate CmdSN inside the window [ExpCmdSN, MaxCmdSN]? */
bool iscsi_session_cmdsn_in_window(const struct iscsi_session *sess, uint32_t cmdsn);

/* A command finished (response sent or aborted): open the window by one. */
void iscsi_session_credit(struct iscsi_session *sess);

/* Number of sessions in the table (all workers). */
unsigned iscsi_session_count(void);

#endif
