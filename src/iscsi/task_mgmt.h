/* Task Management Function Requests (RFC 7143 11.5): the iSCSI side.  Tasks
 * still collecting data are dropped here; tasks in the SCSI core are
 * handed to its task management (src/scsi/tmf.h). */
#ifndef LUNA_ISCSI_TASK_MGMT_H
#define LUNA_ISCSI_TASK_MGMT_H

#include "iscsi/pdu.h"

struct iscsi_conn;

void iscsi_tmf_rx(struct iscsi_conn *conn, const struct iscsi_tmf_req *req);

#endif
