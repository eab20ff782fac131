# tests/tests.mk - test, demo and bench targets; included by the Makefile,
# whose $(REWIND), $(BUILD), $(LIB_OBJ), $(CC), $(CFLAGS) and $(Q) it uses.
#
#   make test              install missing deps, then unit + integration tests
#   make test-unit         Check suites: each tests/unit/test_*.c is one binary
#   make test-integration  every tests/integration/*.sh; T=busy runs only the
#                          scripts whose path contains "busy"
#   make demo              install missing deps, run the examples under rewind
#   make bench             slowdown against native (BENCH_SCALE, BENCH_RUNS),
#                          C benchmarks and busybox workloads
#
# Integration scripts get REWIND and ISA_SCAN (absolute paths of the
# binaries), BUILD, EXAMPLES_DIR and PROGRAMS_DIR in the environment.  Each
# prints one line per case, "ok   NAME" or "FAIL NAME: why"; the runner
# counts those lines and ends with "N passed, N failed".

include examples/examples.mk
include tools/tools.mk
-include tests/fuzz/fuzz.mk

# ---------------------------------------------------------------- guest programs
# Test programs other suites drop into tests/programs (signals_*.c, ...),
# built like the examples: build/programs/NAME.glibc and NAME.musl.
PROGRAMS_DIR = build/programs
PROGRAM_NAMES = $(sort $(basename $(notdir $(wildcard tests/programs/*.c))))
PROGRAM_BINS = $(foreach n,$(PROGRAM_NAMES),$(PROGRAMS_DIR)/$(n).glibc $(PROGRAMS_DIR)/$(n).musl)

programs: $(PROGRAM_BINS)

$(PROGRAMS_DIR)/%.glibc: tests/programs/%.c
	@mkdir -p $(@D)
	@echo "  GUEST   $@"
	$(Q)$(GUEST_CC_GLIBC) $(GUEST_CFLAGS) -o $@ $< $(GUEST_LDLIBS)

$(PROGRAMS_DIR)/%.musl: tests/programs/%.c
	@mkdir -p $(@D)
	@echo "  GUEST   $@"
	$(Q)$(GUEST_CC_MUSL) $(GUEST_CFLAGS) -o $@ $< $(GUEST_LDLIBS)

# ---------------------------------------------------------------- unit tests
# Every tests/unit/test_*.c holds one Check suite and its own main(), and is
# linked against all of the project's library objects.  pkg-config runs in
# the recipe, not at parse time, so that `make deps` can install check first.
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS = $(UNIT_SRC:%.c=$(BUILD)/%)

$(BUILD)/tests/unit/%: tests/unit/%.c $(LIB_OBJ)
	@mkdir -p $(@D)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) $$(pkg-config --cflags check) -MMD -MP -MF $@.d \
		$(LDFLAGS) $(LDFLAGS_MODE) -o $@ $< $(LIB_OBJ) \
		$$(pkg-config --libs check) $(LDLIBS)

-include $(UNIT_BINS:=.d)

# test_session records guest programs with the rewind binary.
test-unit: $(UNIT_BINS) $(REWIND) examples programs
	$(Q)st=0; for t in $(UNIT_BINS); do \
	  echo "  UNIT    $$t"; $$t || st=1; done; exit $$st

# ---------------------------------------------------------------- integration
INTEGRATION_SCRIPTS = $(sort $(wildcard tests/integration/*.sh))
T ?=

test-integration: $(REWIND) $(ISA_SCAN) examples programs
	$(Q)pass=0; fail=0; log=$$(mktemp); \
	for t in $(INTEGRATION_SCRIPTS); do \
	  case "$$t" in *"$(T)"*) ;; *) continue ;; esac; \
	  echo "== $$t"; \
	  { REWIND=$(abspath $(REWIND)) ISA_SCAN=$(abspath $(ISA_SCAN)) \
	    BUILD=$(BUILD) \
	    EXAMPLES_DIR=$(EXAMPLES_DIR) PROGRAMS_DIR=$(PROGRAMS_DIR) \
	    bash $$t </dev/null; echo $$? >$$log.status; } 2>&1 | tee $$log; \
	  p=$$(grep -c '^ok ' $$log); f=$$(grep -c '^FAIL ' $$log); \
	  st=$$(cat $$log.status); \
	  if [ "$$st" != 0 ] && [ "$$f" = 0 ]; then \
	    echo "FAIL $$t: exited with status $$st"; f=1; fi; \
	  pass=$$((pass + p)); fail=$$((fail + f)); \
	done; \
	rm -f $$log $$log.status; \
	echo "$$pass passed, $$fail failed"; \
	[ $$fail = 0 ]

# ---------------------------------------------------------------- test
ifneq ($(wildcard tests/fuzz/fuzz.mk),)
TEST_FUZZ = fuzz-elf-smoke fuzz-event-smoke fuzz-gdbpacket-smoke \
	fuzz-snapfile-smoke
endif

# deps runs to completion before anything is built (even under -j): the
# rest happens in sub-makes: the fuzz smoke runs, unit tests, then the
# integration tests, whose last line is the "N passed, N failed" summary.
# Every part runs even when an earlier one fails; the exit status says
# whether everything passed.
test: deps
	$(Q)st=0; \
	if [ -n "$(TEST_FUZZ)" ]; then \
	  if command -v clang >/dev/null 2>&1; then \
	    $(MAKE) --no-print-directory $(TEST_FUZZ) || st=1; \
	  else echo "clang not found: skipping $(TEST_FUZZ)"; fi; \
	fi; \
	$(MAKE) --no-print-directory test-unit || st=1; \
	$(MAKE) --no-print-directory test-integration || st=1; \
	exit $$st

# ---------------------------------------------------------------- demo
demo: deps
	$(Q)$(MAKE) --no-print-directory $(REWIND) build/rewind examples
	$(Q)REWIND=$(REWIND) EXAMPLES_DIR=$(EXAMPLES_DIR) bash examples/demo.sh

# ---------------------------------------------------------------- bench
# CPU-bound programs, built like a user would build them for speed.
BENCH_DIR = build/bench
BENCH_NAMES = $(sort $(basename $(notdir $(wildcard tests/bench/*.c))))
BENCH_BINS = $(BENCH_NAMES:%=$(BENCH_DIR)/%)

$(BENCH_DIR)/%: tests/bench/%.c
	@mkdir -p $(@D)
	@echo "  GUEST   $@"
	$(Q)$(GUEST_CC_GLIBC) -static -O2 -g -Wall -Wextra -o $@ $< $(GUEST_LDLIBS)

# Real programs too: busybox gzip, bzip2, sha256sum and sort on 5 MB of
# text (tools/bench.sh --busybox), when the static busybox is installed.
BENCH_BUSYBOX ?= /bin/busybox

bench: $(REWIND) $(BENCH_BINS) $(TIMELINE_BENCH)
	$(Q)tools/bench.sh $(REWIND) \
	  $$([ -x "$(BENCH_BUSYBOX)" ] && echo --busybox $(BENCH_BUSYBOX)) \
	  $(BENCH_BINS)
	$(Q)tools/timeline_bench.sh $(REWIND) $(TIMELINE_BENCH) $(BENCH_DIR) \
	  $$([ -x "$(BENCH_BUSYBOX)" ] && echo $(BENCH_BUSYBOX))

.PHONY: programs test test-unit test-integration demo bench
