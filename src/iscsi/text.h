/* Text Requests in full feature phase: SendTargets discovery (RFC 7143
 * appendix C), with long answers split over several Text Responses. */
#ifndef LUNA_ISCSI_TEXT_H
#define LUNA_ISCSI_TEXT_H

#include <stdint.h>
#include <sys/socket.h>

#include "iscsi/keys.h"
#include "iscsi/pdu.h"

struct iscsi_conn;
struct luna_config;

void iscsi_text_rx(struct iscsi_conn *conn, const struct iscsi_text *req, const uint8_t *data,
		   uint32_t len);

/* Append the SendTargets answer for `what` ("All", a target name, or ""
 * meaning the session's own target) as seen by `initiator` connected to
 * `local`.  Pure with respect to the connection: used by unit tests. */
void iscsi_send_targets(const struct luna_config *cfg, const char *initiator, const char *what,
			const char *session_target, const struct sockaddr *local,
			struct iscsi_text_buf *out);

#endif
