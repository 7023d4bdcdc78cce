#include "common/atomic_file.h"
#include "lunactl/client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int ctl_connect(struct ctl_conn *c, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "socket path %s is too long", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		snprintf(err, errlen,
			 "cannot reach lunad at %s: %s (is lunad running? is this its --control "
			 "path? lunactl must run as root)",
			 path, strerror(errno));
		ctl_close(c);
		return -1;
	}
	return 0;
}

void ctl_close(struct ctl_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	c->len = c->cap = 0;
}

/* One line from the socket (without its newline), or NULL. */
static char *read_line(struct ctl_conn *c)
{
	for (;;) {
		char *nl = c->len ? memchr(c->buf, '\n', c->len) : NULL;
		ssize_t n;
		if (nl) {
			size_t len = (size_t)(nl - c->buf);
			char *line = malloc(len + 1);
			if (line == NULL)
				return NULL;
			memcpy(line, c->buf, len);
			line[len] = '\0';
			memmove(c->buf, nl + 1, c->len - len - 1);
			c->len -= len + 1;
			return line;
		}
		if (c->cap - c->len < 65536) {
			c->cap = c->len + 65536;
			c->buf = realloc(c->buf, c->cap);
			if (c->buf == NULL)
				return NULL;
		}
		n = read(c->fd, c->buf + c->len, c->cap - c->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return NULL;
		c->len += (size_t)n;
	}
}

json_t *ctl_call(struct ctl_conn *c, json_t *req, char *err, size_t errlen)
{
	char *text = json_dumps(req, JSON_COMPACT);
	char *line;
	json_t *reply;
	int r;

	if (text == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r = write_all(c->fd, text, strlen(text));
	free(text);
	if (r < 0 || write_all(c->fd, "\n", 1) < 0 || (line = read_line(c)) == NULL) {
		snprintf(err, errlen, "lunad closed the control connection");
		return NULL;
	}
	reply = json_loads(line, 0, NULL);
	free(line);
	if (!json_is_object(reply)) {
		json_decref(reply);
		snprintf(err, errlen, "lunad sent a reply that is not JSON");
		return NULL;
	}
	return reply;
}
