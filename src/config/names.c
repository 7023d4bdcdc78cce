/* iSCSI name syntax.  Names are compared as byte strings after stringprep
 * normalisation (RFC 3722), which lowercases: Luna accepts only the ASCII
 * subset of normalised names, so a name written with capitals is refused
 * rather than silently treated as a different initiator. */
#include "config/names.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define ISCSI_NAME_MAX 223

static bool reason(char *why, size_t whylen, const char *msg)
{
	if (why && whylen)
		snprintf(why, whylen, "%s", msg);
	return false;
}

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return s[n] == '\0';
}

/* Characters a normalised iqn may hold (ASCII part). */
static bool iqn_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':';
}

static bool iqn_date_valid(const char *d)
{
	int month;

	for (int i = 0; i < 4; i++)
		if (!isdigit((unsigned char)d[i]))
			return false;
	if (d[4] != '-' || !isdigit((unsigned char)d[5]) || !isdigit((unsigned char)d[6]))
		return false;
	month = (d[5] - '0') * 10 + (d[6] - '0');
	return month >= 1 && month <= 12;
}

static bool iqn_valid(const char *name, char *why, size_t whylen)
{
	const char *auth = name + 12; /* after "iqn.yyyy-mm." */
	size_t n = strlen(name);

	for (size_t i = 0; i < n; i++) {
		if (isupper((unsigned char)name[i]))
			return reason(why, whylen,
				      "uppercase letters are not allowed (iSCSI names "
				      "are lowercase)");
		if (!iqn_char(name[i]))
			return reason(why, whylen, "only a-z, 0-9, '-', '.' and ':' are allowed");
	}
	if (n < 13 || !iqn_date_valid(name + 4) || name[11] != '.')
		return reason(why, whylen, "expected iqn.yyyy-mm.reversed.domain[:identifier]");
	if (*auth == '.' || *auth == ':' || *auth == '-')
		return reason(why, whylen,
			      "the naming authority (reversed domain name) is "
			      "missing after the date");
	return true;
}

bool iscsi_name_valid(const char *name, char *why, size_t whylen)
{
	size_t n;

	if (name == NULL || name[0] == '\0')
		return reason(why, whylen, "empty name");
	n = strlen(name);
	if (n > ISCSI_NAME_MAX)
		return reason(why, whylen, "longer than 223 bytes");
	if (strncmp(name, "iqn.", 4) == 0)
		return iqn_valid(name, why, whylen);
	if (strncmp(name, "eui.", 4) == 0)
		return all_hex(name + 4, 16) ||
		       reason(why, whylen, "eui. must be followed by 16 hex digits");
	if (strncmp(name, "naa.", 4) == 0)
		return all_hex(name + 4, 16) || all_hex(name + 4, 32) ||
		       reason(why, whylen, "naa. must be followed by 16 or 32 hex digits");
	return reason(why, whylen, "must start with iqn., eui. or naa.");
}

bool storage_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;

	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!isalnum((unsigned char)c) && c != '_' && c != '.' && c != ':' && c != '-')
			return false;
	}
	return true;
}
