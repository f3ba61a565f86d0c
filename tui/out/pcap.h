/* SPDX-License-Identifier: GPL-2.0 */
/*
 * -w FILE: the dropped packets as pcap, through libpcap's dump API, for tcpdump and tshark.
 * Every drop event carries the frame's first --snaplen bytes (see struct tcpdrop_event); each
 * becomes one pcap record, stamped with the event's time and the frame's original length. So
 * the file holds exactly the drops that have events: --event-rate's throttled ones and the
 * ring's lost ones are not in it, and are counted.
 *
 * The file is opened before privileges are dropped, but emptied (and, under sudo, given to the
 * invoking user) only once the filter is attached: a start that fails leaves it as it was. It
 * is written through a stdio stream of our own whose buffer is only ever written out whole,
 * before a record would not fit, at least once a second and at the end. When a write fails (a
 * full disk) the file is cut back to the end of the last record that got out whole, so it
 * stays readable to its last whole packet, and the run ends with the reason.
 *
 * Only pcap.c includes libpcap: its <pcap/bpf.h> and libbpf's <linux/bpf.h> cannot meet.
 */
#ifndef TCPDROP_PCAP_H
#define TCPDROP_PCAP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "common/tcpdrop.h"
#include "tui/lib/error.h"
#include "tui/model/stats.h"
#include "tui/output.h"

/* How often what is buffered goes to the file, so it can be read while tcpdrop-top runs. */
#define CAPTURE_FLUSH_INTERVAL_NS	1000000000ULL
/* The stream's buffer: whole records only ever leave it. */
#define CAPTURE_BUFFER_BYTES		(64 * 1024)
/* Records the buffer can hold: a record is at least its 16-byte header. */
#define CAPTURE_BUFFER_RECORDS		(CAPTURE_BUFFER_BYTES / 16)

struct capture {
	char path[PATH_MAX];		/* as given; "-" for stdout */
	int fd;
	FILE *f;			/* a stream on fd that retries interrupted writes */
	void *dead;			/* pcap_t: the link type and snaplen */
	void *dumper;			/* pcap_dumper_t */
	unsigned int snaplen;
	size_t pending;			/* bytes in the stream's buffer */
	uint64_t packets;		/* records handed to the dumper */
	uint64_t packets_whole;		/* records in the file for sure: before whole_bytes */
	off_t whole_bytes;		/* the file up to here is whole records */
	off_t written;			/* bytes that reached the file */
	/* Where each record in the buffer ends, from whole_bytes: a failed write that got part of
	 * the buffer out is cut back to the last record that got out whole. */
	uint32_t ends[CAPTURE_BUFFER_RECORDS];
	size_t nends;
	uint64_t next_flush_ns;
	int write_err;			/* the first failed write's -errno */
	bool ended;			/* failed or its reader gone: nothing more is written */
	bool created;			/* the file did not exist before capture_open() */
	bool started;			/* capture_start() was called: the file is ours now */
};

/*
 * Opens path ("-": stdout), creating it if need be, without writing a byte: an existing file
 * keeps its bytes until capture_start(), and a file created here is removed by capture_close()
 * if capture_start() never came. Returns 0, or -errno with e filled.
 */
int capture_open(struct capture *c, const char *path, unsigned int snaplen, struct error *e);
/*
 * Once the filter is attached, while privileges last: readies the pcap header (link type
 * Ethernet, or raw IP when raw_ip), empties an existing file, gives it to the invoking user
 * under sudo and writes the header. Returns as capture_event().
 */
int capture_start(struct capture *c, bool raw_ip, struct error *e);
/*
 * One ring record: the event and the bytes after it (size as the ring gave it). Returns 0;
 * -EPIPE when stdout's reader went away (the run ends, not an error); or another -errno with
 * e filled (a full disk: the file is cut back to its last whole record).
 */
int capture_event(struct capture *c, const struct tcpdrop_event *ev, size_t size,
		  uint64_t realtime_offset_ns, struct error *e);
/* Once a pass of the loop: writes out what is buffered once a second. Returns as above. */
int capture_tick(struct capture *c, uint64_t now_ns, struct error *e);
/* Writes out the rest and closes. Returns as above; safe to call twice and on a capture
 * never opened (zeroed). */
int capture_close(struct capture *c, struct error *e);
/*
 * The line at the end, on stderr: how many packets the file holds, and which drops are not in
 * it and why (throttled by --event-rate, lost in a full ring, after a failed write). total is
 * counted from the start, as the file is: the live view's clear does not empty the file.
 */
void capture_summary(const struct capture *c, const struct counter_values *total);
/* The pcap's drops as the live view's title says them: "pcap: N written, M not"; total as
 * above. */
size_t capture_format(const struct capture *c, const struct counter_values *total, char *buf,
		      size_t len);

/* -w as an output (output.h): its context is a struct capture, zeroed. */
extern const struct output_ops pcap_output;

#endif /* TCPDROP_PCAP_H */
