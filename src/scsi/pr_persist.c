/* APTPL: persistent reservations that survive a restart (SPC-4 5.13.4).
 * Each LU's state is a small text file named after its NAA identifier,
 * written atomically: temporary file, fsync, rename, fsync of the
 * directory.  A crash leaves the old state or the new one, never half. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/atomic_file.h"
#include "common/util.h"
#include "scsi/pr.h"

#define STATE_MAGIC "luna-pr-state 1"
#define DEFAULT_STATE_DIR "/var/lib/luna"

static char state_dir[PATH_MAX];

void scsi_pr_set_state_dir(const char *dir)
{
	strlcpy_luna(state_dir, dir ? dir : "", sizeof(state_dir));
}

static const char *get_state_dir(void)
{
	const char *env;

	if (state_dir[0])
		return state_dir;
	env = getenv("LUNA_STATE_DIR");
	return env && env[0] ? env : DEFAULT_STATE_DIR;
}

static void state_path(char *buf, size_t cap, const uint8_t naa[16], const char *suffix)
{
	char hex[33];

	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", naa[i]);
	snprintf(buf, cap, "%s/pr-%s.state%s", get_state_dir(), hex, suffix);
}

/* ---- Text form. ---- */

static void append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
		va_end(ap);
		if (n >= 0 && (size_t)n < *cap - *len)
			break;
		*cap *= 2;
		*buf = realloc(*buf, *cap);
		if (*buf == NULL)
			abort();
	}
	*len += (size_t)n;
}

char *pr_persist_format(const struct scsi_pr *pr)
{
	size_t len = 0, cap = 1024;
	char *buf = xcalloc(1, cap);
	struct list_node *pos;

	append(&buf, &len, &cap, "%s\ngeneration %" PRIu32 "\ntype %u\n", STATE_MAGIC,
	       pr->generation, pr->type);
	list_for_each(pos, &pr->regs)
	{
		const struct pr_reg *r = list_entry(pos, struct pr_reg, node);

		append(&buf, &len, &cap, "reg %016" PRIx64 " %d %d %u %s %s %s\n", r->key,
		       pr->holder == r, r->id.all_tg_pt, r->id.rtpi, r->id.iname,
		       r->id.isid[0] ? r->id.isid : "-", r->id.tport[0] ? r->id.tport : "-");
	}
	return buf;
}

static int parse_reg(struct scsi_pr *pr, const char *line)
{
	char iname[PR_ISCSI_NAME_MAX], isid[PR_ISID_HEX + 2], tport[PR_TPORT_MAX];
	unsigned long long key;
	int holder, atp;
	unsigned rtpi;
	struct pr_ident id;
	struct pr_reg *r;

	/* The widths keep sscanf inside the buffers above. */
	if (sscanf(line, "reg %llx %d %d %u %223s %13s %299s", &key, &holder, &atp, &rtpi, iname,
		   isid, tport) != 7 ||
	    rtpi > 0xffff || strlen(isid) > PR_ISID_HEX)
		return -1;
	memset(&id, 0, sizeof(id));
	strlcpy_luna(id.iname, iname, sizeof(id.iname));
	strlcpy_luna(id.isid, strcmp(isid, "-") ? isid : "", sizeof(id.isid));
	strlcpy_luna(id.tport, strcmp(tport, "-") ? tport : "", sizeof(id.tport));
	id.rtpi = (uint16_t)rtpi;
	id.all_tg_pt = atp != 0;
	r = pr_add(pr, &id, key);
	if (r == NULL)
		return -1;
	if (holder)
		pr->holder = r;
	return 0;
}

int pr_persist_parse(struct scsi_pr *pr, const char *text)
{
	char *copy = xstrdup(text), *save = NULL, *line;
	unsigned type = 0;
	int rc = 0;

	line = strtok_r(copy, "\n", &save);
	if (line == NULL || strcmp(line, STATE_MAGIC) != 0)
		rc = -1;
	while (rc == 0 && (line = strtok_r(NULL, "\n", &save)) != NULL) {
		if (sscanf(line, "generation %" SCNu32, &pr->generation) == 1)
			continue;
		if (sscanf(line, "type %u", &type) == 1)
			continue;
		rc = parse_reg(pr, line);
	}
	free(copy);
	if (rc < 0)
		return -1;
	/* A reservation needs a holder and a valid type, or there is none. */
	if (type != PR_TYPE_NONE && (!pr_type_valid((uint8_t)type) || pr->holder == NULL))
		return -1;
	pr->type = (uint8_t)type;
	if (type == PR_TYPE_NONE)
		pr->holder = NULL;
	pr->aptpl = true;
	pr->saved = true;
	return 0;
}

/* ---- Files. ---- */

static int write_atomic(const char *path, const char *text)
{
	const char *failed;

	if (mkdir(get_state_dir(), 0700) < 0 && errno != EEXIST)
		return -errno;
	return atomic_write_file(path, text, strlen(text), 0600, &failed);
}

int pr_persist_save(const struct scsi_pr *pr, const uint8_t naa[16])
{
	char path[PATH_MAX + 64];
	char *text;
	int r;

	state_path(path, sizeof(path), naa, "");
	if (!pr->aptpl) {
		if (unlink(path) < 0)
			return errno == ENOENT ? 0 : -errno;
		return fsync_parent_dir(path);
	}
	text = pr_persist_format(pr);
	r = write_atomic(path, text);
	free(text);
	return r;
}

static char *read_small_file(const char *path)
{
	FILE *f = fopen(path, "re");
	size_t len = 0, cap = 4096;
	char *buf;

	if (f == NULL)
		return NULL;
	buf = xcalloc(1, cap + 1);
	for (;;) {
		size_t n = fread(buf + len, 1, cap - len, f);

		len += n;
		if (n == 0 || len < cap)
			break;
		cap *= 2;
		buf = realloc(buf, cap + 1);
		if (buf == NULL)
			abort();
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

int pr_persist_load(struct scsi_pr *pr, const uint8_t naa[16])
{
	char path[PATH_MAX + 64];
	char *text;
	int r;

	state_path(path, sizeof(path), naa, "");
	text = read_small_file(path);
	if (text == NULL)
		return errno == ENOENT ? 0 : -errno;
	r = pr_persist_parse(pr, text);
	free(text);
	return r;
}
