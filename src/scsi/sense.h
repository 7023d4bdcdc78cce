/* Sense data: fixed format (SPC-4 4.5.3) by default, descriptor format
 * (4.5.2) when the LU's control mode page has D_SENSE set. */
#ifndef LUNA_SCSI_SENSE_H
#define LUNA_SCSI_SENSE_H

#include <stdbool.h>
#include <stdint.h>

struct scsi_cmd;

enum sense_key {
	SK_NO_SENSE = 0x0,
	SK_RECOVERED_ERROR = 0x1,
	SK_NOT_READY = 0x2,
	SK_MEDIUM_ERROR = 0x3,
	SK_HARDWARE_ERROR = 0x4,
	SK_ILLEGAL_REQUEST = 0x5,
	SK_UNIT_ATTENTION = 0x6,
	SK_DATA_PROTECT = 0x7,
	SK_BLANK_CHECK = 0x8,
	SK_COPY_ABORTED = 0xa,
	SK_ABORTED_COMMAND = 0xb,
	SK_VOLUME_OVERFLOW = 0xd,
	SK_MISCOMPARE = 0xe,
};

/* Additional sense code and qualifier, as one 16-bit value: ASC << 8 | ASCQ. */
enum sense_asc {
	ASC_NO_ADDITIONAL = 0x0000,
	ASC_LUN_NOT_READY_MANUAL = 0x0403, /* manual intervention required */
	ASC_LUN_NOT_READY_FORMAT = 0x0404,
	ASC_LUN_NOT_READY_SANITIZE = 0x041b,
	ASC_WRITE_ERROR = 0x0c00,
	ASC_READ_ERROR = 0x1100,
	ASC_PARAM_LIST_LENGTH_ERROR = 0x1a00,
	ASC_INVALID_OPCODE = 0x2000,
	ASC_LBA_OUT_OF_RANGE = 0x2100,
	ASC_INVALID_FIELD_IN_CDB = 0x2400,
	ASC_LUN_NOT_SUPPORTED = 0x2500,
	ASC_INVALID_FIELD_IN_PARAM_LIST = 0x2600,
	ASC_INVALID_RELEASE_OF_PR = 0x2604,
	ASC_WRITE_PROTECTED = 0x2700,
	ASC_NOT_READY_TO_READY = 0x2800,
	ASC_POWER_ON_RESET = 0x2900,
	ASC_BUS_RESET = 0x2902,
	ASC_TARGET_RESET = 0x2903, /* same code as a logical unit reset */
	ASC_LUN_RESET = 0x2903, /* BUS DEVICE RESET FUNCTION OCCURRED (SAM-5 for LU reset) */
	ASC_POWER_ON_OCCURRED = 0x2901,
	ASC_NEXUS_LOSS = 0x2907,
	ASC_PARAMETERS_CHANGED = 0x2a00,
	ASC_MODE_PARAMETERS_CHANGED = 0x2a01,
	ASC_RESERVATIONS_PREEMPTED = 0x2a03,
	ASC_RESERVATIONS_RELEASED = 0x2a04,
	ASC_REGISTRATIONS_PREEMPTED = 0x2a05,
	ASC_CAPACITY_CHANGED = 0x2a09,
	ASC_SAVING_PARAMS_UNSUP = 0x3900,
	ASC_MEDIUM_NOT_PRESENT = 0x3a00,
	ASC_MEDIUM_REMOVAL_PREVENTED = 0x5302,
	ASC_REPORTED_LUNS_CHANGED = 0x3f0e,
	ASC_INQUIRY_DATA_CHANGED = 0x3f03,
	ASC_INTERNAL_TARGET_FAILURE = 0x4400,
	ASC_COMMANDS_CLEARED_BY_ANOTHER = 0x2f00,
	ASC_MISCOMPARE_DURING_VERIFY = 0x1d00,
	ASC_INSUFFICIENT_REGISTRATION_RESOURCES = 0x5504,
	ASC_OVERLAPPED_COMMANDS = 0x4e00,
	ASC_DATA_PHASE_ERROR = 0x4b00,
	ASC_SANITIZE_FAILED = 0x3103,
	ASC_MEDIUM_FORMAT_CORRUPTED = 0x3100,
	ASC_INVALID_FIELD_IN_IU = 0x0e03,
	ASC_PARAM_NOT_SUPPORTED = 0x2601,
	ASC_TOO_MANY_TARGET_DESCRIPTORS = 0x2606,
	ASC_UNSUPPORTED_TARGET_DESCRIPTOR = 0x2607,
	ASC_TOO_MANY_SEGMENT_DESCRIPTORS = 0x2608,
	ASC_UNSUPPORTED_SEGMENT_DESCRIPTOR = 0x2609,
	ASC_COPY_TARGET_NOT_REACHABLE = 0x0d02,
};

/* Set CHECK CONDITION with the given key and ASC/ASCQ in the command, in
 * the format the LU asks for. */
void scsi_sense_set(struct scsi_cmd *cmd, enum sense_key key, uint16_t asc_ascq);

/* As scsi_sense_set, with the INFORMATION field (fixed format: VALID bit and
 * bytes 3-6; descriptor format: an information descriptor). */
void scsi_sense_set_info(struct scsi_cmd *cmd, enum sense_key key, uint16_t asc_ascq,
			 uint64_t info);

/* ILLEGAL REQUEST with a sense-key specific field pointer (SKSV):
 * in_cdb selects C/D, byte is the field's byte, bit (0-7, or -1 for none)
 * its bit. */
void scsi_sense_set_field(struct scsi_cmd *cmd, uint16_t asc_ascq, bool in_cdb, uint16_t byte,
			  int bit);

/* NOT READY (or NO SENSE) with a sense-key specific PROGRESS INDICATION
 * (SPC-4 4.5.2.4.4): how far a format or sanitize has come, in 65536ths. */
void scsi_sense_set_progress(struct scsi_cmd *cmd, enum sense_key key, uint16_t asc_ascq,
			     uint16_t progress);

/* The 3 bytes of a progress indication. */
void scsi_sense_progress_sks(uint8_t sks[3], uint16_t progress);

/* The 3 bytes of a sense-key specific field pointer (SPC-4 4.5.2.4.2). */
void scsi_sense_field_pointer(uint8_t sks[3], bool in_cdb, uint16_t byte, int bit);

/* Build sense bytes into buf (pure; for unit tests and REQUEST SENSE).
 * Returns the length written. */
int scsi_sense_build(uint8_t *buf, int buflen, bool descriptor, enum sense_key key,
		     uint16_t asc_ascq, bool info_valid, uint64_t info, const uint8_t *sks);

#endif
