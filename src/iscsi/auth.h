/* The security stage of login: AuthMethod negotiation and authentication
 * of the initiator (and of the target, for mutual CHAP). */
#ifndef LUNA_ISCSI_AUTH_H
#define LUNA_ISCSI_AUTH_H

#include <stdbool.h>

#include "iscsi/keys.h"

struct iscsi_conn;
struct iscsi_login;

/* Is key one of the security stage's keys (AuthMethod, CHAP_*)? */
bool iscsi_is_auth_key(const char *key);

/* Does this login need authentication (TPG attribute, ACL or discovery
 * credentials)? */
bool iscsi_auth_required(struct iscsi_conn *conn);

/* One round of the security stage.  Appends our keys to out.  Returns 1
 * when authentication is complete (the stage may be left), 0 when more
 * rounds are needed, -1 when the login was refused (already answered). */
int iscsi_auth_step(struct iscsi_conn *conn, const struct iscsi_keys *in,
		    struct iscsi_text_buf *out);

/* Refuse the login with Authentication Failure after a short delay (a
 * loop timer; the worker does not block).  why (a string literal) goes to
 * the log.  Returns -1 for the caller to pass on. */
int iscsi_auth_fail(struct iscsi_conn *conn, const char *why);

void iscsi_auth_free(struct iscsi_login *login);

#endif
