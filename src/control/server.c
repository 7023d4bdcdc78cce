/* The control socket's listener and clients, on the main loop.  Requests
 * are newline-terminated JSON; a line longer than CTL_REQUEST_MAX is
 * answered with an error and skipped up to its newline, so one bad client
 * cannot make lunad hold unbounded memory.  Only the daemon's own user
 * (root) may connect: the socket is mode 0600 and the peer's uid is
 * checked as well. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/log.h"
#include "common/util.h"
#include "control/request.h"
#include "control/server.h"

#define READ_CHUNK 65536

struct ctl_client {
	struct list_node node;
	struct control_server *srv;
	struct loop_fd lfd;
	int fd;
	char *in;
	size_t in_len, in_cap;
	bool discarding; /* inside an oversized line */
	bool eof;
	char *out;
	size_t out_len, out_off;
};

static void client_free(struct ctl_client *cl)
{
	loop_fd_del(cl->srv->loop, &cl->lfd);
	close(cl->fd);
	list_del(&cl->node);
	cl->srv->nclients--;
	free(cl->in);
	free(cl->out);
	free(cl);
}

static void queue_reply(struct ctl_client *cl, char *reply)
{
	size_t n = strlen(reply);

	cl->out = realloc(cl->out, cl->out_len + n);
	if (cl->out == NULL)
		abort();
	memcpy(cl->out + cl->out_len, reply, n);
	cl->out_len += n;
	free(reply);
}

/* Write what the socket takes; returns -1 if the client is gone. */
static int client_flush(struct ctl_client *cl)
{
	while (cl->out_off < cl->out_len) {
		ssize_t w = write(cl->fd, cl->out + cl->out_off, cl->out_len - cl->out_off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (w <= 0)
			return -1;
		cl->out_off += (size_t)w;
	}
	if (cl->out_off == cl->out_len) {
		cl->out_off = cl->out_len = 0;
		loop_fd_mod(cl->srv->loop, &cl->lfd, EPOLLIN);
		return cl->eof ? -1 : 0;
	}
	loop_fd_mod(cl->srv->loop, &cl->lfd, EPOLLIN | EPOLLOUT);
	return 0;
}

/* Answer every complete line in the input buffer. */
static void process_lines(struct ctl_client *cl)
{
	size_t start = 0;
	char *nl;

	while ((nl = memchr(cl->in + start, '\n', cl->in_len - start)) != NULL) {
		size_t len = (size_t)(nl - (cl->in + start));
		if (cl->discarding)
			cl->discarding = false;
		else if (len > 0)
			queue_reply(cl, control_handle(cl->srv, cl->in + start, len));
		start += len + 1;
	}
	memmove(cl->in, cl->in + start, cl->in_len - start);
	cl->in_len -= start;
	if (cl->in_len > CTL_REQUEST_MAX) {
		if (!cl->discarding)
			queue_reply(cl, ctl_reply_error("request longer than 1 MiB refused; "
							"nothing changed"));
		cl->discarding = true;
		cl->in_len = 0;
	}
}

static int client_read(struct ctl_client *cl)
{
	for (;;) {
		ssize_t n;
		if (cl->in_cap - cl->in_len < READ_CHUNK) {
			cl->in_cap = cl->in_len + READ_CHUNK;
			cl->in = realloc(cl->in, cl->in_cap);
			if (cl->in == NULL)
				abort();
		}
		n = read(cl->fd, cl->in + cl->in_len, cl->in_cap - cl->in_len);
		if (n > 0) {
			cl->in_len += (size_t)n;
			process_lines(cl);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		/* EOF: a last request without its newline still counts. */
		if (n == 0 && cl->in_len && !cl->discarding)
			queue_reply(cl, control_handle(cl->srv, cl->in, cl->in_len));
		cl->in_len = 0;
		cl->eof = true;
		return n == 0 ? 0 : -1;
	}
}

static void on_client(void *arg, uint32_t events)
{
	struct ctl_client *cl = arg;

	if ((events & EPOLLIN) && client_read(cl) < 0) {
		client_free(cl);
		return;
	}
	if (client_flush(cl) < 0 || (events & EPOLLERR)) {
		client_free(cl);
		return;
	}
}

static bool peer_allowed(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return false;
	return cred.uid == 0 || cred.uid == geteuid();
}

static void on_accept(void *arg, uint32_t events)
{
	struct control_server *s = arg;
	struct ctl_client *cl;
	int fd;

	(void)events;
	while ((fd = accept4(s->lfd.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (!peer_allowed(fd) || s->nclients >= CONTROL_MAX_CLIENTS) {
			log_warn("control: connection refused (%s)",
				 s->nclients >= CONTROL_MAX_CLIENTS ? "too many clients"
								    : "not the daemon's user");
			close(fd);
			continue;
		}
		cl = xcalloc(1, sizeof(*cl));
		cl->srv = s;
		cl->fd = fd;
		list_add_tail(&s->clients, &cl->node);
		s->nclients++;
		if (loop_fd_add(s->loop, &cl->lfd, fd, EPOLLIN, on_client, cl) < 0)
			client_free(cl);
	}
}

/* A socket file left by a lunad that died is removed; one that answers
 * belongs to a running lunad and is left alone. */
static int clear_stale(const char *path, const struct sockaddr_un *sa, char *err, size_t errlen)
{
	struct stat st;
	int fd, r;

	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket; remove it or use --control",
			 path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	r = fd >= 0 ? connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) : -1;
	if (fd >= 0)
		close(fd);
	if (r == 0) {
		snprintf(err, errlen,
			 "another lunad already listens on %s (give this one its own --control "
			 "PATH)",
			 path);
		return -1;
	}
	unlink(path);
	return 0;
}

static int make_dir(const char *path, char *err, size_t errlen)
{
	char *copy = xstrdup(path);
	const char *dir = dirname(copy);
	int r = 0;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		r = -1;
	}
	free(copy);
	return r;
}

static int open_socket(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mode_t old;
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "control socket path %s is longer than %zu bytes", path,
			 sizeof(sa.sun_path) - 1);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (make_dir(path, err, errlen) < 0 || clear_stale(path, &sa, err, errlen) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	old = umask(0077); /* no moment where others could connect */
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || chmod(path, 0600) < 0 || listen(fd, 16) < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

struct control_server *control_start(struct loop *loop, const char *path, const char *config_path,
				     control_portals_fn portals, void *arg, char *err,
				     size_t errlen)
{
	struct control_server *s;
	char *abs_config = NULL;
	int fd = open_socket(path, err, errlen);

	if (fd < 0)
		return NULL;
	if (config_path)
		abs_config =
		    config_path[0] == '/' ? xstrdup(config_path) : realpath(config_path, NULL);
	s = xcalloc(1, sizeof(*s));
	s->loop = loop;
	s->path = xstrdup(path);
	s->config_path = abs_config;
	s->portals = portals;
	s->arg = arg;
	list_init(&s->clients);
	if (loop_fd_add(loop, &s->lfd, fd, EPOLLIN, on_accept, s) < 0) {
		snprintf(err, errlen, "cannot watch the control socket");
		close(fd);
		control_stop(s);
		return NULL;
	}
	log_info("control socket %s", path);
	return s;
}

void control_stop(struct control_server *s)
{
	if (s == NULL)
		return;
	while (!list_empty(&s->clients))
		client_free(list_first(&s->clients, struct ctl_client, node));
	if (s->lfd.fd > 0) {
		loop_fd_del(s->loop, &s->lfd);
		close(s->lfd.fd);
		unlink(s->path);
	}
	free(s->path);
	free(s->config_path);
	free(s);
}
