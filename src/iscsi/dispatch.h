/* Dispatch of received PDUs: login phase to the login code, full feature
 * phase through the CmdSN sequencer to each PDU type's handler. */
#ifndef LUNA_ISCSI_DISPATCH_H
#define LUNA_ISCSI_DISPATCH_H

#include <stdint.h>

#include "iscsi/pdu.h"

struct iscsi_conn;
struct iscsi_task;

/* A whole PDU has arrived.  For SCSI Command and Data-Out PDUs the data is
 * already in the task's buffer and `task` is set (or NULL if the PDU was
 * answered at its header). */
void iscsi_dispatch_pdu(struct iscsi_conn *conn, const struct iscsi_bhs *bhs, const uint8_t *data,
			uint32_t len, struct iscsi_task *task);

#endif
