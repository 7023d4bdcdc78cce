/* REPORT LUNS (SPC-4 6.33), answered by the SCSI core from the nexus's
 * LUN map whatever LUN it is addressed to. */
#ifndef LUNA_SCSI_REPORT_LUNS_H
#define LUNA_SCSI_REPORT_LUNS_H

#include <stddef.h>
#include <stdint.h>

struct scsi_cmd;
struct scsi_lun_map;

/* Build the parameter data for SELECT REPORT `select` into buf (at most
 * buflen bytes).  Returns the full length of the data (which may exceed
 * buflen), or -1 for a SELECT REPORT code not supported. */
long scsi_report_luns_build(const struct scsi_lun_map *map, uint8_t select, uint8_t *buf,
			    size_t buflen);

void scsi_report_luns(struct scsi_cmd *cmd);

#endif
