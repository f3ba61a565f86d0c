/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal test harness. Every test case prints one line that tests/run counts:
 *   "ok - NAME", "FAIL - NAME: why" or "SKIP - NAME: why".
 * Under CI=true a skip is a failure: CI must run everything. Only a case the kernel under test
 * cannot run by its nature (check_not_here) says SKIP there too.
 */
#ifndef TCPDROP_TEST_CHECK_H
#define TCPDROP_TEST_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

static int check_failures;
static bool check_case_failed;
static const char *check_case_name;
static int check_planned;		/* TESTs defined: the plan */
static bool check_plan_said;

static inline bool check_in_ci(void)
{
	const char *ci = getenv("CI");

	return ci && strcmp(ci, "true") == 0;
}

static inline void check_begin(const char *name)
{
	if (!check_plan_said)
		printf("plan %d\n", check_planned);
	check_plan_said = true;
	check_case_name = name;
	check_case_failed = false;
}

static inline void check_end(void)
{
	if (!check_case_failed)
		printf("ok - %s\n", check_case_name);
	fflush(stdout);
}

__attribute__((format(printf, 3, 4)))
static inline void check_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (!check_case_failed)
		printf("FAIL - %s: ", check_case_name);
	else
		printf("       also: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" (%s:%d)\n", file, line);
	check_case_failed = true;
	check_failures++;
}

/* A test that cannot run: SKIP outside CI, FAIL in CI. */
__attribute__((format(printf, 1, 2)))
static inline void check_skip(const char *fmt, ...)
{
	va_list ap;

	printf("%s - %s: ", check_in_ci() ? "FAIL" : "SKIP", check_case_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("%s\n", check_in_ci() ? " (CI=true: nothing may skip)" : "");
	if (check_in_ci())
		check_failures++;
	check_case_failed = true;	/* suppress the "ok" line */
}

/* The running kernel is MAJOR.MINOR or later, by uname: what a kernel should do is decided from
 * its version, not from the tool's own probes. */
static inline bool kernel_at_least(unsigned int major, unsigned int minor)
{
	struct utsname u;
	unsigned int ma = 0, mi = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u", &ma, &mi) != 2)
		return true;
	return ma > major || (ma == major && mi >= minor);
}

/*
 * A test this kernel cannot run by its nature (it lacks the feature, and the tool refuses it
 * there, which another case checks): SKIP, under CI too, with where it is covered.
 */
__attribute__((format(printf, 1, 2)))
static inline void check_not_here(const char *fmt, ...)
{
	va_list ap;

	printf("SKIP - %s: ", check_case_name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	check_case_failed = true;	/* suppress the "ok" line */
}

#define CHECK(cond, ...)                                                                  \
	do {                                                                              \
		if (!(cond))                                                              \
			check_fail_at(__FILE__, __LINE__, __VA_ARGS__);                   \
	} while (0)

#define CHECK_EQ_U64(got, want, what)                                                     \
	do {                                                                              \
		unsigned long long got_ = (got), want_ = (want);                          \
		if (got_ != want_)                                                        \
			check_fail_at(__FILE__, __LINE__, "%s: got %llu, want %llu", (what), \
				      got_, want_);                                       \
	} while (0)

#define CHECK_STR(got, want)                                                              \
	do {                                                                              \
		const char *got_ = (got), *want_ = (want);                                \
		if (strcmp(got_, want_) != 0)                                             \
			check_fail_at(__FILE__, __LINE__, "got \"%s\", want \"%s\"", got_, want_); \
	} while (0)

/*
 * Each TEST counts itself before main runs, so the first case can state the plan ("plan N",
 * tests/run's count to expect): a test defined but never RUN, or a run cut short, shows.
 */
#define TEST(name)                                                                        \
	static void name(void);                                                           \
	__attribute__((constructor)) static void name##_planned(void)                     \
	{                                                                                 \
		check_planned++;                                                          \
	}                                                                                 \
	static void name(void)
#define RUN(name)                                                                         \
	do {                                                                              \
		check_begin(#name);                                                       \
		name();                                                                   \
		check_end();                                                              \
	} while (0)

#endif /* TCPDROP_TEST_CHECK_H */
