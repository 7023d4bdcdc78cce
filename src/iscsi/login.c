#include "iscsi/login.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "config/config.h"
#include "iscsi/auth.h"
#include "iscsi/conn.h"
#include "iscsi/session.h"

/* Build and queue a Login Response. */
static void send_login_rsp(struct iscsi_conn *conn, uint8_t flags, uint16_t status,
			   const uint8_t *data, uint32_t len)
{
	struct iscsi_login *login = conn->login;
	struct iscsi_login_rsp rsp;

	memset(&rsp, 0, sizeof(rsp));
	rsp.opcode = ISCSI_OP_LOGIN_RSP;
	rsp.flags = flags;
	rsp.version_max = 0;
	rsp.version_active = 0;
	memcpy(rsp.isid, login->isid, 6);
	rsp.tsih = htons(login->tsih);
	rsp.itt = htonl(login->itt);
	rsp.statsn = htonl(conn->statsn++);
	rsp.expcmdsn = htonl(login->cmdsn);
	rsp.maxcmdsn = htonl(login->cmdsn + SESSION_CMD_WINDOW - 1);
	rsp.status_class = (uint8_t)(status >> 8);
	rsp.status_detail = (uint8_t)status;
	iscsi_bhs_set_datalen(&rsp, len);
	iscsi_conn_send_pdu(conn, &rsp, data, len);
}

static void close_after_send(struct iscsi_conn *conn)
{
	iscsi_conn_close(conn, "login failed");
}

/* Refuse the login: a Login Response with the failure status, then close. */
void iscsi_login_fail(struct iscsi_conn *conn, uint16_t status, const char *why)
{
	struct iscsi_login *login = conn->login;
	struct tx_pdu *p;
	uint8_t flags = (uint8_t)(login->stage << ISCSI_LOGIN_CSG_SHIFT);

	log_info("login from %s (%s) refused: %s (status 0x%04x)", conn->peer,
		 login->initiator[0] ? login->initiator : "unnamed initiator", why, status);
	send_login_rsp(conn, flags, status, NULL, 0);
	p = container_of(conn->txq.prev, struct tx_pdu, item.node);
	p->after = close_after_send;
	conn->state = CONN_LOGOUT; /* accept nothing more */
}

static int login_complete(struct iscsi_conn *conn);

/* Send what fits of the pending response text; the rest waits for the
 * initiator's next (empty) Login Request.  The stage transition the
 * response grants happens with its last part. */
static void send_pending(struct iscsi_conn *conn)
{
	struct iscsi_login *login = conn->login;
	uint32_t left = (uint32_t)login->pending.len - login->pending_off;
	uint32_t n = MIN(left, conn->params.max_send_dsl);
	uint8_t flags = login->pending_flags;
	bool last = n == left;
	int nsg = flags & ISCSI_LOGIN_NSG_MASK;

	if (!last)
		flags = (uint8_t)((flags & ~(ISCSI_LOGIN_TRANSIT | ISCSI_LOGIN_NSG_MASK)) |
				  ISCSI_LOGIN_CONTINUE);
	else if ((flags & ISCSI_LOGIN_TRANSIT) && nsg == ISCSI_STAGE_FULL_FEATURE &&
		 login_complete(conn) < 0)
		return;
	send_login_rsp(conn, flags, ISCSI_LOGIN_OK,
		       (const uint8_t *)login->pending.data + login->pending_off, n);
	login->pending_off += n;
	if (!last)
		return;
	iscsi_text_free(&login->pending);
	login->pending_off = 0;
	if (flags & ISCSI_LOGIN_TRANSIT) {
		login->stage = nsg;
		if (nsg == ISCSI_STAGE_FULL_FEATURE)
			conn->state = CONN_FULL_FEATURE;
	}
}

static bool valid_iscsi_name_chars(const char *s)
{
	if (*s == '\0' || strlen(s) > 223)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x21 || (unsigned char)*s > 0x7e)
			return false;
	return true;
}

/* The first request names the initiator, the session type and the target;
 * check that the initiator may reach that target through this portal. */
static int login_identify(struct iscsi_conn *conn, const struct iscsi_keys *keys)
{
	struct iscsi_login *login = conn->login;
	const char *iname = iscsi_keys_get(keys, "InitiatorName");
	const char *stype = iscsi_keys_get(keys, "SessionType");
	const char *tname = iscsi_keys_get(keys, "TargetName");
	const struct cfg_target *t;
	struct iscsi_policy pol;

	if (iname == NULL || !valid_iscsi_name_chars(iname)) {
		iscsi_login_fail(conn, ISCSI_LOGIN_MISSING_PARAMETER, "no valid InitiatorName");
		return -1;
	}
	strlcpy_luna(login->initiator, iname, sizeof(login->initiator));
	if (stype == NULL || strcmp(stype, "Normal") == 0) {
		login->discovery = false;
	} else if (strcmp(stype, "Discovery") == 0) {
		login->discovery = true;
	} else {
		iscsi_login_fail(conn, ISCSI_LOGIN_SESSION_TYPE_UNSUPPORTED, "unknown SessionType");
		return -1;
	}
	login->cfg = config_current();
	iscsi_policy_defaults(&pol);
	if (!login->discovery) {
		if (tname == NULL) {
			iscsi_login_fail(conn, ISCSI_LOGIN_MISSING_PARAMETER,
				   "normal session without TargetName");
			return -1;
		}
		strlcpy_luna(login->target, tname, sizeof(login->target));
		t = config_find_target(login->cfg, tname);
		if (t != NULL)
			login->tpg = config_tpg_for_addr(t, (struct sockaddr *)&conn->local_addr,
							 conn->local_len);
		if (t == NULL || login->tpg == NULL) {
			iscsi_login_fail(conn, ISCSI_LOGIN_TARGET_NOT_FOUND,
				   "no such target on this portal");
			return -1;
		}
		if (!config_initiator_allowed(login->tpg, iname)) {
			iscsi_login_fail(conn, ISCSI_LOGIN_AUTHZ_FAILED,
				   "initiator is not in the target's access list");
			return -1;
		}
		for (unsigned i = 0; i < login->tpg->n_params; i++) {
			char err[160];
			/* Validated when the config was loaded. */
			if (iscsi_policy_set(&pol, login->tpg->params[i].key,
					     login->tpg->params[i].value, err, sizeof(err)) < 0)
				log_debug("TPG parameter ignored: %s", err);
		}
	}
	iscsi_negotiation_init(&login->neg, &pol, login->discovery);
	return 0;
}

/* Keys that only identify, and need no answer. */
static bool informational_key(const char *k)
{
	return strcmp(k, "InitiatorName") == 0 || strcmp(k, "InitiatorAlias") == 0 ||
	       strcmp(k, "SessionType") == 0 || strcmp(k, "TargetName") == 0;
}

static int negotiate_keys(struct iscsi_conn *conn, const struct iscsi_keys *keys,
			  struct iscsi_text_buf *out)
{
	struct iscsi_login *login = conn->login;

	for (unsigned i = 0; i < keys->count; i++) {
		const char *k = keys->kv[i].key, *v = keys->kv[i].value;
		const char *why = NULL;

		if (informational_key(k) || iscsi_is_auth_key(k))
			continue;
		if (iscsi_negotiate_key(&login->neg, k, v, out, &why) < 0) {
			iscsi_login_fail(conn, ISCSI_LOGIN_INITIATOR_ERROR, why);
			return -1;
		}
	}
	return 0;
}

/* Enter full feature phase: the session is created now. */
static int login_complete(struct iscsi_conn *conn)
{
	struct iscsi_login *login = conn->login;
	struct iscsi_session *sess;

	conn->params = login->neg.params;
	sess = iscsi_session_new(conn, login->discovery ? SESSION_DISCOVERY : SESSION_NORMAL,
				 login->initiator, login->isid, login->target,
				 login->tpg ? login->tpg->tag : 0, login->cmdsn);
	if (sess == NULL) {
		iscsi_login_fail(conn, ISCSI_LOGIN_OUT_OF_RESOURCES, "cannot create the session");
		return -1;
	}
	login->tsih = sess->tsih;
	log_info("%s session %u of %s from %s (%s) logged in%s%s; digests %s/%s, "
		 "MaxRecvDataSegmentLength %u/%u, MaxBurstLength %u, FirstBurstLength %u, "
		 "ImmediateData %s, InitialR2T %s",
		 login->discovery ? "discovery" : "normal", sess->tsih, login->initiator,
		 conn->peer, login->discovery ? "SendTargets" : login->target,
		 login->discovery ? "" : " to ", login->discovery ? "" : login->target,
		 conn->params.header_digest ? "CRC32C" : "None",
		 conn->params.data_digest ? "CRC32C" : "None", conn->params.max_recv_dsl,
		 conn->params.max_send_dsl, conn->params.max_burst, conn->params.first_burst,
		 conn->params.immediate_data ? "Yes" : "No",
		 conn->params.initial_r2t ? "Yes" : "No");
	return 0;
}

/* Check the header fields that must stay the same for a whole login. */
static int check_header(struct iscsi_conn *conn, const struct iscsi_login_req *req)
{
	struct iscsi_login *login = conn->login;
	int csg = (req->flags & ISCSI_LOGIN_CSG_MASK) >> ISCSI_LOGIN_CSG_SHIFT;
	int nsg = req->flags & ISCSI_LOGIN_NSG_MASK;
	bool transit = req->flags & ISCSI_LOGIN_TRANSIT;

	if (!login->started) {
		if (req->version_min > 0) {
			iscsi_login_fail(conn, ISCSI_LOGIN_UNSUPPORTED_VERSION,
				   "initiator wants an iSCSI version above 0");
			return -1;
		}
		memcpy(login->isid, req->isid, 6);
		login->tsih = ntohs(req->tsih);
		login->cmdsn = ntohl(req->cmdsn);
		conn->statsn = ntohl(req->expstatsn);
		conn->cid = ntohs(req->cid);
		login->stage = csg;
		login->started = true;
		if (login->tsih != 0) {
			/* Adding a connection to a session: MaxConnections is 1. */
			iscsi_login_fail(conn, ISCSI_LOGIN_SESSION_DOES_NOT_EXIST,
				   "login to an existing session (TSIH set); Luna negotiates "
				   "MaxConnections=1");
			return -1;
		}
	} else if (memcmp(login->isid, req->isid, 6) != 0 || ntohs(req->tsih) != login->tsih) {
		iscsi_login_fail(conn, ISCSI_LOGIN_INITIATOR_ERROR, "ISID or TSIH changed during login");
		return -1;
	}
	login->itt = ntohl(req->itt);
	if (csg != login->stage || csg == 2 || (transit && (nsg == 2 || nsg <= csg))) {
		iscsi_login_fail(conn, ISCSI_LOGIN_INITIATOR_ERROR, "invalid login stage transition");
		return -1;
	}
	if (transit && (req->flags & ISCSI_LOGIN_CONTINUE)) {
		iscsi_login_fail(conn, ISCSI_LOGIN_INITIATOR_ERROR, "both T and C bits set");
		return -1;
	}
	return 0;
}

/* Gather a request split over PDUs with the C bit.  Returns 1 when more
 * is to come, 0 when *text holds the whole request, -1 on failure. */
static int gather(struct iscsi_conn *conn, const struct iscsi_login_req *req,
		  const uint8_t *data, uint32_t len)
{
	struct iscsi_login *login = conn->login;
	uint8_t *n;

	if (login->partial_len + len > ISCSI_TEXT_MAX) {
		iscsi_login_fail(conn, ISCSI_LOGIN_INITIATOR_ERROR, "login text longer than 64 KiB");
		return -1;
	}
	n = realloc(login->partial, login->partial_len + len + 1);
	if (n == NULL) {
		iscsi_login_fail(conn, ISCSI_LOGIN_OUT_OF_RESOURCES, "out of memory");
		return -1;
	}
	memcpy(n + login->partial_len, data, len);
	login->partial = n;
	login->partial_len += len;
	if (req->flags & ISCSI_LOGIN_CONTINUE) {
		/* An empty response asks for the next part. */
		send_login_rsp(conn, (uint8_t)(login->stage << ISCSI_LOGIN_CSG_SHIFT),
			       ISCSI_LOGIN_OK, NULL, 0);
		return 1;
	}
	return 0;
}

static void finish_round(struct iscsi_conn *conn, const struct iscsi_login_req *req,
			 struct iscsi_text_buf *out, bool may_transit)
{
	struct iscsi_login *login = conn->login;
	int nsg = req->flags & ISCSI_LOGIN_NSG_MASK;
	bool transit = (req->flags & ISCSI_LOGIN_TRANSIT) && may_transit;
	uint8_t flags = (uint8_t)(login->stage << ISCSI_LOGIN_CSG_SHIFT);

	if (transit && nsg == ISCSI_STAGE_FULL_FEATURE)
		iscsi_negotiate_finish(&login->neg, out);
	if (out->overflow) {
		iscsi_login_fail(conn, ISCSI_LOGIN_TARGET_ERROR, "login response too long");
		return;
	}
	if (transit)
		flags |= ISCSI_LOGIN_TRANSIT | (uint8_t)nsg;
	login->pending = *out;
	login->pending_off = 0;
	login->pending_flags = flags;
	iscsi_text_init(out);
	send_pending(conn);
}

void iscsi_login_rx(struct iscsi_conn *conn, const struct iscsi_login_req *req,
		    const uint8_t *data, uint32_t len)
{
	struct iscsi_login *login = conn->login;
	struct iscsi_keys keys;
	struct iscsi_text_buf out;
	const char *why;
	bool first = !login->started;
	bool may_transit = true;
	int r;

	if (check_header(conn, req) < 0)
		return;
	if (login->pending.len > login->pending_off) {
		/* The initiator is collecting the rest of our long response. */
		send_pending(conn);
		return;
	}
	r = gather(conn, req, data, len);
	if (r != 0)
		return;
	r = iscsi_keys_parse(&keys, login->partial, login->partial_len, &why);
	free(login->partial);
	login->partial = NULL;
	login->partial_len = 0;
	if (r < 0) {
		iscsi_login_fail(conn, ISCSI_LOGIN_INITIATOR_ERROR, why);
		return;
	}
	if (first && login_identify(conn, &keys) < 0)
		goto out_keys;
	iscsi_text_init(&out);
	if (first && !login->discovery)
		iscsi_text_addf(&out, "TargetPortalGroupTag", "%u", login->tpg->tag);
	if (login->stage == ISCSI_STAGE_SECURITY) {
		r = iscsi_auth_step(conn, &keys, &out);
		if (r < 0) {
			iscsi_text_free(&out);
			goto out_keys; /* the auth code answered */
		}
		may_transit = r == 1;
	} else if (!login->security_done && iscsi_auth_required(conn)) {
		iscsi_text_free(&out);
		iscsi_auth_fail(conn,
				"authentication required but the initiator skipped the security stage");
		goto out_keys;
	}
	if (negotiate_keys(conn, &keys, &out) < 0) {
		iscsi_text_free(&out);
		goto out_keys;
	}
	finish_round(conn, req, &out, may_transit);
	iscsi_text_free(&out);
out_keys:
	iscsi_keys_free(&keys);
}

void iscsi_login_free(struct iscsi_login *login)
{
	if (login == NULL)
		return;
	free(login->partial);
	iscsi_text_free(&login->pending);
	iscsi_auth_free(login);
	if (login->cfg)
		config_put(login->cfg);
	free(login);
}
