# SPDX-License-Identifier: GPL-2.0
# tcpdrop-top: one build for the XDP object, its skeleton, the binary and the tests.
# Quiet by default; V=1 prints every command.

OUTPUT := .output
BIN := tcpdrop-top
CLANG ?= clang
BPFTOOL ?= $(shell scripts/find-bpftool.sh)
CC := cc
PKG_CONFIG ?= pkg-config
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)

CFLAGS ?= -O2 -g
CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -I$(OUTPUT) -I.
BPF_CFLAGS := -O2 -g -target bpf -D__TARGET_ARCH_$(ARCH) -Wall -Werror \
	$(if $(MULTIARCH),-idirafter /usr/include/$(MULTIARCH))
LDLIBS = $(shell $(PKG_CONFIG) --libs libbpf ncursesw 2>/dev/null || echo -lbpf -lncursesw) \
	-lelf -lz

ifeq ($(V),1)
	Q =
	msg =
else
	Q = @
	msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

TUI_SRCS := $(filter-out tui/main.c,$(wildcard tui/*.c))
TUI_OBJS := $(patsubst tui/%.c,$(OUTPUT)/tui/%.o,$(TUI_SRCS))
MAIN_OBJ := $(OUTPUT)/tui/main.o
SKEL := $(OUTPUT)/tcpdrop.skel.h
BPF_OBJ := $(OUTPUT)/tcpdrop.bpf.o
HEADERS := $(wildcard common/*.h tui/*.h)

TEST_BINS := $(OUTPUT)/tests/test_verdict $(OUTPUT)/tests/test_units

.PHONY: all deps run demo screenshots test test-build clean
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

test-build: $(BIN) $(TEST_BINS)

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
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(OUTPUT)/$(BIN): $(MAIN_OBJ) $(TUI_OBJS)
	$(call msg,BINARY,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/tests/%: tests/%.c tests/*.h $(HEADERS) $(SKEL) $(TUI_OBJS) | $(OUTPUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $< $(TUI_OBJS) $(LDLIBS) -o $@

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT) $(BIN)
