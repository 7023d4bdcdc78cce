/* Mode pages: read-write error recovery (0x01), caching (0x08), control
 * (0x0a) and informational exceptions control (0x1c). */
#include "device/mode.h"

#include <string.h>

#include "common/bytes.h"
#include "common/util.h"
#include "scsi/lu.h"

#define PAGE_RW_RECOVERY 0x01
#define PAGE_CACHING 0x08
#define PAGE_CONTROL 0x0a
#define PAGE_INFO_EXCEPTIONS 0x1c
#define PAGE_ALL 0x3f

void mode_params_default(struct scsi_mode_params *m)
{
	memset(m, 0, sizeof(*m));
	m->wce = true;
	m->dexcpt = true;
}

/* Each builder writes its page for the values in m; for the changeable
 * mask the caller passes a params block with every changeable field set. */
static size_t page_rw_recovery(const struct scsi_mode_params *m, uint8_t *p)
{
	(void)m;
	p[0] = PAGE_RW_RECOVERY;
	p[1] = 0x0a;
	return 12;
}

static size_t page_caching(const struct scsi_mode_params *m, uint8_t *p)
{
	p[0] = PAGE_CACHING;
	p[1] = 0x12;
	p[2] = (uint8_t)((m->wce ? 0x04 : 0) | (m->rcd ? 0x01 : 0));
	return 20;
}

static size_t page_control(const struct scsi_mode_params *m, uint8_t *p)
{
	p[0] = PAGE_CONTROL;
	p[1] = 0x0a;
	p[2] = (uint8_t)((m->tst & 7) << 5 | (m->d_sense ? 0x04 : 0));
	/* QUEUE ALGORITHM MODIFIER 1: commands may be reordered. */
	p[3] = (uint8_t)(0x10 | (m->qerr & 3) << 1);
	p[4] = (uint8_t)((m->ua_intlck & 3) << 4 | (m->swp ? 0x08 : 0));
	p[5] = (uint8_t)(m->tas ? 0x40 : 0);
	put_be16(p + 8, 0xffff); /* busy timeout: unlimited */
	return 12;
}

static size_t page_info_exceptions(const struct scsi_mode_params *m, uint8_t *p)
{
	p[0] = PAGE_INFO_EXCEPTIONS;
	p[1] = 0x0a;
	p[2] = m->dexcpt ? 0x08 : 0;
	p[3] = m->mrie & 0x0f;
	return 12;
}

typedef size_t (*page_fn)(const struct scsi_mode_params *m, uint8_t *p);

static const struct {
	uint8_t code;
	page_fn build;
} pages[] = {
	{PAGE_RW_RECOVERY, page_rw_recovery},
	{PAGE_CACHING, page_caching},
	{PAGE_CONTROL, page_control},
	{PAGE_INFO_EXCEPTIONS, page_info_exceptions},
};

/* Which fields MODE SELECT may change: write cache, read cache,
 * descriptor sense, software write protect, informational exceptions. */
static void params_changeable(struct scsi_mode_params *m)
{
	memset(m, 0, sizeof(*m));
	m->wce = m->rcd = true;
	m->d_sense = m->swp = true;
	m->dexcpt = true;
	m->mrie = 0x0f;
}

/* Take the changeable fields of one page (already checked) into m. */
static void page_parse(struct scsi_mode_params *m, const uint8_t *p)
{
	switch (p[0] & 0x3f) {
	case PAGE_CACHING:
		m->wce = p[2] & 0x04;
		m->rcd = p[2] & 0x01;
		break;
	case PAGE_CONTROL:
		m->d_sense = p[2] & 0x04;
		m->swp = p[4] & 0x08;
		break;
	case PAGE_INFO_EXCEPTIONS:
		m->dexcpt = p[2] & 0x08;
		m->mrie = p[3] & 0x0f;
		break;
	default:
		break;
	}
}

static size_t build_one_page(const struct scsi_mode_params *m, uint8_t code, uint8_t *p)
{
	for (unsigned i = 0; i < ARRAY_SIZE(pages); i++)
		if (pages[i].code == code)
			return pages[i].build(m, p);
	return 0;
}

/* The changeable mask of one page: the bits that differ between every
 * changeable field set and none set (fixed values cancel out). */
static size_t build_mask_page(uint8_t code, uint8_t *p)
{
	struct scsi_mode_params all, none;
	uint8_t zero[64] = {0};
	size_t n;

	params_changeable(&all);
	memset(&none, 0, sizeof(none));
	n = build_one_page(&all, code, p);
	build_one_page(&none, code, zero);
	for (size_t i = 2; i < n; i++)
		p[i] ^= zero[i];
	return n;
}

/* MRIE values SPC-4 defines (0-6); the rest are reserved. */
static bool page_values_ok(const uint8_t *p)
{
	return (p[0] & 0x3f) != PAGE_INFO_EXCEPTIONS || (p[3] & 0x0f) <= 6;
}

int mode_select_apply(struct scsi_mode_params *m, const uint8_t *data, size_t len,
		      size_t *bad)
{
	struct scsi_mode_params next = *m;
	size_t off = 0;

	while (off < len) {
		uint8_t cur[64] = {0}, chg[64] = {0};
		const uint8_t *p = data + off;
		size_t n;

		*bad = off;
		if (len - off < 2 || (p[0] & 0x40)) /* no subpages are changeable */
			return -1;
		n = build_one_page(m, p[0] & 0x3f, cur);
		build_mask_page(p[0] & 0x3f, chg);
		if (n == 0 || p[1] != n - 2 || len - off < n)
			return -1;
		/* Every bit that is not changeable must keep its value. */
		for (size_t i = 2; i < n; i++) {
			if ((p[i] & ~chg[i]) != (cur[i] & ~chg[i])) {
				*bad = off + i;
				return -1;
			}
		}
		if (!page_values_ok(p)) {
			*bad = off + 3;
			return -1;
		}
		page_parse(&next, p);
		off += n;
	}
	*m = next;
	return 0;
}

static size_t build_pages(const struct scsi_mode_params *m, uint8_t page, uint8_t *p)
{
	size_t n = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(pages); i++)
		if (page == PAGE_ALL || page == pages[i].code)
			n += pages[i].build(m, p + n);
	return n;
}

static bool page_known(uint8_t page, uint8_t subpage)
{
	if (page == PAGE_ALL)
		return subpage == 0x00 || subpage == 0xff;
	if (subpage != 0x00)
		return false;
	for (unsigned i = 0; i < ARRAY_SIZE(pages); i++)
		if (pages[i].code == page)
			return true;
	return false;
}

static size_t block_descriptor(const struct mode_hdr_info *h, bool long_lba, uint8_t *p)
{
	if (long_lba) {
		put_be64(p, h->nblocks);
		put_be32(p + 12, h->block_size);
		return 16;
	}
	put_be32(p, h->nblocks > UINT32_MAX ? UINT32_MAX : (uint32_t)h->nblocks);
	put_be24(p + 5, h->block_size);
	return 8;
}

long mode_sense_build(const struct scsi_mode_params *m, const struct mode_hdr_info *h,
		      bool ten, uint8_t page, uint8_t subpage, enum mode_pc pc, uint8_t *buf,
		      size_t cap)
{
	struct scsi_mode_params vals;
	size_t hdr = ten ? 8 : 4, bd = 0, n;
	bool long_lba = ten && h->llbaa;

	if (!page_known(page, subpage) || cap < 512)
		return -1;
	if (pc == MODE_PC_CHANGEABLE)
		params_changeable(&vals);
	else if (pc == MODE_PC_DEFAULT)
		mode_params_default(&vals);
	else
		vals = *m;
	memset(buf, 0, cap);
	if (h->block_descriptor)
		bd = block_descriptor(h, long_lba, buf + hdr);
	n = hdr + bd;
	if (pc == MODE_PC_CHANGEABLE) {
		for (unsigned i = 0; i < ARRAY_SIZE(pages); i++)
			if (page == PAGE_ALL || page == pages[i].code)
				n += build_mask_page(pages[i].code, buf + n);
	} else {
		n += build_pages(&vals, page, buf + n);
	}
	if (ten) {
		put_be16(buf, (uint16_t)(n - 2));
		buf[3] = h->dev_specific;
		buf[4] = long_lba ? 0x01 : 0;
		put_be16(buf + 6, (uint16_t)bd);
	} else {
		buf[0] = (uint8_t)(n - 1);
		buf[2] = h->dev_specific;
		buf[3] = (uint8_t)bd;
	}
	return (long)n;
}
