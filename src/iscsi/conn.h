/* An iSCSI connection: the socket, the receive and transmit engines, and
 * the dispatch of received PDUs by phase (login or full feature).  A
 * connection lives on one worker thread for its whole life and is touched
 * only there, so it needs no locks. */
#ifndef LUNA_ISCSI_CONN_H
#define LUNA_ISCSI_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "common/list.h"
#include "iscsi/keys.h"
#include "iscsi/params.h"
#include "iscsi/pdu.h"
#include "net/loop.h"

struct iscsi_session;
struct iscsi_login;
struct iscsi_task;
struct iscsi_conn;

enum conn_state {
	CONN_LOGIN,	   /* login phase */
	CONN_FULL_FEATURE, /* full feature phase */
	CONN_LOGOUT,	   /* logout response queued; closing once it is sent */
	CONN_CLOSED,	   /* socket closed; waiting for tasks to drain */
};

/* One outgoing item.  Most are a single PDU; a task's Data-In is a stream
 * of PDUs produced while the socket takes them. */
struct tx_item {
	struct list_node node;
	/* Produce the next PDU: fill hdr (48 bytes) and *data and *len (may be
	 * empty).  Return true if this was the item's last PDU. */
	bool (*next_pdu)(struct tx_item *it, struct iscsi_conn *conn, uint8_t *hdr,
			 const uint8_t **data, uint32_t *len);
	/* Optional: extend a running CRC32C over data[0, len) of the PDU
	 * just produced, when the item knows a cheaper way than reading the
	 * bytes (see scsi_cmd.in_crc). */
	uint32_t (*data_crc)(struct tx_item *it, const uint8_t *data, uint32_t len, uint32_t crc);
	/* Called once everything the item produced has been written (or the
	 * connection died, with sent = false). */
	void (*sent)(struct tx_item *it, struct iscsi_conn *conn, bool sent);
};

/* A simple one-PDU item with an owned data buffer. */
struct tx_pdu {
	struct tx_item item;
	uint8_t hdr[ISCSI_BHS_LEN];
	uint8_t *data; /* malloc'ed, freed after sending */
	uint32_t len;
	void (*after)(struct iscsi_conn *conn); /* e.g. close after Logout Response */
};

#define TX_BATCH_PDUS 32
#define TX_BATCH_IOVS (TX_BATCH_PDUS * 5)
#define RX_BUF_SIZE 65536

/* A Text Response too long for one PDU, handed out part by part. */
struct iscsi_text_pending {
	struct iscsi_text_buf buf;
	uint32_t off;
	uint32_t itt;
	uint32_t ttt;
};

enum rx_phase { RX_BHS, RX_AHS, RX_HDIGEST, RX_DATA, RX_DDIGEST };

struct iscsi_conn {
	int fd;
	struct loop *loop;
	struct loop_fd lfd;
	enum conn_state state;
	uint64_t id;
	char peer[80];	/* "ip:port" for log messages */
	struct sockaddr_storage local_addr, peer_addr;
	socklen_t local_len, peer_len;
	uint16_t cid;

	struct iscsi_params params;
	struct iscsi_session *session;
	struct iscsi_login *login;

	uint32_t statsn;   /* next StatSN to use */
	uint32_t exp_statsn;

	/* receive */
	enum rx_phase rx_phase;
	uint8_t bhs[ISCSI_BHS_LEN];
	uint8_t ahs[ISCSI_MAX_AHS_LEN];
	uint32_t rx_need, rx_got; /* of the current phase */
	uint8_t *rx_data;	  /* where the data segment goes */
	uint8_t *rx_data_owned;	  /* malloc'ed data segment, freed after dispatch */
	uint32_t rx_data_len;	  /* data segment length + padding */
	uint32_t rx_crc;
	uint8_t rx_digest[4];
	uint8_t *rxbuf; /* socket read buffer (RX_BUF_SIZE), allocated while needed */
	uint32_t rx_head, rx_tail;
	struct iscsi_task *rx_task; /* the task the data segment belongs to */
	bool rx_skip;		    /* the PDU was refused: drop it once read */
	bool in_io;		    /* inside the socket's event handler */

	/* transmit */
	struct list_node txq;	   /* items not fully produced yet */
	struct list_node tx_done;  /* items fully produced, in the batch in flight */
	struct iovec tx_iov[TX_BATCH_IOVS];
	int tx_iov_cnt, tx_iov_pos;
	uint8_t tx_hdr[TX_BATCH_PDUS][ISCSI_BHS_LEN + ISCSI_DIGEST_LEN];
	uint8_t tx_ddig[TX_BATCH_PDUS][ISCSI_DIGEST_LEN];
	bool want_write;

	/* timers: login deadline, NOP-In keepalive */
	struct loop_timer timer;
	uint64_t last_rx_ms;
	uint32_t nop_ttt; /* outstanding NOP-In ping, or ISCSI_RSVD_TAG */
	uint32_t next_ttt;

	struct iscsi_text_pending text;

	/* Tasks of finished commands, kept for the next ones: a calloc and a
	 * free per command otherwise.  Emptied when the connection idles. */
	struct list_node task_cache;
	unsigned task_cache_n;

	struct list_node node; /* in the worker's connection list */
	int refs;	       /* items and tasks still pointing at the conn */
};

/* Take over an accepted socket on the calling worker's loop. */
void iscsi_conn_accept(int fd, const struct sockaddr *local, socklen_t local_len,
		       const struct sockaddr *peer, socklen_t peer_len);

/* Queue an item for sending. */
void iscsi_conn_send(struct iscsi_conn *conn, struct tx_item *it);
/* Queue a single PDU; data (may be NULL) is copied. */
struct tx_pdu *iscsi_conn_send_pdu(struct iscsi_conn *conn, const void *hdr, const void *data,
				   uint32_t len);

/* Send what is queued, unless called from within the connection's own
 * event handler (which flushes when it returns). */
void iscsi_conn_kick(struct iscsi_conn *conn);

/* Close the socket now (errors, protocol violations); the connection is
 * freed once its tasks have drained.  reason goes to the log. */
void iscsi_conn_close(struct iscsi_conn *conn, const char *reason);

/* Queue a Reject of the PDU whose header is bhs. */
void iscsi_conn_reject(struct iscsi_conn *conn, const void *bhs, uint8_t reason);

/* Next StatSN for a response PDU (advances it). */
static inline uint32_t iscsi_conn_next_statsn(struct iscsi_conn *conn)
{
	return conn->statsn++;
}

/* Fill StatSN (advancing it), ExpCmdSN and MaxCmdSN of a response. */
void iscsi_conn_fill_sn(struct iscsi_conn *conn, uint32_t *statsn, uint32_t *expcmdsn,
			uint32_t *maxcmdsn, bool advance_statsn);

/* Shut every connection of this worker down (target shutdown): ask
 * initiators to log out, and close once they did or time ran out. */
void iscsi_conn_shutdown_all(void *unused);
/* Number of live connections on the calling worker, and on all. */
unsigned iscsi_conn_count(void);
unsigned iscsi_conn_total(void);

/* Keep the connection struct alive while something refers to it. */
void iscsi_conn_hold(struct iscsi_conn *conn);
void iscsi_conn_release(struct iscsi_conn *conn);

#endif
