/* The session: its life (connect, login, full feature phase, recovery,
 * failure), the CmdSN window and the task lists. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/util.h"
#include "initiator/internal.h"

#define RETRY_MIN_MS 100
#define RETRY_MAX_MS 5000

struct ini_session *ini_session_new(const struct ini_config *cfg)
{
	struct ini_session *s = xcalloc(1, sizeof(*s));

	s->cfg = *cfg;
	s->fd = -1;
	s->state = INI_IDLE;
	list_init(&s->waiting);
	list_init(&s->active);
	list_init(&s->txq);
	s->rxbuf = xmalloc(INI_RXBUF);
	s->rx_scratch_cap = MAX(cfg->max_recv_dsl, 8192u) + 4;
	s->rx_scratch = xmalloc(s->rx_scratch_cap);
	/* ISID type 0x80 (random), kept for the life of the session so that
	 * a reconnect reinstates it rather than starting another. */
	if (chap_random(s->isid, sizeof(s->isid)) < 0)
		memset(s->isid, 0x5a, sizeof(s->isid));
	s->isid[0] = 0x80 | (s->isid[0] & 0x3f);
	s->cmdsn = 1;
	s->next_itt = 1;
	ini_neg_defaults(&s->neg, cfg);
	return s;
}

static void fail_all(struct ini_session *s, enum ini_result r)
{
	struct list_node *lists[2] = {&s->active, &s->waiting};

	for (int i = 0; i < 2; i++)
		while (!list_empty(lists[i]))
			ini_task_done(s, list_first(lists[i], struct ini_task, node), r);
}

void ini_session_free(struct ini_session *s)
{
	if (s == NULL)
		return;
	ini_conn_close(s);
	if (s->state != INI_DEAD && s->state != INI_CLOSED)
		snprintf(s->err, sizeof(s->err), "the session was closed by its user");
	s->state = INI_DEAD;
	fail_all(s, INI_ERR_SESSION);
	free(s->login_text);
	free(s->rxbuf);
	free(s->rx_scratch);
	free(s);
}

int ini_session_start(struct ini_session *s)
{
	if (s->state != INI_IDLE)
		return -1;
	s->state = INI_CONNECTING;
	s->deadline_ms = now_ms() + s->cfg.login_timeout_ms;
	if (ini_conn_open(s) < 0)
		return -1;
	return 0;
}

void ini_fail(struct ini_session *s, const char *fmt, ...)
{
	va_list ap;

	if (s->state == INI_DEAD)
		return;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	log_debug("session failed: %s", s->err);
	s->state = INI_DEAD;
	ini_conn_close(s);
	fail_all(s, INI_ERR_SESSION);
}

/* Commands on the dropped connection go back to the front of the waiting
 * list, in CmdSN order, to be sent again after the next login; control
 * tasks (pings, TMF, text, logout) belonged to that connection and fail. */
static void requeue_active(struct ini_session *s)
{
	struct list_node *pos, *tmp, *at = &s->waiting;

	list_for_each_safe(pos, tmp, &s->active)
	{
		struct ini_task *t = list_entry(pos, struct ini_task, node);

		if (t->kind != TK_SCSI) {
			ini_task_done(s, t, INI_ERR_SESSION);
			continue;
		}
		list_del(&t->node);
		ini_task_reset(t);
		list_insert_between(&t->node, at, at->next);
		at = &t->node;
	}
	s->nop_pending = false;
}

void ini_conn_lost(struct ini_session *s, const char *fmt, ...)
{
	uint64_t now = now_ms();
	va_list ap;

	if (s->state == INI_DEAD || s->state == INI_CLOSED)
		return;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	if (!s->logged_in_once || s->cfg.recovery_timeout_ms == 0) {
		char msg[INI_ERR_MAX];
		memcpy(msg, s->err, sizeof(msg));
		ini_fail(s, "%s", msg);
		return;
	}
	if (s->recovery_deadline_ms == 0) {
		s->recovery_deadline_ms = now + s->cfg.recovery_timeout_ms;
		s->retry_delay_ms = RETRY_MIN_MS;
		log_warn("%s; reconnecting", s->err);
	}
	if (now >= s->recovery_deadline_ms) {
		char msg[INI_ERR_MAX];
		memcpy(msg, s->err, sizeof(msg));
		ini_fail(s, "%s (gave up reconnecting after %u s)", msg,
			 s->cfg.recovery_timeout_ms / 1000);
		return;
	}
	ini_conn_close(s);
	requeue_active(s);
	s->state = INI_WAIT_RETRY;
	s->retry_at_ms = now + s->retry_delay_ms;
	s->retry_delay_ms = MIN(s->retry_delay_ms * 2, RETRY_MAX_MS);
}

static void retry_now(struct ini_session *s)
{
	s->state = INI_CONNECTING;
	s->deadline_ms = now_ms() + s->cfg.login_timeout_ms;
	ini_conn_open(s);
}

void ini_logged_in(struct ini_session *s)
{
	s->state = INI_FULL;
	s->hdr_digest = s->neg.header_digest;
	s->data_digest = s->neg.data_digest;
	if (s->logged_in_once)
		s->reconnects++;
	if (s->recovery_deadline_ms)
		log_warn("reconnected to %s port %u; re-issuing %u command(s)", s->cfg.host,
			 s->cfg.port, s->busy);
	s->logged_in_once = true;
	s->recovery_deadline_ms = 0;
	s->last_rx_ms = now_ms();
	s->err[0] = '\0';
	ini_kick(s);
}

uint32_t ini_alloc_itt(struct ini_session *s)
{
	uint32_t itt;

	do {
		itt = s->next_itt++;
	} while (itt == ISCSI_RSVD_TAG || ini_task_find(s, itt) != NULL);
	return itt;
}

struct ini_task *ini_task_find(struct ini_session *s, uint32_t itt)
{
	struct list_node *pos;

	list_for_each(pos, &s->active)
	{
		struct ini_task *t = list_entry(pos, struct ini_task, node);
		if (t->itt == itt)
			return t;
	}
	return NULL;
}

void ini_update_sn(struct ini_session *s, uint32_t statsn, bool has_status, uint32_t expcmdsn,
		   uint32_t maxcmdsn)
{
	if (has_status && sn_le(s->expstatsn, statsn))
		s->expstatsn = statsn + 1;
	/* RFC 7143 4.2.2.1: a MaxCmdSN below ExpCmdSN - 1 is invalid and
	 * ignored; otherwise both only move forward. */
	if (sn_lt(maxcmdsn, expcmdsn - 1))
		return;
	if (sn_lt(s->expcmdsn, expcmdsn))
		s->expcmdsn = expcmdsn;
	if (sn_lt(s->maxcmdsn, maxcmdsn))
		s->maxcmdsn = maxcmdsn;
}

/* Send what the window allows, in order. */
void ini_kick(struct ini_session *s)
{
	while (s->state == INI_FULL && !list_empty(&s->waiting)) {
		struct ini_task *t = list_first(&s->waiting, struct ini_task, node);

		if (!t->immediate && !sn_le(s->cmdsn, s->maxcmdsn))
			break;
		list_del(&t->node);
		list_add_tail(&s->active, &t->node);
		t->cmdsn = s->cmdsn;
		if (!t->immediate)
			s->cmdsn++;
		t->sent = true;
		if (t->kind == TK_SCSI)
			ini_scsi_send(s, t);
		else
			ini_ctl_send(s, t);
	}
}

void ini_task_done(struct ini_session *s, struct ini_task *t, enum ini_result r)
{
	list_del(&t->node);
	s->busy--;
	switch (t->kind) {
	case TK_SCSI:
		t->st.result = r;
		if (t->scsi_cb)
			t->scsi_cb(s, &t->st, t->arg);
		break;
	case TK_TMF:
		if (t->tmf_cb)
			t->tmf_cb(s, r == INI_OK ? t->st.response : -1, t->arg);
		break;
	case TK_TEXT:
		if (t->text_cb)
			t->text_cb(s, r == INI_OK ? t->text : NULL, r == INI_OK ? t->text_len : 0,
				   t->arg);
		free(t->text);
		break;
	case TK_LOGOUT:
		if (t->logout_cb)
			t->logout_cb(s, r == INI_OK && t->st.response == 0, t->arg);
		break;
	case TK_NOP:
		if (t->nop_cb)
			t->nop_cb(s, r == INI_OK, t->arg);
		break;
	}
	free(t);
}

/* ---- poll integration */

int ini_session_fd(const struct ini_session *s)
{
	return s->fd;
}

short ini_session_events(const struct ini_session *s)
{
	if (s->fd < 0)
		return 0;
	if (s->state == INI_CONNECTING)
		return POLLOUT;
	return (short)(POLLIN | (list_empty(&s->txq) ? 0 : POLLOUT));
}

static uint64_t next_deadline(const struct ini_session *s)
{
	switch (s->state) {
	case INI_CONNECTING:
	case INI_LOGIN:
		return s->deadline_ms;
	case INI_WAIT_RETRY:
		return s->retry_at_ms;
	case INI_FULL:
		if (s->cfg.nop_interval_ms == 0)
			return 0;
		if (s->nop_pending)
			return s->nop_sent_ms + s->cfg.nop_timeout_ms;
		return s->last_rx_ms + s->cfg.nop_interval_ms;
	default:
		return 0;
	}
}

int ini_session_timeout_ms(const struct ini_session *s)
{
	uint64_t d = next_deadline(s), now = now_ms();

	if (d == 0)
		return -1;
	return d <= now ? 0 : (int)MIN(d - now, (uint64_t)60000);
}

static void timers(struct ini_session *s)
{
	uint64_t d = next_deadline(s);

	if (d == 0 || now_ms() < d)
		return;
	switch (s->state) {
	case INI_CONNECTING:
	case INI_LOGIN:
		ini_conn_lost(s, "no login to %s port %u within %u s", s->cfg.host, s->cfg.port,
			      s->cfg.login_timeout_ms / 1000);
		break;
	case INI_WAIT_RETRY:
		retry_now(s);
		break;
	case INI_FULL:
		ini_keepalive(s);
		break;
	default:
		break;
	}
}

void ini_session_service(struct ini_session *s, short revents)
{
	int fd = s->fd;

	timers(s);
	/* revents belong to the socket polled; a reconnect made a new one */
	if (s->fd < 0 || s->fd != fd)
		return;
	if (s->state == INI_CONNECTING) {
		if (!(revents & (POLLOUT | POLLERR | POLLHUP)))
			return;
		if (ini_conn_connected(s) < 0) {
			ini_conn_lost(s, "cannot connect to %s port %u: %s", s->cfg.host,
				      s->cfg.port, strerror(errno));
			return;
		}
		s->state = INI_LOGIN;
		if (ini_login_begin(s) < 0)
			return;
	} else if (revents & (POLLIN | POLLERR | POLLHUP)) {
		if (ini_receive(s) < 0)
			return;
	}
	ini_flush(s);
}

bool ini_session_logged_in(const struct ini_session *s)
{
	return s->state == INI_FULL;
}

bool ini_session_failed(const struct ini_session *s)
{
	return s->state == INI_DEAD;
}

const char *ini_session_error(const struct ini_session *s)
{
	return s->err[0] ? s->err : "no error";
}

unsigned ini_session_busy(const struct ini_session *s)
{
	return s->busy;
}

unsigned ini_session_reconnects(const struct ini_session *s)
{
	return s->reconnects;
}

uint16_t ini_session_tpgt(const struct ini_session *s)
{
	return (uint16_t)s->neg.tpgt;
}
