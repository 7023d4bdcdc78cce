/* The security stage of login (RFC 7143 sections 6.3.2 and 12.1.3):
 * AuthMethod negotiation, then CHAP as the authenticator (CHAP_A, CHAP_I,
 * CHAP_C out; CHAP_N, CHAP_R in) and, for mutual CHAP, as the
 * authenticatee (CHAP_I, CHAP_C in; CHAP_N, CHAP_R out).
 *
 * Credentials come from the initiator's node ACL, from the TPG itself in
 * demo mode (generate_node_acls), or from the iSCSI fabric module's
 * discovery_* keys for discovery sessions.  A refused authentication is
 * answered only after AUTH_FAIL_DELAY_MS, so that guessing secrets is slow;
 * the wait is a loop timer, never a sleep on the worker.  Secrets and
 * digests never go to the log. */
#include "iscsi/auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "config/config.h"
#include "iscsi/chap.h"
#include "iscsi/conn.h"
#include "iscsi/login.h"

#define AUTH_FAIL_DELAY_MS 1000

enum auth_phase {
	AUTH_METHOD,	    /* AuthMethod not settled yet */
	AUTH_CHAP_ALG,	    /* CHAP chosen: waiting for CHAP_A */
	AUTH_CHAP_RESPONSE, /* challenge sent: waiting for CHAP_N / CHAP_R */
	AUTH_FAILING,	    /* refused; the answer waits for the timer */
};

struct auth_state {
	enum auth_phase phase;
	int alg;
	uint8_t id;
	uint8_t challenge[32];
	size_t challenge_len;
	struct loop_timer delay;
	const char *why; /* for the log, once the failure is sent */
};

bool iscsi_is_auth_key(const char *key)
{
	return strcmp(key, "AuthMethod") == 0 || strncmp(key, "CHAP_", 5) == 0;
}

/* The credentials that apply to this login, or NULL if none may. */
static const struct cfg_chap *auth_credentials(const struct iscsi_login *login)
{
	const struct cfg_acl *acl;

	if (login->cfg == NULL)
		return NULL;
	if (login->discovery)
		return &login->cfg->discovery.chap;
	if (login->tpg == NULL)
		return NULL;
	acl = config_find_acl(login->tpg, login->initiator);
	if (acl)
		return &acl->chap;
	return login->tpg->generate_node_acls ? &login->tpg->chap : NULL;
}

/* Required by the TPG's authentication attribute, by discovery_enable_auth,
 * or because the initiator's ACL has a CHAP user: an administrator who set
 * a secret expects it to be asked for. */
bool iscsi_auth_required(struct iscsi_conn *conn)
{
	struct iscsi_login *login = conn->login;
	const struct cfg_acl *acl;

	if (login->discovery)
		return login->cfg && login->cfg->discovery.enable_auth;
	if (login->tpg == NULL)
		return false;
	if (login->tpg->authentication)
		return true;
	acl = config_find_acl(login->tpg, login->initiator);
	return acl && acl->chap.userid[0];
}

static bool have_credentials(const struct cfg_chap *c)
{
	return c && c->userid[0] && c->password[0];
}

static struct auth_state *auth_state(struct iscsi_login *login)
{
	if (login->auth == NULL)
		login->auth = calloc(1, sizeof(struct auth_state));
	return login->auth;
}

/* ---- refusing, slowly ----------------------------------------------------- */

static void auth_fail_now(void *arg)
{
	struct iscsi_conn *conn = arg;
	struct auth_state *st = conn->login->auth;

	if (conn->state != CONN_CLOSED) {
		conn->state = CONN_LOGIN;
		loop_fd_mod(conn->loop, &conn->lfd, EPOLLIN);
		iscsi_login_fail(conn, ISCSI_LOGIN_AUTH_FAILED, st->why);
		iscsi_conn_kick(conn);
	}
	iscsi_conn_release(conn);
}

/* Refuse with Authentication Failure after a delay.  Meanwhile the
 * connection reads nothing (its socket is not watched), and the connection
 * is held so that the login state outlives an early close. */
int iscsi_auth_fail(struct iscsi_conn *conn, const char *why)
{
	struct auth_state *st = auth_state(conn->login);

	if (st == NULL) {
		iscsi_login_fail(conn, ISCSI_LOGIN_OUT_OF_RESOURCES, "out of memory");
		return -1;
	}
	st->phase = AUTH_FAILING;
	st->why = why;
	conn->state = CONN_LOGOUT; /* stop reading PDUs */
	loop_fd_mod(conn->loop, &conn->lfd, 0);
	iscsi_conn_hold(conn);
	loop_timer_add(conn->loop, &st->delay, AUTH_FAIL_DELAY_MS, auth_fail_now, conn);
	return -1;
}

/* ---- AuthMethod ------------------------------------------------------------ */

/* The first method of the initiator's list that we accept, or NULL. */
static const char *pick_method(const char *list, bool chap_ok, bool none_ok)
{
	for (const char *p = list; *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (chap_ok && len == 4 && strncmp(p, "CHAP", 4) == 0)
			return "CHAP";
		if (none_ok && len == 4 && strncmp(p, "None", 4) == 0)
			return "None";
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return NULL;
}

/* ---- CHAP as the authenticator -------------------------------------------- */

/* The first algorithm of the initiator's CHAP_A list that we implement. */
static int pick_alg(const char *list)
{
	for (const char *p = list; *p;) {
		char *end;
		long v = strtol(p, &end, 10);
		if (end != p && (*end == ',' || *end == '\0') && chap_alg_supported((int)v))
			return (int)v;
		p = strchr(p, ',');
		if (p == NULL)
			break;
		p++;
	}
	return 0;
}

static int send_challenge(struct iscsi_conn *conn, struct auth_state *st, const char *algs,
			  struct iscsi_text_buf *out)
{
	char hex[2 + 2 * sizeof(st->challenge) + 1];

	st->alg = pick_alg(algs);
	if (st->alg == 0)
		return iscsi_auth_fail(conn,
				       "the initiator offers no CHAP algorithm Luna implements");
	/* MD5 keeps the 16-byte challenge older initiators expect; the others
	 * get one as long as their digest. */
	st->challenge_len = st->alg == CHAP_ALG_MD5 ? 16 : sizeof(st->challenge);
	if (chap_random(&st->id, 1) < 0 || chap_random(st->challenge, st->challenge_len) < 0)
		return iscsi_auth_fail(conn, "no random numbers for the CHAP challenge");
	chap_encode_hex(st->challenge, st->challenge_len, hex, sizeof(hex));
	iscsi_text_addf(out, "CHAP_A", "%d", st->alg);
	iscsi_text_addf(out, "CHAP_I", "%u", st->id);
	iscsi_text_add(out, "CHAP_C", hex);
	st->phase = AUTH_CHAP_RESPONSE;
	return 0;
}

static bool check_response(const struct auth_state *st, const struct cfg_chap *cred,
			   const char *name, const char *resp)
{
	uint8_t got[CHAP_MAX_DIGEST], want[CHAP_MAX_DIGEST];
	size_t got_len = 0;
	int n;

	if (strcmp(name, cred->userid) != 0)
		return false;
	if (chap_decode(resp, got, sizeof(got), &got_len) < 0 ||
	    got_len != chap_digest_len(st->alg))
		return false;
	n = chap_response(st->alg, st->id, cred->password, strlen(cred->password), st->challenge,
			  st->challenge_len, want);
	return n == (int)got_len && chap_equal(got, want, got_len);
}

/* Mutual CHAP: answer the initiator's challenge with the mutual secret.
 * Returns NULL on success, else why the login is refused. */
static const char *answer_challenge(const struct auth_state *st, const struct cfg_chap *cred,
				    const char *id_s, const char *chal_s,
				    struct iscsi_text_buf *out)
{
	uint8_t chal[CHAP_MAX_CHALLENGE], digest[CHAP_MAX_DIGEST];
	char hex[2 + 2 * CHAP_MAX_DIGEST + 1];
	size_t chal_len = 0;
	char *end;
	long id = strtol(id_s ? id_s : "", &end, 10);
	int n;

	if (id_s == NULL || chal_s == NULL)
		return "the initiator sent only one of CHAP_I and CHAP_C";
	if (end == id_s || *end != '\0' || id < 0 || id > 255)
		return "CHAP_I from the initiator is not a number from 0 to 255";
	if (chap_decode(chal_s, chal, sizeof(chal), &chal_len) < 0 || chal_len == 0)
		return "CHAP_C from the initiator is malformed";
	if (chal_len == st->challenge_len && memcmp(chal, st->challenge, chal_len) == 0)
		return "the initiator returned our own challenge (reflection)";
	if (!cred->mutual_userid[0] || !cred->mutual_password[0])
		return "the initiator asks for mutual CHAP but no mutual credentials are set";
	n = chap_response(st->alg, (uint8_t)id, cred->mutual_password,
			  strlen(cred->mutual_password), chal, chal_len, digest);
	if (n < 0)
		return "cannot compute the mutual CHAP response";
	chap_encode_hex(digest, (size_t)n, hex, sizeof(hex));
	iscsi_text_add(out, "CHAP_N", cred->mutual_userid);
	iscsi_text_add(out, "CHAP_R", hex);
	return NULL;
}

static int verify(struct iscsi_conn *conn, struct auth_state *st, const struct iscsi_keys *in,
		  struct iscsi_text_buf *out)
{
	struct iscsi_login *login = conn->login;
	const struct cfg_chap *cred = auth_credentials(login);
	const char *name = iscsi_keys_get(in, "CHAP_N");
	const char *resp = iscsi_keys_get(in, "CHAP_R");
	const char *ci = iscsi_keys_get(in, "CHAP_I"), *cc = iscsi_keys_get(in, "CHAP_C");
	const char *why;

	if (name == NULL || resp == NULL)
		return iscsi_auth_fail(conn, "the initiator did not send CHAP_N and CHAP_R");
	if (!have_credentials(cred) || !check_response(st, cred, name, resp))
		return iscsi_auth_fail(conn, "wrong CHAP user name or response");
	if (ci || cc) {
		why = answer_challenge(st, cred, ci, cc, out);
		if (why)
			return iscsi_auth_fail(conn, why);
	}
	log_info("login from %s (%s): CHAP %s%s authentication succeeded", conn->peer,
		 login->initiator, chap_alg_name(st->alg), ci ? " mutual" : "");
	login->security_done = true;
	return 1;
}

/* ---- the stage --------------------------------------------------------------- */

static int choose_method(struct iscsi_conn *conn, struct auth_state *st, const char *methods,
			 struct iscsi_text_buf *out)
{
	bool required = iscsi_auth_required(conn);
	bool chap_ok = have_credentials(auth_credentials(conn->login));
	const char *m = pick_method(methods, chap_ok, !required);

	if (m == NULL) {
		if (required && !chap_ok)
			return iscsi_auth_fail(conn,
					       "authentication is required but no CHAP "
					       "credentials are configured for this initiator");
		return iscsi_auth_fail(conn, required
						 ? "authentication is required and the "
						   "initiator does not offer CHAP"
						 : "the initiator offers no authentication method "
						   "Luna accepts");
	}
	iscsi_text_add(out, "AuthMethod", m);
	if (strcmp(m, "None") == 0) {
		conn->login->security_done = true;
		return 1;
	}
	st->phase = AUTH_CHAP_ALG;
	return 0;
}

int iscsi_auth_step(struct iscsi_conn *conn, const struct iscsi_keys *in,
		    struct iscsi_text_buf *out)
{
	struct iscsi_login *login = conn->login;
	struct auth_state *st;
	const char *methods = iscsi_keys_get(in, "AuthMethod");
	const char *algs = iscsi_keys_get(in, "CHAP_A");
	int r;

	if (login->security_done)
		return 1;
	st = auth_state(login);
	if (st == NULL) {
		iscsi_login_fail(conn, ISCSI_LOGIN_OUT_OF_RESOURCES, "out of memory");
		return -1;
	}
	switch (st->phase) {
	case AUTH_METHOD:
		if (methods == NULL) {
			if (iscsi_auth_required(conn))
				return iscsi_auth_fail(conn, "authentication is required but the "
							     "initiator sent no AuthMethod");
			login->security_done = true;
			return 1;
		}
		r = choose_method(conn, st, methods, out);
		if (r != 0 || algs == NULL)
			return r;
		return send_challenge(conn, st, algs, out);
	case AUTH_CHAP_ALG:
		if (algs == NULL)
			return iscsi_auth_fail(conn, "the initiator did not send CHAP_A");
		return send_challenge(conn, st, algs, out);
	case AUTH_CHAP_RESPONSE:
		return verify(conn, st, in, out);
	case AUTH_FAILING:
		break;
	}
	return -1;
}

void iscsi_auth_free(struct iscsi_login *login)
{
	struct auth_state *st = login->auth;

	if (st == NULL)
		return;
	/* Wipe the challenge: nothing of an exchange lingers in freed memory. */
	memset(st, 0, sizeof(*st));
	free(st);
	login->auth = NULL;
}
