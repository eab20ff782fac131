# rewind - deterministic record/replay debugging VM for Linux x86-64 programs.
#
#   make            build build/rewind (MODE=release|debug|asan, V=1 verbose)
#   make deps       install the Debian packages the project needs
#   make test       unit tests (Check) and integration tests
#   make demo       run the bundled examples under rewind
#   make bench      slowdown vs native, side by side (see BENCHMARKS.md)
#   make fuzz       longer fuzzing runs (clang/libFuzzer)

MODE ?= release
BUILD ?= build/$(MODE)
CC ?= cc

DEB_PACKAGES = build-essential pkg-config libelf-dev libcapstone-dev \
	libdwarf-dev liblmdb-dev libzstd-dev libreadline-dev check \
	libsubunit-dev musl-tools busybox-static bash-static xz-utils python3 gdb \
	clang valgrind

WARN = -Wall -Wextra -Wmissing-prototypes -Wno-unused-parameter -Werror
CFLAGS_COMMON = -std=gnu11 -g $(WARN) -Isrc -D_GNU_SOURCE -fno-strict-aliasing
ifeq ($(MODE),release)
  CFLAGS_MODE = -O3
else ifeq ($(MODE),debug)
  CFLAGS_MODE = -O0
else ifeq ($(MODE),asan)
  CFLAGS_MODE = -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined
  LDFLAGS_MODE = -fsanitize=address,undefined
else
  $(error unknown MODE=$(MODE): use release, debug or asan)
endif
CFLAGS += $(CFLAGS_COMMON) $(CFLAGS_MODE)
LDLIBS = -lelf -lcapstone -llmdb -lzstd -lm

ifeq ($(V),1)
  Q =
else
  Q = @
endif

ENGINE_SRC = src/engine/decode.c src/engine/interp.c src/engine/optable.c \
	src/engine/fault.c src/engine/cpuid.c src/engine/debug.c src/engine/exec_int.c \
	src/engine/exec_string.c src/engine/exec_sse.c src/engine/exec_x87.c \
	src/engine/exec_sse3.c src/engine/exec_sse4.c
MEM_SRC = src/mem/mem.c
OS_SRC = src/os/proc.c src/os/elf.c src/os/syscall.c src/os/sys_fs.c \
	src/os/sys_misc.c src/os/sys_net.c src/os/signal.c src/os/nondet.c src/os/journal.c
TRACE_SRC = src/trace/error.c src/trace/hash.c src/trace/event.c \
	src/trace/lmdbcheck.c src/trace/trace.c
GDBSTUB_SRC = src/gdbstub/packet.c src/gdbstub/server.c
JIT_SRC = src/jit/threaded.c
GC_SRC = src/gc/pagestore.c
REPLAY_SRC = src/replay/replay.c src/replay/pagetree.c \
	src/replay/snapshot.c src/replay/snapfile.c src/replay/session.c
CLI_SRC = src/cli/main.c src/cli/debug.c

LIB_SRC = $(ENGINE_SRC) $(JIT_SRC) $(MEM_SRC) $(OS_SRC) $(TRACE_SRC) $(GC_SRC) \
	$(REPLAY_SRC) $(GDBSTUB_SRC)
LIB_OBJ = $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ = $(CLI_SRC:%.c=$(BUILD)/%.o)
REWIND = $(BUILD)/rewind

all: $(REWIND) build/rewind

$(REWIND): $(LIB_OBJ) $(CLI_OBJ)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) $(LDFLAGS_MODE) -o $@ $^ $(LDLIBS)

# build/rewind always points at the last binary built.
build/rewind: $(REWIND)
	$(Q)ln -sf $(MODE)/rewind $@

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c -o $@ $<

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

# ---------------------------------------------------------------- deps
deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	else echo "all dependencies present"; fi

include tests/tests.mk

.PHONY: all deps clean
clean:
	rm -rf build
