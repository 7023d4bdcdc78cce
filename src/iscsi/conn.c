#include "iscsi/conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/crc32c.h"
#include "common/log.h"
#include "common/util.h"
#include "iscsi/dispatch.h"
#include "iscsi/login.h"
#include "iscsi/session.h"
#include "iscsi/task.h"
#include "net/worker.h"

#define KEEPALIVE_CHECK_MS 5000
#define KEEPALIVE_IDLE_MS 30000
#define SHUTDOWN_GRACE_MS 3000

static const uint8_t zero_pad[4];
static atomic_uint_fast64_t next_conn_id = 1;
static atomic_uint total_conns; /* on all workers */

/* The connections of this worker thread, for shutdown and counting. */
static __thread struct list_node worker_conns;
static __thread unsigned worker_nconns;
static __thread bool worker_shutting_down;

static void conn_flush(struct iscsi_conn *conn);
static void on_io(void *arg, uint32_t events);
static void conn_free(struct iscsi_conn *conn);

void iscsi_conn_hold(struct iscsi_conn *conn)
{
	conn->refs++;
}

void iscsi_conn_release(struct iscsi_conn *conn)
{
	if (--conn->refs == 0)
		conn_free(conn);
}

unsigned iscsi_conn_count(void)
{
	return worker_nconns;
}

unsigned iscsi_conn_total(void)
{
	return atomic_load(&total_conns);
}

static void format_peer(struct iscsi_conn *conn)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (conn->peer_addr.ss_family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&conn->peer_addr;
		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		snprintf(conn->peer, sizeof(conn->peer), "%s:%u", host, ntohs(a->sin_port));
	} else if (conn->peer_addr.ss_family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&conn->peer_addr;
		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		snprintf(conn->peer, sizeof(conn->peer), "[%s]:%u", host, ntohs(a->sin6_port));
	} else {
		snprintf(conn->peer, sizeof(conn->peer), "unknown peer");
	}
}

/* ---- timers ---- */

static void on_login_timeout(void *arg)
{
	struct iscsi_conn *conn = arg;

	iscsi_conn_close(conn, "login did not complete within 15 seconds");
}

static void send_nop_ping(struct iscsi_conn *conn)
{
	struct iscsi_nop nop;

	memset(&nop, 0, sizeof(nop));
	nop.opcode = ISCSI_OP_NOP_IN;
	nop.flags = ISCSI_FLAG_FINAL;
	nop.itt = htonl(ISCSI_RSVD_TAG);
	conn->nop_ttt = conn->next_ttt++;
	if (conn->nop_ttt == ISCSI_RSVD_TAG)
		conn->nop_ttt = conn->next_ttt++;
	nop.ttt = htonl(conn->nop_ttt);
	iscsi_conn_fill_sn(conn, &nop.sn, &nop.sn2, &nop.maxcmdsn, false);
	iscsi_conn_send_pdu(conn, &nop, NULL, 0);
}

static void on_keepalive(void *arg)
{
	struct iscsi_conn *conn = arg;
	uint64_t idle = now_ms() - conn->last_rx_ms;

	if (conn->state != CONN_FULL_FEATURE)
		return;
	if (conn->nop_ttt != ISCSI_RSVD_TAG && idle > 2 * KEEPALIVE_IDLE_MS) {
		iscsi_conn_close(conn, "initiator did not answer a NOP-In ping");
		return;
	}
	if (conn->nop_ttt == ISCSI_RSVD_TAG && idle > KEEPALIVE_IDLE_MS)
		send_nop_ping(conn);
	if (idle >= KEEPALIVE_CHECK_MS)
		iscsi_task_cache_drain(conn); /* an idle session keeps little memory */
	loop_timer_add(conn->loop, &conn->timer, KEEPALIVE_CHECK_MS, on_keepalive, conn);
}

/* ---- transmit ---- */

void iscsi_conn_fill_sn(struct iscsi_conn *conn, uint32_t *statsn, uint32_t *expcmdsn,
			uint32_t *maxcmdsn, bool advance_statsn)
{
	struct iscsi_session *sess = conn->session;

	*statsn = htonl(advance_statsn ? conn->statsn++ : conn->statsn);
	if (sess) {
		*expcmdsn = htonl(sess->exp_cmdsn);
		*maxcmdsn = htonl(sess->max_cmdsn);
	}
}

static bool tx_pdu_next(struct tx_item *it, struct iscsi_conn *conn, uint8_t *hdr,
			const uint8_t **data, uint32_t *len)
{
	struct tx_pdu *p = container_of(it, struct tx_pdu, item);

	(void)conn;
	memcpy(hdr, p->hdr, ISCSI_BHS_LEN);
	*data = p->data;
	*len = p->len;
	return true;
}

static void tx_pdu_sent(struct tx_item *it, struct iscsi_conn *conn, bool sent)
{
	struct tx_pdu *p = container_of(it, struct tx_pdu, item);

	if (sent && p->after)
		p->after(conn);
	free(p->data);
	free(p);
}

struct tx_pdu *iscsi_conn_send_pdu(struct iscsi_conn *conn, const void *hdr, const void *data,
				   uint32_t len)
{
	struct tx_pdu *p = xcalloc(1, sizeof(*p));

	memcpy(p->hdr, hdr, ISCSI_BHS_LEN);
	iscsi_bhs_set_datalen(p->hdr, len);
	if (len) {
		p->data = xmalloc(len);
		memcpy(p->data, data, len);
		p->len = len;
	}
	p->item.next_pdu = tx_pdu_next;
	p->item.sent = tx_pdu_sent;
	iscsi_conn_send(conn, &p->item);
	return p;
}

void iscsi_conn_send(struct iscsi_conn *conn, struct tx_item *it)
{
	if (conn->state == CONN_CLOSED) {
		it->sent(it, conn, false);
		return;
	}
	list_add_tail(&conn->txq, &it->node);
	conn->want_write = true;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Fill the iovec batch with as many PDUs as fit. */
static void build_batch(struct iscsi_conn *conn)
{
	int npdu = 0, niov = 0;

	while (!list_empty(&conn->txq) && npdu < TX_BATCH_PDUS && niov + 5 <= TX_BATCH_IOVS) {
		struct tx_item *it = list_first(&conn->txq, struct tx_item, node);
		uint8_t *hdr = conn->tx_hdr[npdu];
		const uint8_t *data = NULL;
		uint32_t len = 0, hlen = ISCSI_BHS_LEN;
		bool last = it->next_pdu(it, conn, hdr, &data, &len);

		/* Digests start after the last Login Response (RFC 7143 13.1),
		 * which is queued after the negotiated values took effect. */
		bool digests = iscsi_bhs_opcode(hdr) != ISCSI_OP_LOGIN_RSP;

		if (digests && conn->params.header_digest) {
			put_le32(hdr + ISCSI_BHS_LEN, crc32c(hdr, ISCSI_BHS_LEN));
			hlen += ISCSI_DIGEST_LEN;
		}
		conn->tx_iov[niov++] = (struct iovec){hdr, hlen};
		if (len) {
			uint32_t pad = iscsi_pad(len);
			conn->tx_iov[niov++] = (struct iovec){(void *)data, len};
			if (pad)
				conn->tx_iov[niov++] = (struct iovec){(void *)zero_pad, pad};
			if (digests && conn->params.data_digest) {
				uint32_t crc = it->data_crc
						   ? it->data_crc(it, data, len, crc32c_init())
						   : crc32c_update(crc32c_init(), data, len);
				crc = crc32c_update(crc, zero_pad, pad);
				put_le32(conn->tx_ddig[npdu], crc32c_final(crc));
				conn->tx_iov[niov++] =
				    (struct iovec){conn->tx_ddig[npdu], ISCSI_DIGEST_LEN};
			}
		}
		npdu++;
		if (last) {
			list_del(&it->node);
			list_add_tail(&conn->tx_done, &it->node);
		}
	}
	conn->tx_iov_cnt = niov;
	conn->tx_iov_pos = 0;
}

static void complete_batch(struct iscsi_conn *conn, bool sent)
{
	while (!list_empty(&conn->tx_done)) {
		struct tx_item *it = list_first(&conn->tx_done, struct tx_item, node);
		list_del(&it->node);
		it->sent(it, conn, sent);
	}
}

static void set_events(struct iscsi_conn *conn, bool out)
{
	if (conn->state == CONN_CLOSED)
		return;
	loop_fd_mod(conn->loop, &conn->lfd, EPOLLIN | (out ? EPOLLOUT : 0));
}

/* Account for n bytes written from the batch: whole iovecs are done, a
 * partly written one is trimmed to what is left. */
static void tx_advance(struct iscsi_conn *conn, size_t n)
{
	while (n > 0 && conn->tx_iov_pos < conn->tx_iov_cnt) {
		struct iovec *v = &conn->tx_iov[conn->tx_iov_pos];
		if (n >= v->iov_len) {
			n -= v->iov_len;
			conn->tx_iov_pos++;
		} else {
			v->iov_base = (uint8_t *)v->iov_base + n;
			v->iov_len -= n;
			n = 0;
		}
	}
}

static void conn_flush(struct iscsi_conn *conn)
{
	iscsi_conn_hold(conn);
	conn->want_write = false;
	while (conn->state != CONN_CLOSED) {
		ssize_t n;

		if (conn->tx_iov_pos == conn->tx_iov_cnt) {
			complete_batch(conn, true);
			if (conn->state == CONN_CLOSED)
				break;
			build_batch(conn);
			if (conn->tx_iov_cnt == 0) {
				set_events(conn, false);
				break;
			}
		}
		n = writev(conn->fd, conn->tx_iov + conn->tx_iov_pos,
			   MIN(conn->tx_iov_cnt - conn->tx_iov_pos, IOV_MAX));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				set_events(conn, true);
				break;
			}
			iscsi_conn_close(conn, strerror(errno));
			break;
		}
		tx_advance(conn, (size_t)n);
	}
	iscsi_conn_release(conn);
}

/* ---- receive ---- */

static uint32_t max_rx_data(struct iscsi_conn *conn)
{
	return conn->state == CONN_LOGIN ? LOGIN_MAX_DATA : conn->params.max_recv_dsl;
}

static void rx_reset(struct iscsi_conn *conn)
{
	free(conn->rx_data_owned);
	conn->rx_data_owned = NULL;
	conn->rx_data = NULL;
	conn->rx_task = NULL;
	conn->rx_phase = RX_BHS;
	conn->rx_need = ISCSI_BHS_LEN;
	conn->rx_got = 0;
}

/* A PDU we refuse at its header: answer, and keep the byte stream in step
 * by discarding its data, or close when the stream cannot be trusted. */
static void refuse_header(struct iscsi_conn *conn, int reason, const char *why)
{
	log_warn("connection %s: %s %s: %s", conn->peer, "refusing",
		 iscsi_opcode_name(conn->bhs[0]), why);
	if (conn->state == CONN_LOGIN) {
		/* Nothing but Login Requests belongs to the login phase. */
		iscsi_conn_reject(conn, conn->bhs, (uint8_t)reason);
		iscsi_conn_close(conn, "protocol error during login");
		return;
	}
	iscsi_conn_reject(conn, conn->bhs, (uint8_t)reason);
	if (reason != ISCSI_REJECT_CMD_NOT_SUPPORTED)
		iscsi_conn_close(conn, why);
}

/* The header (and AHS and header digest) is in: decide where the data
 * segment goes. */
static void header_complete(struct iscsi_conn *conn)
{
	const struct iscsi_bhs *bhs = (const struct iscsi_bhs *)conn->bhs;
	uint8_t op = iscsi_bhs_opcode(bhs);
	uint32_t dlen = iscsi_bhs_datalen(bhs);
	const char *why;
	int reason;
	bool discard = false;

	reason = iscsi_check_initiator_bhs(bhs, max_rx_data(conn), &why);
	if (reason == 0 && conn->state == CONN_LOGIN && op != ISCSI_OP_LOGIN_REQ) {
		reason = ISCSI_REJECT_PROTOCOL_ERROR;
		why = "only Login Requests are allowed before login completes";
	} else if (reason == 0 && conn->state == CONN_FULL_FEATURE && op == ISCSI_OP_LOGIN_REQ) {
		reason = ISCSI_REJECT_PROTOCOL_ERROR;
		why = "Login Request in full feature phase";
	}
	if (reason) {
		refuse_header(conn, reason, why);
		if (conn->state == CONN_CLOSED)
			return;
		discard = true;
	}
	conn->rx_data = NULL;
	if (!discard && op == ISCSI_OP_SCSI_CMD) {
		conn->rx_task =
		    iscsi_task_from_cmd(conn, (const struct iscsi_scsi_cmd *)bhs, conn->ahs,
					iscsi_bhs_ahslen(bhs), &conn->rx_data);
	} else if (!discard && op == ISCSI_OP_DATA_OUT) {
		bool fatal = false;
		conn->rx_task = iscsi_task_data_out_hdr(conn, (const struct iscsi_data *)bhs,
							&conn->rx_data, &fatal);
		if (fatal)
			return;
	} else if (!discard && dlen) {
		conn->rx_data_owned = xmalloc(dlen);
		conn->rx_data = conn->rx_data_owned;
	}
	if (conn->state == CONN_CLOSED)
		return;
	if (discard)
		conn->rx_task = NULL;
	conn->rx_data_len = dlen;
	conn->rx_crc = crc32c_init();
	conn->rx_got = 0;
	conn->rx_need = dlen + iscsi_pad(dlen);
	conn->rx_phase = RX_DATA;
	conn->rx_skip = discard;
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static void pdu_complete(struct iscsi_conn *conn)
{
	bool skip = conn->rx_skip;

	conn->last_rx_ms = now_ms();
	if (!skip)
		iscsi_dispatch_pdu(conn, (const struct iscsi_bhs *)conn->bhs, conn->rx_data,
				   conn->rx_data_len, conn->rx_task);
	rx_reset(conn);
}

/* Does the PDU being received carry a data digest?  Login PDUs never do. */
static bool rx_data_digest(const struct iscsi_conn *conn)
{
	return conn->params.data_digest && conn->state != CONN_LOGIN;
}

static void data_complete(struct iscsi_conn *conn)
{
	if (rx_data_digest(conn) && conn->rx_data_len) {
		conn->rx_phase = RX_DDIGEST;
		conn->rx_need = ISCSI_DIGEST_LEN;
		conn->rx_got = 0;
		return;
	}
	pdu_complete(conn);
}

/* Advance from one header phase to the next. */
static void phase_done(struct iscsi_conn *conn)
{
	switch (conn->rx_phase) {
	case RX_BHS:
		if (conn->bhs[4]) {
			conn->rx_phase = RX_AHS;
			conn->rx_need = iscsi_bhs_ahslen(conn->bhs);
			conn->rx_got = 0;
			return;
		}
		/* fall through */
	case RX_AHS:
		if (conn->params.header_digest && conn->state != CONN_LOGIN) {
			conn->rx_phase = RX_HDIGEST;
			conn->rx_need = ISCSI_DIGEST_LEN;
			conn->rx_got = 0;
			return;
		}
		/* fall through */
	case RX_HDIGEST:
		if (conn->rx_phase == RX_HDIGEST) {
			uint32_t crc = crc32c_update(crc32c_init(), conn->bhs, ISCSI_BHS_LEN);
			crc = crc32c_update(crc, conn->ahs, iscsi_bhs_ahslen(conn->bhs));
			if (crc32c_final(crc) != get_le32(conn->rx_digest)) {
				iscsi_conn_close(conn, "header digest error");
				return;
			}
		}
		header_complete(conn);
		if (conn->state != CONN_CLOSED && conn->rx_need == 0)
			data_complete(conn);
		return;
	case RX_DATA:
		data_complete(conn);
		return;
	case RX_DDIGEST:
		if (crc32c_final(conn->rx_crc) != get_le32(conn->rx_digest)) {
			iscsi_conn_reject(conn, conn->bhs, ISCSI_REJECT_DATA_DIGEST);
			iscsi_conn_close(conn, "data digest error");
			return;
		}
		pdu_complete(conn);
		return;
	}
}

/* Where the next received bytes of the current phase go. */
static uint8_t *phase_dst(struct iscsi_conn *conn, uint32_t *room)
{
	static __thread uint8_t sink[4096];

	*room = conn->rx_need - conn->rx_got;
	switch (conn->rx_phase) {
	case RX_BHS:
		return conn->bhs + conn->rx_got;
	case RX_AHS:
		return conn->ahs + conn->rx_got;
	case RX_HDIGEST:
	case RX_DDIGEST:
		return conn->rx_digest + conn->rx_got;
	case RX_DATA:
		if (conn->rx_got >= conn->rx_data_len || conn->rx_data == NULL) {
			/* padding, or data we discard */
			*room = MIN(*room, (uint32_t)sizeof(sink));
			return sink;
		}
		*room = conn->rx_data_len - conn->rx_got;
		return conn->rx_data + conn->rx_got;
	}
	return NULL;
}

static void consume(struct iscsi_conn *conn, uint8_t *dst, const uint8_t *src, uint32_t n)
{
	if (src != dst)
		memcpy(dst, src, n);
	/* Only a negotiated data digest needs the running CRC: it costs a
	 * pass over every byte received. */
	if (conn->rx_phase == RX_DATA && rx_data_digest(conn))
		conn->rx_crc = crc32c_update(conn->rx_crc, dst, n);
	conn->rx_got += n;
	if (conn->rx_got == conn->rx_need)
		phase_done(conn);
}

static void conn_read(struct iscsi_conn *conn);

static void resume_read(void *arg)
{
	struct iscsi_conn *conn = arg;

	on_io(conn, EPOLLIN);
	iscsi_conn_release(conn);
}

/* Read what the socket has and process every complete PDU.  Large data
 * segments are read straight into their destination, so write data is
 * copied once. */
static void conn_read(struct iscsi_conn *conn)
{
	unsigned budget = 256; /* PDUs per wake-up, so one busy initiator cannot starve others */
	bool drained = false;

	while (conn->state != CONN_CLOSED && conn->state != CONN_LOGOUT && budget) {
		uint32_t room;
		uint8_t *dst = phase_dst(conn, &room);
		uint32_t avail = conn->rx_tail - conn->rx_head;
		ssize_t n;

		if (avail) {
			uint32_t c = MIN(avail, room);
			consume(conn, dst, conn->rxbuf + conn->rx_head, c);
			conn->rx_head += c;
			if (conn->rx_phase == RX_BHS && conn->rx_got == 0)
				budget--;
			continue;
		}
		/* A short read emptied the socket: asking again would only
		 * return EAGAIN, a wasted system call per command at low queue
		 * depths.  The level-triggered poll brings us back for more. */
		if (drained)
			break;
		if (conn->rx_phase == RX_DATA && room >= 16384 && conn->rx_data &&
		    conn->rx_got < conn->rx_data_len) {
			n = read(conn->fd, dst, room);
			if (n > 0) {
				drained = (uint32_t)n < room;
				consume(conn, dst, dst, (uint32_t)n);
				continue;
			}
		} else {
			if (conn->rxbuf == NULL)
				conn->rxbuf = xmalloc(RX_BUF_SIZE);
			n = read(conn->fd, conn->rxbuf, RX_BUF_SIZE);
			conn->rx_head = 0;
			conn->rx_tail = n > 0 ? (uint32_t)n : 0;
			if (n > 0) {
				drained = n < RX_BUF_SIZE;
				continue;
			}
		}
		if (n == 0) {
			iscsi_conn_close(conn, conn->state == CONN_LOGIN
						   ? "initiator closed the connection during login"
						   : "initiator closed the connection");
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			iscsi_conn_close(conn, strerror(errno));
		break;
	}
	/* An idle connection keeps no receive buffer (memory per session). */
	if (conn->rxbuf && conn->rx_head == conn->rx_tail) {
		free(conn->rxbuf);
		conn->rxbuf = NULL;
		conn->rx_head = conn->rx_tail = 0;
	}
	if (budget == 0 && conn->state != CONN_CLOSED) {
		iscsi_conn_hold(conn);
		loop_post(conn->loop, resume_read, conn); /* come back after the others */
	}
}

static void on_io(void *arg, uint32_t events)
{
	struct iscsi_conn *conn = arg;

	iscsi_conn_hold(conn);
	conn->in_io = true;
	if (events & EPOLLIN)
		conn_read(conn);
	else if (events & (EPOLLERR | EPOLLHUP))
		iscsi_conn_close(conn, "connection reset");
	if (conn->state == CONN_FULL_FEATURE && conn->login) {
		iscsi_login_free(conn->login);
		conn->login = NULL;
		loop_timer_add(conn->loop, &conn->timer, KEEPALIVE_CHECK_MS, on_keepalive, conn);
	}
	if (conn->state != CONN_CLOSED && (conn->want_write || (events & EPOLLOUT)))
		conn_flush(conn);
	conn->in_io = false;
	iscsi_conn_release(conn);
}

void iscsi_conn_kick(struct iscsi_conn *conn)
{
	/* Inside the connection's own event handler the flush comes at the
	 * end, so that answers to a burst of commands leave in one writev. */
	if (conn->in_io)
		return;
	if (conn->state != CONN_CLOSED && conn->want_write)
		conn_flush(conn);
}

void iscsi_conn_accept(int fd, const struct sockaddr *local, socklen_t local_len,
		       const struct sockaddr *peer, socklen_t peer_len)
{
	struct iscsi_conn *conn = xcalloc(1, sizeof(*conn));
	int one = 1;

	conn->fd = fd;
	conn->loop = loop_current();
	conn->id = atomic_fetch_add(&next_conn_id, 1);
	memcpy(&conn->local_addr, local, local_len);
	conn->local_len = local_len;
	memcpy(&conn->peer_addr, peer, peer_len);
	conn->peer_len = peer_len;
	format_peer(conn);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	conn->state = CONN_LOGIN;
	iscsi_params_defaults(&conn->params);
	conn->params.max_recv_dsl = LOGIN_MAX_DATA;
	conn->login = xcalloc(1, sizeof(*conn->login));
	conn->nop_ttt = ISCSI_RSVD_TAG;
	conn->next_ttt = 0x10000;
	conn->last_rx_ms = now_ms();
	list_init(&conn->txq);
	list_init(&conn->tx_done);
	list_init(&conn->task_cache);
	rx_reset(conn);
	conn->refs = 1; /* the open socket */
	if (worker_conns.next == NULL)
		list_init(&worker_conns);
	list_add_tail(&worker_conns, &conn->node);
	worker_nconns++;
	atomic_fetch_add(&total_conns, 1);
	if (loop_fd_add(conn->loop, &conn->lfd, fd, EPOLLIN, on_io, conn) < 0) {
		iscsi_conn_close(conn, "cannot watch the socket");
		return;
	}
	loop_timer_add(conn->loop, &conn->timer, LOGIN_TIMEOUT_MS, on_login_timeout, conn);
	log_debug("connection from %s", conn->peer);
	if (worker_shutting_down)
		iscsi_conn_close(conn, "target is shutting down");
}

void iscsi_conn_reject(struct iscsi_conn *conn, const void *bhs, uint8_t reason)
{
	struct iscsi_reject rej;

	memset(&rej, 0, sizeof(rej));
	rej.opcode = ISCSI_OP_REJECT;
	rej.flags = ISCSI_FLAG_FINAL;
	rej.reason = reason;
	rej.itt = htonl(ISCSI_RSVD_TAG);
	iscsi_conn_fill_sn(conn, &rej.statsn, &rej.expcmdsn, &rej.maxcmdsn, true);
	if (conn->session == NULL) {
		rej.expcmdsn = htonl(conn->login ? conn->login->cmdsn : 0);
		rej.maxcmdsn = rej.expcmdsn;
	}
	/* The data segment is the rejected PDU's header. */
	iscsi_conn_send_pdu(conn, &rej, bhs, ISCSI_BHS_LEN);
}

void iscsi_conn_close(struct iscsi_conn *conn, const char *reason)
{
	if (conn->state == CONN_CLOSED)
		return;
	if (conn->session && conn->session->type == SESSION_NORMAL)
		log_info("connection %s (session %u) closed: %s", conn->peer, conn->session->tsih,
			 reason);
	else
		log_debug("connection %s closed: %s", conn->peer, reason);
	/* Try to get queued answers (a login failure, a Reject) out first. */
	if (conn->tx_iov_pos < conn->tx_iov_cnt || !list_empty(&conn->txq)) {
		conn->state = CONN_LOGOUT;
		for (int i = 0;
		     i < 4 && (conn->tx_iov_pos < conn->tx_iov_cnt || !list_empty(&conn->txq));
		     i++) {
			ssize_t n;
			if (conn->tx_iov_pos == conn->tx_iov_cnt) {
				complete_batch(conn, true);
				build_batch(conn);
			}
			n = writev(conn->fd, conn->tx_iov + conn->tx_iov_pos,
				   MIN(conn->tx_iov_cnt - conn->tx_iov_pos, IOV_MAX));
			if (n <= 0)
				break;
			tx_advance(conn, (size_t)n);
		}
	}
	conn->state = CONN_CLOSED;
	loop_fd_del(conn->loop, &conn->lfd);
	loop_timer_cancel(conn->loop, &conn->timer);
	close(conn->fd);
	conn->fd = -1;
	complete_batch(conn, false);
	while (!list_empty(&conn->txq)) {
		struct tx_item *it = list_first(&conn->txq, struct tx_item, node);
		list_del(&it->node);
		it->sent(it, conn, false);
	}
	if (conn->session)
		iscsi_task_abort_all(conn->session);
	iscsi_conn_release(conn);
}

static void conn_free(struct iscsi_conn *conn)
{
	list_del(&conn->node);
	worker_nconns--;
	atomic_fetch_sub(&total_conns, 1);
	workers_unpick(conn->loop);
	if (conn->session)
		iscsi_session_free(conn->session);
	iscsi_task_cache_drain(conn);
	iscsi_login_free(conn->login);
	iscsi_text_free(&conn->text.buf);
	free(conn->rx_data_owned);
	free(conn->rxbuf);
	free(conn);
}

/* ---- shutdown ---- */

static void on_shutdown_timeout(void *arg)
{
	iscsi_conn_close(arg, "target shut down");
}

static void send_logout_request(struct iscsi_conn *conn)
{
	struct iscsi_async msg;

	memset(&msg, 0, sizeof(msg));
	msg.opcode = ISCSI_OP_ASYNC_MSG;
	msg.flags = ISCSI_FLAG_FINAL;
	msg.itt = htonl(ISCSI_RSVD_TAG);
	msg.event = 1; /* the target requests a logout */
	msg.param3 = htons(SHUTDOWN_GRACE_MS / 1000);
	memset(msg.lun, 0, sizeof(msg.lun));
	iscsi_conn_fill_sn(conn, &msg.statsn, &msg.expcmdsn, &msg.maxcmdsn, true);
	iscsi_conn_send_pdu(conn, &msg, NULL, 0);
	iscsi_conn_kick(conn);
}

void iscsi_conn_shutdown_all(void *unused)
{
	struct list_node *pos, *tmp;

	(void)unused;
	worker_shutting_down = true;
	if (worker_conns.next == NULL)
		return;
	list_for_each_safe(pos, tmp, &worker_conns)
	{
		struct iscsi_conn *conn = list_entry(pos, struct iscsi_conn, node);

		if (conn->state == CONN_CLOSED)
			continue;
		if (conn->state == CONN_FULL_FEATURE && conn->session &&
		    conn->session->type == SESSION_NORMAL) {
			send_logout_request(conn);
			loop_timer_add(conn->loop, &conn->timer, SHUTDOWN_GRACE_MS,
				       on_shutdown_timeout, conn);
		} else {
			iscsi_conn_close(conn, "target shut down");
		}
	}
}
