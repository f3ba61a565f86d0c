/* SPDX-License-Identifier: GPL-2.0 */
/* Text for people and for JSON: addresses, TCP flags, times, escaped strings. */
#ifndef TCPDROP_FORMAT_H
#define TCPDROP_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define FORMAT_ADDR_LEN		46	/* INET6_ADDRSTRLEN */
#define FORMAT_FLAGS_LEN	9
#define FORMAT_TIME_LEN		32

/* family 4: the first 4 bytes of addr; family 6: all 16. Anything else prints "?". */
void format_addr(uint8_t family, const uint8_t addr[16], char buf[FORMAT_ADDR_LEN]);
/* "S", "SA", "FA", "PA", ...: FSRPAUEW order, as tcpdump letters (W is CWR). */
void format_tcp_flags(uint8_t flags, char buf[FORMAT_FLAGS_LEN]);
/* RFC 3339 in UTC with microseconds: 2026-11-24T20:30:38.123456Z */
void format_time_rfc3339(uint64_t realtime_ns, char buf[FORMAT_TIME_LEN]);
/* Writes s as a JSON string with quotes, escaping what JSON requires; returns the length it
 * needed (like snprintf), so a short buffer is detectable. */
size_t format_json_string(const char *s, char *buf, size_t len);

#endif /* TCPDROP_FORMAT_H */
