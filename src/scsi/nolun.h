/* Answers for LUNs that are not in the nexus's map.  Private to the core. */
#ifndef LUNA_SCSI_NOLUN_H
#define LUNA_SCSI_NOLUN_H

struct scsi_cmd;

void scsi_nolun_exec(struct scsi_cmd *cmd);

#endif
