#include "initiator/neg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

void ini_neg_defaults(struct ini_neg *n, const struct ini_config *cfg)
{
	memset(n, 0, sizeof(*n));
	n->max_xmit_dsl = 8192;
	n->max_recv_dsl = cfg->max_recv_dsl;
	n->max_burst = 262144;
	n->first_burst = 65536;
	n->immediate_data = true;
	n->initial_r2t = true;
	n->max_outstanding_r2t = 1;
	n->data_pdu_in_order = true;
	n->data_seq_in_order = true;
	n->time2wait = 2;
	n->time2retain = 20;
}

void ini_neg_offer(const struct ini_config *cfg, bool discovery, struct iscsi_text_buf *out)
{
	iscsi_text_add(out, "HeaderDigest", cfg->header_digest);
	iscsi_text_add(out, "DataDigest", cfg->data_digest);
	iscsi_text_addf(out, "MaxRecvDataSegmentLength", "%u", cfg->max_recv_dsl);
	if (discovery)
		return;
	iscsi_text_add(out, "InitialR2T", cfg->initial_r2t ? "Yes" : "No");
	iscsi_text_add(out, "ImmediateData", cfg->immediate_data ? "Yes" : "No");
	iscsi_text_addf(out, "MaxBurstLength", "%u", cfg->max_burst);
	iscsi_text_addf(out, "FirstBurstLength", "%u", cfg->first_burst);
	iscsi_text_addf(out, "MaxOutstandingR2T", "%u", cfg->max_outstanding_r2t);
	iscsi_text_add(out, "MaxConnections", "1");
	iscsi_text_add(out, "DataPDUInOrder", "Yes");
	iscsi_text_add(out, "DataSequenceInOrder", "Yes");
	iscsi_text_add(out, "ErrorRecoveryLevel", "0");
	iscsi_text_add(out, "DefaultTime2Wait", "2");
	iscsi_text_add(out, "DefaultTime2Retain", "20");
}

static int errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int num(const char *v, uint32_t lo, uint32_t hi, uint32_t *out)
{
	unsigned long x;
	char *end;

	if (*v < '0' || *v > '9')
		return -1;
	errno = 0;
	x = strtoul(v, &end, 0);
	if (errno || *end || x < lo || x > hi)
		return -1;
	*out = (uint32_t)x;
	return 0;
}

static int yesno(const char *v, bool *out)
{
	if (strcmp(v, "Yes") == 0)
		*out = true;
	else if (strcmp(v, "No") == 0)
		*out = false;
	else
		return -1;
	return 0;
}

/* Is value one of the comma separated offers? */
static bool in_list(const char *list, const char *value)
{
	size_t n = strlen(value);

	for (const char *p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, value, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

/* Answers that mean "use the default" rather than a value. */
static bool no_value(const char *v)
{
	return strcmp(v, "Irrelevant") == 0 || strcmp(v, "Reject") == 0 ||
	       strcmp(v, "NotUnderstood") == 0;
}

static int digest_key(const char *key, const char *offer, const char *v, bool *out, char *err,
		      size_t errlen)
{
	if (strcmp(v, "Reject") == 0 || strcmp(v, "NotUnderstood") == 0) {
		if (!in_list(offer, "None"))
			return errf(err, errlen, "the target refuses %s %s, which we require", key,
				    offer);
		*out = false;
		return 0;
	}
	if (!in_list(offer, v) || (strcmp(v, "None") != 0 && strcmp(v, "CRC32C") != 0))
		return errf(err, errlen, "the target answered %s=%s, not one of our offers %s", key,
			    v, offer);
	*out = strcmp(v, "CRC32C") == 0;
	return 0;
}

/* A numeric key: the target's answer must lie between lo and what we
 * offered (the result function is the minimum), or for a declaration any
 * value in range. */
static int num_key(const char *key, const char *v, uint32_t lo, uint32_t hi, uint32_t *out,
		   char *err, size_t errlen)
{
	if (num(v, lo, hi, out) < 0)
		return errf(err, errlen, "the target answered %s=%s (expected %u to %u)", key, v,
			    lo, hi);
	return 0;
}

struct neg_ctx {
	struct ini_neg *n;
	const struct ini_config *cfg;
	struct iscsi_text_buf *reply;
	char *err;
	size_t errlen;
};

/* Keys whose answer is a boolean with result function AND (ImmediateData)
 * or OR (InitialR2T, DataPDUInOrder, DataSequenceInOrder). */
static int bool_key(struct neg_ctx *c, const char *key, const char *v, bool offer, bool is_and,
		    bool *out)
{
	bool b;

	if (no_value(v))
		return 0;
	if (yesno(v, &b) < 0)
		return errf(c->err, c->errlen, "the target answered %s=%s (expected Yes or No)",
			    key, v);
	/* AND: we said No, the answer must be No; OR: we said Yes, it must be Yes. */
	if ((is_and && !offer && b) || (!is_and && offer && !b))
		return errf(c->err, c->errlen, "the target answered %s=%s against our %s", key, v,
			    offer ? "Yes" : "No");
	*out = b;
	return 0;
}

static int apply_numeric(struct neg_ctx *c, const char *k, const char *v, bool *known)
{
	struct ini_neg *n = c->n;
	const struct ini_config *cfg = c->cfg;

	*known = true;
	if (no_value(v))
		return 0;
	if (strcmp(k, "MaxRecvDataSegmentLength") == 0)
		return num_key(k, v, 512, 16777215, &n->max_xmit_dsl, c->err, c->errlen);
	if (strcmp(k, "MaxBurstLength") == 0)
		return num_key(k, v, 512, cfg->max_burst, &n->max_burst, c->err, c->errlen);
	if (strcmp(k, "FirstBurstLength") == 0)
		return num_key(k, v, 512, cfg->first_burst, &n->first_burst, c->err, c->errlen);
	if (strcmp(k, "MaxOutstandingR2T") == 0)
		return num_key(k, v, 1, cfg->max_outstanding_r2t, &n->max_outstanding_r2t, c->err,
			       c->errlen);
	if (strcmp(k, "ErrorRecoveryLevel") == 0)
		return num_key(k, v, 0, 0, &n->erl, c->err, c->errlen);
	if (strcmp(k, "MaxConnections") == 0) {
		uint32_t one;
		return num_key(k, v, 1, 1, &one, c->err, c->errlen);
	}
	if (strcmp(k, "DefaultTime2Wait") == 0)
		return num_key(k, v, 0, 3600, &n->time2wait, c->err, c->errlen);
	if (strcmp(k, "DefaultTime2Retain") == 0)
		return num_key(k, v, 0, 3600, &n->time2retain, c->err, c->errlen);
	if (strcmp(k, "TargetPortalGroupTag") == 0)
		return num_key(k, v, 0, 65535, &n->tpgt, c->err, c->errlen);
	*known = false;
	return 0;
}

static int apply_one(struct neg_ctx *c, const char *k, const char *v)
{
	const struct ini_config *cfg = c->cfg;
	struct ini_neg *n = c->n;
	bool known;
	int r;

	if (strcmp(k, "HeaderDigest") == 0)
		return digest_key(k, cfg->header_digest, v, &n->header_digest, c->err, c->errlen);
	if (strcmp(k, "DataDigest") == 0)
		return digest_key(k, cfg->data_digest, v, &n->data_digest, c->err, c->errlen);
	if (strcmp(k, "ImmediateData") == 0)
		return bool_key(c, k, v, cfg->immediate_data, true, &n->immediate_data);
	if (strcmp(k, "InitialR2T") == 0)
		return bool_key(c, k, v, cfg->initial_r2t, false, &n->initial_r2t);
	if (strcmp(k, "DataPDUInOrder") == 0)
		return bool_key(c, k, v, true, false, &n->data_pdu_in_order);
	if (strcmp(k, "DataSequenceInOrder") == 0)
		return bool_key(c, k, v, true, false, &n->data_seq_in_order);
	r = apply_numeric(c, k, v, &known);
	if (known)
		return r;
	if (strcmp(k, "TargetAlias") == 0) {
		strlcpy_luna(n->target_alias, v, sizeof(n->target_alias));
		return 0;
	}
	if (strcmp(k, "TargetAddress") == 0 || strcmp(k, "TargetName") == 0 ||
	    strcmp(k, "AuthMethod") == 0 || strncmp(k, "CHAP_", 5) == 0)
		return 0; /* the login code looks at these */
	/* Markers and anything else we do not implement: say so, the target
	 * falls back to the default (RFC 7143 6.2). */
	if (strcmp(k, "OFMarker") == 0 || strcmp(k, "IFMarker") == 0)
		iscsi_text_add(c->reply, k, "No");
	else
		iscsi_text_add(c->reply, k, "NotUnderstood");
	return 0;
}

int ini_neg_apply(struct ini_neg *n, const struct ini_config *cfg, bool discovery,
		  const struct iscsi_keys *in, struct iscsi_text_buf *reply, char *err,
		  size_t errlen)
{
	struct neg_ctx c = {n, cfg, reply, err, errlen};

	(void)discovery;
	for (unsigned i = 0; i < in->count; i++)
		if (apply_one(&c, in->kv[i].key, in->kv[i].value) < 0)
			return -1;
	if (n->first_burst > n->max_burst)
		n->first_burst = n->max_burst;
	return 0;
}
