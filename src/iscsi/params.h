/* Operational parameter negotiation (RFC 7143 sections 6 and 13): the keys,
 * their legal ranges and result functions, and what this target offers.
 * Pure functions; the login state machine (login.c) drives them. */
#ifndef LUNA_ISCSI_PARAMS_H
#define LUNA_ISCSI_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iscsi/keys.h"

/* The negotiated values of a session and its connection. */
struct iscsi_params {
	/* connection */
	bool header_digest;
	bool data_digest;
	uint32_t max_recv_dsl; /* what we accept in one PDU (we declare it) */
	uint32_t max_send_dsl; /* what the initiator accepts (it declares it) */
	/* session */
	uint32_t max_connections;
	bool initial_r2t;
	bool immediate_data;
	uint32_t max_burst;
	uint32_t first_burst;
	uint32_t time2wait;
	uint32_t time2retain;
	uint32_t max_outstanding_r2t;
	bool data_pdu_in_order;
	bool data_seq_in_order;
	uint32_t erl;
};

/* What a TPG offers: the acceptable digests and our side of each value.
 * Defaults favour throughput: immediate data, no initial R2T, large
 * bursts. */
struct iscsi_policy {
	bool header_crc32c, header_none; /* acceptable HeaderDigest values */
	bool data_crc32c, data_none;
	uint32_t max_recv_dsl;
	uint32_t max_burst;
	uint32_t first_burst;
	uint32_t max_outstanding_r2t;
	uint32_t max_connections;
	uint32_t time2wait;
	uint32_t time2retain;
	uint32_t erl;
	bool initial_r2t;
	bool immediate_data;
	bool data_pdu_in_order;
	bool data_seq_in_order;
};

/* State of one negotiation (a whole login). */
struct iscsi_negotiation {
	struct iscsi_policy policy;
	struct iscsi_params params;
	bool discovery;
	uint32_t sent_mask; /* keys we declared or answered */
	uint32_t seen_mask; /* keys the initiator sent */
};

/* RFC 7143 defaults, as the session starts before any negotiation. */
void iscsi_params_defaults(struct iscsi_params *p);
void iscsi_policy_defaults(struct iscsi_policy *pol);

/* Apply one TPG parameter (LIO's saveconfig "parameters" names, e.g.
 * "MaxRecvDataSegmentLength" = "262144", "HeaderDigest" = "CRC32C,None").
 * Returns 0, or -1 with a message naming the legal range in err. */
int iscsi_policy_set(struct iscsi_policy *pol, const char *key, const char *value, char *err,
		     size_t errlen);

void iscsi_negotiation_init(struct iscsi_negotiation *neg, const struct iscsi_policy *pol,
			    bool discovery);

/* Is this one of the operational keys handled here? */
bool iscsi_is_operational_key(const char *key);

/* Answer one operational key the initiator sent, appending our response to
 * out.  Returns 0, or -1 (with *why) when the login must fail because the
 * value is unacceptable and the key cannot simply be answered Reject. */
int iscsi_negotiate_key(struct iscsi_negotiation *neg, const char *key, const char *value,
			struct iscsi_text_buf *out, const char **why);

/* Before the move to full feature phase: declare what the initiator did
 * not ask about but must know (our MaxRecvDataSegmentLength), and settle
 * cross-key rules (FirstBurstLength <= MaxBurstLength). */
void iscsi_negotiate_finish(struct iscsi_negotiation *neg, struct iscsi_text_buf *out);

#endif
