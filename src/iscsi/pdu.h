/* iSCSI PDU layouts and codec (RFC 7143 section 11).
 *
 * Every PDU starts with a 48-byte Basic Header Segment (BHS).  The structs
 * below overlay a BHS; their multi-byte fields are in network byte order
 * and 4-byte aligned, so the structs need no packing.  Read and write them
 * with the accessors here or ntohl/htonl.  Everything in this file is pure:
 * no sockets, no state. */
#ifndef LUNA_ISCSI_PDU_H
#define LUNA_ISCSI_PDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ISCSI_BHS_LEN 48
#define ISCSI_DIGEST_LEN 4
#define ISCSI_MAX_AHS_LEN (255 * 4)
#define ISCSI_RSVD_TAG 0xffffffffu

/* Opcodes: initiator to target. */
enum iscsi_opcode {
	ISCSI_OP_NOP_OUT = 0x00,
	ISCSI_OP_SCSI_CMD = 0x01,
	ISCSI_OP_TMF_REQ = 0x02,
	ISCSI_OP_LOGIN_REQ = 0x03,
	ISCSI_OP_TEXT_REQ = 0x04,
	ISCSI_OP_DATA_OUT = 0x05,
	ISCSI_OP_LOGOUT_REQ = 0x06,
	ISCSI_OP_SNACK_REQ = 0x10,
	/* target to initiator */
	ISCSI_OP_NOP_IN = 0x20,
	ISCSI_OP_SCSI_RSP = 0x21,
	ISCSI_OP_TMF_RSP = 0x22,
	ISCSI_OP_LOGIN_RSP = 0x23,
	ISCSI_OP_TEXT_RSP = 0x24,
	ISCSI_OP_DATA_IN = 0x25,
	ISCSI_OP_LOGOUT_RSP = 0x26,
	ISCSI_OP_R2T = 0x31,
	ISCSI_OP_ASYNC_MSG = 0x32,
	ISCSI_OP_REJECT = 0x3f,
};

#define ISCSI_OPCODE_MASK 0x3f
#define ISCSI_FLAG_IMMEDIATE 0x40 /* byte 0 */
#define ISCSI_FLAG_FINAL 0x80	  /* byte 1 */

/* SCSI Command flags (byte 1). */
#define ISCSI_CMD_READ 0x40
#define ISCSI_CMD_WRITE 0x20
#define ISCSI_CMD_ATTR_MASK 0x07

/* SCSI Response / Data-In flags (byte 1). */
#define ISCSI_RSP_BIDI_OVERFLOW 0x10
#define ISCSI_RSP_BIDI_UNDERFLOW 0x08
#define ISCSI_RSP_OVERFLOW 0x04
#define ISCSI_RSP_UNDERFLOW 0x02
#define ISCSI_DATAIN_ACK 0x40
#define ISCSI_DATAIN_STATUS 0x01

/* Login flags (byte 1). */
#define ISCSI_LOGIN_TRANSIT 0x80
#define ISCSI_LOGIN_CONTINUE 0x40
#define ISCSI_LOGIN_CSG_SHIFT 2
#define ISCSI_LOGIN_CSG_MASK 0x0c
#define ISCSI_LOGIN_NSG_MASK 0x03
#define ISCSI_TEXT_CONTINUE 0x40

enum iscsi_login_stage {
	ISCSI_STAGE_SECURITY = 0,
	ISCSI_STAGE_OPERATIONAL = 1,
	ISCSI_STAGE_FULL_FEATURE = 3,
};

/* Login response status: class << 8 | detail (RFC 7143 11.13.5). */
enum iscsi_login_status {
	ISCSI_LOGIN_OK = 0x0000,
	ISCSI_LOGIN_TARGET_MOVED_TEMP = 0x0101,
	ISCSI_LOGIN_TARGET_MOVED_PERM = 0x0102,
	ISCSI_LOGIN_INITIATOR_ERROR = 0x0200,
	ISCSI_LOGIN_AUTH_FAILED = 0x0201,
	ISCSI_LOGIN_AUTHZ_FAILED = 0x0202,
	ISCSI_LOGIN_TARGET_NOT_FOUND = 0x0203,
	ISCSI_LOGIN_TARGET_REMOVED = 0x0204,
	ISCSI_LOGIN_UNSUPPORTED_VERSION = 0x0205,
	ISCSI_LOGIN_TOO_MANY_CONNECTIONS = 0x0206,
	ISCSI_LOGIN_MISSING_PARAMETER = 0x0207,
	ISCSI_LOGIN_CANT_INCLUDE_IN_SESSION = 0x0208,
	ISCSI_LOGIN_SESSION_TYPE_UNSUPPORTED = 0x0209,
	ISCSI_LOGIN_SESSION_DOES_NOT_EXIST = 0x020a,
	ISCSI_LOGIN_INVALID_DURING_LOGIN = 0x020b,
	ISCSI_LOGIN_TARGET_ERROR = 0x0300,
	ISCSI_LOGIN_SERVICE_UNAVAILABLE = 0x0301,
	ISCSI_LOGIN_OUT_OF_RESOURCES = 0x0302,
};

/* Reject reasons (RFC 7143 11.17.1). */
enum iscsi_reject_reason {
	ISCSI_REJECT_DATA_DIGEST = 0x02,
	ISCSI_REJECT_SNACK = 0x03,
	ISCSI_REJECT_PROTOCOL_ERROR = 0x04,
	ISCSI_REJECT_CMD_NOT_SUPPORTED = 0x05,
	ISCSI_REJECT_IMM_CMD = 0x06,
	ISCSI_REJECT_TASK_IN_PROGRESS = 0x07,
	ISCSI_REJECT_INVALID_DATA_ACK = 0x08,
	ISCSI_REJECT_INVALID_PDU_FIELD = 0x09,
	ISCSI_REJECT_LONG_OP = 0x0a,
	ISCSI_REJECT_NEGOTIATION_RESET = 0x0b,
	ISCSI_REJECT_WAITING_LOGOUT = 0x0c,
};

/* SCSI Response byte 2. */
#define ISCSI_RESPONSE_COMPLETED 0x00
#define ISCSI_RESPONSE_TARGET_FAILURE 0x01

/* Logout reasons and responses. */
#define ISCSI_LOGOUT_CLOSE_SESSION 0
#define ISCSI_LOGOUT_CLOSE_CONNECTION 1
#define ISCSI_LOGOUT_REMOVE_FOR_RECOVERY 2
#define ISCSI_LOGOUT_RSP_OK 0
#define ISCSI_LOGOUT_RSP_CID_NOT_FOUND 1
#define ISCSI_LOGOUT_RSP_RECOVERY_UNSUPPORTED 2
#define ISCSI_LOGOUT_RSP_CLEANUP_FAILED 3

/* The generic BHS. */
struct iscsi_bhs {
	uint8_t opcode; /* I bit and opcode */
	uint8_t flags;	/* F bit and opcode-specific */
	uint8_t rsvd2[2];
	uint8_t ahslen;	   /* total AHS length in 4-byte words */
	uint8_t datalen[3]; /* data segment length, bytes, without padding */
	uint8_t lun[8];
	uint32_t itt;
	uint8_t specific[28];
};

struct iscsi_scsi_cmd {
	uint8_t opcode, flags, rsvd2[2], ahslen, datalen[3], lun[8];
	uint32_t itt;
	uint32_t edtl; /* expected data transfer length */
	uint32_t cmdsn;
	uint32_t expstatsn;
	uint8_t cdb[16];
};

struct iscsi_scsi_rsp {
	uint8_t opcode, flags, response, status, ahslen, datalen[3], rsvd8[8];
	uint32_t itt;
	uint32_t snack_tag;
	uint32_t statsn, expcmdsn, maxcmdsn;
	uint32_t expdatasn;
	uint32_t bidi_residual;
	uint32_t residual;
};

struct iscsi_data {
	/* Data-In and Data-Out share this layout */
	uint8_t opcode, flags, rsvd2, status, ahslen, datalen[3], lun[8];
	uint32_t itt;
	uint32_t ttt;
	uint32_t statsn;   /* Data-In: StatSN when S is set; Data-Out: reserved */
	uint32_t expcmdsn; /* Data-In: ExpCmdSN; Data-Out: ExpStatSN */
	uint32_t maxcmdsn; /* Data-In only */
	uint32_t datasn;
	uint32_t offset; /* buffer offset */
	uint32_t residual;
};

struct iscsi_r2t {
	uint8_t opcode, flags, rsvd2[2], ahslen, datalen[3], lun[8];
	uint32_t itt, ttt, statsn, expcmdsn, maxcmdsn;
	uint32_t r2tsn;
	uint32_t offset;
	uint32_t length; /* desired data transfer length */
};

struct iscsi_nop {
	/* NOP-Out and NOP-In */
	uint8_t opcode, flags, rsvd2[2], ahslen, datalen[3], lun[8];
	uint32_t itt, ttt;
	uint32_t sn;  /* NOP-Out: CmdSN; NOP-In: StatSN */
	uint32_t sn2; /* NOP-Out: ExpStatSN; NOP-In: ExpCmdSN */
	uint32_t maxcmdsn; /* NOP-In */
	uint8_t rsvd[12];
};

struct iscsi_login_req {
	uint8_t opcode, flags, version_max, version_min, ahslen, datalen[3];
	uint8_t isid[6];
	uint16_t tsih;
	uint32_t itt;
	uint16_t cid;
	uint16_t rsvd22;
	uint32_t cmdsn, expstatsn;
	uint8_t rsvd[16];
};

struct iscsi_login_rsp {
	uint8_t opcode, flags, version_max, version_active, ahslen, datalen[3];
	uint8_t isid[6];
	uint16_t tsih;
	uint32_t itt;
	uint32_t rsvd20;
	uint32_t statsn, expcmdsn, maxcmdsn;
	uint8_t status_class, status_detail;
	uint8_t rsvd[10];
};

struct iscsi_text {
	/* Text Request and Text Response */
	uint8_t opcode, flags, rsvd2[2], ahslen, datalen[3], lun[8];
	uint32_t itt, ttt;
	uint32_t sn;  /* req: CmdSN; rsp: StatSN */
	uint32_t sn2; /* req: ExpStatSN; rsp: ExpCmdSN */
	uint32_t maxcmdsn; /* rsp */
	uint8_t rsvd[12];
};

struct iscsi_logout_req {
	uint8_t opcode, flags, rsvd2[2], ahslen, datalen[3], rsvd8[8];
	uint32_t itt;
	uint16_t cid;
	uint16_t rsvd22;
	uint32_t cmdsn, expstatsn;
	uint8_t rsvd[16];
};

struct iscsi_logout_rsp {
	uint8_t opcode, flags, response, rsvd3, ahslen, datalen[3], rsvd8[8];
	uint32_t itt, rsvd20;
	uint32_t statsn, expcmdsn, maxcmdsn, rsvd36;
	uint16_t time2wait, time2retain;
	uint32_t rsvd44;
};

struct iscsi_tmf_req {
	uint8_t opcode, function, rsvd2[2], ahslen, datalen[3], lun[8];
	uint32_t itt;
	uint32_t rtt; /* referenced task tag */
	uint32_t cmdsn, expstatsn;
	uint32_t refcmdsn, expdatasn;
	uint8_t rsvd[8];
};

struct iscsi_tmf_rsp {
	uint8_t opcode, flags, response, rsvd3, ahslen, datalen[3], rsvd8[8];
	uint32_t itt, rsvd20;
	uint32_t statsn, expcmdsn, maxcmdsn;
	uint8_t rsvd[12];
};

struct iscsi_reject {
	uint8_t opcode, flags, reason, rsvd3, ahslen, datalen[3], rsvd8[8];
	uint32_t itt; /* 0xffffffff */
	uint32_t rsvd20;
	uint32_t statsn, expcmdsn, maxcmdsn, datasn_r2tsn;
	uint8_t rsvd[8];
};

struct iscsi_async {
	uint8_t opcode, flags, rsvd2[2], ahslen, datalen[3], lun[8];
	uint32_t itt; /* 0xffffffff */
	uint32_t rsvd20;
	uint32_t statsn, expcmdsn, maxcmdsn;
	uint8_t event, vcode;
	uint16_t param1, param2, param3;
	uint8_t rsvd[4];
};

struct iscsi_snack {
	uint8_t opcode, flags, rsvd2[2], ahslen, datalen[3], lun[8];
	uint32_t itt, ttt, rsvd24, expstatsn;
	uint8_t rsvd32[8];
	uint32_t begrun, runlength;
};

_Static_assert(sizeof(struct iscsi_bhs) == ISCSI_BHS_LEN, "BHS is 48 bytes");
_Static_assert(sizeof(struct iscsi_scsi_cmd) == ISCSI_BHS_LEN, "SCSI Command BHS");
_Static_assert(sizeof(struct iscsi_scsi_rsp) == ISCSI_BHS_LEN, "SCSI Response BHS");
_Static_assert(sizeof(struct iscsi_data) == ISCSI_BHS_LEN, "Data BHS");
_Static_assert(sizeof(struct iscsi_r2t) == ISCSI_BHS_LEN, "R2T BHS");
_Static_assert(sizeof(struct iscsi_nop) == ISCSI_BHS_LEN, "NOP BHS");
_Static_assert(sizeof(struct iscsi_login_req) == ISCSI_BHS_LEN, "Login Request BHS");
_Static_assert(sizeof(struct iscsi_login_rsp) == ISCSI_BHS_LEN, "Login Response BHS");
_Static_assert(sizeof(struct iscsi_text) == ISCSI_BHS_LEN, "Text BHS");
_Static_assert(sizeof(struct iscsi_logout_req) == ISCSI_BHS_LEN, "Logout Request BHS");
_Static_assert(sizeof(struct iscsi_logout_rsp) == ISCSI_BHS_LEN, "Logout Response BHS");
_Static_assert(sizeof(struct iscsi_tmf_req) == ISCSI_BHS_LEN, "TMF Request BHS");
_Static_assert(sizeof(struct iscsi_tmf_rsp) == ISCSI_BHS_LEN, "TMF Response BHS");
_Static_assert(sizeof(struct iscsi_reject) == ISCSI_BHS_LEN, "Reject BHS");
_Static_assert(sizeof(struct iscsi_async) == ISCSI_BHS_LEN, "Async BHS");
_Static_assert(sizeof(struct iscsi_snack) == ISCSI_BHS_LEN, "SNACK BHS");

static inline uint8_t iscsi_bhs_opcode(const void *bhs)
{
	return ((const uint8_t *)bhs)[0] & ISCSI_OPCODE_MASK;
}

static inline bool iscsi_bhs_immediate(const void *bhs)
{
	return (((const uint8_t *)bhs)[0] & ISCSI_FLAG_IMMEDIATE) != 0;
}

static inline uint32_t iscsi_bhs_datalen(const void *bhs)
{
	const uint8_t *p = bhs;
	return ((uint32_t)p[5] << 16) | ((uint32_t)p[6] << 8) | p[7];
}

static inline uint32_t iscsi_bhs_ahslen(const void *bhs)
{
	return (uint32_t)((const uint8_t *)bhs)[4] * 4;
}

/* Set DataSegmentLength; lengths above 2^24-1 cannot be expressed. */
void iscsi_bhs_set_datalen(void *bhs, uint32_t len);

/* Bytes of padding after a data segment of len bytes. */
static inline uint32_t iscsi_pad(uint32_t len)
{
	return (4 - (len & 3)) & 3;
}

/* Encode and decode the 8-byte LUN field (SAM-5 4.6): single level
 * peripheral device addressing below 256, flat space addressing up to
 * 16383. */
void iscsi_lun_encode(uint8_t out[8], uint64_t lun);
uint64_t iscsi_lun_decode(const uint8_t in[8]);

/* Serial number arithmetic (RFC 1982, 32 bits) used for CmdSN and StatSN. */
static inline bool sn_lt(uint32_t a, uint32_t b)
{
	return a != b && (int32_t)(a - b) < 0;
}

static inline bool sn_le(uint32_t a, uint32_t b)
{
	return a == b || sn_lt(a, b);
}

/* Name of an opcode for messages ("SCSI Command", "unknown"). */
const char *iscsi_opcode_name(uint8_t opcode);

/* Is this an opcode an initiator may send? */
bool iscsi_opcode_from_initiator(uint8_t opcode);

/* Check the header of a PDU received from an initiator: the opcode is one
 * an initiator sends, the AHS length is within reason, the data segment
 * does not exceed max_data (our MaxRecvDataSegmentLength, or the login
 * limit) and the PDU type may carry data at all.  Returns 0, or a Reject
 * reason; *why gets a short description for the log. */
int iscsi_check_initiator_bhs(const struct iscsi_bhs *bhs, uint32_t max_data, const char **why);

#endif
