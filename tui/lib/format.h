/* SPDX-License-Identifier: GPL-2.0 */
/* Text for people and for JSON: addresses, TCP flags, times, escaped strings. */
#ifndef TCPDROP_FORMAT_H
#define TCPDROP_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FORMAT_ADDR_LEN		46	/* INET6_ADDRSTRLEN */
#define FORMAT_FLAGS_LEN	9
#define FORMAT_TIME_LEN		32
#define FORMAT_NUM_LEN		32
#define FORMAT_NAME_LEN		64	/* an interface name with every byte escaped */

/* family 4: the first 4 bytes of addr; family 6: all 16. Anything else prints "?". */
void format_addr(uint8_t family, const uint8_t addr[16], char buf[FORMAT_ADDR_LEN]);
/* "S", "SA", "FA", "PA", ...: FSRPAUEW order, as tcpdump letters (W is CWR). */
void format_tcp_flags(uint8_t flags, char buf[FORMAT_FLAGS_LEN]);
/* RFC 3339 in UTC with microseconds: 2026-11-24T20:30:38.123456Z */
void format_time_rfc3339(uint64_t realtime_ns, char buf[FORMAT_TIME_LEN]);
/* Writes s as a JSON string with quotes, escaping what JSON requires; returns the length it
 * needed (like snprintf), so a short buffer is detectable. */
size_t format_json_string(const char *s, char *buf, size_t len);
/* The length of the valid UTF-8 sequence at s (1 for ASCII and for the terminating NUL), or 0
 * when the bytes there are not UTF-8. */
size_t utf8_valid_length(const unsigned char *s);
/*
 * Writes s (an interface name, or any text from outside) for a terminal: printable ASCII as it
 * is, a backslash as \\, and as \xNN every byte that is a control character, or that the
 * terminal may not show: with utf8, the bytes of an invalid UTF-8 sequence and of invisible
 * characters (C1 controls, zero-width and bidirectional marks); without, every byte above
 * ASCII. Returns the length it needed, like snprintf.
 */
size_t format_name(const char *s, bool utf8, char *buf, size_t len);
/* Whether the environment's locale (LC_ALL, LC_CTYPE, LANG) is UTF-8, as for stderr. */
bool format_locale_utf8(void);
/* s (ASCII) in at most width columns: whole, or with its middle replaced by one ellipsis
 * column ("…", or "~" without utf8), so that both ends stay. */
void format_elide(const char *s, size_t width, bool utf8, char *buf, size_t len);

/* 1234567 -> "1,234,567" */
void format_count(uint64_t n, char buf[FORMAT_NUM_LEN]);
/* A rate or count in at most 6 characters: "999", "12.3k", "1.23M". */
void format_si(double v, char buf[FORMAT_NUM_LEN]);
/* Bytes in IEC units: "512 B", "1.5 KiB", "12.0 MiB". */
void format_bytes(uint64_t n, char buf[FORMAT_NUM_LEN]);
/* How long ago, shortest first: "now", "3.2s", "42s", "5m", "3h", "2d". */
void format_age(uint64_t ns, char buf[FORMAT_NUM_LEN]);

#endif /* TCPDROP_FORMAT_H */
