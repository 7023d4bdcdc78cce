/* Private to src/control: the server's state. */
#ifndef LUNA_CONTROL_SERVER_H
#define LUNA_CONTROL_SERVER_H

#include "common/list.h"
#include "control/control.h"
#include "net/loop.h"

#define CONTROL_MAX_CLIENTS 16

struct control_server {
	struct loop *loop;
	struct loop_fd lfd;
	char *path;
	char *config_path;
	control_portals_fn portals;
	void *arg;
	struct list_node clients;
	unsigned nclients;
};

#endif
