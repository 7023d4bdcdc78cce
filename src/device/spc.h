/* SPC-4 commands every device type shares: INQUIRY (and its VPD pages),
 * MODE SENSE, REQUEST SENSE, TEST UNIT READY. */
#ifndef LUNA_DEVICE_SPC_H
#define LUNA_DEVICE_SPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct opcode_info;
struct scsi_cmd;
struct scsi_lu;

/* What a device type adds to the shared commands. */
struct spc_type {
	uint16_t version_descriptor; /* its command set standard, e.g. SBC-3 */
	/* Its VPD pages, ascending; has() says whether an LU offers one. */
	const uint8_t *vpd_pages;
	unsigned n_vpd_pages;
	bool (*vpd_has)(const struct scsi_lu *lu, uint8_t page);
	/* Build a page into buf (cap bytes, enough for any page); returns the
	 * length. */
	size_t (*vpd_build)(const struct scsi_lu *lu, uint8_t page, uint8_t *buf, size_t cap);
	/* Device-specific parameter of the mode parameter header, without WP. */
	uint8_t mode_dev_specific;
	bool block_descriptor; /* MODE SENSE returns one unless DBD */
	/* Its commands, for REPORT SUPPORTED OPERATION CODES. */
	const struct opcode_info *opcodes;
	size_t n_opcodes;
	/* Does this LU offer the command?  NULL: all of them. */
	bool (*opcode_offered)(const struct scsi_lu *lu, const struct opcode_info *op);
};

/* Execute cmd if it is one of the shared commands; false if it is not. */
bool spc_exec(struct scsi_cmd *cmd, const struct spc_type *t);

void spc_inquiry(struct scsi_cmd *cmd, const struct spc_type *t);
void spc_mode_sense(struct scsi_cmd *cmd, const struct spc_type *t);
void spc_request_sense(struct scsi_cmd *cmd);
/* REQUEST SENSE while the LU is not ready for a long operation (format,
 * sanitize): NOT READY with asc and the progress, unless a unit attention
 * is pending (SPC-4 6.39). */
void spc_request_sense_progress(struct scsi_cmd *cmd, uint16_t asc, uint16_t progress);
void spc_test_unit_ready(struct scsi_cmd *cmd);
void spc_report_opcodes(struct scsi_cmd *cmd, const struct spc_type *t);
void spc_report_tmfs(struct scsi_cmd *cmd);
void spc_report_tpgs(struct scsi_cmd *cmd);
void spc_mode_select(struct scsi_cmd *cmd, const struct spc_type *t);

/* Is the medium ready for access?  If not, sets NOT READY sense. */
bool spc_check_ready(struct scsi_cmd *cmd);

/* Pure builders, for the commands above and for unit tests. */
size_t rstmf_build(bool repd, uint8_t *buf);
size_t rtpg_build(uint16_t tpg, uint16_t rel_port, bool extended, uint8_t *buf);
size_t spc_std_inquiry_build(const struct scsi_lu *lu, const struct spc_type *t, uint8_t *buf);
#define SPC_STD_INQUIRY_LEN 96

#endif
