/* Login parameter negotiation from the initiator's side (RFC 7143 6 and
 * 13): the keys we offer and what the target's answers leave in force.
 * Pure functions over key lists. */
#ifndef LUNA_INITIATOR_NEG_H
#define LUNA_INITIATOR_NEG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "initiator/initiator.h"
#include "iscsi/keys.h"

/* The operational parameters in force after login. */
struct ini_neg {
	bool header_digest, data_digest;
	uint32_t max_xmit_dsl; /* the target's MaxRecvDataSegmentLength */
	uint32_t max_recv_dsl; /* ours */
	uint32_t max_burst, first_burst;
	bool immediate_data, initial_r2t;
	uint32_t max_outstanding_r2t;
	bool data_pdu_in_order, data_seq_in_order;
	uint32_t erl;
	uint32_t time2wait, time2retain;
	uint32_t tpgt;
	char target_alias[256];
};

/* RFC 7143 defaults, before anything is negotiated. */
void ini_neg_defaults(struct ini_neg *n, const struct ini_config *cfg);

/* The operational keys we offer (a discovery session offers only the
 * digests and MaxRecvDataSegmentLength). */
void ini_neg_offer(const struct ini_config *cfg, bool discovery, struct iscsi_text_buf *out);

/* Take in the target's keys of one login response: answers to our offers,
 * its declarations, and its own offers (answered in reply).  Returns 0, or
 * -1 with a message in err when a value is malformed or not one we
 * offered. */
int ini_neg_apply(struct ini_neg *n, const struct ini_config *cfg, bool discovery,
		  const struct iscsi_keys *in, struct iscsi_text_buf *reply, char *err,
		  size_t errlen);

/* Parse a SendTargets response into "IP:PORT,TPGT TARGET" entries.  cb is
 * called once per address of each target.  Returns 0, or -1 with *why when
 * the text is malformed (an address before any TargetName). */
typedef void (*ini_st_cb)(const char *target, const char *addr, void *arg);
int ini_sendtargets_parse(const uint8_t *text, size_t len, ini_st_cb cb, void *arg,
			  const char **why);

#endif
