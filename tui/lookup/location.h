/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who owns an address, offline: its AS (number and name) and country, from libloc's database
 * (Debian's libloc-database, read-only and mmapped by libloc). Lookups are cached by address, so
 * a table read again and again costs a hash lookup a source; the AS names are kept for the run.
 */
#ifndef TCPDROP_LOCATION_H
#define TCPDROP_LOCATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOCATION_DEFAULT_DB	"/var/lib/location/database.db"
#define LOCATION_CACHE_MAX	(1u << 20)	/* addresses remembered; then it starts again */

struct location_info {
	uint32_t asn;		/* 0: none known */
	char cc[3];		/* "" when none is known */
	const char *as_name;	/* "" when none is known; valid as long as the location is */
};

struct location;

/*
 * Opens the database at path. Returns NULL with why filled when there is none or it cannot be
 * read: not an error for the caller, which then has no AS or country to show.
 */
struct location *location_open(const char *path, char *why, size_t whylen);
/* What the database says of family (4 or 6) and addr; false when it knows nothing of it. */
bool location_lookup(struct location *l, uint8_t family, const uint8_t addr[16],
		     struct location_info *out);
void location_close(struct location *l);

#endif /* TCPDROP_LOCATION_H */
