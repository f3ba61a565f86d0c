// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui/cli/cli.h"
#include "tui/kernel/privs.h"
#include "tui/lib/outbuf.h"
#include "tui/out/pcap.h"
#include "tui/run.h"

/* The size of a record's header in the file: struct pcap_sf_pkthdr, 32-bit times. */
#define RECORD_HEADER_BYTES	16

/* The stream's writer: interrupted writes are retried, so a signal never fails the file. */
static ssize_t cookie_write(void *cookie, const char *buf, size_t size)
{
	struct capture *c = cookie;
	size_t done = 0;
	ssize_t n;

	if (c->ended)
		return size;	/* after a failure nothing more may reach the file */
	while (done < size) {
		n = write(c->fd, buf + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!c->write_err)
				c->write_err = n < 0 ? -errno : -EIO;
			errno = -c->write_err;
			return done ? (ssize_t)done : -1;
		}
		done += n;
		c->written += n;
	}
	return done;
}

static int capture_failed(struct capture *c, int err, struct error *e)
{
	off_t out = c->written - c->whole_bytes;	/* of the buffer: its records that got out */
	const char *why = "", *todo = "";
	size_t i = 0;

	c->ended = true;
	if (err == -EPIPE && c->fd == STDOUT_FILENO)
		return -EPIPE;	/* | tcpdump -r - -c 10: the reader has what it wanted */
	while (i < c->nends && c->ends[i] <= out)
		i++;
	if (i) {
		c->whole_bytes += c->ends[i - 1];
		c->packets_whole += i;
	}
	/* What went out after them ends inside a record: cut it off. */
	if (c->fd != STDOUT_FILENO)
		(void)!ftruncate(c->fd, c->whole_bytes);
	/* SIGXFSZ is ignored under -w, so a file size limit is this EFBIG, not a sudden death. */
	if (err == -EFBIG) {
		why = ": the file size limit (ulimit -f, LimitFSIZE=) is reached";
		todo = ": raise the limit, or keep less (--snaplen, --event-rate)";
	} else if (err == -ENOSPC || err == -EDQUOT) {
		todo = ": free some space, or write it elsewhere";
	}
	return error_set(e, err, "writing the pcap to %s failed: %s%s; it holds the %llu packets "
			 "written before, readable to the last%s", c->path, strerror(-err), why,
			 (unsigned long long)c->packets_whole, todo);
}

/* Writes out what the stream holds: whole records only. */
static int flush(struct capture *c, struct error *e)
{
	if (c->ended)
		return 0;
	if (fflush(c->f) || ferror(c->f))
		return capture_failed(c, c->write_err ? c->write_err : -EIO, e);
	c->whole_bytes += c->pending;
	c->pending = 0;
	c->nends = 0;
	c->packets_whole = c->packets;
	return 0;
}

/*
 * Opens FILE without touching its bytes: a start that fails later (the hook taken, native mode
 * refused, no memory for the maps) must leave an earlier capture as it was. Only a file made
 * here is removed again then. An existing file is written in place once the filter is attached,
 * as tcpdump would: its links, mode and owner stay, and a FIFO or a device stays one.
 */
static int open_file(struct capture *c, const char *path, struct error *e)
{
	if (!strcmp(path, "-")) {
		if (isatty(STDOUT_FILENO))
			return error_usage(e, -EINVAL, "-w -: stdout is a terminal, and a pcap is "
					   "binary: pipe it (| tcpdump -r -) or give a file");
		c->fd = STDOUT_FILENO;
		return 0;
	}
	c->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	c->created = c->fd >= 0;
	if (c->fd < 0 && errno == EEXIST)	/* or a dangling symlink: its target is made */
		c->fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (c->fd < 0)
		return error_set(e, -errno, "cannot create %s: %s", path, strerror(errno));
	return 0;
}

int capture_open(struct capture *c, const char *path, unsigned int snaplen, struct error *e)
{
	static const cookie_io_functions_t io = { .write = cookie_write };
	int err;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->snaplen = snaplen;
	/* Whole, or not at all: a file made here is removed by this name if the start fails. */
	if (snprintf(c->path, sizeof(c->path), "%s", path) >= (int)sizeof(c->path))
		return error_set(e, -ENAMETOOLONG, "cannot create %s: %s", path,
				 strerror(ENAMETOOLONG));
	err = open_file(c, path, e);
	if (err)
		return err;
	c->f = fopencookie(c, "w", io);
	if (!c->f)
		return error_set(e, -ENOMEM, "cannot start the pcap in %s: out of memory", path);
	setvbuf(c->f, NULL, _IOFBF, CAPTURE_BUFFER_BYTES);
	return 0;
}

int capture_start(struct capture *c, bool raw_ip, struct error *e)
{
	struct stat st;
	uid_t uid;
	gid_t gid;

	/* Nanosecond stamps: the event's time to the nanosecond; tcpdump and tshark read them. */
	c->dead = pcap_open_dead_with_tstamp_precision(raw_ip ? DLT_RAW : DLT_EN10MB, c->snaplen,
						      PCAP_TSTAMP_PRECISION_NANO);
	if (c->dead)
		c->dumper = pcap_dump_fopen(c->dead, c->f);
	if (!c->dumper)
		return error_set(e, -ENOMEM, "cannot start the pcap in %s: %s", c->path,
				 c->dead ? pcap_geterr(c->dead) : "out of memory");
	/* The header waits in the stream's buffer, not a byte written yet. */
	c->pending = sizeof(struct pcap_file_header);
	c->started = true;
	if (c->fd != STDOUT_FILENO && !fstat(c->fd, &st) && S_ISREG(st.st_mode)) {
		if (ftruncate(c->fd, 0))
			return error_set(e, -errno, "cannot empty %s to write the pcap: %s",
					 c->path, strerror(errno));
		/* As tcpdump: under sudo the file is the user's, not root's. Not a device. */
		if (privs_sudo_user(&uid, &gid) && fchown(c->fd, uid, gid))
			return error_set(e, -errno, "cannot give %s to uid %u: %s", c->path,
					 (unsigned int)uid, strerror(errno));
	}
	/* The header alone is already a valid, empty capture. */
	return flush(c, e);
}

int capture_event(struct capture *c, const struct tcpdrop_event *ev, size_t size,
		  uint64_t realtime_offset_ns, struct error *e)
{
	uint64_t wall = ev->timestamp_ns + realtime_offset_ns;
	struct pcap_pkthdr h = {};
	size_t caplen = ev->caplen, record;
	int err;

	if (c->ended)
		return 0;
	/* Never past what the record holds, the file's snaplen or the frame. */
	if (caplen > size - sizeof(*ev))
		caplen = size - sizeof(*ev);
	if (caplen > c->snaplen)
		caplen = c->snaplen;
	if (caplen > ev->len)
		caplen = ev->len;
	record = RECORD_HEADER_BYTES + caplen;
	/* The buffer goes out before it would be cut inside this record. */
	if (c->pending + record > CAPTURE_BUFFER_BYTES || c->nends == CAPTURE_BUFFER_RECORDS) {
		err = flush(c, e);
		if (err)
			return err;
	}
	h.ts.tv_sec = wall / 1000000000ULL;
	h.ts.tv_usec = wall % 1000000000ULL;	/* nanoseconds: the file says so */
	h.caplen = caplen;
	h.len = ev->len;
	pcap_dump(c->dumper, &h, (const u_char *)(ev + 1));
	if (ferror(c->f))
		return capture_failed(c, c->write_err ? c->write_err : -EIO, e);
	c->pending += record;
	c->ends[c->nends++] = c->pending;
	c->packets++;
	return 0;
}

int capture_tick(struct capture *c, uint64_t now_ns, struct error *e)
{
	if (c->ended)
		return 0;
	if (c->fd == STDOUT_FILENO && outbuf_reader_gone(c->fd))
		return capture_failed(c, -EPIPE, e);
	if (now_ns < c->next_flush_ns)
		return 0;
	c->next_flush_ns = now_ns + CAPTURE_FLUSH_INTERVAL_NS;
	return c->pending ? flush(c, e) : 0;
}

int capture_close(struct capture *c, struct error *e)
{
	int err = 0;

	if (c->dumper && e)
		err = flush(c, e);
	c->ended = true;
	/* The stream is closed through pcap_dump_close, once; it no longer writes anything. */
	if (c->dumper) {
		c->pending = 0;
		pcap_dump_close(c->dumper);
	} else if (c->f) {
		fclose(c->f);
	}
	if (c->dead)
		pcap_close(c->dead);
	if (c->fd > STDERR_FILENO)
		close(c->fd);
	/* The start failed: nothing is left of a file it made. */
	if (c->created && !c->started)
		unlink(c->path);
	c->created = false;
	c->dumper = NULL;
	c->f = NULL;
	c->dead = NULL;
	c->fd = -1;
	return err;
}

/* Drops whose event came but never reached the file: after a failed write, or its reader
 * gone. */
static uint64_t unwritten(const struct capture *c, const struct counter_values *total)
{
	uint64_t dropped = total->v[TCPDROP_DROPPED], delivered;
	uint64_t without = total->v[TCPDROP_EVENTS_THROTTLED] + total->v[TCPDROP_EVENTS_LOST];

	delivered = dropped > without ? dropped - without : 0;
	return delivered > c->packets_whole ? delivered - c->packets_whole : 0;
}

void capture_summary(const struct capture *c, const struct counter_values *total)
{
	uint64_t throttled = total->v[TCPDROP_EVENTS_THROTTLED];
	uint64_t lost = total->v[TCPDROP_EVENTS_LOST], failed = unwritten(c, total);
	char failed_text[64] = "";

	if (failed)
		snprintf(failed_text, sizeof(failed_text), ", %llu not written",
			 (unsigned long long)failed);
	say(stderr, "pcap: %llu packets in %s; %llu drops not in it: %llu throttled by "
	    "--event-rate, %llu lost (ring full)%s", (unsigned long long)c->packets_whole,
	    strcmp(c->path, "-") ? c->path : "stdout",
	    (unsigned long long)(throttled + lost + failed), (unsigned long long)throttled,
	    (unsigned long long)lost, failed_text);
}

size_t capture_format(const struct capture *c, const struct counter_values *total, char *buf,
		      size_t len)
{
	uint64_t throttled = total->v[TCPDROP_EVENTS_THROTTLED];
	uint64_t lost = total->v[TCPDROP_EVENTS_LOST];

	return snprintf(buf, len, "pcap: %llu written, %llu not (%llu throttled, %llu lost)",
			(unsigned long long)c->packets, (unsigned long long)(throttled + lost),
			(unsigned long long)throttled, (unsigned long long)lost);
}

/* --- -w as an output of the run --------------------------------------------------------------- */

/* The pcap's reader gone (-w - | head) ends the run as a success; a failed write as a failure,
 * its message in e. */
static int capture_result(struct run *r, int err)
{
	if (err)
		run_quit(r);
	return err == -EPIPE ? 0 : err;
}

/* The file is opened by root, before anything is loaded. Its bytes are left alone until the
 * filter is on: a start that fails leaves an earlier capture as it was. */
static int pcap_out_prepare(void *out, const struct output_setup *s, struct error *e)
{
	/* Under a file size limit (ulimit -f, LimitFSIZE=) the write that meets it fails with
	 * EFBIG, and the run ends as on a full disk, instead of dying by SIGXFSZ with half a
	 * record at the end of the file. The live view keeps it ignored (see screen_open()). */
	signal(SIGXFSZ, SIG_IGN);
	return capture_open(out, s->opts->pcap_path, s->opts->snaplen, e);
}

/* The link type is the device's. */
static int pcap_out_attached(void *out, const struct output_setup *s, struct error *e)
{
	return capture_start(out, s->raw_ip, e);
}

static int pcap_out_event(void *out, struct run *r, const struct tcpdrop_event *ev, size_t size,
		      struct error *e)
{
	return capture_result(r, capture_event(out, ev, size,
					       run_view(r)->model->realtime_offset_ns, e));
}

static int pcap_out_tick(void *out, struct run *r, uint64_t now_ns, struct error *e)
{
	return capture_result(r, capture_tick(out, now_ns, e));
}

static int pcap_out_close(void *out, struct run *r, bool failed, struct error *e)
{
	(void)failed;
	return capture_result(r, capture_close(out, e));
}

static void pcap_out_release(void *out, const struct run_view *ran)
{
	capture_close(out, NULL);
	if (ran)
		capture_summary(out, &ran->model->stats.since_start);
}

static size_t pcap_out_status(void *out, const struct counter_values *since_start, char *buf,
			  size_t len)
{
	return capture_format(out, since_start, buf, len);
}

const struct output_ops pcap_output = {
	.prepare = pcap_out_prepare,
	.attached = pcap_out_attached,
	.event = pcap_out_event,
	.tick = pcap_out_tick,
	.close = pcap_out_close,
	.release = pcap_out_release,
	.status = pcap_out_status,
	/* The events still in the ring go into the file, and its summary is exact. */
	.final = OUTPUT_FINAL_COUNTERS,
};
