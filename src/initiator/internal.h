/* The initiator library's private state: the session, its connection, its
 * tasks and the transmit queue.  Not for users of the library. */
#ifndef LUNA_INITIATOR_INTERNAL_H
#define LUNA_INITIATOR_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "common/list.h"
#include "initiator/chapc.h"
#include "initiator/datain.h"
#include "initiator/initiator.h"
#include "initiator/neg.h"
#include "iscsi/pdu.h"

enum ini_state {
	INI_IDLE,
	INI_CONNECTING, /* non-blocking connect in progress */
	INI_LOGIN,	/* login PDUs being exchanged */
	INI_FULL,	/* full feature phase */
	INI_WAIT_RETRY, /* connection lost; waiting to reconnect */
	INI_CLOSED,	/* logged out */
	INI_DEAD,	/* failed for good */
};

enum ini_task_kind { TK_SCSI, TK_TMF, TK_TEXT, TK_LOGOUT, TK_NOP };

struct ini_task {
	struct list_node node; /* session's waiting or active list */
	enum ini_task_kind kind;
	uint32_t itt;
	uint32_t cmdsn;
	bool immediate;
	bool sent; /* its command PDU is queued on this connection */
	uint64_t lun;
	uint64_t start_ms;

	/* SCSI */
	uint8_t cdb[16];
	unsigned cdb_len;
	enum ini_dir dir;
	uint8_t *buf;
	uint32_t len;
	struct ini_datain in;	  /* Data-In progress */
	uint32_t unsolicited_end; /* first byte not sent unsolicited */
	struct ini_scsi_status st;
	ini_scsi_cb scsi_cb;

	/* TMF */
	uint8_t tmf_fn;
	uint32_t ref_itt, ref_cmdsn;
	ini_tmf_cb tmf_cb;

	/* text (SendTargets) */
	uint8_t *text;
	size_t text_len;
	uint32_t text_ttt;
	ini_text_cb text_cb;

	ini_logout_cb logout_cb;
	ini_nop_cb nop_cb;
	void *arg;
};

/* A PDU waiting to be written.  data points into a task's buffer or, when
 * owned, into memory freed with the PDU. */
struct ini_txpdu {
	struct list_node node;
	uint8_t hdr[ISCSI_BHS_LEN + ISCSI_DIGEST_LEN];
	uint32_t hdr_len;
	const uint8_t *data;
	uint32_t dlen;
	uint8_t trailer[3 + ISCSI_DIGEST_LEN]; /* pad and data digest */
	uint32_t tlen;
	size_t sent;
	void *owned;
};

/* Receive side: a PDU header, then its data segment, read in stages. */
enum ini_rx_stage { RX_BHS, RX_AHS, RX_DATA, RX_TRAILER };

#define INI_RXBUF 65536

struct ini_session {
	struct ini_config cfg;
	enum ini_state state;
	char err[INI_ERR_MAX];
	int fd;

	uint8_t isid[6];
	uint16_t tsih;
	uint16_t cid;
	uint32_t cmdsn, expcmdsn, maxcmdsn, expstatsn;
	uint32_t next_itt;
	struct ini_neg neg;
	bool hdr_digest, data_digest; /* in force on this connection */

	/* login */
	int login_csg;
	uint32_t login_itt;
	struct ini_chapc chap;
	int auth_step;
	bool logged_in_once;
	unsigned reconnects;
	uint8_t *login_text; /* a response continued over several PDUs */
	size_t login_text_len;
	uint64_t deadline_ms; /* login or connect deadline */

	/* recovery */
	uint64_t retry_at_ms;
	uint64_t recovery_deadline_ms;
	unsigned retry_delay_ms;

	/* keepalive */
	uint64_t last_rx_ms;
	bool nop_pending;
	uint32_t nop_itt;
	uint64_t nop_sent_ms;

	struct list_node waiting; /* tasks not yet sent (window closed, not logged in) */
	struct list_node active;  /* tasks sent, waiting for the target */
	unsigned busy;
	struct list_node txq;

	/* receive */
	enum ini_rx_stage rx_stage;
	uint8_t rx_hdr[ISCSI_BHS_LEN + ISCSI_MAX_AHS_LEN + ISCSI_DIGEST_LEN];
	uint32_t rx_hdr_len; /* BHS + AHS + header digest */
	uint32_t rx_dlen;
	uint8_t *rx_dst;     /* where the data segment goes */
	uint8_t *rx_scratch; /* data that is not Data-In (text, sense, ping) */
	uint32_t rx_scratch_cap;
	uint32_t rx_got; /* bytes of the current stage */
	uint8_t rx_trailer[3 + ISCSI_DIGEST_LEN];
	struct ini_task *rx_task; /* the task a Data-In belongs to */
	uint8_t *rxbuf;		  /* bytes read ahead of the parser */
	uint32_t rxbuf_off, rxbuf_len;
	bool rx_big; /* the last data segment went straight from the socket */
};

/* session.c */
void ini_fail(struct ini_session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ini_conn_lost(struct ini_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void ini_task_done(struct ini_session *s, struct ini_task *t, enum ini_result r);
struct ini_task *ini_task_find(struct ini_session *s, uint32_t itt);
uint32_t ini_alloc_itt(struct ini_session *s);
void ini_update_sn(struct ini_session *s, uint32_t statsn, bool has_status, uint32_t expcmdsn,
		   uint32_t maxcmdsn);
void ini_kick(struct ini_session *s);
void ini_logged_in(struct ini_session *s);

/* conn.c: socket and PDU framing */
int ini_conn_open(struct ini_session *s);
void ini_conn_close(struct ini_session *s);
int ini_conn_connected(struct ini_session *s);
void ini_send(struct ini_session *s, const void *bhs, const void *data, uint32_t dlen, void *owned);
int ini_flush(struct ini_session *s);
int ini_receive(struct ini_session *s);

/* login.c */
int ini_login_begin(struct ini_session *s);
void ini_login_rsp(struct ini_session *s, const uint8_t *hdr, const uint8_t *data, uint32_t len);

/* rx.c: what arrives in full feature phase */
uint8_t *ini_rx_header(struct ini_session *s);
void ini_rx_pdu(struct ini_session *s, const uint8_t *hdr, const uint8_t *data, uint32_t len);

/* scsi.c: SCSI command PDUs */
void ini_scsi_send(struct ini_session *s, struct ini_task *t);
void ini_scsi_r2t(struct ini_session *s, const struct iscsi_r2t *r2t);
void ini_scsi_rsp(struct ini_session *s, const struct iscsi_scsi_rsp *rsp, const uint8_t *data,
		  uint32_t len);
void ini_datain_done(struct ini_session *s, struct ini_task *t, const struct iscsi_data *d);
void ini_task_reset(struct ini_task *t);

/* ctl.c: NOP, TMF, text, logout */
void ini_ctl_send(struct ini_session *s, struct ini_task *t);
void ini_ctl_rsp(struct ini_session *s, const uint8_t *hdr, const uint8_t *data, uint32_t len);
void ini_nop_in(struct ini_session *s, const struct iscsi_nop *nop, const uint8_t *data,
		uint32_t len);
void ini_keepalive(struct ini_session *s);

#endif
