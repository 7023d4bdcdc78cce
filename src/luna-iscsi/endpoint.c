#include "luna-iscsi/endpoint.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "initiator/url.h"

int ep_open(struct endpoint *e, struct tool_opts *o, const char *name, bool output)
{
	memset(e, 0, sizeof(*e));
	e->name = name;
	e->fd = -1;
	if (ini_is_url(name)) {
		e->is_lun = true;
		e->s = tool_open_lun(o, name, &e->l);
		return e->s ? 0 : -1;
	}
	e->fd = output ? open(name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)
		       : open(name, O_RDONLY | O_CLOEXEC);
	if (e->fd < 0) {
		tool_err("cannot open %s: %s", name, strerror(errno));
		return -1;
	}
	return 0;
}

void ep_close(struct endpoint *e)
{
	if (e->is_lun)
		tool_logout(e->s);
	else if (e->fd >= 0)
		close(e->fd);
	e->s = NULL;
	e->fd = -1;
}

static int min_timeout(int a, int b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a < b ? a : b;
}

int ep_poll(struct endpoint *a, struct endpoint *b, int timeout_ms)
{
	struct endpoint *eps[2] = {a, b};
	struct pollfd p[2];
	int n = 0, t = timeout_ms;

	for (int i = 0; i < 2; i++) {
		struct ini_session *s = eps[i] && eps[i]->is_lun ? eps[i]->s : NULL;
		p[i].fd = s ? ini_session_fd(s) : -1;
		p[i].events = s ? ini_session_events(s) : 0;
		p[i].revents = 0;
		if (s)
			t = min_timeout(t, ini_session_timeout_ms(s));
		n = i + 1;
	}
	if (poll(p, (nfds_t)n, t) < 0 && errno != EINTR)
		return -1;
	for (int i = 0; i < 2; i++) {
		struct ini_session *s = eps[i] && eps[i]->is_lun ? eps[i]->s : NULL;
		if (s == NULL)
			continue;
		ini_session_service(s, p[i].revents);
		if (ini_session_failed(s)) {
			tool_err("%s: %s", eps[i]->name, ini_session_error(s));
			return -1;
		}
	}
	return 0;
}
