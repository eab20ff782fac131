# examples/examples.mk - build every examples/*.c as a static guest program,
# once against glibc and once against musl:
#
#   build/examples/NAME.glibc   gcc -static -O1 -g
#   build/examples/NAME.musl    musl-gcc -static -O1 -g
#
# and once more each for the x86-64-v2 CPU model, built as a user building
# for speed would (tests/integration/corpus.sh runs them under
# `rewind run --cpu=x86-64-v2`):
#
#   build/examples/NAME.v2glibc gcc -static -O2 -march=x86-64-v2 -g
#   build/examples/NAME.v2musl  musl-gcc -static -O2 -march=x86-64-v2 -g
#
# and once for debugging, where every variable lives in memory and every
# line has code (the gdb tests and the demo use these):
#
#   build/examples/NAME.debug   gcc -static -O0 -g
#
# Included from tests/tests.mk.  Guest programs never see the VM's own
# CFLAGS (sanitizers, -Werror): they are ordinary user programs.

GUEST_CC_GLIBC ?= gcc
GUEST_CC_MUSL ?= musl-gcc
GUEST_CFLAGS = -static -O1 -g -Wall -Wextra
GUEST_CFLAGS_V2 = -static -O2 -march=x86-64-v2 -g -Wall -Wextra
GUEST_CFLAGS_DEBUG = -static -O0 -g -Wall -Wextra
GUEST_LDLIBS = -lm

EXAMPLES_DIR = build/examples
EXAMPLE_NAMES = $(sort $(basename $(notdir $(wildcard examples/*.c))))
EXAMPLE_BINS = $(foreach n,$(EXAMPLE_NAMES),$(EXAMPLES_DIR)/$(n).glibc $(EXAMPLES_DIR)/$(n).musl)

EXAMPLE_V2_BINS = $(foreach n,$(EXAMPLE_NAMES),$(EXAMPLES_DIR)/$(n).v2glibc $(EXAMPLES_DIR)/$(n).v2musl)

EXAMPLE_DEBUG_BINS = $(EXAMPLE_NAMES:%=$(EXAMPLES_DIR)/%.debug)

examples: $(EXAMPLE_BINS) $(EXAMPLE_V2_BINS) $(EXAMPLE_DEBUG_BINS)

$(EXAMPLES_DIR)/%.debug: examples/%.c
	@mkdir -p $(@D)
	@echo "  GUEST   $@"
	$(Q)$(GUEST_CC_GLIBC) $(GUEST_CFLAGS_DEBUG) -o $@ $< $(GUEST_LDLIBS)

$(EXAMPLES_DIR)/%.glibc: examples/%.c
	@mkdir -p $(@D)
	@echo "  GUEST   $@"
	$(Q)$(GUEST_CC_GLIBC) $(GUEST_CFLAGS) -o $@ $< $(GUEST_LDLIBS)

$(EXAMPLES_DIR)/%.musl: examples/%.c
	@mkdir -p $(@D)
	@echo "  GUEST   $@"
	$(Q)$(GUEST_CC_MUSL) $(GUEST_CFLAGS) -o $@ $< $(GUEST_LDLIBS)

$(EXAMPLES_DIR)/%.v2glibc: examples/%.c
	@mkdir -p $(@D)
	@echo "  GUEST   $@"
	$(Q)$(GUEST_CC_GLIBC) $(GUEST_CFLAGS_V2) -o $@ $< $(GUEST_LDLIBS)

$(EXAMPLES_DIR)/%.v2musl: examples/%.c
	@mkdir -p $(@D)
	@echo "  GUEST   $@"
	$(Q)$(GUEST_CC_MUSL) $(GUEST_CFLAGS_V2) -o $@ $< $(GUEST_LDLIBS)

.PHONY: examples
