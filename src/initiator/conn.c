/* The connection: a non-blocking TCP socket, the transmit queue written
 * with writev, and the receive side that frames PDUs (header, AHS, header
 * digest, data, padding, data digest) and checks the digests. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/crc32c.h"
#include "common/util.h"
#include "initiator/internal.h"

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int try_connect(const struct addrinfo *ai)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int ini_conn_open(struct ini_session *s)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV};
	struct addrinfo *res, *ai;
	char port[8];
	int rc, fd = -1;

	snprintf(port, sizeof(port), "%u", s->cfg.port);
	rc = getaddrinfo(s->cfg.host, port, &hints, &res);
	if (rc != 0) {
		ini_fail(s, "cannot resolve %s: %s", s->cfg.host, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai && fd < 0; ai = ai->ai_next)
		fd = try_connect(ai);
	freeaddrinfo(res);
	if (fd < 0) {
		ini_conn_lost(s, "cannot connect to %s port %u: %s", s->cfg.host, s->cfg.port,
			      strerror(errno));
		return -1;
	}
	s->fd = fd;
	s->rx_stage = RX_BHS;
	s->rx_got = 0;
	s->rxbuf_off = s->rxbuf_len = 0;
	s->hdr_digest = s->data_digest = false;
	return 0;
}

void ini_conn_close(struct ini_session *s)
{
	struct list_node *pos, *tmp;

	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	list_for_each_safe(pos, tmp, &s->txq)
	{
		struct ini_txpdu *p = list_entry(pos, struct ini_txpdu, node);
		list_del(pos);
		free(p->owned);
		free(p);
	}
}

/* 0 when the non-blocking connect succeeded, else -1 with errno. */
int ini_conn_connected(struct ini_session *s)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -1;
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

void ini_send(struct ini_session *s, const void *bhs, const void *data, uint32_t dlen, void *owned)
{
	struct ini_txpdu *p = xcalloc(1, sizeof(*p));
	uint32_t pad = iscsi_pad(dlen);

	memcpy(p->hdr, bhs, ISCSI_BHS_LEN);
	iscsi_bhs_set_datalen(p->hdr, dlen);
	p->hdr_len = ISCSI_BHS_LEN;
	if (s->hdr_digest) {
		put_le32(p->hdr + ISCSI_BHS_LEN, crc32c(p->hdr, ISCSI_BHS_LEN));
		p->hdr_len += ISCSI_DIGEST_LEN;
	}
	p->data = data;
	p->dlen = dlen;
	p->owned = owned;
	p->tlen = dlen ? pad : 0;
	if (dlen && s->data_digest) {
		uint32_t crc = crc32c_update(crc32c_init(), data, dlen);
		crc = crc32c_update(crc, p->trailer, pad); /* the pad bytes are zero */
		put_le32(p->trailer + pad, crc32c_final(crc));
		p->tlen += ISCSI_DIGEST_LEN;
	}
	list_add_tail(&s->txq, &p->node);
}

/* iovecs for what is left of one PDU. */
static int pdu_iov(const struct ini_txpdu *p, struct iovec *iov)
{
	struct iovec all[3] = {{(void *)p->hdr, p->hdr_len},
			       {(void *)p->data, p->dlen},
			       {(void *)p->trailer, p->tlen}};
	size_t skip = p->sent;
	int n = 0;

	for (int i = 0; i < 3; i++) {
		if (skip >= all[i].iov_len) {
			skip -= all[i].iov_len;
			continue;
		}
		iov[n].iov_base = (uint8_t *)all[i].iov_base + skip;
		iov[n].iov_len = all[i].iov_len - skip;
		skip = 0;
		n++;
	}
	return n;
}

static void consume(struct ini_session *s, size_t n)
{
	while (n && !list_empty(&s->txq)) {
		struct ini_txpdu *p = list_first(&s->txq, struct ini_txpdu, node);
		size_t left = p->hdr_len + p->dlen + p->tlen - p->sent;

		if (n < left) {
			p->sent += n;
			return;
		}
		n -= left;
		list_del(&p->node);
		free(p->owned);
		free(p);
	}
}

/* Write as much as the socket takes.  Returns 0, or -1 when the
 * connection is lost (already reported). */
int ini_flush(struct ini_session *s)
{
	while (s->fd >= 0 && !list_empty(&s->txq)) {
		struct iovec iov[64];
		struct list_node *pos;
		int n = 0;
		ssize_t w;

		list_for_each(pos, &s->txq)
		{
			if (n + 3 > (int)ARRAY_SIZE(iov))
				break;
			n += pdu_iov(list_entry(pos, struct ini_txpdu, node), iov + n);
		}
		w = writev(s->fd, iov, n);
		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (w < 0) {
			ini_conn_lost(s, "connection to %s port %u lost while sending: %s",
				      s->cfg.host, s->cfg.port, strerror(errno));
			return -1;
		}
		consume(s, (size_t)w);
	}
	return 0;
}

/* ---- receive */

/* How much to read into the read-ahead buffer for a stage of `need` bytes.
 * Many small PDUs come a buffer at a time.  After a big data segment the
 * next PDU is likely big too: then only the stage and the header after it
 * are read ahead, so that its data segment is received where it goes
 * instead of being copied there from the buffer (up to 64 KiB of each). */
static uint32_t readahead_len(const struct ini_session *s, uint32_t need)
{
	if (!s->rx_big)
		return INI_RXBUF;
	return MIN(INI_RXBUF, need + ISCSI_BHS_LEN + ISCSI_DIGEST_LEN);
}

/* Get up to `need` bytes into dst: from the read-ahead buffer, or straight
 * from the socket for big data segments.  Returns the bytes got, 0 when
 * the socket has nothing now, -1 when the connection is gone. */
static ssize_t rx_take(struct ini_session *s, uint8_t *dst, uint32_t need)
{
	ssize_t r;

	if (s->rxbuf_off == s->rxbuf_len) {
		s->rxbuf_off = s->rxbuf_len = 0;
		if (need >= INI_RXBUF / 2)
			r = recv(s->fd, dst, need, 0);
		else
			r = recv(s->fd, s->rxbuf, readahead_len(s, need), 0);
		if (r == 0) {
			ini_conn_lost(s, "the target at %s port %u closed the connection",
				      s->cfg.host, s->cfg.port);
			return -1;
		}
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (r < 0) {
			ini_conn_lost(s, "connection to %s port %u lost: %s", s->cfg.host,
				      s->cfg.port, strerror(errno));
			return -1;
		}
		if (need >= INI_RXBUF / 2)
			return r;
		s->rxbuf_len = (uint32_t)r;
	}
	r = MIN(need, s->rxbuf_len - s->rxbuf_off);
	memcpy(dst, s->rxbuf + s->rxbuf_off, (size_t)r);
	s->rxbuf_off += (uint32_t)r;
	return r;
}

/* Fill `want` bytes of the current stage at base.  1: complete, 0: wait,
 * -1: connection gone. */
static int rx_fill(struct ini_session *s, uint8_t *base, uint32_t want)
{
	while (s->rx_got < want) {
		ssize_t r = rx_take(s, base + s->rx_got, want - s->rx_got);
		if (r <= 0)
			return (int)r;
		s->rx_got += (uint32_t)r;
	}
	s->rx_got = 0;
	return 1;
}

static int header_complete(struct ini_session *s)
{
	uint32_t hlen = ISCSI_BHS_LEN + iscsi_bhs_ahslen(s->rx_hdr);

	if (s->hdr_digest) {
		uint32_t want = crc32c(s->rx_hdr, hlen);
		if (get_le32(s->rx_hdr + hlen) != want) {
			ini_fail(s,
				 "header digest error on a PDU from the target (CRC32C mismatch): "
				 "the connection corrupts data");
			return -1;
		}
	}
	s->rx_dlen = iscsi_bhs_datalen(s->rx_hdr);
	s->rx_dst = ini_rx_header(s);
	if (s->state == INI_DEAD || s->fd < 0)
		return -1;
	s->rx_stage = RX_DATA;
	return 0;
}

static int data_complete(struct ini_session *s)
{
	uint32_t pad = iscsi_pad(s->rx_dlen);

	if (s->rx_dlen && s->data_digest) {
		uint32_t crc = crc32c_update(crc32c_init(), s->rx_dst, s->rx_dlen);
		crc = crc32c_final(crc32c_update(crc, s->rx_trailer, pad));
		if (get_le32(s->rx_trailer + pad) != crc) {
			ini_fail(s,
				 "data digest error on a %s PDU from the target (CRC32C "
				 "mismatch): the connection corrupts data",
				 iscsi_opcode_name(iscsi_bhs_opcode(s->rx_hdr)));
			return -1;
		}
	}
	s->rx_stage = RX_BHS;
	if (s->rx_dlen) /* a status-only PDU says nothing of the next data */
		s->rx_big = s->rx_dlen >= INI_RXBUF / 2;
	ini_rx_pdu(s, s->rx_hdr, s->rx_dst, s->rx_dlen);
	return 0;
}

static int rx_step(struct ini_session *s)
{
	uint32_t want, pad;
	int r;

	switch (s->rx_stage) {
	case RX_BHS:
		if ((r = rx_fill(s, s->rx_hdr, ISCSI_BHS_LEN)) <= 0)
			return r;
		s->rx_hdr_len =
		    iscsi_bhs_ahslen(s->rx_hdr) + (s->hdr_digest ? ISCSI_DIGEST_LEN : 0);
		s->rx_stage = RX_AHS;
		return 1;
	case RX_AHS:
		if ((r = rx_fill(s, s->rx_hdr + ISCSI_BHS_LEN, s->rx_hdr_len)) <= 0)
			return r;
		return header_complete(s) < 0 ? -1 : 1;
	case RX_DATA:
		if ((r = rx_fill(s, s->rx_dst, s->rx_dlen)) <= 0)
			return r;
		s->rx_stage = RX_TRAILER;
		return 1;
	case RX_TRAILER:
		pad = iscsi_pad(s->rx_dlen);
		want = s->rx_dlen ? pad + (s->data_digest ? ISCSI_DIGEST_LEN : 0) : 0;
		if ((r = rx_fill(s, s->rx_trailer, want)) <= 0)
			return r;
		return data_complete(s) < 0 ? -1 : 1;
	}
	return -1;
}

/* Read and handle every PDU the socket has.  Returns 0, or -1 when the
 * connection or session ended. */
int ini_receive(struct ini_session *s)
{
	int fd = s->fd;
	int r;

	while ((r = rx_step(s)) > 0)
		if (s->fd != fd || s->state == INI_DEAD)
			return -1;
	return r;
}
