/* The device types' part of a LOGICAL UNIT RESET or target reset (warm
 * or cold, SAM-5 6.3): the SCSI core's task management calls
 * dev_lu_reset() for each LU it resets, after aborting its tasks.  It
 * clears what SAM-5 says a reset clears: PREVENT ALLOW MEDIUM REMOVAL
 * state (SBC-4 5.13). */
#ifndef LUNA_DEVICE_DEV_RESET_H
#define LUNA_DEVICE_DEV_RESET_H

struct scsi_lu;

void dev_lu_reset(struct scsi_lu *lu);

#endif
