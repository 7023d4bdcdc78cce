/* Blocking helpers over the asynchronous session: a poll loop that runs
 * until the one thing asked for is done. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "initiator/initiator.h"

int ini_wait(struct ini_session *s, const bool *done, int timeout_ms)
{
	uint64_t end = timeout_ms < 0 ? 0 : now_ms() + (uint64_t)timeout_ms;

	while (!*done && !ini_session_failed(s)) {
		struct pollfd p = {.fd = ini_session_fd(s), .events = ini_session_events(s)};
		int t = ini_session_timeout_ms(s);
		uint64_t now = now_ms();

		if (end) {
			if (now >= end)
				return -1;
			if (t < 0 || (uint64_t)t > end - now)
				t = (int)(end - now);
		}
		if (p.fd < 0 && t < 0)
			return -1; /* closed: nothing will ever happen */
		if (poll(&p, p.fd >= 0 ? 1 : 0, t) < 0 && errno != EINTR)
			return -1;
		ini_session_service(s, p.fd >= 0 ? p.revents : 0);
	}
	return *done ? 0 : -1;
}

int ini_login_sync(struct ini_session *s)
{
	bool done = false;

	if (ini_session_start(s) < 0)
		return -1;
	while (!ini_session_logged_in(s) && !ini_session_failed(s))
		if (ini_wait(s, &done, 100) < 0 && ini_session_failed(s))
			return -1;
	return ini_session_logged_in(s) ? 0 : -1;
}

struct sync_scsi {
	bool done;
	struct ini_scsi_status *st;
};

static void scsi_done(struct ini_session *s, const struct ini_scsi_status *st, void *arg)
{
	struct sync_scsi *w = arg;

	(void)s;
	*w->st = *st;
	w->done = true;
}

int ini_scsi_sync(struct ini_session *s, uint64_t lun, const uint8_t *cdb, unsigned cdb_len,
		  enum ini_dir dir, void *buf, uint32_t len, struct ini_scsi_status *st)
{
	struct sync_scsi w = {false, st};

	memset(st, 0, sizeof(*st));
	st->result = INI_ERR_SESSION;
	if (ini_scsi_submit(s, lun, cdb, cdb_len, dir, buf, len, scsi_done, &w) == NULL)
		return -1;
	ini_wait(s, &w.done, -1);
	return w.done && st->result == INI_OK ? 0 : -1;
}

struct sync_text {
	bool done;
	uint8_t *text;
	size_t len;
};

static void text_done(struct ini_session *s, const uint8_t *text, size_t len, void *arg)
{
	struct sync_text *w = arg;

	(void)s;
	w->done = true;
	if (text == NULL)
		return;
	w->text = xmalloc(len + 1);
	memcpy(w->text, text, len);
	w->text[len] = 0;
	w->len = len;
}

int ini_sendtargets_sync(struct ini_session *s, uint8_t **text, size_t *len)
{
	struct sync_text w = {0};

	if (ini_sendtargets_submit(s, text_done, &w) < 0)
		return -1;
	ini_wait(s, &w.done, -1);
	*text = w.text;
	*len = w.len;
	return w.text ? 0 : -1;
}

static void logout_done(struct ini_session *s, bool ok, void *arg)
{
	(void)s;
	*(int *)arg = ok ? 1 : 2;
}

int ini_logout_sync(struct ini_session *s)
{
	int state = 0;
	bool done = false;

	if (ini_logout_submit(s, logout_done, &state) < 0)
		return -1;
	while (state == 0 && !ini_session_failed(s))
		if (ini_wait(s, &done, 100) < 0 && ini_session_failed(s))
			break;
	return state == 1 ? 0 : -1;
}
