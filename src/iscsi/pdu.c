#include "iscsi/pdu.h"

#include <string.h>

void iscsi_bhs_set_datalen(void *bhs, uint32_t len)
{
	uint8_t *p = bhs;

	p[5] = (uint8_t)(len >> 16);
	p[6] = (uint8_t)(len >> 8);
	p[7] = (uint8_t)len;
}

void iscsi_lun_encode(uint8_t out[8], uint64_t lun)
{
	memset(out, 0, 8);
	if (lun < 256) {
		out[1] = (uint8_t)lun;
	} else {
		out[0] = (uint8_t)(0x40 | ((lun >> 8) & 0x3f));
		out[1] = (uint8_t)lun;
	}
}

uint64_t iscsi_lun_decode(const uint8_t in[8])
{
	switch (in[0] >> 6) {
	case 0: /* peripheral device addressing: bus 0 only */
		if (in[0] != 0)
			return UINT64_MAX;
		return in[1];
	case 1: /* flat space addressing */
		return ((uint64_t)(in[0] & 0x3f) << 8) | in[1];
	default:
		/* logical unit / extended addressing: not a LUN we hand out */
		return UINT64_MAX;
	}
}

const char *iscsi_opcode_name(uint8_t opcode)
{
	switch (opcode & ISCSI_OPCODE_MASK) {
	case ISCSI_OP_NOP_OUT:
		return "NOP-Out";
	case ISCSI_OP_SCSI_CMD:
		return "SCSI Command";
	case ISCSI_OP_TMF_REQ:
		return "Task Management Function Request";
	case ISCSI_OP_LOGIN_REQ:
		return "Login Request";
	case ISCSI_OP_TEXT_REQ:
		return "Text Request";
	case ISCSI_OP_DATA_OUT:
		return "SCSI Data-Out";
	case ISCSI_OP_LOGOUT_REQ:
		return "Logout Request";
	case ISCSI_OP_SNACK_REQ:
		return "SNACK Request";
	case ISCSI_OP_NOP_IN:
		return "NOP-In";
	case ISCSI_OP_SCSI_RSP:
		return "SCSI Response";
	case ISCSI_OP_TMF_RSP:
		return "Task Management Function Response";
	case ISCSI_OP_LOGIN_RSP:
		return "Login Response";
	case ISCSI_OP_TEXT_RSP:
		return "Text Response";
	case ISCSI_OP_DATA_IN:
		return "SCSI Data-In";
	case ISCSI_OP_LOGOUT_RSP:
		return "Logout Response";
	case ISCSI_OP_R2T:
		return "Ready To Transfer";
	case ISCSI_OP_ASYNC_MSG:
		return "Asynchronous Message";
	case ISCSI_OP_REJECT:
		return "Reject";
	default:
		return "unknown";
	}
}

bool iscsi_opcode_from_initiator(uint8_t opcode)
{
	switch (opcode & ISCSI_OPCODE_MASK) {
	case ISCSI_OP_NOP_OUT:
	case ISCSI_OP_SCSI_CMD:
	case ISCSI_OP_TMF_REQ:
	case ISCSI_OP_LOGIN_REQ:
	case ISCSI_OP_TEXT_REQ:
	case ISCSI_OP_DATA_OUT:
	case ISCSI_OP_LOGOUT_REQ:
	case ISCSI_OP_SNACK_REQ:
		return true;
	default:
		return false;
	}
}

/* PDU types whose data segment must be empty (RFC 7143 11.5, 11.14, 11.16). */
static bool carries_no_data(uint8_t op)
{
	return op == ISCSI_OP_TMF_REQ || op == ISCSI_OP_LOGOUT_REQ || op == ISCSI_OP_SNACK_REQ;
}

int iscsi_check_initiator_bhs(const struct iscsi_bhs *bhs, uint32_t max_data, const char **why)
{
	uint8_t op = iscsi_bhs_opcode(bhs);
	uint32_t dlen = iscsi_bhs_datalen(bhs);

	/* The length first: a PDU whose length we refuse cannot be skipped. */
	if (dlen > max_data) {
		*why = "data segment longer than MaxRecvDataSegmentLength";
		return ISCSI_REJECT_PROTOCOL_ERROR;
	}
	if (!iscsi_opcode_from_initiator(op)) {
		*why = "opcode is not one an initiator sends";
		return ISCSI_REJECT_CMD_NOT_SUPPORTED;
	}
	if (carries_no_data(op) && dlen != 0) {
		*why = "data segment on a PDU type that carries none";
		return ISCSI_REJECT_PROTOCOL_ERROR;
	}
	if (op != ISCSI_OP_SCSI_CMD && bhs->ahslen != 0) {
		*why = "additional header segment on a PDU type that takes none";
		return ISCSI_REJECT_PROTOCOL_ERROR;
	}
	*why = NULL;
	return 0;
}
