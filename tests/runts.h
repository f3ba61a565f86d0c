/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the running kernel's BPF_PROG_TEST_RUN does with an XDP frame shorter than an Ethernet
 * header: up to 5.12 it runs the program on it (which must pass it as malformed); from 5.13 it
 * refuses it with -EINVAL before the program runs. Asked of the kernel with a program of two
 * instructions, so that what the tests expect comes from the kernel, not from the program under
 * test.
 */
#ifndef TCPDROP_TEST_RUNTS_H
#define TCPDROP_TEST_RUNTS_H

#include <stdbool.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

/* True when a 1-byte frame runs; false when it is refused (or nothing could be asked). */
static inline bool test_run_runs_runts(void)
{
	const struct bpf_insn pass[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	unsigned char byte = 0;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = &byte, .data_size_in = 1, .repeat = 1);
	int fd, err;

	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, NULL, "GPL", pass, 2, NULL);
	if (fd < 0)
		return false;
	err = bpf_prog_test_run_opts(fd, &opts);
	close(fd);
	return !err && opts.retval == XDP_PASS;
}

#endif
