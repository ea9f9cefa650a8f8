# SPDX-License-Identifier: GPL-2.0
# nfdropcap: `make` builds ./nfdropcap, `make test` runs every test,
# `make check` the unit tests only, `make static` a static binary,
# `make fuzz` the fuzz targets (FUZZ_SECONDS each), `make san` the
# ASan+UBSan build (./nfdropcap-san, in .output-san), `make bench` the
# benchmark, `make install` / `make uninstall` (PREFIX, DESTDIR). O=DIR puts build output elsewhere, V=1 shows the commands.

# The target: ARCH=arm64 on an x86-64 host cross-builds (scripts/install-deps.sh
# --arm64 installs the cross compiler and the :arm64 libraries) into
# .output-arm64, and `make static ARCH=arm64` gives nfdropcap-static-arm64.
HOST_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
ARCH ?= $(HOST_ARCH)
override ARCH := $(patsubst x86_64,x86,$(patsubst aarch64,arm64,$(ARCH)))
TRIPLET_x86 := x86_64-linux-gnu
TRIPLET_arm64 := aarch64-linux-gnu
TRIPLET := $(TRIPLET_$(ARCH))
ifeq ($(TRIPLET),)
$(error ARCH=$(ARCH): nfdropcap builds for x86 or arm64)
endif
ifneq ($(ARCH),$(HOST_ARCH))
CC := $(TRIPLET)-gcc
O ?= .output-$(ARCH)
STATIC_BIN := nfdropcap-static-$(ARCH)
else
STATIC_BIN := nfdropcap-static
endif

ifeq ($(SAN),1)
O ?= .output-san
BIN := nfdropcap-san
else
O ?= .output
BIN := nfdropcap
endif
OUT := $(O)
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
PKG_CONFIG ?= pkg-config

CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -Werror=implicit \
	  -D_GNU_SOURCE -DNFD_VERSION='"$(VERSION)"' \
	  -I$(OUT) -Ibpf -Icapture -Ipcapng
BPF_CFLAGS := -O2 -g -target bpf -D__TARGET_ARCH_$(ARCH) -Wall \
	      -Wno-unused-function -Ibpf -idirafter /usr/include/$(TRIPLET)
LIBS := -lbpf -lelf -lz -lpcap -lcapstone
DEPFLAGS = -MMD -MP
ifeq ($(SAN),1)
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	     -fno-omit-frame-pointer
CFLAGS += $(SAN_FLAGS)
LIBS += $(SAN_FLAGS)
endif

# libFuzzer targets (tests/fuzz/), each with the sources it exercises
FUZZ_TARGETS := ruleset dissect nlmsg cbpf opts escape element json pcapng_read \
		readback xt_legacy
FUZZ_SECONDS ?= 30
FUZZ_FLAGS := -g -O1 -fsanitize=fuzzer,address,undefined \
	      -fno-sanitize-recover=undefined -std=gnu11 -D_GNU_SOURCE \
	      -DNFD_VERSION='"$(VERSION)"' -Ibpf -Icapture -Ipcapng
fuzz_src_ruleset := capture/netns/ruleset.c capture/netns/nft_run.c \
		    capture/netns/nft_tables.c capture/lib/nlmsg.c \
		    capture/netns/xt_save.c capture/output/goto_path.c \
		    capture/output/comment.c capture/lib/escape.c
fuzz_src_dissect := capture/output/dissect.c
fuzz_src_nlmsg := capture/lib/nlmsg.c
fuzz_src_cbpf := capture/backend/cbpf.c
fuzz_src_opts := capture/opts.c
fuzz_src_escape := capture/lib/escape.c
fuzz_src_element := capture/output/element.c capture/lib/escape.c
fuzz_src_json := capture/output/json.c capture/output/element.c \
		 capture/lib/escape.c
fuzz_src_pcapng_read := pcapng/pcapng_read.c
fuzz_src_xt_legacy := capture/netns/xt_legacy.c
fuzz_src_readback := capture/readback.c capture/opts.c capture/lib/escape.c \
		     $(addprefix capture/output/,comment.c dissect.c element.c \
		       file.c filter.c json.c line.c rotate.c summary.c) \
		     pcapng/pcapng.c pcapng/pcapng_read.c
FUZZ_BINS := $(patsubst %,$(OUT)/fuzz/fuzz_%,$(FUZZ_TARGETS))

ifeq ($(V),1)
Q :=
msg :=
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUT)/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(OUT)/%.skel.h,$(BPF_SRCS))
# capture/ in rooms by job; capture/static/ is linked into the static binary
# only
APP_DIRS := capture capture/backend capture/netns capture/output capture/lib
APP_SRCS := $(foreach d,$(APP_DIRS),$(wildcard $(d)/*.c)) pcapng/pcapng.c pcapng/pcapng_read.c
APP_OBJS := $(patsubst %.c,$(OUT)/%.o,$(APP_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUT)/tests/%,$(UNIT_SRCS))

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all clean check test test-build static bench format fuzz san install uninstall

all: $(BIN)

$(OUT) $(OUT)/pcapng $(OUT)/tests:
	$(Q)mkdir -p $@

$(OUT)/%.bpf.o: bpf/%.bpf.c | $(OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) $(DEPFLAGS) -c $< -o $@

$(OUT)/%.skel.h: $(OUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

# Every userspace object may include a skeleton; generate them first.
$(OUT)/capture/%.o: capture/%.c $(SKELS)
	$(Q)mkdir -p $(@D)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(OUT)/pcapng/%.o: pcapng/%.c | $(OUT)/pcapng
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(BIN): $(APP_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LIBS) -o $@

# A fully static binary, to copy onto production hosts and into test VMs.
STATIC_LIBS := -lpcap -ldbus-1 -lbpf -lelf -lz -lcapstone -lpthread
static: $(STATIC_BIN) $(OUT)/nfd-send-static $(OUT)/nfd-nft-static

$(STATIC_BIN): $(APP_OBJS) $(OUT)/capture/static/sd_stubs.o
	$(call msg,LINK,$@)
	$(Q)$(CC) -static $(CFLAGS) $^ $(STATIC_LIBS) -o $@ 2>$(OUT)/static-link.log || \
		{ cat $(OUT)/static-link.log; exit 1; }

$(OUT)/nfd-send-static: tests/tools/nfd-send.c | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) -static $(CFLAGS) $< -o $@

$(OUT)/nfd-nft-static: tests/tools/nfd-nft.c $(OUT)/capture/lib/nlmsg.o | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) -static $(CFLAGS) $^ -o $@

$(OUT)/tests/test_%: tests/unit/test_%.c $(OUT)/pcapng/pcapng.o \
		$(filter-out $(OUT)/capture/main.o,$(APP_OBJS)) | $(OUT)/tests
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) -Itests/unit $(DEPFLAGS) $^ $(LIBS) -o $@

$(OUT)/nfd-send: tests/tools/nfd-send.c | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $< -o $@

$(OUT)/nfd-nft: tests/tools/nfd-nft.c $(OUT)/capture/lib/nlmsg.o | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $^ -o $@

# backends kprobe's and dropsite's code analyses on a module file (tests:
# arm64's sites)
$(OUT)/nfd-site: tests/tools/nfd-site.c $(OUT)/capture/backend/kprobe_site.o \
		$(OUT)/capture/backend/kprobe_site_arm64.o \
		$(OUT)/capture/backend/dropsite_site.o \
		$(OUT)/capture/backend/dropsite_site_arm64.o | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $^ -lelf -lcapstone -o $@

check: $(UNIT_BINS)
	$(Q)set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

# Every test (tests/run.sh): needs the ASan+UBSan build and the fuzz
# targets too.
# test-build: what the tests need, built (.ci/run: with -j, before make test)
test-build: nfdropcap $(UNIT_BINS) $(OUT)/nfd-send $(OUT)/nfd-nft $(OUT)/nfd-site $(FUZZ_BINS) san

test: test-build
	$(Q)tests/run.sh

# The ASan+UBSan build: ./nfdropcap-san and its unit tests, in .output-san.
san:
	$(Q)$(MAKE) --no-print-directory SAN=1 nfdropcap-san \
		$(patsubst tests/unit/%.c,.output-san/tests/%,$(UNIT_SRCS))

define FUZZ_RULE
$(OUT)/fuzz/fuzz_$(1): tests/fuzz/fuzz_$(1).c $(fuzz_src_$(1))
	$$(call msg,FUZZ-CC,$$@)
	$$(Q)mkdir -p $$(@D)
	$$(Q)$$(CLANG) $$(FUZZ_FLAGS) $$^ -lbpf -lz -lpcap -o $$@
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call FUZZ_RULE,$(t))))

fuzz: $(FUZZ_BINS)
	$(Q)tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_BINS)

$(OUT)/nftrace-floor: bench/tools/nftrace-floor.c $(OUT)/capture/lib/nlmsg.o \
		$(OUT)/capture/backend/nftrace_table.o | $(OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(DEPFLAGS) $^ -o $@

bench: nfdropcap $(OUT)/nfd-send $(OUT)/nftrace-floor
	$(Q)bench/run.sh

# make install / uninstall: PREFIX (default /usr/local) and DESTDIR, as
# usual. The binary in sbin, the man page, bash completion, and a link in
# Wireshark's extcap folder (the one `tshark -G folders` names, else
# PREFIX/lib/wireshark/extcap; EXTCAPDIR= to choose, EXTCAPDIR=none for
# no link). Nothing else.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MAN8DIR ?= $(PREFIX)/share/man/man8
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
EXTCAPDIR ?= $(or $(shell tshark -G folders 2>/dev/null | \
	sed -En 's/^(Global )?Extcap path:[[:space:]]*//p' | head -n1),$(PREFIX)/lib/wireshark/extcap)

install: nfdropcap
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -D -m 0755 nfdropcap $(DESTDIR)$(SBINDIR)/nfdropcap
	$(Q)install -D -m 0644 man/nfdropcap.8 $(DESTDIR)$(MAN8DIR)/nfdropcap.8
	$(Q)install -D -m 0644 completion/nfdropcap \
		$(DESTDIR)$(COMPLETIONDIR)/nfdropcap
	$(Q)x='$(EXTCAPDIR)'; [ "$$x" = none ] || { \
		install -d "$(DESTDIR)$$x" && \
		ln -sfn '$(SBINDIR)/nfdropcap' "$(DESTDIR)$$x/nfdropcap"; }

uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f '$(DESTDIR)$(SBINDIR)/nfdropcap' \
		'$(DESTDIR)$(MAN8DIR)/nfdropcap.8' \
		'$(DESTDIR)$(COMPLETIONDIR)/nfdropcap'
	$(Q)x='$(EXTCAPDIR)'; [ "$$x" = none ] || rm -f "$(DESTDIR)$$x/nfdropcap"

format:
	$(Q)clang-format -i bpf/*.[ch] $(foreach d,$(APP_DIRS),$(d)/*.[ch]) \
		pcapng/*.[ch] tests/unit/*.[ch] tests/tools/*.c

clean:
	$(call msg,CLEAN,$(OUT) nfdropcap)
	$(Q)rm -rf $(OUT) .output-san nfdropcap nfdropcap-san $(STATIC_BIN)

-include $(wildcard $(OUT)/*.d $(OUT)/*/*.d $(OUT)/*/*/*.d)
