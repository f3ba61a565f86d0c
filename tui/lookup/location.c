// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <libloc/as.h>
#include <libloc/database.h>
#include <libloc/libloc.h>
#include <libloc/network.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "tui/lookup/location.h"

struct cached {
	uint8_t family;		/* 0: an empty slot */
	uint8_t addr[16];
	uint32_t asn;
	char cc[3];
	bool known;
};

struct as_name {
	uint32_t asn;		/* 0: an empty slot */
	char *name;
};

struct location {
	struct loc_ctx *ctx;
	struct loc_database *db;
	struct cached *cache;
	size_t cached, cache_cap;
	struct as_name *names;
	size_t names_n, names_cap;
};

struct location *location_open(const char *path, char *why, size_t whylen)
{
	struct location *l = calloc(1, sizeof(*l));
	FILE *f = NULL;

	if (!l) {
		snprintf(why, whylen, "out of memory");
		goto fail;
	}
	f = fopen(path, "r");
	if (!f) {
		snprintf(why, whylen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	if (loc_new(&l->ctx)) {
		snprintf(why, whylen, "libloc: %s", strerror(errno));
		goto fail;
	}
	loc_set_log_priority(l->ctx, LOG_EMERG);	/* its messages would land on the screen */
	if (loc_database_new(l->ctx, &l->db, f)) {
		snprintf(why, whylen, "%s: not a location database libloc can read", path);
		goto fail;
	}
	fclose(f);	/* libloc has it mapped */
	return l;
fail:
	if (f)
		fclose(f);
	location_close(l);
	return NULL;
}

static size_t hash_addr(uint8_t family, const uint8_t addr[16])
{
	uint64_t h = 1469598103934665603ULL ^ family;

	for (int i = 0; i < 16; i++)
		h = (h ^ addr[i]) * 1099511628211ULL;
	return h;
}

/* The AS's name, kept for the run: few ASes ever show, and a row may point at its name. */
static const char *as_name(struct location *l, uint32_t asn)
{
	struct loc_as *as = NULL;
	const char *name;
	size_t i;

	if (!asn)
		return "";
	if (2 * (l->names_n + 1) > l->names_cap) {
		size_t cap = l->names_cap ? 2 * l->names_cap : 256;
		struct as_name *names = calloc(cap, sizeof(*names));

		if (!names)
			return "";
		for (size_t j = 0; j < l->names_cap; j++) {
			if (!l->names[j].asn)
				continue;
			for (i = l->names[j].asn & (cap - 1); names[i].asn; i = (i + 1) & (cap - 1))
				;
			names[i] = l->names[j];
		}
		free(l->names);
		l->names = names;
		l->names_cap = cap;
	}
	for (i = asn & (l->names_cap - 1); l->names[i].asn; i = (i + 1) & (l->names_cap - 1))
		if (l->names[i].asn == asn)
			return l->names[i].name;
	name = !loc_database_get_as(l->db, &as, asn) && as ? loc_as_get_name(as) : NULL;
	l->names[i].name = strdup(name ? name : "");
	if (as)
		loc_as_unref(as);
	if (!l->names[i].name)
		return "";
	l->names[i].asn = asn;
	l->names_n++;
	return l->names[i].name;
}

static void ask_database(struct location *l, struct cached *c)
{
	struct loc_network *net = NULL;
	struct in6_addr a = { 0 };
	const char *cc;

	if (c->family == 4) {	/* libloc keeps IPv4 as IPv4-mapped IPv6 */
		a.s6_addr[10] = a.s6_addr[11] = 0xff;
		memcpy(&a.s6_addr[12], c->addr, 4);
	} else {
		memcpy(a.s6_addr, c->addr, 16);
	}
	c->known = false;
	if (loc_database_lookup(l->db, &a, &net) || !net)
		return;
	c->asn = loc_network_get_asn(net);
	cc = loc_network_get_country_code(net);
	if (cc && strlen(cc) == 2)
		memcpy(c->cc, cc, 3);
	c->known = c->asn || c->cc[0];
	loc_network_unref(net);
}

static struct cached *cache_slot(struct cached *cache, size_t cap, uint8_t family,
				 const uint8_t addr[16])
{
	size_t i = hash_addr(family, addr) & (cap - 1);

	while (cache[i].family && (cache[i].family != family || memcmp(cache[i].addr, addr, 16)))
		i = (i + 1) & (cap - 1);
	return &cache[i];
}

/* Room for one more: twice the slots while under the bound, then empty again. */
static int cache_room(struct location *l)
{
	size_t cap = l->cache_cap ? 2 * l->cache_cap : 1024;
	struct cached *cache;

	if (2 * (l->cached + 1) <= l->cache_cap)
		return 0;
	if (l->cache_cap >= 2 * LOCATION_CACHE_MAX) {
		memset(l->cache, 0, l->cache_cap * sizeof(*l->cache));
		l->cached = 0;
		return 0;
	}
	cache = calloc(cap, sizeof(*cache));
	if (!cache)
		return -ENOMEM;
	for (size_t i = 0; i < l->cache_cap; i++)
		if (l->cache[i].family)
			*cache_slot(cache, cap, l->cache[i].family, l->cache[i].addr) = l->cache[i];
	free(l->cache);
	l->cache = cache;
	l->cache_cap = cap;
	return 0;
}

bool location_lookup(struct location *l, uint8_t family, const uint8_t addr[16],
		     struct location_info *out)
{
	struct cached *c;

	memset(out, 0, sizeof(*out));
	out->as_name = "";
	if (!l || cache_room(l))
		return false;
	c = cache_slot(l->cache, l->cache_cap, family, addr);
	if (!c->family) {
		c->family = family;
		memcpy(c->addr, addr, 16);
		ask_database(l, c);
		l->cached++;
	}
	if (!c->known)
		return false;
	out->asn = c->asn;
	memcpy(out->cc, c->cc, 3);
	out->as_name = as_name(l, c->asn);
	return true;
}

void location_close(struct location *l)
{
	if (!l)
		return;
	if (l->db)
		loc_database_unref(l->db);
	if (l->ctx)
		loc_unref(l->ctx);
	for (size_t i = 0; i < l->names_cap; i++)
		free(l->names[i].name);
	free(l->names);
	free(l->cache);
	free(l);
}
