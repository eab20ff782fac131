# examples/examples.mk - build every examples/*.c as a static guest program,
# once against glibc and once against musl:
#
#   build/examples/NAME.glibc   gcc -static -O1 -g
#   build/examples/NAME.musl    musl-gcc -static -O1 -g
#
# Included from tests/tests.mk.  Guest programs never see the VM's own
# CFLAGS (sanitizers, -Werror): they are ordinary user programs.

GUEST_CC_GLIBC ?= gcc
GUEST_CC_MUSL ?= musl-gcc
GUEST_CFLAGS = -static -O1 -g -Wall -Wextra
GUEST_LDLIBS = -lm

EXAMPLES_DIR = build/examples
EXAMPLE_NAMES = $(sort $(basename $(notdir $(wildcard examples/*.c))))
EXAMPLE_BINS = $(foreach n,$(EXAMPLE_NAMES),$(EXAMPLES_DIR)/$(n).glibc $(EXAMPLES_DIR)/$(n).musl)

examples: $(EXAMPLE_BINS)

$(EXAMPLES_DIR)/%.glibc: examples/%.c
	@mkdir -p $(@D)
	@echo "  GUEST   $@"
	$(Q)$(GUEST_CC_GLIBC) $(GUEST_CFLAGS) -o $@ $< $(GUEST_LDLIBS)

$(EXAMPLES_DIR)/%.musl: examples/%.c
	@mkdir -p $(@D)
	@echo "  GUEST   $@"
	$(Q)$(GUEST_CC_MUSL) $(GUEST_CFLAGS) -o $@ $< $(GUEST_LDLIBS)

.PHONY: examples
