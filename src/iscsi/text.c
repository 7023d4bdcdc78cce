#include "iscsi/text.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "config/config.h"
#include "iscsi/conn.h"
#include "iscsi/session.h"

static bool is_wildcard(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ((const struct sockaddr_in *)sa)->sin_addr.s_addr == htonl(INADDR_ANY);
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)sa)->sin6_addr);
	return false;
}

static void format_addr(const struct sockaddr *sa, uint16_t port, char *out, size_t outlen)
{
	char host[INET6_ADDRSTRLEN] = "";

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr)) {
			inet_ntop(AF_INET, &a6->sin6_addr.s6_addr[12], host, sizeof(host));
			snprintf(out, outlen, "%s:%u", host, port);
			return;
		}
		inet_ntop(AF_INET6, &a6->sin6_addr, host, sizeof(host));
		snprintf(out, outlen, "[%s]:%u", host, port);
	} else {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, host, sizeof(host));
		snprintf(out, outlen, "%s:%u", host, port);
	}
}

static void add_target(const struct cfg_target *t, const char *initiator,
		       const struct sockaddr *local, struct iscsi_text_buf *out)
{
	bool named = false;

	for (unsigned i = 0; i < t->n_tpgs; i++) {
		const struct cfg_tpg *tpg = &t->tpgs[i];
		if (!tpg->enable || !config_initiator_allowed(tpg, initiator))
			continue;
		for (unsigned j = 0; j < tpg->n_portals; j++) {
			const struct cfg_portal *p = &tpg->portals[j];
			const struct sockaddr *sa = (const struct sockaddr *)&p->addr;
			char addr[96];

			if (!named) {
				iscsi_text_add(out, "TargetName", t->wwn);
				named = true;
			}
			/* A wildcard portal is reported as the address the
			 * initiator reached us on. */
			format_addr(is_wildcard(sa) ? local : sa, p->port, addr, sizeof(addr));
			iscsi_text_addf(out, "TargetAddress", "%s,%u", addr, tpg->tag);
		}
	}
}

void iscsi_send_targets(const struct luna_config *cfg, const char *initiator, const char *what,
			const char *session_target, const struct sockaddr *local,
			struct iscsi_text_buf *out)
{
	if (strcmp(what, "All") == 0 && session_target == NULL) {
		for (unsigned i = 0; i < cfg->n_targets; i++)
			add_target(&cfg->targets[i], initiator, local, out);
		return;
	}
	if (what[0] == '\0' || strcmp(what, "All") == 0)
		what = session_target ? session_target : "";
	const struct cfg_target *t = config_find_target(cfg, what);
	if (t)
		add_target(t, initiator, local, out);
}

static void send_part(struct iscsi_conn *conn)
{
	struct iscsi_text_pending *p = &conn->text;
	struct iscsi_text rsp;
	uint32_t left = (uint32_t)p->buf.len - p->off;
	uint32_t n = MIN(left, conn->params.max_send_dsl);
	bool last = n == left;

	memset(&rsp, 0, sizeof(rsp));
	rsp.opcode = ISCSI_OP_TEXT_RSP;
	rsp.flags = last ? ISCSI_FLAG_FINAL : ISCSI_TEXT_CONTINUE;
	rsp.itt = htonl(p->itt);
	rsp.ttt = htonl(last ? ISCSI_RSVD_TAG : p->ttt);
	iscsi_conn_fill_sn(conn, &rsp.sn, &rsp.sn2, &rsp.maxcmdsn, true);
	iscsi_conn_send_pdu(conn, &rsp, p->buf.len ? p->buf.data + p->off : NULL, n);
	p->off += n;
	if (last) {
		iscsi_text_free(&p->buf);
		p->off = 0;
	}
}

void iscsi_text_rx(struct iscsi_conn *conn, const struct iscsi_text *req, const uint8_t *data,
		   uint32_t len)
{
	struct iscsi_session *sess = conn->session;
	struct iscsi_text_pending *p = &conn->text;
	struct iscsi_keys keys;
	const char *why;

	if (req->ttt != htonl(ISCSI_RSVD_TAG)) {
		/* The initiator asks for the next part of a long answer. */
		if (p->buf.len > p->off && ntohl(req->ttt) == p->ttt && len == 0) {
			send_part(conn);
			return;
		}
		iscsi_conn_reject(conn, req, ISCSI_REJECT_INVALID_PDU_FIELD);
		return;
	}
	if (req->flags & ISCSI_TEXT_CONTINUE) {
		/* Requests split over PDUs are not needed for SendTargets. */
		iscsi_conn_reject(conn, req, ISCSI_REJECT_CMD_NOT_SUPPORTED);
		return;
	}
	if (iscsi_keys_parse(&keys, data, len, &why) < 0) {
		log_warn("connection %s: malformed Text Request: %s", conn->peer, why);
		iscsi_conn_reject(conn, req, ISCSI_REJECT_PROTOCOL_ERROR);
		return;
	}
	/* A new request abandons any answer still being collected. */
	iscsi_text_free(&p->buf);
	for (unsigned i = 0; i < keys.count; i++) {
		if (strcmp(keys.kv[i].key, "SendTargets") == 0) {
			struct luna_config *cfg = config_current();
			iscsi_send_targets(cfg, sess->initiator_name, keys.kv[i].value,
					   sess->type == SESSION_NORMAL ? sess->target_name : NULL,
					   (const struct sockaddr *)&conn->local_addr, &p->buf);
			config_put(cfg);
		} else {
			iscsi_text_add(&p->buf, keys.kv[i].key, "NotUnderstood");
		}
	}
	iscsi_keys_free(&keys);
	p->off = 0;
	p->itt = ntohl(req->itt);
	p->ttt = conn->next_ttt++;
	send_part(conn);
}
