/* iSCSI URLs as libiscsi writes them:
 *   iscsi://[user[%password]@]host[:port][/target-iqn[/lun]]
 * host is a name, an IPv4 address or an IPv6 address in brackets.  Pure. */
#ifndef LUNA_INITIATOR_URL_H
#define LUNA_INITIATOR_URL_H

#include <stdbool.h>
#include <stdint.h>

#include "initiator/initiator.h"

struct ini_url {
	char user[INI_NAME_MAX];
	char password[INI_SECRET_MAX];
	char host[INI_HOST_MAX];
	uint16_t port;
	char target[INI_NAME_MAX]; /* empty when not given */
	int64_t lun;		   /* -1 when not given */
};

/* Returns 0, or -1 with *why. */
int ini_url_parse(const char *s, struct ini_url *u, const char **why);

/* "host[:port]", "[v6addr][:port]" or a bare IPv6 address. */
int ini_portal_parse(const char *s, char *host, size_t hostlen, uint16_t *port, const char **why);

/* Is this string an iscsi:// URL (rather than a file name)? */
bool ini_is_url(const char *s);

#endif
