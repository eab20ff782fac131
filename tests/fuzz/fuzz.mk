# tests/fuzz/fuzz.mk - libFuzzer targets (clang), included by tests/tests.mk,
# whose including Makefile provides LIB_SRC, LDLIBS and Q.
#
#   make fuzz-elf [FUZZ_SECONDS=60]   fuzz the ELF loader (src/os/elf.c)
#   make fuzz-elf-smoke               build the ELF fuzzer, fuzz 20 seconds
#   make fuzz-cpu [FUZZ_SECONDS=60]   instruction semantics against the host
#                                     CPU: every form with FUZZ_CPU_ITERS
#                                     inputs, then random instruction
#                                     sequences for FUZZ_SECONDS
#   make fuzz-event [FUZZ_SECONDS=60] fuzz the event decoder
#                                     (src/trace/event.c); likewise
#                                     fuzz-gdbpacket, fuzz-snapfile
#   make fuzz-event-smoke             build the event fuzzer, fuzz 10
#                                     seconds (also -gdbpacket, -snapfile)
#   make fuzz-gdbpacket [FUZZ_SECONDS=60]
#                                     fuzz the gdb packet reader and request
#                                     parser (src/gdbstub/packet.c)
#   make fuzz-gdbpacket-smoke         build the packet fuzzer, fuzz 10 seconds
#   make fuzz                         every fuzzer, FUZZ_SECONDS each
#
# The library is rebuilt under build/fuzz with clang, ASan, UBSan and
# libFuzzer's coverage.  Crashes are written to build/fuzz/crash-elf-*; the
# corpus libFuzzer grows is build/fuzz/corpus-elf (kept between runs).

FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_MAX_LEN ?= 65536
FUZZ_DIR = build/fuzz
FUZZ_GUEST_CC ?= gcc
FUZZ_GUEST_MUSL ?= musl-gcc
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS = -std=gnu11 -g -O1 -fno-omit-frame-pointer -Isrc -D_GNU_SOURCE \
	-fno-strict-aliasing -Wall -Wno-unused-parameter $(FUZZ_SAN)
FUZZ_LIB_OBJ = $(LIB_SRC:%.c=$(FUZZ_DIR)/obj/%.o)
FUZZ_RUN_FLAGS = -max_len=$(FUZZ_MAX_LEN) -timeout=10 -print_final_stats=1

$(FUZZ_DIR)/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  FUZZCC  $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP \
		-c -o $@ $<

-include $(FUZZ_LIB_OBJ:.o=.d)

$(FUZZ_DIR)/fuzz_elf: tests/fuzz/fuzz_elf.c $(FUZZ_LIB_OBJ)
	@mkdir -p $(@D)
	@echo "  FUZZLD  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $^ $(LDLIBS)

# Seeds: small complete static programs (ET_EXEC, static-PIE, musl) that
# load all the way, and truncated copies of them and of a glibc static
# binary, which stop at each stage of the header checks.
FUZZ_SEED_ELF = $(FUZZ_DIR)/seed-elf
$(FUZZ_SEED_ELF).stamp: tests/fuzz/seed_tiny.S tests/fuzz/fuzz.mk
	@echo "  SEEDS   $(FUZZ_SEED_ELF)"
	$(Q)rm -rf $(FUZZ_SEED_ELF) && mkdir -p $(FUZZ_SEED_ELF) && \
	d=$(FUZZ_SEED_ELF) && \
	$(FUZZ_GUEST_CC) -nostdlib -static -o $$d/tiny tests/fuzz/seed_tiny.S && \
	$(FUZZ_GUEST_CC) -nostdlib -static-pie -o $$d/tiny-pie \
		tests/fuzz/seed_tiny.S && \
	printf '#include <stdio.h>\nint main(void){puts("hi");return 0;}\n' \
		>$$d/hello.c && \
	$(FUZZ_GUEST_CC) -static -Os -o $$d/hello-glibc.bin $$d/hello.c && \
	if command -v $(FUZZ_GUEST_MUSL) >/dev/null 2>&1; then \
	  $(FUZZ_GUEST_MUSL) -static -Os -s -o $$d/hello-musl $$d/hello.c; fi && \
	for n in 64 120 232 4096 8192; do head -c $$n $$d/tiny >$$d/tiny.$$n; done && \
	for n in 1000 4096 65536; do \
	  head -c $$n $$d/hello-glibc.bin >$$d/hello-glibc.$$n; done && \
	rm -f $$d/hello.c $$d/hello-glibc.bin
	$(Q)touch $@

fuzz-elf: $(FUZZ_DIR)/fuzz_elf $(FUZZ_SEED_ELF).stamp
	@mkdir -p $(FUZZ_DIR)/corpus-elf
	$(Q)$(FUZZ_DIR)/fuzz_elf $(FUZZ_RUN_FLAGS) \
		-max_total_time=$(FUZZ_SECONDS) \
		-artifact_prefix=$(FUZZ_DIR)/crash-elf- \
		$(FUZZ_DIR)/corpus-elf $(FUZZ_SEED_ELF)

fuzz-elf-smoke:
	$(Q)$(MAKE) --no-print-directory fuzz-elf FUZZ_SECONDS=20

# The differential CPU test (tests/unit/test_diffcpu.c) with a new seed
# each run (FUZZ_CPU_SEED to repeat one; failures print theirs), many more
# inputs per form and a time-limited run of the sequence fuzzer.
FUZZ_CPU_ITERS ?= 2000
FUZZ_CPU_SEED ?= $(shell od -An -N4 -tu4 /dev/urandom | tr -d ' ')
# CK_FORK=no: Check packs a forked test's duration into 32 bits and
# fails a run longer than about 35 minutes after it has passed.
fuzz-cpu: $(BUILD)/tests/unit/test_diffcpu
	@echo "  FUZZ    cpu (seed $(FUZZ_CPU_SEED), $(FUZZ_SECONDS) s of sequences)"
	$(Q)CK_FORK=no DIFFCPU_SEED=$(FUZZ_CPU_SEED) DIFFCPU_ITERS=$(FUZZ_CPU_ITERS) \
		DIFFCPU_SEQ_ITERS=1000000000000 \
		DIFFCPU_SEQ_SECONDS=$(FUZZ_SECONDS) \
		$(BUILD)/tests/unit/test_diffcpu

# Decoders of outside bytes whose fuzzers write their own seeds (valid
# inputs of every kind) when FUZZ_<NAME>_SEEDS=DIR is set:
#   event      the trace's event decoder (src/trace/event.c)
#   gdbpacket  the gdb packet layer (src/gdbstub/packet.c)
#   snapfile   snapshot index records (src/replay/snapfile.c)
# Each gets fuzz-NAME (FUZZ_SECONDS) and fuzz-NAME-smoke (10 seconds).
FUZZ_SELFSEEDED = event gdbpacket snapfile

define fuzz_selfseeded
$$(FUZZ_DIR)/fuzz_$(1): tests/fuzz/fuzz_$(1).c $$(FUZZ_LIB_OBJ)
	@mkdir -p $$(@D)
	@echo "  FUZZLD  $$@"
	$$(Q)$$(FUZZ_CC) $$(FUZZ_CFLAGS) -fsanitize=fuzzer -o $$@ $$^ $$(LDLIBS)

$$(FUZZ_DIR)/seed-$(1).stamp: $$(FUZZ_DIR)/fuzz_$(1)
	@echo "  SEEDS   $$(FUZZ_DIR)/seed-$(1)"
	$$(Q)rm -rf $$(FUZZ_DIR)/seed-$(1) && mkdir -p $$(FUZZ_DIR)/seed-$(1) && \
	FUZZ_$(shell echo $(1) | tr a-z A-Z)_SEEDS=$$(FUZZ_DIR)/seed-$(1) \
		$$(FUZZ_DIR)/fuzz_$(1)
	$$(Q)touch $$@

fuzz-$(1): $$(FUZZ_DIR)/fuzz_$(1) $$(FUZZ_DIR)/seed-$(1).stamp
	@mkdir -p $$(FUZZ_DIR)/corpus-$(1)
	$$(Q)$$(FUZZ_DIR)/fuzz_$(1) $$(FUZZ_RUN_FLAGS) \
		-max_total_time=$$(FUZZ_SECONDS) \
		-artifact_prefix=$$(FUZZ_DIR)/crash-$(1)- \
		$$(FUZZ_DIR)/corpus-$(1) $$(FUZZ_DIR)/seed-$(1)

fuzz-$(1)-smoke:
	$$(Q)$$(MAKE) --no-print-directory fuzz-$(1) FUZZ_SECONDS=10

.PHONY: fuzz-$(1) fuzz-$(1)-smoke
endef

$(foreach f,$(FUZZ_SELFSEEDED),$(eval $(call fuzz_selfseeded,$(f))))

fuzz: fuzz-elf fuzz-cpu $(FUZZ_SELFSEEDED:%=fuzz-%)

.PHONY: fuzz fuzz-cpu fuzz-elf fuzz-elf-smoke
