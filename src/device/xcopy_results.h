/* Results of EXTENDED COPY commands held for RECEIVE COPY RESULTS, keyed by
 * I_T nexus and list identifier (SPC-4 5.16.4.3). */
#ifndef LUNA_DEVICE_XCOPY_RESULTS_H
#define LUNA_DEVICE_XCOPY_RESULTS_H

#include <stdbool.h>
#include <stdint.h>

struct xcopy_result {
	bool failed;
	uint16_t segments; /* segments processed */
	uint64_t bytes;	   /* bytes copied */
};

void xcopy_results_put(uint64_t nexus_id, uint8_t list_id, bool failed, unsigned segments,
		       uint64_t bytes);
bool xcopy_results_get(uint64_t nexus_id, uint8_t list_id, struct xcopy_result *r);

#endif
