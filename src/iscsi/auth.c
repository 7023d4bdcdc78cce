#include "iscsi/auth.h"

#include <string.h>

#include "common/log.h"
#include "config/config.h"
#include "iscsi/conn.h"
#include "iscsi/login.h"

bool iscsi_is_auth_key(const char *key)
{
	return strcmp(key, "AuthMethod") == 0 || strncmp(key, "CHAP_", 5) == 0;
}

bool iscsi_auth_required(struct iscsi_conn *conn)
{
	struct iscsi_login *login = conn->login;

	if (login->discovery)
		return login->cfg && login->cfg->discovery.enable_auth;
	return login->tpg && login->tpg->authentication;
}

/* Is method in the comma-separated list? */
static bool list_has(const char *list, const char *method)
{
	size_t n = strlen(method);

	for (const char *p = list; *p;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (len == n && strncmp(p, method, n) == 0)
			return true;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return false;
}

int iscsi_auth_step(struct iscsi_conn *conn, const struct iscsi_keys *in,
		    struct iscsi_text_buf *out)
{
	struct iscsi_login *login = conn->login;
	const char *methods = iscsi_keys_get(in, "AuthMethod");

	if (login->security_done)
		return 1;
	if (iscsi_auth_required(conn)) {
		/* CHAP is not available in this build of the login code. */
		iscsi_login_fail(conn, ISCSI_LOGIN_AUTH_FAILED,
				 "authentication is required but CHAP is not available yet");
		return -1;
	}
	if (methods != NULL) {
		if (!list_has(methods, "None")) {
			iscsi_text_add(out, "AuthMethod", "Reject");
			return 0;
		}
		iscsi_text_add(out, "AuthMethod", "None");
	}
	login->security_done = true;
	return 1;
}

void iscsi_auth_free(struct iscsi_login *login)
{
	(void)login;
}
