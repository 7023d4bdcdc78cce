/* nbd: serve a LUN as an NBD export.  One client at a time; its requests
 * run concurrently on the iSCSI session, and the replies go back as the
 * commands complete (NBD allows any order). */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "common/atomic_file.h"
#include "common/util.h"
#include "luna-iscsi/nbd_proto.h"
#include "luna-iscsi/tool.h"

struct nbd_srv {
	struct ini_session *s;
	struct ini_lun l;
	struct nbd_export ex;
	int lfd, cfd;
	unsigned inflight;
	bool disc, once;
	char name[INI_NAME_MAX];
};

struct nbd_req {
	struct nbd_srv *srv;
	struct nbd_request r;
	uint8_t *buf;	  /* whole blocks covering the request */
	uint8_t *payload; /* write data, or NULL for zeroes */
	uint64_t a0;	  /* first byte of the first block */
	uint32_t alen;
};

static void reply(struct nbd_req *q, uint32_t error, const void *data, uint32_t len)
{
	struct nbd_srv *srv = q->srv;
	uint8_t h[16];

	nbd_encode_reply(h, error, q->r.handle);
	if (srv->cfd >= 0 && (write_all(srv->cfd, h, sizeof(h)) < 0 ||
			      (!error && len && write_all(srv->cfd, data, len) < 0))) {
		close(srv->cfd);
		srv->cfd = -1;
	}
	srv->inflight--;
	free(q->buf);
	free(q->payload);
	free(q);
}

static uint32_t io_error(struct nbd_req *q, const char *err)
{
	if (err == NULL)
		return 0;
	tool_err("nbd: %s at offset %llu: %s", q->r.type == NBD_CMD_READ ? "read" : "write",
		 (unsigned long long)q->r.offset, err);
	return NBD_EIO;
}

static void done_simple(void *arg, const char *err)
{
	reply(arg, io_error(arg, err), NULL, 0);
}

static void done_read(void *arg, const char *err)
{
	struct nbd_req *q = arg;

	reply(q, io_error(q, err), q->buf + (q->r.offset - q->a0), q->r.length);
}

/* Read-modify-write: the covering blocks are in; patch and write them. */
static void done_rmw_read(void *arg, const char *err)
{
	struct nbd_req *q = arg;
	struct ini_lun *l = &q->srv->l;

	if (err) {
		reply(q, io_error(q, err), NULL, 0);
		return;
	}
	if (q->payload)
		memcpy(q->buf + (q->r.offset - q->a0), q->payload, q->r.length);
	else
		memset(q->buf + (q->r.offset - q->a0), 0, q->r.length);
	if (ini_lun_rw(l, true, q->a0 / l->block_size, q->alen / l->block_size, q->buf,
		       (q->r.flags & NBD_CMD_FLAG_FUA) != 0, done_simple, q) < 0)
		reply(q, NBD_EIO, NULL, 0);
}

static bool aligned(const struct nbd_req *q)
{
	return q->a0 == q->r.offset && q->alen == q->r.length;
}

static int start_write(struct nbd_req *q)
{
	struct ini_lun *l = &q->srv->l;
	bool fua = (q->r.flags & NBD_CMD_FLAG_FUA) != 0;

	if (aligned(q) && q->payload)
		return ini_lun_rw(l, true, q->a0 / l->block_size, q->alen / l->block_size,
				  q->payload, fua, done_simple, q);
	if (aligned(q))
		return ini_lun_write_zeroes(l, q->a0 / l->block_size, q->alen / l->block_size, fua,
					    done_simple, q);
	q->buf = xmalloc(q->alen);
	return ini_lun_rw(l, false, q->a0 / l->block_size, q->alen / l->block_size, q->buf, false,
			  done_rmw_read, q);
}

static int start_trim(struct nbd_req *q)
{
	struct ini_lun *l = &q->srv->l;
	uint64_t b0 = ALIGN_UP(q->r.offset, (uint64_t)l->block_size) / l->block_size;
	uint64_t b1 = (q->r.offset + q->r.length) / l->block_size;

	if (b1 <= b0) {
		reply(q, 0, NULL, 0);
		return 0;
	}
	return ini_lun_unmap(l, b0, (uint32_t)(b1 - b0), done_simple, q);
}

static int start(struct nbd_req *q)
{
	struct ini_lun *l = &q->srv->l;

	switch (q->r.type) {
	case NBD_CMD_READ:
		q->buf = xmalloc(q->alen);
		return ini_lun_rw(l, false, q->a0 / l->block_size, q->alen / l->block_size, q->buf,
				  false, done_read, q);
	case NBD_CMD_WRITE:
	case NBD_CMD_WRITE_ZEROES:
		return start_write(q);
	case NBD_CMD_TRIM:
		return start_trim(q);
	case NBD_CMD_FLUSH:
		return ini_lun_flush(l, done_simple, q);
	default:
		reply(q, NBD_EINVAL, NULL, 0);
		return 0;
	}
}

static int drop(struct nbd_srv *srv, struct nbd_req *q)
{
	srv->inflight--;
	free(q->payload);
	free(q);
	return -1;
}

/* Read one request off the client and start it.  -1: drop the client. */
static int client_request(struct nbd_srv *srv)
{
	uint8_t h[28];
	struct nbd_req *q;
	uint32_t bs = srv->l.block_size;

	if (nbd_read_full(srv->cfd, h, sizeof(h)) < 0)
		return -1;
	q = xcalloc(1, sizeof(*q));
	q->srv = srv;
	if (nbd_decode_request(h, &q->r) < 0) {
		tool_err("nbd: a request with a bad magic number; dropping the client");
		free(q);
		return -1;
	}
	srv->inflight++;
	if (q->r.type == NBD_CMD_DISC) {
		srv->disc = true;
		srv->inflight--;
		free(q);
		return 0;
	}
	if (q->r.type == NBD_CMD_WRITE) {
		if (q->r.length > NBD_MAX_REQUEST) {
			tool_err(
			    "nbd: a %u byte write is over the %u byte limit; dropping the client",
			    q->r.length, NBD_MAX_REQUEST);
			return drop(srv, q);
		}
		q->payload = xmalloc(q->r.length ? q->r.length : 1);
		if (nbd_read_full(srv->cfd, q->payload, q->r.length) < 0)
			return drop(srv, q);
	}
	if (q->r.length > NBD_MAX_REQUEST && q->r.type != NBD_CMD_TRIM &&
	    q->r.type != NBD_CMD_WRITE_ZEROES) {
		reply(q, NBD_EINVAL, NULL, 0);
		return 0;
	}
	if (q->r.offset > srv->ex.size || q->r.length > srv->ex.size - q->r.offset) {
		reply(q, q->r.type == NBD_CMD_READ ? NBD_EINVAL : NBD_ENOSPC, NULL, 0);
		return 0;
	}
	if (q->r.length == 0 && q->r.type != NBD_CMD_FLUSH) {
		reply(q, 0, NULL, 0);
		return 0;
	}
	q->a0 = q->r.offset / bs * bs;
	q->alen = (uint32_t)(ALIGN_UP(q->r.offset + q->r.length, (uint64_t)bs) - q->a0);
	if (start(q) < 0)
		reply(q, NBD_EIO, NULL, 0);
	return 0;
}

static int listen_on(const char *sock, const char *addr)
{
	int fd, one = 1;

	if (sock) {
		struct sockaddr_un un = {.sun_family = AF_UNIX};
		if (strlen(sock) >= sizeof(un.sun_path))
			return help_usage_error("nbd", "--socket path too long");
		strlcpy_luna(un.sun_path, sock, sizeof(un.sun_path));
		unlink(sock);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || bind(fd, (struct sockaddr *)&un, sizeof(un)) < 0 ||
		    listen(fd, 4) < 0) {
			tool_err("nbd: cannot listen on %s: %s", sock, strerror(errno));
			return -1;
		}
		return fd;
	}
	char host[INI_HOST_MAX], port[8];
	uint16_t p;
	const char *why;
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV},
			*ai;

	if (ini_portal_parse(addr, host, sizeof(host), &p, &why) < 0 || !strchr(addr, ':'))
		return help_usage_error("nbd", "--listen %s: give ADDR:PORT (%s)", addr,
					strchr(addr, ':') ? why : "no port");
	snprintf(port, sizeof(port), "%u", p);
	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return help_usage_error("nbd", "--listen %s: not a numeric address", addr);
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 4) < 0) {
		tool_err("nbd: cannot listen on %s: %s", addr, strerror(errno));
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	return fd;
}

static void accept_client(struct nbd_srv *srv)
{
	int fd = accept4(srv->lfd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	/* The handshake is short; the session waits meanwhile. */
	if (nbd_handshake(fd, &srv->ex) != 1) {
		close(fd);
		return;
	}
	srv->cfd = fd;
	srv->disc = false;
}

/* One turn of the loop.  -1: the session failed. */
static int serve_once(struct nbd_srv *srv)
{
	struct pollfd p[2] = {
	    {.fd = ini_session_fd(srv->s), .events = ini_session_events(srv->s)},
	    {.fd = srv->cfd >= 0 ? srv->cfd : srv->lfd,
	     .events = (short)(srv->cfd >= 0 && srv->disc ? 0 : POLLIN)},
	};

	if (poll(p, 2, ini_session_timeout_ms(srv->s)) < 0 && errno != EINTR)
		return -1;
	ini_session_service(srv->s, p[0].revents);
	if (ini_session_failed(srv->s)) {
		tool_err("nbd: %s", ini_session_error(srv->s));
		return -1;
	}
	if (srv->cfd < 0 && (p[1].revents & POLLIN))
		accept_client(srv);
	else if (srv->cfd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)) &&
		 client_request(srv) < 0)
		srv->disc = true;
	return 0;
}

static int serve(struct nbd_srv *srv)
{
	for (;;) {
		if (serve_once(srv) < 0)
			return -1;
		if (srv->cfd >= 0 && srv->disc && srv->inflight == 0) {
			close(srv->cfd);
			srv->cfd = -1;
			if (srv->once)
				return 0;
		}
	}
}

int cmd_nbd(int argc, char **argv)
{
	static const struct option longopts[] = {{"socket", required_argument, NULL, 's'},
						 {"listen", required_argument, NULL, 'l'},
						 {"name", required_argument, NULL, 'n'},
						 {"once", no_argument, NULL, '1'},
						 COMMON_LONGOPTS,
						 {NULL, 0, NULL, 0}};
	struct nbd_srv srv = {.lfd = -1, .cfd = -1};
	const char *sock = NULL, *addr = NULL, *name = NULL;
	struct tool_opts o;
	int c, rc;

	opts_init(&o);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 's')
			sock = optarg;
		else if (c == 'l')
			addr = optarg;
		else if (c == 'n')
			name = optarg;
		else if (c == '1')
			srv.once = true;
		else if (opts_common(&o, c, optarg, "nbd") < 0)
			return EXIT_USAGE;
	}
	if (optind != argc - 1 || (!sock == !addr))
		return help_usage_error("nbd", "give a URL and one of --socket or --listen");
	srv.s = tool_open_lun(&o, argv[optind], &srv.l);
	if (srv.s == NULL)
		return 1;
	strlcpy_luna(srv.name, name ? name : o.cfg.target_name, sizeof(srv.name));
	srv.ex = (struct nbd_export){.name = srv.name,
				     .size = srv.l.blocks * srv.l.block_size,
				     .flags = NBD_FLAG_HAS_FLAGS | NBD_FLAG_SEND_FLUSH |
					      NBD_FLAG_SEND_FUA | NBD_FLAG_SEND_TRIM |
					      NBD_FLAG_SEND_WRITE_ZEROES,
				     .block_size = srv.l.block_size};
	srv.lfd = listen_on(sock, addr);
	if (srv.lfd < 0) {
		tool_logout(srv.s);
		return 1;
	}
	rc = serve(&srv);
	close(srv.lfd);
	if (sock)
		unlink(sock);
	tool_logout(srv.s);
	return rc < 0 ? 1 : 0;
}
