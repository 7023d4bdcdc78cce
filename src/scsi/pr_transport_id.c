/* iSCSI TransportIDs (SPC-4 7.6.4.6): how PERSISTENT RESERVE commands name
 * initiator ports.  Format 0 carries an iSCSI name (every initiator port
 * of that name); format 1 "name,i,0x<ISID>" one initiator port. */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "common/bytes.h"
#include "common/util.h"
#include "scsi/pr.h"

#define PROTO_ISCSI 0x5
#define TID_HDR 4

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* Split "name,i,0x<isid>" into its parts. */
static int split_port_name(const char *s, struct pr_ident *id)
{
	const char *sep = strstr(s, ",i,0x");
	size_t nlen, ilen;

	if (sep == NULL)
		sep = strstr(s, ",I,0X");
	if (sep == NULL)
		return -1;
	nlen = (size_t)(sep - s);
	ilen = strlen(sep + 5);
	if (nlen == 0 || nlen >= sizeof(id->iname) || ilen != PR_ISID_HEX ||
	    !all_hex(sep + 5, ilen))
		return -1;
	memcpy(id->iname, s, nlen);
	id->iname[nlen] = '\0';
	for (size_t i = 0; i < ilen; i++)
		id->isid[i] = (char)tolower((unsigned char)sep[5 + i]);
	id->isid[ilen] = '\0';
	return 0;
}

int pr_tid_parse(const uint8_t *buf, size_t len, struct pr_ident *id)
{
	char name[PR_ISCSI_NAME_MAX + 32];
	size_t addlen, slen;
	uint8_t format;

	if (len < TID_HDR || (buf[0] & 0x0f) != PROTO_ISCSI)
		return -1;
	format = buf[0] >> 6;
	addlen = get_be16(buf + 2);
	if (addlen == 0 || TID_HDR + addlen > len)
		return -1;
	/* The name is null-terminated within the additional length. */
	slen = strnlen((const char *)buf + TID_HDR, addlen);
	if (slen == 0 || slen == addlen || slen >= sizeof(name))
		return -1;
	memcpy(name, buf + TID_HDR, slen);
	name[slen] = '\0';
	if (format == 0) {
		if (strchr(name, ',') || slen >= sizeof(id->iname))
			return -1;
		strlcpy_luna(id->iname, name, sizeof(id->iname));
		id->isid[0] = '\0';
	} else if (format != 1 || split_port_name(name, id) < 0) {
		return -1;
	}
	return (int)(TID_HDR + addlen);
}

size_t pr_tid_build(const struct pr_ident *id, uint8_t *buf, size_t cap)
{
	size_t nlen = strlen(id->iname), slen, total;
	bool port = id->isid[0] != '\0';

	/* name, ",i,0x" and 12 digits when format 1, and the terminating null,
	 * padded to a multiple of 4 and at least 20 bytes (SPC-4). */
	slen = nlen + (port ? 5 + PR_ISID_HEX : 0) + 1;
	slen = ALIGN_UP(slen, 4);
	if (slen < 20)
		slen = 20;
	total = TID_HDR + slen;
	if (total > cap)
		return total;
	memset(buf, 0, total);
	buf[0] = (uint8_t)((port ? 0x40 : 0x00) | PROTO_ISCSI);
	put_be16(buf + 2, (uint16_t)slen);
	memcpy(buf + TID_HDR, id->iname, nlen);
	if (port) {
		memcpy(buf + TID_HDR + nlen, ",i,0x", 5);
		memcpy(buf + TID_HDR + nlen + 5, id->isid, PR_ISID_HEX);
	}
	return total;
}
