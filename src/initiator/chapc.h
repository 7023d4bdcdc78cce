/* CHAP from the initiator's side (RFC 7143 12.1.3): offer algorithms,
 * answer the target's challenge, challenge the target for mutual CHAP and
 * check its answer.  Pure apart from the random challenge. */
#ifndef LUNA_INITIATOR_CHAPC_H
#define LUNA_INITIATOR_CHAPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iscsi/chap.h"
#include "iscsi/keys.h"

struct ini_chapc {
	const char *user, *secret;		 /* ours */
	const char *mutual_user, *mutual_secret; /* the target's, for mutual CHAP */
	const int *algs;
	unsigned n_algs;
	int alg;			    /* chosen by the target */
	uint8_t challenge[CHAP_MAX_DIGEST]; /* ours, for mutual CHAP */
	size_t challenge_len;
	uint8_t id;
};

/* "CHAP_A=7,6,5" in offer order. */
void ini_chapc_offer(const struct ini_chapc *c, struct iscsi_text_buf *out);

/* Answer CHAP_A/CHAP_I/CHAP_C with CHAP_N/CHAP_R (and, for mutual CHAP,
 * our own CHAP_I/CHAP_C).  Returns 0, or -1 with a message in err. */
int ini_chapc_answer(struct ini_chapc *c, const struct iscsi_keys *in, struct iscsi_text_buf *out,
		     char *err, size_t errlen);

/* Check the target's CHAP_N/CHAP_R against our mutual challenge.
 * Returns 0, or -1 with a message in err. */
int ini_chapc_verify(const struct ini_chapc *c, const struct iscsi_keys *in, char *err,
		     size_t errlen);

#endif
