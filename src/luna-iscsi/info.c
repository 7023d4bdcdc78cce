/* inq URL and readcap URL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "initiator/cdb.h"
#include "luna-iscsi/tool.h"

static int parse(int argc, char **argv, struct tool_opts *o, const char *cmd, int *page)
{
	static const struct option longopts[] = {
	    {"page", required_argument, NULL, 'p'}, COMMON_LONGOPTS, {NULL, 0, NULL, 0}};
	int c;

	opts_init(o);
	o->cfg.recovery_timeout_ms = 0;
	while ((c = getopt_long(argc, argv, "hp:", longopts, NULL)) != -1) {
		if (c == 'p' && page) {
			char *end;
			long v = strtol(optarg, &end, 0);
			if (*end || v < 0 || v > 255)
				return help_usage_error(cmd, "--page must be 0 to 255");
			*page = (int)v;
		} else if (opts_common(o, c, optarg, cmd) < 0) {
			return -1;
		}
	}
	if (optind != argc - 1)
		return help_usage_error(cmd, "expected exactly one URL");
	return 0;
}

static void hexdump(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i += 16) {
		printf("%04zx:", i);
		for (size_t j = i; j < i + 16 && j < n; j++)
			printf(" %02x", b[j]);
		putchar('\n');
	}
}

static int vpd(struct ini_session *s, uint64_t lun, uint8_t page, uint8_t *b, size_t len,
	       struct ini_scsi_status *st)
{
	uint8_t cdb[6];

	cdb_inquiry(cdb, true, page, (uint16_t)len);
	if (ini_scsi_sync(s, lun, cdb, 6, INI_DIR_READ, b, (uint32_t)len, st) < 0 || st->status ||
	    st->data_len < 4 || b[1] != page)
		return -1;
	return (int)MIN((size_t)st->data_len, 4 + (size_t)((b[2] << 8) | b[3]));
}

/* --page: one VPD page in hexadecimal.  Returns the exit status. */
static int dump_page(struct ini_session *s, uint64_t lun, uint8_t page)
{
	struct ini_scsi_status st = {0};
	uint8_t b[255];
	int n = vpd(s, lun, page, b, sizeof(b), &st);

	if (n < 0) {
		char what[160];

		scsi_describe(&st, what, sizeof(what));
		tool_err("VPD page 0x%02x: %s", page, st.status ? what : "not supported");
		return 1;
	}
	hexdump(b, (size_t)n);
	return 0;
}

int cmd_inq(int argc, char **argv)
{
	struct ini_scsi_status st = {0};
	struct scsi_inquiry inq;
	struct ini_session *s;
	struct tool_opts o;
	struct ini_lun l;
	uint8_t cdb[6], b[255];
	int page = -1, n;

	if (parse(argc, argv, &o, "inq", &page) < 0)
		return EXIT_USAGE;
	s = tool_open_lun(&o, argv[optind], &l);
	if (s == NULL)
		return 1;
	if (page >= 0) {
		n = dump_page(s, l.lun, (uint8_t)page);
		tool_logout(s);
		return n;
	}
	cdb_inquiry(cdb, false, 0, 96);
	if (ini_scsi_sync(s, l.lun, cdb, 6, INI_DIR_READ, b, 96, &st) < 0 ||
	    scsi_parse_inquiry(b, st.data_len, &inq) < 0) {
		tool_err("INQUIRY failed");
		tool_logout(s);
		return 1;
	}
	printf("Peripheral qualifier: %u\n", inq.qualifier);
	printf("Peripheral device type: %s (0x%02x)\n", scsi_pdt_name(inq.pdt), inq.pdt);
	printf("Removable: %s\n", inq.removable ? "yes" : "no");
	printf("Version: 0x%02x\n", inq.version);
	printf("Vendor: %s\n", inq.vendor);
	printf("Product: %s\n", inq.product);
	printf("Revision: %s\n", inq.revision);
	n = vpd(s, l.lun, 0x80, b, sizeof(b), &st);
	if (n > 4) {
		char serial[252];
		size_t k = 0;
		/* tgt pads its serial number with leading blanks */
		for (int i = 4; i < n && k < sizeof(serial) - 1; i++)
			if (b[i] > 0x20 && b[i] < 0x7f)
				serial[k++] = (char)b[i];
		serial[k] = '\0';
		printf("Unit serial number: %s\n", serial);
	}
	tool_logout(s);
	return 0;
}

int cmd_readcap(int argc, char **argv)
{
	struct ini_session *s;
	struct tool_opts o;
	struct ini_lun l;

	if (parse(argc, argv, &o, "readcap", NULL) < 0)
		return EXIT_USAGE;
	s = tool_open_lun(&o, argv[optind], &l);
	if (s == NULL)
		return 1;
	printf("Blocks: %llu\n", (unsigned long long)l.blocks);
	printf("Block size: %u\n", l.block_size);
	printf("Size: %llu\n", (unsigned long long)(l.blocks * l.block_size));
	printf("Thin provisioned: %s\n", l.thin ? "yes" : "no");
	tool_logout(s);
	return 0;
}
