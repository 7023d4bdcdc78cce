/* Login (RFC 7143 6.3 and 11.12): the security stage with AuthMethod and
 * CHAP, then the operational stage with ini_neg, until the target moves
 * us to full feature phase. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "initiator/internal.h"

enum auth_step { AUTH_METHOD, AUTH_ALG, AUTH_RESPONSE, AUTH_DONE };

static bool discovery(const struct ini_session *s)
{
	return s->cfg.target_name[0] == '\0';
}

static bool want_chap(const struct ini_session *s)
{
	return s->cfg.chap_user[0] != '\0';
}

static bool want_mutual(const struct ini_session *s)
{
	return s->cfg.mutual_user[0] != '\0';
}

static void send_login(struct ini_session *s, bool transit, int nsg, struct iscsi_text_buf *t)
{
	struct iscsi_login_req r = {0};
	uint32_t len = (uint32_t)t->len;
	void *data = t->data;

	if (t->overflow) {
		iscsi_text_free(t);
		ini_fail(s, "our login keys do not fit in a PDU");
		return;
	}
	r.opcode = ISCSI_OP_LOGIN_REQ | ISCSI_FLAG_IMMEDIATE;
	r.flags = (uint8_t)((transit ? ISCSI_LOGIN_TRANSIT : 0) |
			    (s->login_csg << ISCSI_LOGIN_CSG_SHIFT) | (transit ? nsg : 0));
	memcpy(r.isid, s->isid, sizeof(r.isid));
	r.tsih = 0; /* always a new session, or the reinstatement of ours */
	r.itt = htonl(s->login_itt);
	r.cid = htons(s->cid);
	r.cmdsn = htonl(s->cmdsn);
	r.expstatsn = htonl(s->expstatsn);
	t->data = NULL;
	t->len = t->cap = 0;
	ini_send(s, &r, data, len, data);
}

static void send_operational(struct ini_session *s)
{
	struct iscsi_text_buf t;

	s->login_csg = ISCSI_STAGE_OPERATIONAL;
	iscsi_text_init(&t);
	ini_neg_offer(&s->cfg, discovery(s), &t);
	send_login(s, true, ISCSI_STAGE_FULL_FEATURE, &t);
}

int ini_login_begin(struct ini_session *s)
{
	struct iscsi_text_buf t;

	ini_neg_defaults(&s->neg, &s->cfg);
	s->login_itt = ini_alloc_itt(s);
	s->login_csg = ISCSI_STAGE_SECURITY;
	s->auth_step = AUTH_METHOD;
	s->expstatsn = 0;
	s->chap = (struct ini_chapc){.user = s->cfg.chap_user,
				     .secret = s->cfg.chap_secret,
				     .mutual_user = s->cfg.mutual_user,
				     .mutual_secret = s->cfg.mutual_secret,
				     .algs = s->cfg.chap_algs,
				     .n_algs = s->cfg.n_chap_algs};
	iscsi_text_init(&t);
	iscsi_text_add(&t, "InitiatorName", s->cfg.initiator_name);
	iscsi_text_add(&t, "SessionType", discovery(s) ? "Discovery" : "Normal");
	if (!discovery(s))
		iscsi_text_add(&t, "TargetName", s->cfg.target_name);
	/* With mutual CHAP the target must authenticate, so None is no option. */
	iscsi_text_add(&t, "AuthMethod",
		       want_mutual(s) ? "CHAP" : (want_chap(s) ? "CHAP,None" : "None"));
	send_login(s, !want_chap(s), ISCSI_STAGE_OPERATIONAL, &t);
	return s->state == INI_DEAD ? -1 : 0;
}

static const char *status_text(unsigned st)
{
	switch (st) {
	case ISCSI_LOGIN_AUTH_FAILED:
		return "authentication failed (check the CHAP user name and secret)";
	case ISCSI_LOGIN_AUTHZ_FAILED:
		return "this initiator is not allowed to log in to the target (ACL)";
	case ISCSI_LOGIN_TARGET_NOT_FOUND:
		return "no such target (check the target name)";
	case ISCSI_LOGIN_TARGET_REMOVED:
		return "the target has been removed";
	case ISCSI_LOGIN_UNSUPPORTED_VERSION:
		return "unsupported iSCSI version";
	case ISCSI_LOGIN_TOO_MANY_CONNECTIONS:
		return "too many connections";
	case ISCSI_LOGIN_MISSING_PARAMETER:
		return "a parameter is missing";
	case ISCSI_LOGIN_SESSION_TYPE_UNSUPPORTED:
		return "session type not supported";
	case ISCSI_LOGIN_INITIATOR_ERROR:
		return "initiator error (the target did not accept our login request)";
	case ISCSI_LOGIN_SERVICE_UNAVAILABLE:
		return "service unavailable";
	case ISCSI_LOGIN_OUT_OF_RESOURCES:
		return "the target is out of resources";
	default:
		return "login refused";
	}
}

static void login_status(struct ini_session *s, const struct iscsi_login_rsp *r,
			 const struct iscsi_keys *keys)
{
	unsigned st = (unsigned)r->status_class << 8 | r->status_detail;
	const char *addr = keys ? iscsi_keys_get(keys, "TargetAddress") : NULL;

	if (r->status_class == 1)
		ini_fail(s,
			 "login to %s port %u: the target moved to %s (status 0x%04x); use that "
			 "address",
			 s->cfg.host, s->cfg.port, addr ? addr : "an address it did not give", st);
	else if (r->status_class == 3)
		ini_conn_lost(s, "login to %s port %u: target error: %s (status 0x%04x)",
			      s->cfg.host, s->cfg.port, status_text(st), st);
	else
		ini_fail(s, "login to %s port %u refused: %s (status 0x%04x)", s->cfg.host,
			 s->cfg.port, status_text(st), st);
}

/* Security stage: one response, one step. */
static void security_step(struct ini_session *s, const struct iscsi_keys *keys, bool transit,
			  int nsg)
{
	const char *method = iscsi_keys_get(keys, "AuthMethod");
	struct iscsi_text_buf t;

	iscsi_text_init(&t);
	switch (s->auth_step) {
	case AUTH_METHOD:
		if (method && strcmp(method, "Reject") == 0) {
			iscsi_text_free(&t);
			ini_fail(s, "login to %s: the target refused AuthMethod %s%s", s->cfg.host,
				 want_chap(s) ? "CHAP" : "None",
				 want_chap(s) ? "" : " (it requires CHAP: give a user and secret)");
			return;
		}
		if (method && strcmp(method, "CHAP") == 0 && want_chap(s)) {
			ini_chapc_offer(&s->chap, &t);
			s->auth_step = AUTH_ALG;
			send_login(s, false, 0, &t);
			return;
		}
		if (method && strcmp(method, "None") != 0) {
			iscsi_text_free(&t);
			ini_fail(s, "login: the target chose AuthMethod=%s, which we did not offer",
				 method);
			return;
		}
		s->auth_step = AUTH_DONE;
		break;
	case AUTH_ALG:
		if (ini_chapc_answer(&s->chap, keys, &t, s->err, sizeof(s->err)) < 0) {
			char msg[INI_ERR_MAX];
			iscsi_text_free(&t);
			memcpy(msg, s->err, sizeof(msg));
			ini_fail(s, "login to %s: %s", s->cfg.host, msg);
			return;
		}
		s->auth_step = AUTH_RESPONSE;
		send_login(s, true, ISCSI_STAGE_OPERATIONAL, &t);
		return;
	case AUTH_RESPONSE:
		if (want_mutual(s) &&
		    ini_chapc_verify(&s->chap, keys, s->err, sizeof(s->err)) < 0) {
			char msg[INI_ERR_MAX];
			iscsi_text_free(&t);
			memcpy(msg, s->err, sizeof(msg));
			ini_fail(s, "login to %s: %s", s->cfg.host, msg);
			return;
		}
		s->auth_step = AUTH_DONE;
		break;
	default:
		break;
	}
	if (transit && nsg == ISCSI_STAGE_OPERATIONAL) {
		iscsi_text_free(&t);
		send_operational(s);
		return;
	}
	/* The target wants another round: ask again to move on. */
	send_login(s, true, ISCSI_STAGE_OPERATIONAL, &t);
}

static void operational_step(struct ini_session *s, const struct iscsi_login_rsp *r,
			     const struct iscsi_keys *keys, bool transit, int nsg)
{
	struct iscsi_text_buf reply;
	char err[INI_ERR_MAX];

	iscsi_text_init(&reply);
	if (ini_neg_apply(&s->neg, &s->cfg, discovery(s), keys, &reply, err, sizeof(err)) < 0) {
		iscsi_text_free(&reply);
		ini_fail(s, "login to %s: %s", s->cfg.host, err);
		return;
	}
	if (transit && nsg == ISCSI_STAGE_FULL_FEATURE) {
		iscsi_text_free(&reply);
		s->tsih = ntohs(r->tsih);
		s->cmdsn = ntohl(r->expcmdsn);
		ini_logged_in(s);
		return;
	}
	send_login(s, true, ISCSI_STAGE_FULL_FEATURE, &reply);
}

/* Checks of the response that do not depend on the stage. */
static int check_rsp(struct ini_session *s, const struct iscsi_login_rsp *r)
{
	int csg = (r->flags & ISCSI_LOGIN_CSG_MASK) >> ISCSI_LOGIN_CSG_SHIFT;

	if (ntohl(r->itt) != s->login_itt) {
		ini_fail(s, "login: the target answered with an unknown initiator task tag 0x%08x",
			 ntohl(r->itt));
		return -1;
	}
	/* Some targets (tgt) zero the ISID of a refusal: check it on success. */
	if (r->status_class == 0 && memcmp(r->isid, s->isid, sizeof(s->isid)) != 0) {
		ini_fail(s,
			 "login: the target answered for another ISID (%02x%02x%02x%02x%02x%02x, "
			 "ours %02x%02x%02x%02x%02x%02x)",
			 r->isid[0], r->isid[1], r->isid[2], r->isid[3], r->isid[4], r->isid[5],
			 s->isid[0], s->isid[1], s->isid[2], s->isid[3], s->isid[4], s->isid[5]);
		return -1;
	}
	if (r->status_class == 0 &&
	    (csg != s->login_csg || r->version_active != 0 ||
	     ((r->flags & ISCSI_LOGIN_TRANSIT) && (r->flags & ISCSI_LOGIN_CONTINUE)))) {
		ini_fail(s,
			 "login: malformed Login Response (stage %d, expected %d; version %u; "
			 "flags 0x%02x)",
			 csg, s->login_csg, r->version_active, r->flags);
		return -1;
	}
	return 0;
}

/* A continued response: collect its text, ask for the rest. */
static bool continued(struct ini_session *s, const struct iscsi_login_rsp *r, const uint8_t *data,
		      uint32_t len)
{
	struct iscsi_text_buf empty;

	if (s->login_text_len + len > ISCSI_TEXT_MAX) {
		ini_fail(s, "login: the target's key list is longer than %u bytes", ISCSI_TEXT_MAX);
		return true;
	}
	s->login_text = realloc(s->login_text, s->login_text_len + len + 1);
	if (s->login_text == NULL) {
		ini_fail(s, "login: out of memory");
		return true;
	}
	memcpy(s->login_text + s->login_text_len, data, len);
	s->login_text_len += len;
	if (!(r->flags & ISCSI_LOGIN_CONTINUE))
		return false;
	iscsi_text_init(&empty);
	send_login(s, false, 0, &empty);
	return true;
}

void ini_login_rsp(struct ini_session *s, const uint8_t *hdr, const uint8_t *data, uint32_t len)
{
	const struct iscsi_login_rsp *r = (const void *)hdr;
	bool transit = (r->flags & ISCSI_LOGIN_TRANSIT) != 0;
	int nsg = r->flags & ISCSI_LOGIN_NSG_MASK;
	struct iscsi_keys keys;
	const char *why = NULL;
	int rc;

	if (check_rsp(s, r) < 0 || continued(s, r, data, len))
		return;
	rc = iscsi_keys_parse(&keys, s->login_text, s->login_text_len, &why);
	free(s->login_text);
	s->login_text = NULL;
	s->login_text_len = 0;
	if (rc < 0) {
		ini_fail(s, "login: malformed keys from the target: %s", why);
		return;
	}
	if (r->status_class != 0) {
		login_status(s, r, &keys);
	} else {
		/* A new connection: the target's numbers start here. */
		s->expstatsn = ntohl(r->statsn) + 1;
		s->expcmdsn = ntohl(r->expcmdsn);
		s->maxcmdsn = ntohl(r->maxcmdsn);
		if (s->login_csg == ISCSI_STAGE_SECURITY)
			security_step(s, &keys, transit, nsg);
		else
			operational_step(s, r, &keys, transit, nsg);
	}
	iscsi_keys_free(&keys);
}
