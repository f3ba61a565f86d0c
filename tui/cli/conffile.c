// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui/cli/conffile.h"

/*
 * The file whole, after its path, in one buffer that options' values may point into. Any file
 * but a directory (--config /dev/null reads nothing, and so skips the interface's file), read
 * to its end: a read that fails is an error, never a shorter file.
 */
static enum cli_result slurp(const char *path, bool must_exist, char **text, char **body,
			     FILE *err)
{
	size_t plen = strlen(path) + 1, got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	ssize_t n = 0;
	char *shrunk;

	*text = NULL;
	if (fd < 0) {
		if (errno == ENOENT && !must_exist)
			return CLI_RUN;
		return usage_error(err, "config file %s: %s", path, strerror(errno));
	}
	if (fstat(fd, &st) || S_ISDIR(st.st_mode)) {
		n = fstat(fd, &st) ? errno : EISDIR;
		close(fd);
		return usage_error(err, "config file %s: %s", path, strerror(n));
	}
	*text = malloc(plen + CONFFILE_MAX_BYTES + 1);
	if (!*text) {
		close(fd);
		return usage_error(err, "config file %s: out of memory", path);
	}
	memcpy(*text, path, plen);
	*body = *text + plen;
	while (got <= CONFFILE_MAX_BYTES &&
	       (n = read(fd, *body + got, CONFFILE_MAX_BYTES + 1 - got)) > 0)
		got += n;
	if (n < 0)
		n = errno;
	close(fd);
	if (n > 0 && got <= CONFFILE_MAX_BYTES)
		return usage_error(err, "config file %s: %s", path, strerror(n));
	if (got > CONFFILE_MAX_BYTES)
		return usage_error(err, "config file %s: bigger than 1 MiB", path);
	shrunk = realloc(*text, plen + got + 1);	/* nothing points into it yet */
	if (shrunk) {
		*text = shrunk;
		*body = shrunk + plen;
	}
	(*body)[got] = '\0';
	if (memchr(*body, '\0', got))
		return usage_error(err, "config file %s: a NUL byte: not a text file", path);
	return CLI_RUN;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static const struct cli_option *option_named(const char *name)
{
	for (size_t i = 0; i < cli_option_count; i++)
		if (!strcmp(cli_options[i].name, name))
			return &cli_options[i];
	return NULL;
}

/* A flag's value: 1 for on, 0 for off, -1 for neither. */
static int flag_value(const char *v)
{
	if (!strcmp(v, "true") || !strcmp(v, "yes") || !strcmp(v, "on") || !strcmp(v, "1"))
		return 1;
	if (!strcmp(v, "false") || !strcmp(v, "no") || !strcmp(v, "off") || !strcmp(v, "0"))
		return 0;
	return -1;
}

static enum cli_result read_line(struct cli_arg *a, const char **given, const bool *on_cli,
				 const char *path, unsigned int lineno, char *line)
{
	const struct cli_option *o;
	char name[PATH_MAX + 64], *key, *value, *eq;
	enum cli_result r;
	size_t len;
	int on;

	line[strcspn(line, "#")] = '\0';
	key = trim(line);
	if (!*key)
		return CLI_RUN;
	eq = strchr(key, '=');
	if (!eq)
		return usage_error(a->err, "%s:%u: \"%.60s\": want name = value", path, lineno, key);
	*eq = '\0';
	key = trim(key);
	value = trim(eq + 1);
	len = strlen(value);
	if (len >= 2 && value[0] == '"' && value[len - 1] == '"') {	/* "a value" */
		value[len - 1] = '\0';
		value++;
	}
	o = option_named(key);
	if (!o)
		return usage_error(a->err, "%s:%u: unknown option \"%.60s\" (the long options' "
				  "names, as in --help)", path, lineno, key);
	if (o->in_file == CLI_NOT_IN_FILE)
		return usage_error(a->err, "%s:%u: %s cannot be given in a config file", path,
				  lineno, key);
	if (on_cli[o - cli_options])
		return CLI_RUN;		/* the command line overrides the file */
	snprintf(name, sizeof(name), "%s:%u: %s", path, lineno, key);
	if (!o->metavar) {
		on = flag_value(value);
		if (on < 0)
			return usage_error(a->err, "%s: \"%.60s\" is not true or false", name,
					  value);
		if (!on)
			return CLI_RUN;
		value = NULL;
	}
	r = cli_apply(o, name, value, a, given);
	return r;
}

enum cli_result conffile_read(struct cli_arg *a, const char **given)
{
	struct options *opts = a->opts;
	bool *on_cli;
	const char *name = a->name;
	char path[PATH_MAX], *body = NULL, *line, *next;
	unsigned int lineno = 0;
	enum cli_result r;

	if (opts->config_path)
		snprintf(path, sizeof(path), "%s", opts->config_path);
	else if (opts->ifname[0])
		snprintf(path, sizeof(path), "%s/%s.conf", CLI_CONFIG_DIR, opts->ifname);
	else
		return CLI_RUN;
	r = slurp(path, opts->config_path, &opts->config_text, &body, a->err);
	if (r != CLI_RUN || !opts->config_text)
		return r;
	opts->config_path = opts->config_text;
	on_cli = calloc(cli_option_count, sizeof(*on_cli));
	if (!on_cli)
		return usage_error(a->err, "config file %s: out of memory", path);
	for (size_t i = 0; i < cli_option_count; i++)
		on_cli[i] = given[i];
	for (line = body; line && r == CLI_RUN; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		r = read_line(a, given, on_cli, opts->config_path, ++lineno, line);
	}
	free(on_cli);
	a->name = name;		/* not read_line()'s buffer, gone with it */
	return r;
}
