/* Data buffers of a command. */
#include "scsi/scsi_cmd.h"

#include <errno.h>
#include <stdlib.h>

int scsi_buf_alloc(struct scsi_buf *b, uint32_t len)
{
	/* Data buffers can be large (MaxBurstLength, big READs): a failed
	 * allocation is answered, not fatal. */
	uint8_t *p = calloc(1, len ? len : 1);

	if (p == NULL)
		return -ENOMEM;
	b->data = p;
	b->len = len;
	b->cap = len;
	b->owned = true;
	return 0;
}

void scsi_buf_free(struct scsi_buf *b)
{
	if (b->owned)
		free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->owned = false;
}
