/* What the device types do when task management resets a logical unit. */
#include "device/dev_reset.h"

#include "device/sbc.h"
#include "device/sbc_lu.h"
#include "scsi/lu.h"

void dev_lu_reset(struct scsi_lu *lu)
{
	if (lu->type == &sbc_disk_type)
		sbc_lu_reset(lu);
}
