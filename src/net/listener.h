/* Listening sockets for the portals, accepted on the main thread's loop and
 * handed to a worker. */
#ifndef LUNA_NET_LISTENER_H
#define LUNA_NET_LISTENER_H

#include <stddef.h>
#include <sys/socket.h>

#include "net/loop.h"

/* Runs on the chosen worker's thread with the accepted socket. */
typedef void (*listener_accept_fn)(int fd, const struct sockaddr *local, socklen_t local_len,
				   const struct sockaddr *peer, socklen_t peer_len);

struct listen_addr {
	struct sockaddr_storage addr;
	socklen_t len;
};

/* Make the set of listening sockets equal to addrs: open the new ones,
 * close the ones no longer wanted, keep the rest.  Opens everything first,
 * so that on failure (message in err) nothing has changed. */
int listeners_sync(struct loop *loop, const struct listen_addr *addrs, unsigned n,
		   listener_accept_fn on_accept, char *err, size_t errlen);
void listeners_close_all(struct loop *loop);

/* "127.0.0.1:3260" or "[::1]:3260". */
void format_sockaddr(const struct sockaddr *sa, char *out, size_t outlen);

#endif
