/* Name checks shared by the configuration parser and the management tool:
 * iSCSI names (RFC 7143 section 4.2.7 / RFC 3720 section 3.2.6) and
 * storage object names. */
#ifndef LUNA_CONFIG_NAMES_H
#define LUNA_CONFIG_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* Is name a valid iSCSI name: "iqn.yyyy-mm.reversed.domain[:anything]",
 * "eui." + 16 hex digits, or "naa." + 16 or 32 hex digits?  If not and why
 * is given, it gets a short reason ("uppercase letters are not allowed"). */
bool iscsi_name_valid(const char *name, char *why, size_t whylen);

/* Storage object names: 1 to 63 of [A-Za-z0-9_.:-]. */
bool storage_name_valid(const char *name);

#endif
