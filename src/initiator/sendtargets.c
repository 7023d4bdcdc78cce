/* SendTargets responses (RFC 7143 appendix C): TargetName=... followed by
 * its TargetAddress=host:port,tpgt keys.  The generic key parser refuses
 * repeated keys, which this text is made of, hence a parser of its own. */
#include "initiator/neg.h"

#include <string.h>

int ini_sendtargets_parse(const uint8_t *text, size_t len, ini_st_cb cb, void *arg,
			  const char **why)
{
	const char *p = (const char *)text, *end = p + len, *target = NULL;

	while (p < end) {
		const char *nul = memchr(p, '\0', (size_t)(end - p));

		if (nul == NULL) {
			*why = "a key=value pair without its terminating NUL";
			return -1;
		}
		if (nul == p) { /* padding or an empty pair */
			p++;
			continue;
		}
		if (strncmp(p, "TargetName=", 11) == 0) {
			target = p + 11;
			if (*target == '\0') {
				*why = "an empty TargetName";
				return -1;
			}
		} else if (strncmp(p, "TargetAddress=", 14) == 0) {
			if (target == NULL) {
				*why = "a TargetAddress before any TargetName";
				return -1;
			}
			cb(target, p + 14, arg);
		} else if (strchr(p, '=') == NULL) {
			*why = "a pair without '='";
			return -1;
		}
		p = nul + 1;
	}
	return 0;
}
