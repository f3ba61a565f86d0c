// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#include "tui/lib/error.h"
#include "tui/lib/format.h"

static int error_fill(struct error *e, int err, int exit_status, const char *fmt, va_list ap)
{
	e->err = err < 0 ? err : -EINVAL;	/* a failure is never 0 */
	e->exit_status = exit_status;
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	return e->err;
}

int error_set(struct error *e, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err = error_fill(e, err, 1, fmt, ap);
	va_end(ap);
	return err;
}

int error_usage(struct error *e, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err = error_fill(e, err, 2, fmt, ap);
	va_end(ap);
	return err;
}

void error_print(FILE *to, const struct error *e)
{
	if (e->msg[0])
		say(to, "%s", e->msg);
	else
		say(to, "failed: %s", strerror(e->err ? -e->err : EIO));
}

void say(FILE *to, const char *fmt, ...)
{
	char line[1024], shown[4 * sizeof(line)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* Interface names, TERM and the arguments quoted back are anyone's bytes: none of them
	 * may reach a terminal or a log as a control character. */
	format_name(line, format_locale_utf8(), shown, sizeof(shown));
	fprintf(to, PROGRAM_NAME ": %s\n", shown);
}
