// SPDX-License-Identifier: GPL-2.0
/*
 * Writes a small location database, with libloc's own writer, for the tests: the documentation
 * ranges the tests send from have no owner in the real one. Usage: locdb FILE
 *   198.51.100.0/24     AS64496 "Documentation Net One", DE
 *   203.0.113.0/24      AS64497 "Documentation Net Two", NL
 *   2001:db8:4040::/48  AS64496, DE
 *   2001:db8::/32       AS64499 "Documentation Net Six", FR
 */
#include <libloc/as.h>
#include <libloc/libloc.h>
#include <libloc/network.h>
#include <libloc/writer.h>
#include <stdio.h>

static const struct {
	unsigned int asn;
	const char *name;
} ases[] = {
	{ 64496, "Documentation Net One" },
	{ 64497, "Documentation Net Two" },
	{ 64499, "Documentation Net Six" },
};

static const struct {
	const char *net, *cc;
	unsigned int asn;
} nets[] = {
	{ "198.51.100.0/24", "DE", 64496 },
	{ "203.0.113.0/24", "NL", 64497 },
	{ "2001:db8:4040::/48", "DE", 64496 },
	{ "2001:db8::/32", "FR", 64499 },
};

int main(int argc, char **argv)
{
	struct loc_writer *w = NULL;
	struct loc_ctx *ctx = NULL;
	FILE *f;
	int err = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: locdb FILE\n");
		return 2;
	}
	if (loc_new(&ctx) || loc_writer_new(ctx, &w, NULL, NULL))
		goto out;
	loc_writer_set_vendor(w, "tcpdrop-top tests");
	for (size_t i = 0; i < sizeof(ases) / sizeof(ases[0]); i++) {
		struct loc_as *as;

		if (loc_writer_add_as(w, &as, ases[i].asn))
			goto out;
		loc_as_set_name(as, ases[i].name);
		loc_as_unref(as);
	}
	for (size_t i = 0; i < sizeof(nets) / sizeof(nets[0]); i++) {
		struct loc_network *n;

		if (loc_writer_add_network(w, &n, nets[i].net))
			goto out;
		loc_network_set_country_code(n, nets[i].cc);
		loc_network_set_asn(n, nets[i].asn);
		loc_network_unref(n);
	}
	f = fopen(argv[1], "w");
	if (!f) {
		perror(argv[1]);
		goto out;
	}
	err = loc_writer_write(w, f, LOC_DATABASE_VERSION_UNSET) || fclose(f);
out:
	if (err)
		fprintf(stderr, "locdb: cannot write %s\n", argv[1]);
	if (w)
		loc_writer_unref(w);
	if (ctx)
		loc_unref(ctx);
	return err;
}
