/* The login phase (RFC 7143 section 6.3): stages, security and operational
 * negotiation, target lookup and access control, and the move to full
 * feature phase. */
#ifndef LUNA_ISCSI_LOGIN_H
#define LUNA_ISCSI_LOGIN_H

#include <stdint.h>

#include "iscsi/keys.h"
#include "iscsi/params.h"
#include "iscsi/pdu.h"

struct iscsi_conn;
struct luna_config;
struct cfg_tpg;

#define LOGIN_TIMEOUT_MS 15000
#define LOGIN_MAX_DATA 8192 /* what we accept per Login PDU */

struct iscsi_login {
	int stage;		/* current stage (CSG) */
	bool started;		/* first request seen */
	bool security_done;	/* authentication (or none) settled */
	uint8_t isid[6];
	uint16_t tsih;
	uint32_t itt;
	uint32_t cmdsn;
	bool discovery;
	char initiator[224];
	char target[224];
	struct iscsi_negotiation neg;
	struct luna_config *cfg;
	const struct cfg_tpg *tpg;
	/* a request split over several PDUs (C bit) */
	uint8_t *partial;
	uint32_t partial_len;
	/* a response too long for one PDU */
	struct iscsi_text_buf pending;
	uint32_t pending_off;
	uint8_t pending_flags;
	void *auth; /* authentication state (CHAP) */
};

/* Handle one Login Request PDU (header and data segment). */
void iscsi_login_rx(struct iscsi_conn *conn, const struct iscsi_login_req *req,
		    const uint8_t *data, uint32_t len);
void iscsi_login_free(struct iscsi_login *login);

/* Refuse the login with a Login Response carrying status, then close the
 * connection.  why goes to the log. */
void iscsi_login_fail(struct iscsi_conn *conn, uint16_t status, const char *why);

#endif
