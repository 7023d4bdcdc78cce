/* Manual-page style help for luna-iscsi and each of its subcommands. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "luna-iscsi/tool.h"

static const char common_text[] =
    "COMMON OPTIONS\n"
    "    --initiator-name IQN   our iSCSI name (default iqn.2025-01.io.luna:initiator-HOSTNAME)\n"
    "    --chap-file FILE       CHAP credentials, lines of key = value: username, password,\n"
    "                           mutual_username, mutual_password\n"
    "    --chap-alg LIST        CHAP algorithms to offer, in order of preference\n"
    "                           (default SHA3-256,SHA-256,SHA-1,MD5)\n"
    "    --header-digest D      None, CRC32C, CRC32C,None or None,CRC32C (default None)\n"
    "    --data-digest D        the same for data digests\n"
    "    --max-recv BYTES       our MaxRecvDataSegmentLength (default 262144)\n"
    "    --login-timeout S      seconds allowed to connect and log in (default 30)\n"
    "    --recovery-timeout S   seconds to keep reconnecting after the connection drops;\n"
    "                           0 fails at once (default 120)\n"
    "    --debug                log the protocol's progress on stderr\n"
    "    -h, --help             this text\n"
    "\n"
    "URLS\n"
    "    iscsi://[user[%password]@]host[:port]/target-iqn/lun, as libiscsi writes them;\n"
    "    an IPv6 host goes in brackets: iscsi://[::1]:3260/iqn.../0.\n"
    "\n"
    "ENVIRONMENT\n"
    "    LUNA_CHAP_USER, LUNA_CHAP_PASSWORD, LUNA_CHAP_MUTUAL_USER,\n"
    "    LUNA_CHAP_MUTUAL_PASSWORD: CHAP credentials, used when neither the URL nor\n"
    "    --chap-file gives them, so that secrets need not appear in ps.\n"
    "\n"
    "EXIT STATUS\n"
    "    0 success, 1 failure (the message says why), 2 bad usage.\n";

static const struct {
	const char *cmd;
	const char *text;
} pages[] = {
    {NULL, "NAME\n"
	   "    luna-iscsi - a user-space iSCSI initiator\n\n"
	   "SYNOPSIS\n"
	   "    luna-iscsi SUBCOMMAND [OPTIONS] ...\n"
	   "    luna-iscsi help SUBCOMMAND\n\n"
	   "SUBCOMMANDS\n"
	   "    discover HOST[:PORT]   list the targets a portal offers (SendTargets)\n"
	   "    ls URL                 list targets and their LUNs with type and size\n"
	   "    inq URL                show a LUN's INQUIRY data\n"
	   "    readcap URL            show a LUN's capacity\n"
	   "    dd --if IN --of OUT    copy between files and LUNs\n"
	   "    bench URL              measure IOPS, throughput and latency\n"
	   "    nbd URL                serve a LUN to NBD clients\n\n"},
    {"discover", "NAME\n"
		 "    luna-iscsi discover - list the targets of a portal\n\n"
		 "SYNOPSIS\n"
		 "    luna-iscsi discover [OPTIONS] HOST[:PORT]\n\n"
		 "DESCRIPTION\n"
		 "    Logs in to HOST (port 3260 unless given; IPv6 as [addr]:port) with a\n"
		 "    discovery session, asks SendTargets=All and prints one line per target\n"
		 "    portal, like iscsiadm -m discovery -t st:\n"
		 "        IP:PORT,TPGT TARGET-NAME\n"
		 "    CHAP for the discovery session comes from --chap-file or the\n"
		 "    environment.\n\n"},
    {"ls", "NAME\n"
	   "    luna-iscsi ls - list targets and LUNs\n\n"
	   "SYNOPSIS\n"
	   "    luna-iscsi ls [OPTIONS] iscsi://host[:port][/target-iqn]\n\n"
	   "DESCRIPTION\n"
	   "    Without a target, discovers the portal's targets; for each target,\n"
	   "    logs in, asks REPORT LUNS, and prints every LUN with its device type,\n"
	   "    size, vendor and product:\n"
	   "        Target: IQN Portal: IP:PORT,TPGT\n"
	   "          Lun 0: DIRECT_ACCESS 1073741824 bytes (1.00 GiB) VENDOR PRODUCT\n\n"},
    {"inq", "NAME\n"
	    "    luna-iscsi inq - show a LUN's INQUIRY data\n\n"
	    "SYNOPSIS\n"
	    "    luna-iscsi inq [OPTIONS] [--page N] iscsi://host[:port]/target-iqn/lun\n\n"
	    "DESCRIPTION\n"
	    "    Prints the standard INQUIRY data (device type, vendor, product,\n"
	    "    revision) and the unit serial number.  --page N (0-255, or 0xNN) prints\n"
	    "    that vital product data page in hexadecimal instead.\n\n"},
    {"readcap", "NAME\n"
		"    luna-iscsi readcap - show a LUN's capacity\n\n"
		"SYNOPSIS\n"
		"    luna-iscsi readcap [OPTIONS] iscsi://host[:port]/target-iqn/lun\n\n"
		"DESCRIPTION\n"
		"    Sends READ CAPACITY (16, or 10 when the target lacks it) and prints\n"
		"    the number of blocks, the block size, the size in bytes and whether\n"
		"    the LUN is thin provisioned.\n\n"},
    {"dd", "NAME\n"
	   "    luna-iscsi dd - copy between files and LUNs\n\n"
	   "SYNOPSIS\n"
	   "    luna-iscsi dd --if PATH|URL --of PATH|URL [--bs N] [--count N] [--skip N]\n"
	   "                  [--seek N] [--qd N] [--bwlimit BYTES] [--progress|--no-progress]\n\n"
	   "DESCRIPTION\n"
	   "    Copies --count blocks of --bs bytes (default 1M; suffixes K, M, G) from\n"
	   "    the input to the output, skipping --skip blocks of the input and --seek\n"
	   "    blocks of the output, until the input ends.  Either side may be a file\n"
	   "    or an iscsi:// URL; with a LUN, --bs must be a multiple of its block size\n"
	   "    and a last partial block read from a file is padded with zeroes.  --qd\n"
	   "    commands are kept in flight (default 8).  The output LUN's cache is\n"
	   "    flushed (SYNCHRONIZE CACHE) and an output file fsync'ed at the end.\n"
	   "    If the connection drops, the copy continues after reconnecting.\n"
	   "    A progress bar is drawn on stderr when it is a terminal.\n"
	   "    --bwlimit caps the throughput (bytes per second), e.g. to copy in the\n"
	   "    background.\n\n"},
    {"bench", "NAME\n"
	      "    luna-iscsi bench - measure a LUN's performance\n\n"
	      "SYNOPSIS\n"
	      "    luna-iscsi bench [OPTIONS] URL [--rw read|write|randread|randwrite]\n"
	      "                     [--bs N] [--qd N] [--time S]\n\n"
	      "DESCRIPTION\n"
	      "    Keeps --qd commands of --bs bytes (default 4K) in flight for --time\n"
	      "    seconds (default 10) and prints IOPS, MB/s (10^6 bytes) and latency\n"
	      "    percentiles p50, p99 and p99.9 in microseconds.  Writes destroy the\n"
	      "    LUN's data.  Default --rw randread, --qd 16.\n\n"},
    {"nbd", "NAME\n"
	    "    luna-iscsi nbd - serve a LUN over the NBD protocol\n\n"
	    "SYNOPSIS\n"
	    "    luna-iscsi nbd [OPTIONS] URL (--socket PATH | --listen ADDR:PORT)\n"
	    "                   [--name EXPORT] [--once]\n\n"
	    "DESCRIPTION\n"
	    "    Serves the LUN as an NBD export (fixed newstyle handshake) so that the\n"
	    "    Linux nbd driver, qemu, nbdcopy or nbdinfo can use it: the part\n"
	    "    vscsi(4) plays for OpenBSD's iscsid.  Options NBD_OPT_GO, INFO,\n"
	    "    EXPORT_NAME, LIST and ABORT; commands READ, WRITE (with FUA), FLUSH,\n"
	    "    TRIM, WRITE_ZEROES and DISC.  The export's name is the target's\n"
	    "    (--name changes it; any name is accepted).  Clients are served one\n"
	    "    after another; --once exits after the first one disconnects.\n"
	    "    --listen takes a loopback address such as 127.0.0.1:10809 or [::1]:10809.\n\n"},
};

void help_print(const char *cmd)
{
	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		if ((cmd == NULL) != (pages[i].cmd == NULL))
			continue;
		if (cmd && strcmp(cmd, pages[i].cmd) != 0)
			continue;
		fputs(pages[i].text, stdout);
		fputs(common_text, stdout);
		return;
	}
	fprintf(stderr, "luna-iscsi: no help for \"%s\"\n", cmd);
}

int help_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("luna-iscsi: ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry luna-iscsi %s%s--help.\n", cmd ? cmd : "", cmd ? " " : "");
	exit(EXIT_USAGE);
}
