/*
 * main.c - the rewind command.
 *
 * Parses the command line, builds the guest process in an explicit order
 * and runs it.  This is the only layer that prints errors and chooses exit
 * statuses (DESIGN.md): the guest's own status (128+N when a signal N
 * killed it), 125 when rewind fails, 126 when PROG cannot be executed, 127
 * when PROG is not found.  Every failure prints exactly one line to stderr
 * starting with "rewind: ".
 *
 * rewind never writes to stdout while a guest runs: the guest writes to
 * the real fds 0-2 through its own syscalls, so nothing of rewind's stdio
 * buffering can reorder or hold back its output.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/cpu.h"
#include "engine/cpuid.h"
#include "engine/engine.h"

/* The CPU model when --cpu is not given. */
#define CPU_LEVEL_DEFAULT CPU_LEVEL_V1
#include "mem/mem.h"
#include "os/elf.h"
#include "os/proc.h"

#ifndef REWIND_VERSION
#define REWIND_VERSION "0.1.0"
#endif

extern char **environ;

/* The engines rewind can run, for --engine and its error message. */
static const struct engine_ops *const engines[] = {
	&interp_engine,
};

#define ENGINE_DEFAULT "interp"

static void usage(FILE *f)
{
	fputs("usage: rewind COMMAND [OPTIONS] [ARGS]\n"
	      "\n"
	      "  rewind run [--engine=E] [--cpu=x86-64-v1|x86-64-v2] [-v] [--] PROG [ARGS...]\n"
	      "                        run PROG inside the VM without recording\n"
	      "  rewind record [-o TRACE] [--engine=E] -- PROG [ARGS...]\n"
	      "  rewind replay [--check] [--engine=E] TRACE\n"
	      "  rewind debug TRACE [-- GDB-ARGS...]\n"
	      "  rewind gdbserver TRACE [--port N]\n"
	      "  rewind repl TRACE\n"
	      "  rewind dump TRACE [--json]\n"
	      "  rewind pack TRACE [-o FILE]\n"
	      "  rewind report TRACE\n"
	      "  rewind help | --help   this text\n"
	      "  rewind --version       print the version\n"
	      "\n"
	      "Engines: interp (the reference interpreter).\n"
	      "Only 'run' is implemented so far.\n"
	      "\n"
	      "Exit status: the program's own status (128+N if signal N killed\n"
	      "it); 125 if rewind failed, 126 if PROG cannot be executed, 127\n"
	      "if PROG was not found.\n", f);
}

/* Print the one line a failure gets and return status. */
static int fail(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(int status, const char *fmt, ...)
{
	va_list ap;

	fputs("rewind: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

/* "interp, jit" for messages. */
static void engine_names(char *buf, size_t len)
{
	size_t i, o = 0;

	buf[0] = 0;
	for (i = 0; i < sizeof(engines) / sizeof(engines[0]); i++) {
		int n = snprintf(buf + o, len - o, "%s%s", i ? ", " : "",
				 engines[i]->name);
		if (n < 0 || (size_t)n >= len - o)
			break;
		o += (size_t)n;
	}
}

/* The exit status for an elf_load failure. */
static int elf_error_status(int rc)
{
	switch (rc) {
	case ELF_ENOTFOUND:
		return REWIND_EXIT_NOTFOUND;
	case ELF_ENOEXEC:
	case ELF_ENOMEM:
	case ELF_EIO:
	case -E2BIG:
	case -EACCES:
		return REWIND_EXIT_NOEXEC;
	default:
		return REWIND_EXIT_INTERNAL;
	}
}

struct run_opts {
	const char *engine;
	int verbose;
	int cpu_level;		/* enum cpu_level */
	char **argv;		/* PROG and its arguments */
};

/* Parse the arguments after "run".  Options come first; the first
 * non-option or "--" starts PROG.  Returns -1 after printing a failure,
 * 1 when help was printed, 0 to go on. */
static int run_parse(int argc, char **argv, struct run_opts *o)
{
	int i;

	o->engine = ENGINE_DEFAULT;
	o->verbose = 0;
	o->cpu_level = CPU_LEVEL_DEFAULT;
	o->argv = NULL;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-' || a[1] == 0)
			break;
		if (strncmp(a, "--engine=", 9) == 0) {
			o->engine = a + 9;
		} else if (strcmp(a, "--engine") == 0) {
			if (i + 1 >= argc) {
				fail(REWIND_EXIT_INTERNAL,
				     "run: --engine needs a value");
				return -1;
			}
			o->engine = argv[++i];
		} else if (strncmp(a, "--cpu=", 6) == 0 ||
			   strcmp(a, "--cpu") == 0) {
			const char *v = a[5] == '=' ? a + 6 : NULL;
			if (!v && i + 1 < argc)
				v = argv[++i];
			o->cpu_level = v ? cpuid_parse_level(v) : 0;
			if (!o->cpu_level) {
				fail(REWIND_EXIT_INTERNAL,
				     "run: --cpu needs x86-64-v1 or x86-64-v2%s%s",
				     v ? ", not " : "", v ? v : "");
				return -1;
			}
		} else if (strcmp(a, "-v") == 0 ||
			   strcmp(a, "--verbose") == 0) {
			o->verbose = 1;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 1;
		} else {
			fail(REWIND_EXIT_INTERNAL,
			     "run: unknown option '%s'; try 'rewind --help'", a);
			return -1;
		}
	}
	if (i >= argc) {
		fail(REWIND_EXIT_INTERNAL,
		     "run: missing PROG; usage: rewind run [--engine=E] [-v] "
		     "-- PROG [ARGS...]");
		return -1;
	}
	o->argv = argv + i;
	return 0;
}

/*
 * rewind run: build the process in this order, then run it to the end.
 *   engine -> program path -> fault handler -> proc (with its mem and
 *   cpu, see proc_create) -> current cpu -> ELF image and initial stack
 *   -> run -> exit status -> teardown.
 */
static int cmd_run(int argc, char **argv)
{
	const struct engine_ops *engine;
	struct run_opts o;
	struct proc *p = NULL;
	struct cpu *c;
	char *path = NULL;
	char err[512];
	enum engine_stop stop;
	int rc, status;

	rc = run_parse(argc, argv, &o);
	if (rc < 0)
		return REWIND_EXIT_INTERNAL;
	if (rc > 0)
		return 0;

	engine = engine_find(o.engine);
	if (!engine) {
		char names[128];

		engine_names(names, sizeof(names));
		return fail(REWIND_EXIT_INTERNAL,
			    "unknown engine '%s' (available: %s)", o.engine,
			    names);
	}

	/* The v2 handlers execute the same instructions on the host. */
	if (o.cpu_level >= CPU_LEVEL_V2 &&
	    !(__builtin_cpu_supports("sse3") && __builtin_cpu_supports("ssse3") &&
	      __builtin_cpu_supports("sse4.1") &&
	      __builtin_cpu_supports("sse4.2") &&
	      __builtin_cpu_supports("popcnt")))
		return fail(REWIND_EXIT_INTERNAL,
			    "--cpu=x86-64-v2 needs a host CPU with SSE4.2 and "
			    "POPCNT; this one lacks them (use x86-64-v1)");

	errno = 0;
	path = elf_find_program(o.argv[0]);
	if (!path) {
		if (errno == ENOMEM)
			return fail(REWIND_EXIT_INTERNAL, "out of memory");
		return fail(REWIND_EXIT_NOTFOUND, "%s: command not found",
			    o.argv[0]);
	}

	rc = mem_install_fault_handler();
	if (rc < 0) {
		status = fail(REWIND_EXIT_INTERNAL,
			      "cannot install the fault handler: %s",
			      strerror(-rc));
		goto out_free_path;
	}
	/* proc_create also reserves the guest address space (p->mem) and
	 * allocates the thread's cpu (p->cpu, reset, mem_base and tid set). */
	rc = proc_create(&p);
	if (rc < 0) {
		status = fail(REWIND_EXIT_INTERNAL,
			      "cannot create the guest process: %s",
			      strerror(-rc));
		goto out_free_path;
	}
	p->verbose = o.verbose;
	c = p->cpu;
	c->level = (uint8_t)o.cpu_level;
	mem_set_current(p->mem, c);

	rc = elf_load(p, c, path, o.argv, environ, err, sizeof(err));
	if (rc != 0) {
		status = fail(elf_error_status(rc), "%s",
			      err[0] ? err : "cannot load the program");
		goto out_destroy_proc;
	}

	stop = engine->run(c, UINT64_MAX);
	if (stop != ENGINE_STOP_EXIT || !p->exited) {
		status = fail(REWIND_EXIT_INTERNAL,
			      "%s: engine '%s' stopped without an exit "
			      "(reason %d) at rip 0x%llx after %llu "
			      "instructions", path, engine->name, (int)stop,
			      (unsigned long long)c->rip,
			      (unsigned long long)c->icount);
		goto out_destroy_proc;
	}
	status = proc_exit_code(p);
	if (o.verbose)
		fprintf(stderr, "rewind: %s: exit status %d after %llu "
			"instructions\n", path, status,
			(unsigned long long)c->icount);

out_destroy_proc:
	/* The process is gone: the fault handler must forget it first. */
	mem_set_current(NULL, NULL);
	engine->release(c);
	proc_destroy(p);
out_free_path:
	free(path);
	return status;
}

/* Commands of DESIGN.md that later issues implement. */
static const char *const planned_commands[] = {
	"record", "replay", "debug", "gdbserver", "repl", "dump", "pack",
	"report",
};

int main(int argc, char **argv)
{
	const char *cmd;
	size_t i;

	/* Nothing rewind prints may be held back behind guest output. */
	setvbuf(stdout, NULL, _IONBF, 0);
	/* A broken pipe is the guest's business: its writes get EPIPE and
	 * src/os raises the guest's SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);

	if (argc < 2)
		return fail(REWIND_EXIT_INTERNAL,
			    "missing command; try 'rewind --help'");
	cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 ||
	    strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("rewind %s\n", REWIND_VERSION);
		return 0;
	}
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 2, argv + 2);
	for (i = 0; i < sizeof(planned_commands) / sizeof(*planned_commands);
	     i++)
		if (strcmp(cmd, planned_commands[i]) == 0)
			return fail(REWIND_EXIT_INTERNAL,
				    "'%s' is not implemented yet", cmd);
	return fail(REWIND_EXIT_INTERNAL,
		    "unknown command '%s'; try 'rewind --help'", cmd);
}
