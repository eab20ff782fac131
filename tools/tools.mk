# tools/tools.mk - tools users run on their own programs; included from
# tests/tests.mk.
#
#   make tools    build $(BUILD)/isa-scan: which instruction forms of a
#                 binary the guest CPU model cannot run (tools/isa_scan.c),
#                 and $(BUILD)/timeline-bench (tools/timeline_bench.c)

ISA_SCAN = $(BUILD)/isa-scan
TIMELINE_BENCH = $(BUILD)/timeline-bench

$(ISA_SCAN): tools/isa_scan.c $(LIB_OBJ)
	@mkdir -p $(@D)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) -MMD -MP -MF $@.d $(LDFLAGS) $(LDFLAGS_MODE) \
		-o $@ $< $(LIB_OBJ) $(LDLIBS)

-include $(ISA_SCAN).d

# timeline-bench: seek and reverse-execution latencies of a replay session
# on a trace (tools/timeline_bench.sh runs it from make bench; see BENCHMARKS.md).
$(TIMELINE_BENCH): tools/timeline_bench.c $(LIB_OBJ)
	@mkdir -p $(@D)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) -MMD -MP -MF $@.d $(LDFLAGS) $(LDFLAGS_MODE) \
		-o $@ $< $(LIB_OBJ) $(LDLIBS)

-include $(TIMELINE_BENCH).d

tools: $(ISA_SCAN) $(TIMELINE_BENCH)

.PHONY: tools
