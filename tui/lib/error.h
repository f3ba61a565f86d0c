/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one error convention: a function returns 0 or -errno and, when it fails, fills a struct
 * error with a line for people (what failed, why, what to do). Only error_print() and say()
 * write the program's prefix.
 */
#ifndef TCPDROP_ERROR_H
#define TCPDROP_ERROR_H

#include <stdio.h>

#define PROGRAM_NAME	"tcpdrop-top"

struct error {
	int err;		/* the -errno returned with it */
	int exit_status;	/* 1: a runtime failure, 2: the user asked for something impossible */
	char msg[512];
};

/* Fills e for a runtime failure and returns err, which must be a negative errno. */
__attribute__((format(printf, 3, 4)))
int error_set(struct error *e, int err, const char *fmt, ...);
/* The same for a usage error: the command line names something that cannot be. */
__attribute__((format(printf, 3, 4)))
int error_usage(struct error *e, int err, const char *fmt, ...);
/* "tcpdrop-top: <message>" on to; a message never filled still says what failed. */
void error_print(FILE *to, const struct error *e);
/* One line for people with the program's prefix: notices, warnings, errors without a struct.
 * Control bytes in it, and bytes the locale cannot show, are escaped (see format_name()). */
__attribute__((format(printf, 2, 3)))
void say(FILE *to, const char *fmt, ...);

#endif /* TCPDROP_ERROR_H */
