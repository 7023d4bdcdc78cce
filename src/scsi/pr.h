/* Reservations of a logical unit (SPC-4 5.13): persistent reservations
 * (PERSISTENT RESERVE IN / OUT) and the older RESERVE / RELEASE of SPC-2.
 *
 * The state lives in lu->reservations and is guarded by lu->lock.  The
 * functions named pr_* below work on the state alone (no nexus, no LU
 * lock), so that the state machine can be unit-tested; the scsi_pr_* and
 * scsi_resv_* functions are the SCSI core's entry points. */
#ifndef LUNA_SCSI_PR_H
#define LUNA_SCSI_PR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/list.h"

struct scsi_cmd;
struct scsi_lu;
struct scsi_nexus;

/* PERSISTENT RESERVE OUT TYPE field values. */
enum pr_type {
	PR_TYPE_NONE = 0,
	PR_TYPE_WE = 1,	  /* write exclusive */
	PR_TYPE_EA = 3,	  /* exclusive access */
	PR_TYPE_WERO = 5, /* write exclusive, registrants only */
	PR_TYPE_EARO = 6, /* exclusive access, registrants only */
	PR_TYPE_WEAR = 7, /* write exclusive, all registrants */
	PR_TYPE_EAAR = 8, /* exclusive access, all registrants */
};

#define PR_ISCSI_NAME_MAX 224
#define PR_ISID_HEX 12 /* an ISID as 12 hex digits */
#define PR_TPORT_MAX 300

/* Who a registration belongs to: an initiator port (iSCSI name and ISID;
 * an empty ISID stands for every ISID of the name, as a TransportID of
 * format 0 asks) through a target port (or every target port). */
struct pr_ident {
	char iname[PR_ISCSI_NAME_MAX];
	char isid[PR_ISID_HEX + 1];
	char tport[PR_TPORT_MAX];
	uint16_t rtpi; /* relative target port identifier */
	bool all_tg_pt;
};

struct pr_reg {
	struct list_node node;
	uint64_t key;
	struct pr_ident id;
};

struct scsi_pr {
	uint32_t generation;
	struct list_node regs;
	unsigned nregs;
	/* The persistent reservation: type 0 when there is none.  For the
	 * all-registrants types every registration holds it and holder is
	 * only the one that took it. */
	uint8_t type;
	struct pr_reg *holder;
	bool aptpl;
	bool saved; /* a saved state file exists (or may) */
	/* SPC-2 RESERVE: the id of the holding nexus, 0 if none. */
	uint64_t reserve2_nexus;
};

/* Limits: a registration list is bounded so that READ FULL STATUS and the
 * APTPL file stay small. */
#define PR_MAX_REGS 128

/* ---- The state machine (pr_state.c); pure over struct scsi_pr. ---- */

void pr_init(struct scsi_pr *pr);
void pr_fini(struct scsi_pr *pr);
bool pr_type_valid(uint8_t type);
bool pr_type_all_regs(uint8_t type);
bool pr_type_regs_only(uint8_t type); /* RO or AR: registrants get access */
/* The identity of an I_T nexus. */
void pr_ident_of_nexus(struct pr_ident *id, const struct scsi_nexus *nx);
/* Does a registration's identity cover the I_T nexus `nexus_id`? */
bool pr_ident_covers(const struct pr_ident *reg, const struct pr_ident *nexus_id);
bool pr_ident_same(const struct pr_ident *a, const struct pr_ident *b);
struct pr_reg *pr_find(struct scsi_pr *pr, const struct pr_ident *nexus_id);
struct pr_reg *pr_add(struct scsi_pr *pr, const struct pr_ident *id, uint64_t key);
/* Remove a registration; a holder's removal ends the reservation unless
 * it is of an all-registrants type with other registrants left. */
void pr_remove(struct scsi_pr *pr, struct pr_reg *reg);
/* Does the I_T nexus hold the reservation? */
bool pr_is_holder(const struct scsi_pr *pr, const struct pr_reg *reg);

/* Would a command of this CDB from an I_T nexus registered as `reg` (NULL
 * if not registered) conflict with the persistent reservation? */
bool pr_conflicts(const struct scsi_pr *pr, const struct pr_reg *reg, const uint8_t *cdb);

/* ---- TransportIDs (pr_transport_id.c). ---- */

/* Parse one iSCSI TransportID (SPC-4 7.6.4.6) at buf (len bytes
 * available); on success fill id's iname and isid and return its length,
 * else -1. */
int pr_tid_parse(const uint8_t *buf, size_t len, struct pr_ident *id);
/* Write the TransportID of id (format 1 with an ISID, else 0) into buf
 * (cap bytes); returns its length (a multiple of 4), or the length it
 * needs if cap is too small. */
size_t pr_tid_build(const struct pr_ident *id, uint8_t *buf, size_t cap);

/* ---- APTPL (pr_persist.c). ---- */

/* Where APTPL state goes (default: LUNA_STATE_DIR from the environment,
 * else /var/lib/luna).  lunad calls this from its --state-dir option. */
void scsi_pr_set_state_dir(const char *dir);
/* Write or remove (when !pr->aptpl) the LU's saved state; 0 or -errno. */
int pr_persist_save(const struct scsi_pr *pr, const uint8_t naa[16]);
/* Load the LU's saved state, if any, into a fresh pr. */
int pr_persist_load(struct scsi_pr *pr, const uint8_t naa[16]);
/* The text form, for save/load and unit tests: returns malloc'ed text. */
char *pr_persist_format(const struct scsi_pr *pr);
int pr_persist_parse(struct scsi_pr *pr, const char *text);

/* ---- PERSISTENT RESERVE OUT requests (pr_out_parse.c). ---- */

enum prout_sa {
	PROUT_REGISTER = 0,
	PROUT_RESERVE = 1,
	PROUT_RELEASE = 2,
	PROUT_CLEAR = 3,
	PROUT_PREEMPT = 4,
	PROUT_PREEMPT_AND_ABORT = 5,
	PROUT_REGISTER_AND_IGNORE = 6,
	PROUT_REGISTER_AND_MOVE = 7,
};

struct prout_req {
	uint8_t sa, scope, type;
	uint64_t key, sa_key;
	bool spec_i_pt, all_tg_pt, aptpl, unreg;
	uint16_t rtpi;	     /* REGISTER AND MOVE */
	const uint8_t *tids; /* SPEC_I_PT / REGISTER AND MOVE TransportIDs */
	size_t tids_len;
};

/* What was wrong with a request: ILLEGAL REQUEST with this ASC and field
 * pointer (in the CDB or the parameter list; bit -1: none). */
struct pr_err {
	uint16_t asc_ascq;
	bool in_cdb;
	uint16_t byte;
	int8_t bit;
};

/* Parse the CDB (`len` bytes) and the parameter list (plen bytes that
 * arrived); 0 or -1 with err set. */
int prout_parse(const uint8_t *cdb, unsigned len, const uint8_t *param, size_t plen,
		struct prout_req *req, struct pr_err *err);

/* Notices a PERSISTENT RESERVE OUT leaves for other I_T nexuses: a unit
 * attention and, for PREEMPT AND ABORT, the abort of their tasks. */
struct pr_notice {
	struct pr_ident id;
	uint16_t asc_ascq;
	bool abort;
};

struct pr_notices {
	struct pr_notice *v;
	unsigned n, cap;
};

/* Apply a parsed request from the I_T nexus `me` to the state (pure: the
 * caller holds the lock, delivers the notices and saves APTPL state).
 * Returns the SAM status: GOOD, RESERVATION CONFLICT, or CHECK CONDITION
 * with err set. */
uint8_t pr_out_apply(struct scsi_pr *pr, const struct pr_ident *me, const struct prout_req *req,
		     struct pr_notices *out, struct pr_err *err);
void pr_notices_free(struct pr_notices *ns);

/* ---- The SCSI core's entry points. ---- */

/* Set up and tear down lu->reservations (scsi_lu_new / scsi_lu_put). */
int scsi_resv_lu_init(struct scsi_lu *lu);
void scsi_resv_lu_fini(struct scsi_lu *lu);

/* Reservation conflict check before a command runs; sets RESERVATION
 * CONFLICT status and returns true on conflict. */
bool scsi_resv_check(struct scsi_cmd *cmd);

/* Commands the core executes itself (PR IN/OUT, RESERVE/RELEASE); returns
 * false if cmd is not one of them. */
bool scsi_resv_exec(struct scsi_cmd *cmd);
void scsi_pr_in(struct scsi_cmd *cmd);
void scsi_pr_out(struct scsi_cmd *cmd);
void scsi_reserve(struct scsi_cmd *cmd);
void scsi_release(struct scsi_cmd *cmd);

/* SPC-2 reservations end on I_T nexus loss and on resets. */
void scsi_resv_nexus_loss(struct scsi_lu *lu, const struct scsi_nexus *nx);
void scsi_resv_reset(struct scsi_lu *lu);

#endif
