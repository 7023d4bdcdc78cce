#include "net/listener.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/list.h"
#include "common/log.h"
#include "common/util.h"
#include "net/worker.h"

struct listener {
	struct list_node node;
	struct listen_addr la;
	int fd;
	struct loop_fd lfd;
	listener_accept_fn on_accept;
	struct loop *loop;
	bool keep;
};

/* A connection on its way to a worker. */
struct handoff {
	int fd;
	struct sockaddr_storage local, peer;
	socklen_t local_len, peer_len;
	listener_accept_fn on_accept;
};

static struct list_node listeners = {&listeners, &listeners};

void format_sockaddr(const struct sockaddr *sa, char *out, size_t outlen)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)sa;
		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		snprintf(out, outlen, "[%s]:%u", host, ntohs(a->sin6_port));
	} else {
		const struct sockaddr_in *a = (const struct sockaddr_in *)sa;
		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		snprintf(out, outlen, "%s:%u", host, ntohs(a->sin_port));
	}
}

static void run_handoff(void *arg)
{
	struct handoff *h = arg;

	h->on_accept(h->fd, (struct sockaddr *)&h->local, h->local_len,
		     (struct sockaddr *)&h->peer, h->peer_len);
	free(h);
}

static void on_listen_ready(void *arg, uint32_t events)
{
	struct listener *l = arg;

	(void)events;
	for (int i = 0; i < 64; i++) {
		struct handoff *h = xcalloc(1, sizeof(*h));
		h->peer_len = sizeof(h->peer);
		h->fd = accept4(l->fd, (struct sockaddr *)&h->peer, &h->peer_len,
				SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (h->fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_warn("accept: %s", strerror(errno));
			free(h);
			return;
		}
		h->local_len = sizeof(h->local);
		getsockname(h->fd, (struct sockaddr *)&h->local, &h->local_len);
		h->on_accept = l->on_accept;
		loop_post(workers_pick(), run_handoff, h);
	}
}

static bool same_addr(const struct listen_addr *a, const struct listen_addr *b)
{
	return a->len == b->len && memcmp(&a->addr, &b->addr, a->len) == 0;
}

static int open_socket(const struct listen_addr *la, char *err, size_t errlen)
{
	char name[80];
	int one = 1;
	int fd = socket(la->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	format_sockaddr((const struct sockaddr *)&la->addr, name, sizeof(name));
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a socket for portal %s: %s", name,
			 strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (la->addr.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&la->addr, la->len) < 0 || listen(fd, 1024) < 0) {
		snprintf(err, errlen, "cannot listen on portal %s: %s%s", name, strerror(errno),
			 errno == EADDRINUSE ? " (another target or lunad is using it; stop it or "
					       "choose another port)"
			 : errno == EADDRNOTAVAIL ? " (no interface has that address)"
						  : "");
		close(fd);
		return -1;
	}
	return fd;
}

static struct listener *find(const struct listen_addr *la)
{
	struct list_node *pos;

	list_for_each(pos, &listeners)
	{
		struct listener *l = list_entry(pos, struct listener, node);
		if (same_addr(&l->la, la))
			return l;
	}
	return NULL;
}

static void close_listener(struct listener *l)
{
	char name[80];

	format_sockaddr((const struct sockaddr *)&l->la.addr, name, sizeof(name));
	log_info("portal %s closed", name);
	loop_fd_del(l->loop, &l->lfd);
	close(l->fd);
	list_del(&l->node);
	free(l);
}

int listeners_sync(struct loop *loop, const struct listen_addr *addrs, unsigned n,
		   listener_accept_fn on_accept, char *err, size_t errlen)
{
	struct list_node fresh, *pos, *tmp;

	list_init(&fresh);
	list_for_each(pos, &listeners) list_entry(pos, struct listener, node)->keep = false;
	for (unsigned i = 0; i < n; i++) {
		struct listener *l = find(&addrs[i]);
		bool dup = false;
		if (l) {
			l->keep = true;
			continue;
		}
		list_for_each(pos, &fresh)
		{
			if (same_addr(&list_entry(pos, struct listener, node)->la, &addrs[i]))
				dup = true;
		}
		if (dup)
			continue;
		l = xcalloc(1, sizeof(*l));
		l->la = addrs[i];
		l->fd = open_socket(&addrs[i], err, errlen);
		if (l->fd < 0) {
			free(l);
			list_for_each_safe(pos, tmp, &fresh)
			{
				struct listener *f = list_entry(pos, struct listener, node);
				close(f->fd);
				list_del(&f->node);
				free(f);
			}
			return -1;
		}
		l->keep = true;
		list_add_tail(&fresh, &l->node);
	}
	list_for_each_safe(pos, tmp, &listeners)
	{
		struct listener *l = list_entry(pos, struct listener, node);
		if (!l->keep)
			close_listener(l);
	}
	list_for_each_safe(pos, tmp, &fresh)
	{
		struct listener *l = list_entry(pos, struct listener, node);
		char name[80];

		list_del(&l->node);
		l->on_accept = on_accept;
		l->loop = loop;
		loop_fd_add(loop, &l->lfd, l->fd, EPOLLIN, on_listen_ready, l);
		list_add_tail(&listeners, &l->node);
		format_sockaddr((const struct sockaddr *)&l->la.addr, name, sizeof(name));
		log_info("listening on portal %s", name);
	}
	return 0;
}

void listeners_close_all(struct loop *loop)
{
	(void)loop;
	while (!list_empty(&listeners))
		close_listener(list_first(&listeners, struct listener, node));
}
