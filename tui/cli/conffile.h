/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The config file: one option a line, "name = value" with the long options' names, read after
 * the command line for what the command line left, through the same table and parsers.
 */
#ifndef TCPDROP_CONFFILE_H
#define TCPDROP_CONFFILE_H

#include "tui/cli/cli.h"

/* The biggest config file read: far more than options need, and no surprise from a wrong path. */
#define CONFFILE_MAX_BYTES	(1 << 20)

/*
 * Reads a->opts->config_path, which must exist, or else with -i IFACE the interface's file in
 * CLI_CONFIG_DIR when there is one. An option the command line gave stays as given. Returns
 * CLI_RUN, or CLI_USAGE_ERROR with "FILE:LINE: why" said on a->err.
 */
enum cli_result conffile_read(struct cli_arg *a, const char **given);

#endif /* TCPDROP_CONFFILE_H */
