#include "initiator/url.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

static int bad(const char **why, const char *msg)
{
	*why = msg;
	return -1;
}

bool ini_is_url(const char *s)
{
	return strncmp(s, "iscsi://", 8) == 0;
}

static int parse_port(const char *p, uint16_t *port, const char **why)
{
	char *end;
	unsigned long v;

	if (*p < '0' || *p > '9')
		return bad(why, "the port is not a number");
	errno = 0;
	v = strtoul(p, &end, 10);
	if (errno || *end || v == 0 || v > 65535)
		return bad(why, "the port must be a number from 1 to 65535");
	*port = (uint16_t)v;
	return 0;
}

int ini_portal_parse(const char *s, char *host, size_t hostlen, uint16_t *port, const char **why)
{
	const char *colon, *hend;

	*port = INI_DEFAULT_PORT;
	if (*s == '[') {
		hend = strchr(s, ']');
		if (hend == NULL)
			return bad(why, "an IPv6 address without its closing ']'");
		if (hend[1] != '\0' && hend[1] != ':')
			return bad(why, "text after the IPv6 address that is not ':port'");
		if (hend[1] == ':' && parse_port(hend + 2, port, why) < 0)
			return -1;
		s++;
	} else {
		colon = strchr(s, ':');
		if (colon && strchr(colon + 1, ':')) {
			hend = s + strlen(s); /* a bare IPv6 address, no port */
		} else {
			hend = colon ? colon : s + strlen(s);
			if (colon && parse_port(colon + 1, port, why) < 0)
				return -1;
		}
	}
	if (hend == s)
		return bad(why, "no host");
	if ((size_t)(hend - s) >= hostlen)
		return bad(why, "the host name is too long");
	memcpy(host, s, (size_t)(hend - s));
	host[hend - s] = '\0';
	return 0;
}

static int parse_userinfo(const char *s, size_t n, struct ini_url *u, const char **why)
{
	const char *pct = memchr(s, '%', n);
	size_t ulen = pct ? (size_t)(pct - s) : n;

	if (ulen == 0)
		return bad(why, "an empty user name before '@'");
	if (ulen >= sizeof(u->user))
		return bad(why, "the user name is too long");
	memcpy(u->user, s, ulen);
	u->user[ulen] = '\0';
	if (pct) {
		size_t plen = n - ulen - 1;
		if (plen >= sizeof(u->password))
			return bad(why, "the password is too long");
		memcpy(u->password, pct + 1, plen);
		u->password[plen] = '\0';
	}
	return 0;
}

static int parse_lun(const char *s, int64_t *lun, const char **why)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return bad(why, "the LUN is not a number");
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || (*end && strcmp(end, "/") != 0) || v > 16383)
		return bad(why, "the LUN must be a number from 0 to 16383");
	*lun = (int64_t)v;
	return 0;
}

int ini_url_parse(const char *s, struct ini_url *u, const char **why)
{
	const char *auth, *at, *slash, *tend;
	char hostport[INI_HOST_MAX + 8];

	memset(u, 0, sizeof(*u));
	u->lun = -1;
	if (!ini_is_url(s))
		return bad(why, "not an iscsi:// URL");
	auth = s + 8;
	slash = strchr(auth, '/');
	at = memchr(auth, '@', slash ? (size_t)(slash - auth) : strlen(auth));
	if (at) {
		if (parse_userinfo(auth, (size_t)(at - auth), u, why) < 0)
			return -1;
		auth = at + 1;
	}
	tend = slash ? slash : auth + strlen(auth);
	if ((size_t)(tend - auth) >= sizeof(hostport))
		return bad(why, "the host name is too long");
	memcpy(hostport, auth, (size_t)(tend - auth));
	hostport[tend - auth] = '\0';
	if (ini_portal_parse(hostport, u->host, sizeof(u->host), &u->port, why) < 0)
		return -1;
	if (slash == NULL || slash[1] == '\0')
		return 0;
	auth = slash + 1;
	slash = strchr(auth, '/');
	tend = slash ? slash : auth + strlen(auth);
	if ((size_t)(tend - auth) >= sizeof(u->target))
		return bad(why, "the target name is too long (iSCSI names are at most 223 bytes)");
	memcpy(u->target, auth, (size_t)(tend - auth));
	u->target[tend - auth] = '\0';
	if (slash && slash[1])
		return parse_lun(slash + 1, &u->lun, why);
	return 0;
}
