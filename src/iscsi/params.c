#include "iscsi/params.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"

/* How the responder combines the two sides' values (RFC 7143 6.2). */
enum key_rule {
	RULE_DIGEST,	  /* list: first of the initiator's we accept */
	RULE_MIN,	  /* numerical: the smaller */
	RULE_MAX,	  /* numerical: the larger */
	RULE_DECLARE,	  /* declarative: each side states its own */
	RULE_AND,	  /* boolean: Yes only if both say Yes */
	RULE_OR,	  /* boolean: Yes if either says Yes */
	RULE_IRRELEVANT,  /* obsolete keys (markers), answered without effect */
};

struct key_def {
	const char *name;
	enum key_rule rule;
	uint32_t lo, hi;
	bool session_only; /* "Irrelevant" in discovery sessions */
};

enum key_id {
	K_HEADER_DIGEST,
	K_DATA_DIGEST,
	K_MAX_CONNECTIONS,
	K_INITIAL_R2T,
	K_IMMEDIATE_DATA,
	K_MAX_RECV_DSL,
	K_MAX_BURST,
	K_FIRST_BURST,
	K_TIME2WAIT,
	K_TIME2RETAIN,
	K_MAX_OUTSTANDING_R2T,
	K_DATA_PDU_IN_ORDER,
	K_DATA_SEQ_IN_ORDER,
	K_ERL,
	K_OF_MARKER,
	K_IF_MARKER,
	K_OF_MARK_INT,
	K_IF_MARK_INT,
	K_COUNT
};

static const struct key_def keys[K_COUNT] = {
	[K_HEADER_DIGEST] = {"HeaderDigest", RULE_DIGEST, 0, 0, false},
	[K_DATA_DIGEST] = {"DataDigest", RULE_DIGEST, 0, 0, false},
	[K_MAX_CONNECTIONS] = {"MaxConnections", RULE_MIN, 1, 65535, true},
	[K_INITIAL_R2T] = {"InitialR2T", RULE_OR, 0, 1, true},
	[K_IMMEDIATE_DATA] = {"ImmediateData", RULE_AND, 0, 1, true},
	[K_MAX_RECV_DSL] = {"MaxRecvDataSegmentLength", RULE_DECLARE, 512, 16777215, false},
	[K_MAX_BURST] = {"MaxBurstLength", RULE_MIN, 512, 16777215, true},
	[K_FIRST_BURST] = {"FirstBurstLength", RULE_MIN, 512, 16777215, true},
	[K_TIME2WAIT] = {"DefaultTime2Wait", RULE_MAX, 0, 3600, false},
	[K_TIME2RETAIN] = {"DefaultTime2Retain", RULE_MIN, 0, 3600, false},
	[K_MAX_OUTSTANDING_R2T] = {"MaxOutstandingR2T", RULE_MIN, 1, 65535, true},
	[K_DATA_PDU_IN_ORDER] = {"DataPDUInOrder", RULE_OR, 0, 1, true},
	[K_DATA_SEQ_IN_ORDER] = {"DataSequenceInOrder", RULE_OR, 0, 1, true},
	[K_ERL] = {"ErrorRecoveryLevel", RULE_MIN, 0, 2, false},
	[K_OF_MARKER] = {"OFMarker", RULE_AND, 0, 1, false},
	[K_IF_MARKER] = {"IFMarker", RULE_AND, 0, 1, false},
	[K_OF_MARK_INT] = {"OFMarkInt", RULE_IRRELEVANT, 0, 0, false},
	[K_IF_MARK_INT] = {"IFMarkInt", RULE_IRRELEVANT, 0, 0, false},
};

void iscsi_params_defaults(struct iscsi_params *p)
{
	p->header_digest = false;
	p->data_digest = false;
	p->max_recv_dsl = 8192;
	p->max_send_dsl = 8192;
	p->max_connections = 1;
	p->initial_r2t = true;
	p->immediate_data = true;
	p->max_burst = 262144;
	p->first_burst = 65536;
	p->time2wait = 2;
	p->time2retain = 20;
	p->max_outstanding_r2t = 1;
	p->data_pdu_in_order = true;
	p->data_seq_in_order = true;
	p->erl = 0;
}

void iscsi_policy_defaults(struct iscsi_policy *pol)
{
	pol->header_crc32c = pol->header_none = true;
	pol->data_crc32c = pol->data_none = true;
	pol->max_recv_dsl = 262144;
	pol->max_burst = 1048576;
	pol->first_burst = 262144;
	pol->max_outstanding_r2t = 16;
	pol->max_connections = 1;
	pol->time2wait = 2;
	pol->time2retain = 0; /* ErrorRecoveryLevel 0: nothing is retained */
	pol->erl = 0;
	pol->initial_r2t = false;
	pol->immediate_data = true;
	pol->data_pdu_in_order = true;
	pol->data_seq_in_order = true;
}

static int find_key(const char *name)
{
	for (int i = 0; i < K_COUNT; i++)
		if (strcmp(keys[i].name, name) == 0)
			return i;
	return -1;
}

bool iscsi_is_operational_key(const char *key)
{
	return find_key(key) >= 0;
}

/* Parse a decimal (or 0x hex) number within [lo, hi]. */
static int parse_number(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (*s == '\0' || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int parse_bool(const char *s, bool *out)
{
	if (strcmp(s, "Yes") == 0)
		*out = true;
	else if (strcmp(s, "No") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

/* Parse a digest list ("CRC32C,None") into acceptable flags. */
static int parse_digest_list(const char *s, bool *crc, bool *none)
{
	char buf[256];
	char *save = NULL;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	*crc = *none = false;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "CRC32C") == 0)
			*crc = true;
		else if (strcmp(t, "None") == 0)
			*none = true;
		else
			return -1;
	}
	return (*crc || *none) ? 0 : -1;
}

static uint32_t *policy_number(struct iscsi_policy *pol, int k)
{
	switch (k) {
	case K_MAX_CONNECTIONS:
		return &pol->max_connections;
	case K_MAX_RECV_DSL:
		return &pol->max_recv_dsl;
	case K_MAX_BURST:
		return &pol->max_burst;
	case K_FIRST_BURST:
		return &pol->first_burst;
	case K_TIME2WAIT:
		return &pol->time2wait;
	case K_TIME2RETAIN:
		return &pol->time2retain;
	case K_MAX_OUTSTANDING_R2T:
		return &pol->max_outstanding_r2t;
	case K_ERL:
		return &pol->erl;
	default:
		return NULL;
	}
}

static bool *policy_bool(struct iscsi_policy *pol, int k)
{
	switch (k) {
	case K_INITIAL_R2T:
		return &pol->initial_r2t;
	case K_IMMEDIATE_DATA:
		return &pol->immediate_data;
	case K_DATA_PDU_IN_ORDER:
		return &pol->data_pdu_in_order;
	case K_DATA_SEQ_IN_ORDER:
		return &pol->data_seq_in_order;
	default:
		return NULL;
	}
}

int iscsi_policy_set(struct iscsi_policy *pol, const char *key, const char *value, char *err,
		     size_t errlen)
{
	int k = find_key(key);
	uint32_t *num;
	bool *b;

	if (k < 0 || keys[k].rule == RULE_IRRELEVANT || k == K_OF_MARKER || k == K_IF_MARKER) {
		snprintf(err, errlen, "%s is not a negotiation parameter Luna sets per TPG", key);
		return -1;
	}
	if (k == K_HEADER_DIGEST || k == K_DATA_DIGEST) {
		bool crc, none;
		if (parse_digest_list(value, &crc, &none) < 0) {
			snprintf(err, errlen, "%s must be a list of CRC32C and None, got \"%s\"", key,
				 value);
			return -1;
		}
		if (k == K_HEADER_DIGEST) {
			pol->header_crc32c = crc;
			pol->header_none = none;
		} else {
			pol->data_crc32c = crc;
			pol->data_none = none;
		}
		return 0;
	}
	if ((num = policy_number(pol, k)) != NULL) {
		uint32_t hi = keys[k].hi;
		if (k == K_ERL)
			hi = 0; /* only ErrorRecoveryLevel 0 is implemented */
		if (parse_number(value, keys[k].lo, hi, num) < 0) {
			snprintf(err, errlen, "%s must be a number from %u to %u, got \"%s\"", key,
				 keys[k].lo, hi, value);
			return -1;
		}
		return 0;
	}
	b = policy_bool(pol, k);
	if (b == NULL || parse_bool(value, b) < 0) {
		snprintf(err, errlen, "%s must be Yes or No, got \"%s\"", key, value);
		return -1;
	}
	return 0;
}

void iscsi_negotiation_init(struct iscsi_negotiation *neg, const struct iscsi_policy *pol,
			    bool discovery)
{
	memset(neg, 0, sizeof(*neg));
	neg->policy = *pol;
	neg->discovery = discovery;
	iscsi_params_defaults(&neg->params);
	neg->params.max_recv_dsl = pol->max_recv_dsl;
}

static int answer_digest(struct iscsi_negotiation *neg, int k, const char *value,
			 struct iscsi_text_buf *out)
{
	bool crc_ok = k == K_HEADER_DIGEST ? neg->policy.header_crc32c : neg->policy.data_crc32c;
	bool none_ok = k == K_HEADER_DIGEST ? neg->policy.header_none : neg->policy.data_none;
	bool *result = k == K_HEADER_DIGEST ? &neg->params.header_digest : &neg->params.data_digest;
	char buf[256];
	char *save = NULL;

	if (strlen(value) >= sizeof(buf)) {
		iscsi_text_add(out, keys[k].name, "Reject");
		return 0;
	}
	strcpy(buf, value);
	/* The initiator's order decides: the first value we also accept. */
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "CRC32C") == 0 && crc_ok) {
			*result = true;
			iscsi_text_add(out, keys[k].name, "CRC32C");
			return 0;
		}
		if (strcmp(t, "None") == 0 && none_ok) {
			*result = false;
			iscsi_text_add(out, keys[k].name, "None");
			return 0;
		}
	}
	iscsi_text_add(out, keys[k].name, "Reject");
	return 0;
}

static void set_number(struct iscsi_params *p, int k, uint32_t v)
{
	switch (k) {
	case K_MAX_CONNECTIONS:
		p->max_connections = v;
		break;
	case K_MAX_BURST:
		p->max_burst = v;
		break;
	case K_FIRST_BURST:
		p->first_burst = v;
		break;
	case K_TIME2WAIT:
		p->time2wait = v;
		break;
	case K_TIME2RETAIN:
		p->time2retain = v;
		break;
	case K_MAX_OUTSTANDING_R2T:
		p->max_outstanding_r2t = v;
		break;
	case K_ERL:
		p->erl = v;
		break;
	default:
		break;
	}
}

static void set_bool(struct iscsi_params *p, int k, bool v)
{
	switch (k) {
	case K_INITIAL_R2T:
		p->initial_r2t = v;
		break;
	case K_IMMEDIATE_DATA:
		p->immediate_data = v;
		break;
	case K_DATA_PDU_IN_ORDER:
		p->data_pdu_in_order = v;
		break;
	case K_DATA_SEQ_IN_ORDER:
		p->data_seq_in_order = v;
		break;
	default:
		break;
	}
}

static int answer_number(struct iscsi_negotiation *neg, int k, const char *value,
			 struct iscsi_text_buf *out)
{
	uint32_t theirs, ours, result;

	if (parse_number(value, keys[k].lo, keys[k].hi, &theirs) < 0) {
		iscsi_text_add(out, keys[k].name, "Reject");
		return 0;
	}
	if (keys[k].rule == RULE_DECLARE) {
		/* The initiator's limit for what we send it; we declare ours
		 * separately in iscsi_negotiate_finish(). */
		neg->params.max_send_dsl = theirs;
		return 0;
	}
	ours = *policy_number(&neg->policy, k);
	result = keys[k].rule == RULE_MIN ? MIN(theirs, ours) : MAX(theirs, ours);
	set_number(&neg->params, k, result);
	iscsi_text_addf(out, keys[k].name, "%u", result);
	return 0;
}

static int answer_bool(struct iscsi_negotiation *neg, int k, const char *value,
		       struct iscsi_text_buf *out)
{
	bool theirs, ours, result;

	if (parse_bool(value, &theirs) < 0) {
		iscsi_text_add(out, keys[k].name, "Reject");
		return 0;
	}
	if (k == K_OF_MARKER || k == K_IF_MARKER)
		ours = false; /* markers are not implemented (and obsolete) */
	else
		ours = *policy_bool(&neg->policy, k);
	result = keys[k].rule == RULE_AND ? (theirs && ours) : (theirs || ours);
	set_bool(&neg->params, k, result);
	iscsi_text_add(out, keys[k].name, result ? "Yes" : "No");
	return 0;
}

int iscsi_negotiate_key(struct iscsi_negotiation *neg, const char *key, const char *value,
			struct iscsi_text_buf *out, const char **why)
{
	int k = find_key(key);

	*why = NULL;
	if (k < 0) {
		iscsi_text_add(out, key, "NotUnderstood");
		return 0;
	}
	neg->seen_mask |= 1u << k;
	if (neg->discovery && keys[k].session_only) {
		iscsi_text_add(out, key, "Irrelevant");
		return 0;
	}
	switch (keys[k].rule) {
	case RULE_DIGEST:
		return answer_digest(neg, k, value, out);
	case RULE_MIN:
	case RULE_MAX:
	case RULE_DECLARE:
		return answer_number(neg, k, value, out);
	case RULE_AND:
	case RULE_OR:
		return answer_bool(neg, k, value, out);
	case RULE_IRRELEVANT:
		iscsi_text_add(out, key, "Irrelevant");
		return 0;
	}
	return 0;
}

void iscsi_negotiate_finish(struct iscsi_negotiation *neg, struct iscsi_text_buf *out)
{
	if (!(neg->sent_mask & (1u << K_MAX_RECV_DSL))) {
		iscsi_text_addf(out, keys[K_MAX_RECV_DSL].name, "%u", neg->policy.max_recv_dsl);
		neg->sent_mask |= 1u << K_MAX_RECV_DSL;
	}
	neg->params.max_recv_dsl = neg->policy.max_recv_dsl;
	/* RFC 7143 13.14: FirstBurstLength must not exceed MaxBurstLength. */
	if (neg->params.first_burst > neg->params.max_burst)
		neg->params.first_burst = neg->params.max_burst;
}
