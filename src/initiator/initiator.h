/* The initiator library: one iSCSI session (one connection) driven by the
 * caller's poll loop, the way libiscsi and OpenBSD's iscsid work.
 *
 *   s = ini_session_new(&cfg);
 *   ini_session_start(s);                       starts connect and login
 *   poll on ini_session_fd(s) / ini_session_events(s), wake up at the
 *   latest after ini_session_timeout_ms(s), then ini_session_service(s, revents)
 *
 * Commands are queued at any time; they go out as soon as the session is
 * logged in and the target's CmdSN window allows.  When the connection
 * drops, the session reconnects with backoff, logs in again with the same
 * ISID (TSIH 0, so the target reinstates the session) and re-issues every
 * command that had not completed.  A protocol violation by the target ends
 * the session: every command fails and ini_session_error() says why.
 *
 * Single-threaded: a session and its tasks belong to the thread that
 * services it. */
#ifndef LUNA_INITIATOR_INITIATOR_H
#define LUNA_INITIATOR_INITIATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INI_NAME_MAX 224 /* iSCSI names are at most 223 bytes */
#define INI_SECRET_MAX 256
#define INI_HOST_MAX 256
#define INI_ERR_MAX 512
#define INI_SENSE_MAX 252
#define INI_DEFAULT_PORT 3260

struct ini_config {
	char initiator_name[INI_NAME_MAX];
	char target_name[INI_NAME_MAX]; /* empty: a discovery session */
	char host[INI_HOST_MAX];	/* literal address or host name */
	uint16_t port;

	/* CHAP: the initiator authenticates when chap_user is set; mutual
	 * CHAP when mutual_user is set as well. */
	char chap_user[INI_NAME_MAX];
	char chap_secret[INI_SECRET_MAX];
	char mutual_user[INI_NAME_MAX];
	char mutual_secret[INI_SECRET_MAX];
	int chap_algs[4]; /* CHAP_A values in the order offered */
	unsigned n_chap_algs;

	/* Offer lists as they go on the wire: "None", "CRC32C", "CRC32C,None". */
	char header_digest[32];
	char data_digest[32];

	uint32_t max_recv_dsl; /* our MaxRecvDataSegmentLength */
	uint32_t max_burst;
	uint32_t first_burst;
	bool immediate_data;
	bool initial_r2t;
	uint32_t max_outstanding_r2t;

	unsigned login_timeout_ms;
	unsigned nop_interval_ms;     /* idle time before a NOP-Out ping; 0: never */
	unsigned nop_timeout_ms;      /* a ping unanswered this long: connection dead */
	unsigned recovery_timeout_ms; /* give up reconnecting after this; 0: never reconnect */
};

/* Defaults: RFC 7143 friendly values, CHAP algorithms SHA3-256, SHA-256,
 * SHA-1, MD5 (strongest first), no digests, 30 s login timeout, pings
 * after 5 s idle, 120 s of reconnect attempts. */
void ini_config_defaults(struct ini_config *cfg);

/* Parse a CHAP_A list: names (MD5, SHA-1, SHA-256, SHA3-256) or numbers,
 * comma separated.  Returns 0, or -1 for an unknown or repeated name. */
int ini_chap_parse_algs(const char *list, int *algs, unsigned *n);

enum ini_dir { INI_DIR_NONE, INI_DIR_READ, INI_DIR_WRITE };

/* How a task ended. */
enum ini_result {
	INI_OK,		 /* the target answered; look at status */
	INI_ERR_SESSION, /* the session failed; the command may not have run */
	INI_ERR_ABORTED, /* aborted by task management or the caller */
};

struct ini_task;
struct ini_session;

/* What a SCSI command got back. */
struct ini_scsi_status {
	enum ini_result result;
	uint8_t response; /* iSCSI response: 0 completed at target */
	uint8_t status;	  /* SCSI status: 0 GOOD, 2 CHECK CONDITION, ... */
	uint32_t residual;
	bool underflow, overflow;
	uint32_t data_len; /* bytes received (reads) */
	uint8_t sense[INI_SENSE_MAX];
	uint32_t sense_len;
};

typedef void (*ini_scsi_cb)(struct ini_session *s, const struct ini_scsi_status *st, void *arg);

struct ini_session *ini_session_new(const struct ini_config *cfg);
/* Frees the session; commands still queued are failed first. */
void ini_session_free(struct ini_session *s);

/* Begin connecting and logging in.  Returns 0, or -1 (see error). */
int ini_session_start(struct ini_session *s);

/* Poll integration: the socket, the events to wait for, the longest
 * sleep allowed (-1: no timer), and the call to make after poll. */
int ini_session_fd(const struct ini_session *s);
short ini_session_events(const struct ini_session *s);
int ini_session_timeout_ms(const struct ini_session *s);
void ini_session_service(struct ini_session *s, short revents);

bool ini_session_logged_in(const struct ini_session *s);
bool ini_session_failed(const struct ini_session *s);
const char *ini_session_error(const struct ini_session *s);
/* Commands submitted but not yet completed. */
unsigned ini_session_busy(const struct ini_session *s);
/* Successful logins after the first (reconnects). */
unsigned ini_session_reconnects(const struct ini_session *s);
/* The target's portal group tag and alias from the login. */
uint16_t ini_session_tpgt(const struct ini_session *s);

/* Queue a SCSI command.  buf holds len bytes: the data to write or the
 * room for the data to read.  cb runs exactly once, from service (or from
 * ini_session_free).  Returns the task or NULL (session failed, bad
 * arguments). */
struct ini_task *ini_scsi_submit(struct ini_session *s, uint64_t lun, const uint8_t *cdb,
				 unsigned cdb_len, enum ini_dir dir, void *buf, uint32_t len,
				 ini_scsi_cb cb, void *arg);

/* Task management (RFC 7143 11.5.1). */
enum ini_tmf_fn {
	INI_TMF_ABORT_TASK = 1,
	INI_TMF_ABORT_TASK_SET = 2,
	INI_TMF_LUN_RESET = 5,
	INI_TMF_TARGET_WARM_RESET = 6,
};
/* response: the TMF response code (0 complete), or -1 when the session
 * failed. */
typedef void (*ini_tmf_cb)(struct ini_session *s, int response, void *arg);
int ini_tmf_submit(struct ini_session *s, enum ini_tmf_fn fn, uint64_t lun, struct ini_task *ref,
		   ini_tmf_cb cb, void *arg);

/* SendTargets=All on a discovery (or normal) session.  text: the raw
 * key=value\0 list, NULL when the session failed. */
typedef void (*ini_text_cb)(struct ini_session *s, const uint8_t *text, size_t len, void *arg);
int ini_sendtargets_submit(struct ini_session *s, ini_text_cb cb, void *arg);

/* Logout (close the session).  ok: the target answered "closed". */
typedef void (*ini_logout_cb)(struct ini_session *s, bool ok, void *arg);
int ini_logout_submit(struct ini_session *s, ini_logout_cb cb, void *arg);

/* A ping (NOP-Out with a reply expected).  ok: the NOP-In came back. */
typedef void (*ini_nop_cb)(struct ini_session *s, bool ok, void *arg);
int ini_nop_submit(struct ini_session *s, ini_nop_cb cb, void *arg);

/* ---- blocking helpers (sync.c), for tools that do one thing at a time */

/* Run the session until *done becomes true, the session fails or
 * timeout_ms passes (-1: no limit).  Returns 0 when done, -1 otherwise. */
int ini_wait(struct ini_session *s, const bool *done, int timeout_ms);
/* Start and wait for login.  Returns 0 or -1 (see ini_session_error). */
int ini_login_sync(struct ini_session *s);
/* One SCSI command, waited for. */
int ini_scsi_sync(struct ini_session *s, uint64_t lun, const uint8_t *cdb, unsigned cdb_len,
		  enum ini_dir dir, void *buf, uint32_t len, struct ini_scsi_status *st);
/* SendTargets, waited for; *text is malloc'ed. */
int ini_sendtargets_sync(struct ini_session *s, uint8_t **text, size_t *len);
int ini_logout_sync(struct ini_session *s);

#endif
