/* What a device type tells REPORT SUPPORTED OPERATION CODES: each command
 * (and service action) it offers, with its CDB usage data. */
#ifndef LUNA_DEVICE_OPCODE_INFO_H
#define LUNA_DEVICE_OPCODE_INFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct opcode_info {
	uint8_t opcode;
	bool has_sa; /* the operation code has service actions */
	uint16_t sa;
	uint8_t cdb_len;
	/* CDB USAGE DATA: byte 0 is the operation code, then the bits the
	 * device looks at (SPC-4 6.35.3). */
	uint8_t usage[16];
	uint32_t timeout; /* recommended command timeout, seconds */
};

/* The commands of the disk device type. */
#define SBC_N_OPCODES 66
extern const struct opcode_info sbc_opcodes[SBC_N_OPCODES];

/* Find a command; sa is ignored for operation codes without service
 * actions.  NULL if not supported. */
const struct opcode_info *opcode_find(const struct opcode_info *tab, size_t n, uint8_t opcode,
				      uint16_t sa);
/* Does this operation code have service actions in the table? */
bool opcode_has_sa(const struct opcode_info *tab, size_t n, uint8_t opcode);

/* REPORT SUPPORTED OPERATION CODES parameter data (pure).  Returns the
 * full length, or -1 with *bad_byte set for an invalid CDB field. */
long rsoc_build(const struct opcode_info *tab, size_t n, uint8_t options, bool rctd,
		uint8_t opcode, uint16_t sa, uint8_t *buf, size_t cap, uint16_t *bad_byte);

#endif
