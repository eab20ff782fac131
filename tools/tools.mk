# tools/tools.mk - tools users run on their own programs; included from
# tests/tests.mk.
#
#   make tools    build $(BUILD)/isa-scan: which instruction forms of a
#                 binary the guest CPU model cannot run (tools/isa_scan.c)

ISA_SCAN = $(BUILD)/isa-scan

$(ISA_SCAN): tools/isa_scan.c $(LIB_OBJ)
	@mkdir -p $(@D)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) -MMD -MP -MF $@.d $(LDFLAGS) $(LDFLAGS_MODE) \
		-o $@ $< $(LIB_OBJ) $(LDLIBS)

-include $(ISA_SCAN).d

tools: $(ISA_SCAN)

.PHONY: tools
