# SPDX-License-Identifier: GPL-2.0
# tcpdrop-top: one build for the XDP object, its skeleton, the binary and the tests.
# Quiet by default; V=1 prints every command.

OUTPUT := .output
BIN := tcpdrop-top
CLANG ?= clang
BPFTOOL ?= $(shell scripts/find-bpftool.sh)
PKG_CONFIG ?= pkg-config
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I$(OUTPUT) -I.
BPF_CFLAGS := -O2 -g -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	$(if $(MULTIARCH),-idirafter /usr/include/$(MULTIARCH))
LDLIBS = $(shell $(PKG_CONFIG) --libs libbpf ncursesw 2>/dev/null || echo -lbpf -lncursesw) \
	-lelf -lz -lpcap $(shell $(PKG_CONFIG) --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd) \
	$(shell $(PKG_CONFIG) --libs libmnl 2>/dev/null || echo -lmnl) \
	$(shell $(PKG_CONFIG) --libs libloc 2>/dev/null || echo -lloc) \
	$(shell $(PKG_CONFIG) --libs libcares 2>/dev/null || echo -lcares) -lm

ifeq ($(V),1)
	Q =
	msg =
else
	Q = @
	msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# tui/ by role: the command line, the kernel, the model, the outputs, the live view, helpers.
TUI_SRCS := $(filter-out tui/main.c,$(wildcard tui/*.c tui/*/*.c))
TUI_OBJS := $(patsubst tui/%.c,$(OUTPUT)/tui/%.o,$(TUI_SRCS))
MAIN_OBJ := $(OUTPUT)/tui/main.o
SKEL := $(OUTPUT)/tcpdrop.skel.h
BPF_OBJ := $(OUTPUT)/tcpdrop.bpf.o
HEADERS := $(wildcard common/*.h tui/*.h tui/*/*.h)

TEST_BINS := $(OUTPUT)/tests/test_verdict $(OUTPUT)/tests/test_units \
	$(OUTPUT)/tests/test_differential $(OUTPUT)/tests/refuse_bpf $(OUTPUT)/tests/fill_sources \
	$(OUTPUT)/tests/test_metrics $(OUTPUT)/tests/locdb

.PHONY: all deps run demo screenshots test test-build test-programs test-kernels mutate clean install \
	uninstall asan fuzz bench bench-build
.DELETE_ON_ERROR:

all: $(BIN)

deps:
	$(Q)scripts/install-deps.sh

run:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory all
	./$(BIN) $(if $(IFACE),-i $(IFACE)) $(ARGS)

demo:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/demo.sh $(ARGS)

screenshots:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/screenshots.sh

test:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory test-build
	$(Q)tests/run

test-build: test-programs asan fuzz bench-build

test-programs: $(BIN) $(TEST_BINS)

# `sudo make mutate`: one-line mutants of the claims in tests/CLAIMS.md, each applied to a copy
# of the tree and run against the suites that hold its claim; all must be killed.
mutate:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory test-programs
	$(Q)tests/mutate/run

# `sudo make test-kernels`: the kernel-dependent suites again inside each of KERNELS, booted in
# QEMU (tests/kernels.sh): names of tests/kernels/kernels.list (default: all, 5.10 to 7.2, each
# at the release verified), NAME@latest, an exact release, or "latest" for each name's newest.
KERNELS ?= $(shell awk '!/^#/ && NF { print $$1 }' tests/kernels/kernels.list)
test-kernels:
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory test-build
	$(Q)KERNELS="$(KERNELS)" tests/kernels.sh

$(BIN): $(OUTPUT)/$(BIN)
	$(Q)ln -sf $(OUTPUT)/$(BIN) $@

$(OUTPUT) $(OUTPUT)/tui $(OUTPUT)/tests:
	$(Q)mkdir -p $@

$(BPF_OBJ): bpf/tcpdrop.bpf.c bpf/parse.h common/tcpdrop.h | $(OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(SKEL): $(BPF_OBJ)
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name tcpdrop_bpf > $@

$(OUTPUT)/tui/%.o: tui/%.c $(HEADERS) $(SKEL) | $(OUTPUT)/tui
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

$(OUTPUT)/$(BIN): $(MAIN_OBJ) $(TUI_OBJS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) $^ $(LDLIBS) -o $@

# --- make install, make uninstall ----------------------------------------------------------
# The binary (the BPF object is inside it, through the skeleton), the man page, the systemd
# template unit, and contrib/'s Prometheus alert rules and Grafana dashboard (in DATADIR, to
# copy or point Prometheus and Grafana at), under PREFIX (/usr/local), staged in DESTDIR when
# packaging. The Debian package sets PREFIX=/usr and UNITDIR=/lib/systemd/system.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
DATADIR ?= $(PREFIX)/share/$(BIN)
UNIT := tcpdrop-top@.service
RULES := prometheus/tcpdrop-top.rules.yml
DASHBOARD := grafana/tcpdrop-top.json

install: $(OUTPUT)/$(BIN)
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR)
	$(Q)install -m 0755 $(OUTPUT)/$(BIN) $(DESTDIR)$(SBINDIR)/$(BIN)
	$(Q)install -m 0644 man/$(BIN).8 $(DESTDIR)$(MANDIR)/man8/$(BIN).8
	$(Q)sed 's|@SBINDIR@|$(SBINDIR)|g' systemd/$(UNIT).in > $(OUTPUT)/$(UNIT)
	$(Q)install -m 0644 $(OUTPUT)/$(UNIT) $(DESTDIR)$(UNITDIR)/$(UNIT)
	$(Q)install -d $(DESTDIR)$(DATADIR)/prometheus $(DESTDIR)$(DATADIR)/grafana
	$(Q)install -m 0644 contrib/$(RULES) $(DESTDIR)$(DATADIR)/$(RULES)
	$(Q)install -m 0644 contrib/$(DASHBOARD) $(DESTDIR)$(DATADIR)/$(DASHBOARD)

# DATADIR is ours alone: it goes with what we put there, unless someone added files to it.
uninstall:
	$(call msg,UNINST,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(DESTDIR)$(SBINDIR)/$(BIN) $(DESTDIR)$(MANDIR)/man8/$(BIN).8 \
		$(DESTDIR)$(UNITDIR)/$(UNIT) $(DESTDIR)$(DATADIR)/$(RULES) \
		$(DESTDIR)$(DATADIR)/$(DASHBOARD)
	$(Q)for d in $(DESTDIR)$(DATADIR)/prometheus $(DESTDIR)$(DATADIR)/grafana \
		$(DESTDIR)$(DATADIR); do \
		[ ! -d "$$d" ] || rmdir --ignore-fail-on-non-empty "$$d"; done
# --- end of install ---------------------------------------------------------------------------

$(OUTPUT)/tests/%: tests/%.c tests/*.h $(HEADERS) $(SKEL) $(TUI_OBJS) | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< $(TUI_OBJS) $(LDLIBS) -o $@

# --- Sanitizers and fuzzing (tests/sanitize.sh) ---------------------------------------------
# `make asan`: the same program from the same sources, built with AddressSanitizer and UBSan
# (any report is fatal) into $(ASAN_OUTPUT); the BPF object and skeleton are shared.
# `make fuzz`: the libFuzzer targets tests/fuzz_*.c, each linked with the tui/*.c it exercises,
# compiled from source with the same sanitizers into $(FUZZ_OUTPUT).
# Both use clang: gcc links ASan and UBSan as two runtimes, and its UBSan then ignores log_path,
# so its reports could not be collected. Both need clang's runtime (libclang-rt-N-dev on
# Debian); without it they only say so, and tests/sanitize.sh says why it cannot run.
ASAN_OUTPUT := $(OUTPUT)/asan
FUZZ_OUTPUT := $(OUTPUT)/fuzz
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_CFLAGS = $(CFLAGS) $(SAN_FLAGS)
SAN_RT_DIR := $(dir $(filter /%,$(shell $(CLANG) \
	-print-file-name=libclang_rt.asan-$(shell uname -m).a 2>/dev/null)))
HAVE_ASAN_RT := $(wildcard $(SAN_RT_DIR)libclang_rt.asan-*.a)
HAVE_FUZZ_RT := $(wildcard $(SAN_RT_DIR)libclang_rt.fuzzer-*.a)
FUZZ_BINS := $(FUZZ_OUTPUT)/fuzz_ports $(FUZZ_OUTPUT)/fuzz_cli $(FUZZ_OUTPUT)/fuzz_ndjson

ifneq ($(HAVE_ASAN_RT),)
asan: $(ASAN_OUTPUT)/$(BIN)
else
asan:
	@echo "  SKIP     asan build: no ASan runtime for $(CLANG) (make deps installs it)"
endif

ifneq ($(HAVE_FUZZ_RT),)
fuzz: $(FUZZ_BINS)
else
fuzz:
	@echo "  SKIP     fuzz targets: no libFuzzer runtime for $(CLANG) (make deps installs it)"
endif

$(ASAN_OUTPUT)/tui $(FUZZ_OUTPUT)/tui:
	$(Q)mkdir -p $@

$(ASAN_OUTPUT)/tui/%.o: tui/%.c $(HEADERS) $(SKEL) | $(ASAN_OUTPUT)/tui
	$(call msg,CC-ASAN,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(SAN_CFLAGS) -c $< -o $@

$(ASAN_OUTPUT)/$(BIN): $(patsubst $(OUTPUT)/%,$(ASAN_OUTPUT)/%,$(MAIN_OBJ) $(TUI_OBJS))
	$(call msg,BIN-ASAN,$@)
	$(Q)$(CLANG) $(SAN_CFLAGS) $^ $(LDLIBS) -o $@

# Which tui/*.c each fuzz target exercises.
$(FUZZ_OUTPUT)/fuzz_ports: $(FUZZ_OUTPUT)/tui/watch/ports.o
# The top sources' rows, which the command line (--group) and the stream name.
FUZZ_ROWS := $(FUZZ_OUTPUT)/tui/model/sources.o $(FUZZ_OUTPUT)/tui/model/groups.o \
	$(FUZZ_OUTPUT)/tui/model/rates.o $(FUZZ_OUTPUT)/tui/lookup/location.o
$(FUZZ_OUTPUT)/fuzz_cli: $(FUZZ_OUTPUT)/tui/cli/cli.o $(FUZZ_OUTPUT)/tui/cli/conffile.o \
	$(FUZZ_OUTPUT)/tui/watch/ports.o \
	$(FUZZ_OUTPUT)/tui/lib/error.o $(FUZZ_OUTPUT)/tui/watch/except.o \
	$(FUZZ_OUTPUT)/tui/lib/format.o $(FUZZ_OUTPUT)/tui/cli/listen.o $(FUZZ_ROWS)
$(FUZZ_OUTPUT)/fuzz_ndjson: $(FUZZ_OUTPUT)/tui/out/ndjson.o $(FUZZ_OUTPUT)/tui/lib/format.o \
	$(FUZZ_OUTPUT)/tui/model/stats.o $(FUZZ_ROWS)

$(FUZZ_OUTPUT)/tui/%.o: tui/%.c $(HEADERS) $(SKEL) | $(FUZZ_OUTPUT)/tui
	$(call msg,CC-FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(SAN_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_OUTPUT)/fuzz_%: tests/fuzz_%.c tests/fuzz.h $(HEADERS) | $(FUZZ_OUTPUT)/tui
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(SAN_CFLAGS) -fsanitize=fuzzer $< $(filter %.o,$^) \
		$(shell $(PKG_CONFIG) --libs libloc 2>/dev/null || echo -lloc) -lm -o $@
# --- end of sanitizers and fuzzing ----------------------------------------------------------

# --- Benchmark (bench/README.md) -------------------------------------------------------------
# `make bench` (root): per-packet cost through BPF_PROG_TEST_RUN against empty programs and the
# printk tutorial baseline, then a SYN flood through a veth pair; a table at the end and the same
# figures in $(OUTPUT)/bench.json. Everything it builds goes to $(BENCH_OUTPUT): the floor and
# printk programs, copies of the real program with one part of the drop path taken out (the -D
# flags of bench/variant.bpf.c), and tcpdrop-top again with a wakeup for every event.
BENCH_OUTPUT := $(OUTPUT)/bench
BENCH_VARIANTS := bare global_counters no_port_counts
BENCH_FLAGS_bare := -DBENCH_NO_SOURCES
BENCH_FLAGS_global_counters := -DBENCH_GLOBAL_COUNTERS
BENCH_FLAGS_no_port_counts := -DBENCH_NO_PORT_COUNTS
BENCH_BUILD := $(BENCH_OUTPUT)/bench $(BENCH_OUTPUT)/gen $(BENCH_OUTPUT)/$(BIN)-wakeup \
	$(patsubst %,$(BENCH_OUTPUT)/variant_%.bpf.o,$(BENCH_VARIANTS))

bench:
	$(Q)[ "$$(id -u)" -eq 0 ] || { echo "make bench: needs root (BPF_PROG_TEST_RUN, XDP," \
		"network namespaces): run sudo make bench" >&2; exit 1; }
	$(Q)$(MAKE) --no-print-directory deps
	$(Q)$(MAKE) --no-print-directory bench-build
	$(Q)bench/run.sh

bench-build: $(BIN) $(BENCH_BUILD)

$(BENCH_OUTPUT):
	$(Q)mkdir -p $@

$(BENCH_OUTPUT)/floor.bpf.o: bench/floor.bpf.c | $(BENCH_OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BENCH_OUTPUT)/floor.skel.h: $(BENCH_OUTPUT)/floor.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name floor_bpf > $@

$(BENCH_OUTPUT)/gen.bpf.o: bench/gen.bpf.c | $(BENCH_OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(BENCH_OUTPUT)/gen.skel.h: $(BENCH_OUTPUT)/gen.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name gen_bpf > $@

# The kernel-speed generator (bench/linerate.sh): its own small binary.
$(BENCH_OUTPUT)/gen: bench/gen.c tests/pkt.h $(BENCH_OUTPUT)/gen.skel.h | $(BENCH_OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I$(BENCH_OUTPUT) $< $(LDLIBS) -lpthread -o $@

$(BENCH_OUTPUT)/variant_%.bpf.o: bench/variant.bpf.c bpf/tcpdrop.bpf.c bpf/parse.h \
		common/tcpdrop.h | $(BENCH_OUTPUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(BENCH_FLAGS_$*) -c $< -o $@

$(BENCH_OUTPUT)/bench: bench/bench.c tests/pkt.h $(HEADERS) $(SKEL) \
		$(BENCH_OUTPUT)/floor.skel.h $(TUI_OBJS) | $(BENCH_OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -I$(BENCH_OUTPUT) $< $(TUI_OBJS) $(LDLIBS) -lpthread -o $@

# tcpdrop-top again with the loader's wakeup_every_event option on: the only difference.
$(BENCH_OUTPUT)/main-wakeup.o: tui/main.c $(HEADERS) $(SKEL) | $(BENCH_OUTPUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -DTCPDROP_WAKEUP_EVERY_EVENT=true -c $< -o $@

$(BENCH_OUTPUT)/$(BIN)-wakeup: $(BENCH_OUTPUT)/main-wakeup.o $(TUI_OBJS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@
# --- end of benchmark -----------------------------------------------------------------------

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT) $(BIN)
