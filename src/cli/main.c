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
#include <fcntl.h>
#include <gelf.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/cpu.h"
#include "engine/cpuid.h"
#include "engine/engine.h"

/* The CPU model when --cpu is not given. */
#define CPU_LEVEL_DEFAULT CPU_LEVEL_V2
#include "mem/mem.h"
#include "os/elf.h"
#include "os/journal.h"
#include "os/proc.h"
#include "os/syscall.h"
#include "replay/replay.h"
#include "cli/cli.h"
#include "trace/hash.h"
#include "trace/trace.h"

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
	      "  rewind record [-o TRACE] [--engine=E] [--cpu=...] -- PROG [ARGS...]\n"
	      "  rewind replay [--check] [-q] [--engine=E] [TRACE]\n"
	      "  rewind debug [-q] [-v] [--memory-budget SIZE] [TRACE] [-- GDB-ARGS...]\n"
	      "                        replay TRACE under gdb (reverse execution)\n"
	      "  rewind gdbserver [--port N] [--host H] [--once] [-q] [-v]\n"
	      "                   [--memory-budget SIZE] [TRACE]\n"
	      "                        serve TRACE to gdb (target remote :N)\n"
	      "  rewind index [TRACE]  store snapshots in TRACE for fast starts\n"
	      "  rewind repl TRACE\n"
	      "  rewind dump [--json] [--stats] TRACE\n"
	      "  rewind pack TRACE [-o FILE]\n"
	      "  rewind report TRACE\n"
	      "  rewind help | --help   this text\n"
	      "  rewind --version       print the version\n"
	      "\n"
	      "Engines: interp (the reference interpreter).\n"
	      "Not implemented yet: repl, report.\n"
	      "\n"
	      "Exit status: the program's own status (128+N if signal N killed\n"
	      "it); 125 if rewind failed, 126 if PROG cannot be executed, 127\n"
	      "if PROG was not found.\n", f);
}

int fail(int status, const char *fmt, ...)
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

/* How a guest run is journaled (run or record), on top of run_opts. */
struct session {
	enum { SESSION_RUN, SESSION_RECORD } kind;
	struct trace *trace;		/* record */
	const char *trace_path;
	char **envp;			/* the guest's environment */
	int not_started;		/* the program could not be loaded */
};

/* Join a NULL-terminated string vector as NUL-separated bytes. */
static char *join_strings(char *const *v, size_t *len)
{
	size_t n = 0;
	for (size_t k = 0; v[k]; k++)
		n += strlen(v[k]) + 1;
	char *buf = malloc(n ? n : 1), *o = buf;
	if (!buf)
		return NULL;
	for (size_t k = 0; v[k]; k++) {
		size_t l = strlen(v[k]) + 1;
		memcpy(o, v[k], l);
		o += l;
	}
	*len = n;
	return buf;
}

/*
 * "func+0x1a" for a guest address, from the executable's symbol table
 * (static binaries usually keep one); empty when there is none.  The file
 * is the one just loaded, so it is trusted no further than libelf's own
 * checks: every index is bounded.
 */
static void symbolize(const char *path, uint64_t addr, uint64_t bias,
		      char *out, size_t len)
{
	out[0] = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	Elf_Scn *scn = NULL;
	uint64_t best = 0;
	while (e && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB ||
		    !sh.sh_entsize)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		size_t n = d ? d->d_size / sh.sh_entsize : 0;
		for (size_t k = 0; k < n; k++) {
			GElf_Sym s;
			if (!gelf_getsym(d, (int)k, &s) ||
			    GELF_ST_TYPE(s.st_info) != STT_FUNC)
				continue;
			uint64_t lo = s.st_value + bias;
			if (addr < lo || (s.st_size && addr >= lo + s.st_size) ||
			    lo < best)
				continue;
			const char *name = elf_strptr(e, sh.sh_link, s.st_name);
			if (name && *name) {
				best = lo;
				snprintf(out, len, " (in %s+0x%llx)", name,
					 (unsigned long long)(addr - lo));
			}
		}
	}
	if (e)
		elf_end(e);
	close(fd);
}

/* Store what replay needs to rebuild the initial state. */
static int record_meta(struct trace *t, const struct run_opts *o,
		       const char *path, struct proc *p, char **envp)
{
	size_t len;
	char *buf, num[64], hex[2 * SHA256_LEN + 1];
	uint8_t h[SHA256_LEN];
	int rc;

	if (!(buf = join_strings(o->argv, &len)))
		return -ENOMEM;
	rc = trace_meta_put(t, "argv", buf, len);
	free(buf);
	if (rc < 0 || !(buf = join_strings(envp, &len)))
		return rc < 0 ? rc : -ENOMEM;
	rc = trace_meta_put(t, "envp", buf, len);
	free(buf);
	if (rc < 0)
		return rc;
	if ((rc = trace_meta_put(t, "exe", path, strlen(path))) < 0)
		return rc;
	if (p->exe_path &&
	    (rc = trace_meta_put(t, "exe_real", p->exe_path,
				 strlen(p->exe_path))) < 0)
		return rc;
	if ((rc = sha256_file(path, h)) < 0)
		return rc;
	sha256_to_hex(h, hex);
	if ((rc = trace_meta_put(t, "exe_sha256", hex, 64)) < 0)
		return rc;
	char cwd[4096];
	if (getcwd(cwd, sizeof(cwd)) &&
	    (rc = trace_meta_put(t, "cwd", cwd, strlen(cwd))) < 0)
		return rc;
	snprintf(num, sizeof(num), "x86-64-v%d", o->cpu_level);
	if ((rc = trace_meta_put(t, "cpu", num, strlen(num))) < 0)
		return rc;
	if ((rc = trace_meta_put(t, "engine", o->engine ? o->engine : "interp",
				 strlen(o->engine ? o->engine : "interp"))) < 0)
		return rc;
	snprintf(num, sizeof(num), "%d %d", p->uid, p->gid);
	if ((rc = trace_meta_put(t, "ids", num, strlen(num))) < 0)
		return rc;
	snprintf(num, sizeof(num), "%lld", (long long)time(NULL));
	return trace_meta_put(t, "start_time", num, strlen(num));
}

/*
 * Build the process in this order, then run it to the end:
 *   engine -> program path -> fault handler -> journal -> proc with its
 *   mem and cpu, ELF image and initial stack (proc_launch) -> meta data
 *   (record) -> run -> exit status -> teardown.
 */
static int run_program(struct run_opts *o, struct session *ss)
{
	const struct engine_ops *engine;
	struct proc *p = NULL;
	struct journal *jr = NULL;
	struct cpu *c;
	char *path;
	char err[512];
	enum engine_stop stop;
	int rc, status;

	engine = engine_find(o->engine);
	if (!engine) {
		char names[128];

		engine_names(names, sizeof(names));
		return fail(REWIND_EXIT_INTERNAL,
			    "unknown engine '%s' (available: %s)", o->engine,
			    names);
	}
	/* The v2 handlers execute the same instructions on the host. */
	if (!cpuid_host_supports(o->cpu_level))
		return fail(REWIND_EXIT_INTERNAL,
			    "--cpu=x86-64-v%d needs a host CPU with LAHF in "
			    "64-bit mode (and for v2 SSE4.2 and POPCNT); this "
			    "one lacks them", o->cpu_level);

	errno = 0;
	path = elf_find_program(o->argv[0]);
	ss->not_started = !path;
	if (!path) {
		if (errno == ENOMEM)
			return fail(REWIND_EXIT_INTERNAL, "out of memory");
		return fail(REWIND_EXIT_NOTFOUND, "%s: command not found",
			    o->argv[0]);
	}

	rc = mem_install_fault_handler();
	if (rc < 0) {
		status = fail(REWIND_EXIT_INTERNAL,
			      "cannot install the fault handler: %s",
			      strerror(-rc));
		goto out_free_path;
	}
	if (ss->kind == SESSION_RECORD) {
		rc = journal_create(ss->trace, JOURNAL_RECORD, &jr);
		if (rc < 0) {
			status = fail(REWIND_EXIT_INTERNAL, "out of memory");
			goto out_free_path;
		}
	}
	struct proc_launch l = {
		.path = path, .argv = o->argv, .envp = ss->envp,
		.cpu_level = o->cpu_level, .verbose = o->verbose,
		.journal = jr,
	};
	rc = proc_launch(&l, &p, err, sizeof(err));
	if (rc != 0) {
		status = fail(elf_error_status(rc), "%s", err);
		ss->not_started = 1;
		goto out_destroy_journal;
	}
	c = p->cpu;
	if (ss->kind == SESSION_RECORD) {
		rc = record_meta(ss->trace, o, path, p, ss->envp);
		if (rc < 0) {
			status = fail(REWIND_EXIT_INTERNAL, "%s: %s",
				      ss->trace_path, trace_strerror(rc));
			goto out_destroy_proc;
		}
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
	if (jr)
		journal_exit(p, c);
	if (jr && journal_failure(jr)) {
		char where[256];
		symbolize(path, journal_failure_rip(jr), p->load_bias, where,
			  sizeof(where));
		status = fail(REWIND_EXIT_INTERNAL, "%s: recording failed: %s%s",
			      ss->trace_path, journal_failure(jr), where);
		goto out_destroy_proc;
	}
	status = proc_exit_code(p);
	if (ss->kind == SESSION_RECORD) {
		char num[32];
		snprintf(num, sizeof(num), "%d", p->wait_status);
		trace_meta_put(ss->trace, "wait_status", num, strlen(num));
		snprintf(num, sizeof(num), "%llu", (unsigned long long)c->icount);
		trace_meta_put(ss->trace, "icount", num, strlen(num));
	}
	if (o->verbose)
		fprintf(stderr, "rewind: %s: exit status %d after %llu "
			"instructions\n", path, status,
			(unsigned long long)c->icount);

out_destroy_proc:
	/* The process is gone: the fault handler must forget it first. */
	mem_set_current(NULL, NULL);
	engine->release(p->cpu);
	p->journal = NULL;
	proc_destroy(p);
out_destroy_journal:
	if (jr) {
		rc = journal_destroy(jr);
		if (rc < 0 && status != REWIND_EXIT_INTERNAL)
			status = fail(REWIND_EXIT_INTERNAL, "%s: %s",
				      ss->trace_path, trace_strerror(rc));
	}
out_free_path:
	free(path);
	return status;
}

static int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct session ss = { .kind = SESSION_RUN, .envp = environ };
	int rc = run_parse(argc, argv, &o);
	if (rc)
		return rc < 0 ? REWIND_EXIT_INTERNAL : 0;
	return run_program(&o, &ss);
}

/* Where a trace goes without -o: $REWIND_TRACE_DIR or
 * ~/.local/share/rewind, named PROG-N.rwd, with a "latest" link. */
static char *default_trace_path(const char *prog, char **dir_out)
{
	char dir[4096];
	if (replay_trace_dir(dir, sizeof(dir)) < 0 || replay_mkdirs(dir) < 0)
		return NULL;
	const char *base = strrchr(prog, '/');
	base = base ? base + 1 : prog;
	for (int n = 0; n < 100000; n++) {
		char *path;
		if (asprintf(&path, "%s/%s-%d.rwd", dir, base, n) < 0)
			return NULL;
		if (access(path, F_OK) != 0) {
			*dir_out = strdup(dir);
			return path;
		}
		free(path);
	}
	return NULL;
}

static int cmd_record(int argc, char **argv)
{
	const char *out = NULL;
	int i = 0;
	while (i < argc) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			out = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "--output=", 9) == 0) {
			out = argv[i] + 9;
			i++;
		} else {
			break;
		}
	}
	struct run_opts o;
	int rc = run_parse(argc - i, argv + i, &o);
	if (rc)
		return rc < 0 ? REWIND_EXIT_INTERNAL : 0;
	char *path = NULL, *dir = NULL;
	if (!out) {
		path = default_trace_path(o.argv[0], &dir);
		if (!path)
			return fail(REWIND_EXIT_INTERNAL, "cannot create the trace "
				    "directory (set REWIND_TRACE_DIR or use -o)");
		out = path;
	}
	struct session ss = { .kind = SESSION_RECORD, .envp = environ,
			      .trace_path = out };
	rc = trace_create(out, &ss.trace);
	if (rc < 0) {
		int st = fail(REWIND_EXIT_INTERNAL, "%s: cannot create the "
			      "trace: %s", out, trace_strerror(rc));
		free(path);
		free(dir);
		return st;
	}
	int status = run_program(&o, &ss);
	rc = trace_close(ss.trace);
	if (ss.not_started) {
		/* Nothing ran: leave no trace behind. */
		unlink(out);
		free(path);
		free(dir);
		return status;
	}
	if (rc < 0 && status != REWIND_EXIT_INTERNAL)
		status = fail(REWIND_EXIT_INTERNAL, "%s: %s", out,
			      trace_strerror(rc));
	if (dir) {
		/* "latest" points at the newest trace of this directory. */
		char *link;
		if (asprintf(&link, "%s/latest", dir) >= 0) {
			char *tmp;
			if (asprintf(&tmp, "%s.tmp", link) >= 0) {
				unlink(tmp);
				if (symlink(strrchr(out, '/') + 1, tmp) == 0)
					rename(tmp, link);
				free(tmp);
			}
			free(link);
		}
	}
	free(path);
	free(dir);
	return status;
}

int trace_arg(const char *cmd, const char *a, const char **arg)
{
	if (a[0] == '-') {
		fail(REWIND_EXIT_INTERNAL, "%s: unknown option '%s'", cmd, a);
		return 1;
	}
	if (*arg) {
		fail(REWIND_EXIT_INTERNAL, "%s: more than one trace given", cmd);
		return 1;
	}
	*arg = a;
	return 0;
}

/* Open a trace given on the command line, or the latest recording;
 * prints the failure. */
static int open_trace(const char *arg, struct trace **t, char **path_out)
{
	char err[4400];
	if (replay_trace_open(arg, t, path_out, err, sizeof(err)) < 0)
		return fail(REWIND_EXIT_INTERNAL, "%s", err);
	return 0;
}

/*
 * rewind replay [--check] [--quiet] [--engine=E] [TRACE]: re-execute the
 * recorded run to its end.  The exit status is the recorded one; with
 * --check, 0 when the replay matched and a one-line summary.
 */
static int cmd_replay(int argc, char **argv)
{
	const char *arg = NULL, *engine = ENGINE_DEFAULT;
	int check = 0, quiet = 0, verbose = 0;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--check") == 0)
			check = 1;
		else if (strcmp(argv[i], "--quiet") == 0 ||
			 strcmp(argv[i], "-q") == 0)
			quiet = 1;
		else if (strncmp(argv[i], "--engine=", 9) == 0)
			engine = argv[i] + 9;
		else if (strcmp(argv[i], "-v") == 0)
			verbose = 1;
		else if (trace_arg("replay", argv[i], &arg))
			return REWIND_EXIT_INTERNAL;
	}
	struct replay *r;
	char err[9000];
	if (replay_open(arg, &r, err, sizeof(err)) < 0)
		return fail(REWIND_EXIT_INTERNAL, "%s", err);
	int status = REWIND_EXIT_INTERNAL;
	if (replay_start(r, engine, quiet, verbose, err, sizeof(err)) < 0) {
		fail(REWIND_EXIT_INTERNAL, "%s", err);
		goto out;
	}
	struct proc *p = r->p;
	struct cpu *c = p->cpu;
	enum engine_stop stop = r->engine->run(c, UINT64_MAX);
	if (stop != ENGINE_STOP_EXIT || !p->exited) {
		fail(REWIND_EXIT_INTERNAL, "%s: engine '%s' stopped without an "
		     "exit (reason %d) at rip 0x%llx after %llu instructions",
		     r->trace_path, r->engine->name, (int)stop,
		     (unsigned long long)c->rip, (unsigned long long)c->icount);
		goto out;
	}
	journal_exit(p, c);
	if (journal_failure(r->j)) {
		char where[256];
		symbolize(r->exe, journal_failure_rip(r->j), p->load_bias, where,
			  sizeof(where));
		fail(REWIND_EXIT_INTERNAL, "%s: replay stopped: %s%s",
		     r->trace_path, journal_failure(r->j), where);
		goto out;
	}
	status = proc_exit_code(p);
	if (check) {
		/* --check answers "did it match?": 0 when it did. */
		fprintf(stderr, "rewind: replay matched the recording: "
			"%llu events, %llu instructions, exit status %d\n",
			(unsigned long long)journal_position(r->j),
			(unsigned long long)c->icount, status);
		status = 0;
	}
	if (verbose)
		fprintf(stderr, "rewind: %s: exit status %d after %llu "
			"instructions\n", r->exe, status,
			(unsigned long long)c->icount);
out:
	replay_close(r);
	return status;
}

static const char *event_kind_name(int kind)
{
	static const char *const names[] = {
		[EV_SYSCALL] = "syscall", [EV_RDTSC] = "rdtsc",
		[EV_RDRAND] = "rdrand", [EV_RANDOM_BYTES] = "at_random",
		[EV_SIGNAL] = "signal", [EV_EXIT] = "exit",
		[EV_MMAP_FILE] = "mmap_file",
	};
	return kind > 0 && kind <= EV_KIND_MAX ? names[kind] : "unknown";
}

/* A syscall argument as its kind reads best: numbers in decimal, fds
 * and signals by name where they have one, addresses and flags in hex. */
static void format_arg(int kind, uint64_t v, char *out, size_t len)
{
	switch (kind) {
	case SA_INT: case SA_PID:
		snprintf(out, len, "%d", (int)v);
		break;
	case SA_UINT:
		snprintf(out, len, "%u", (unsigned)v);
		break;
	case SA_SIZE:
		snprintf(out, len, "%llu", (unsigned long long)v);
		break;
	case SA_FD:
		if ((int)v == AT_FDCWD)
			snprintf(out, len, "AT_FDCWD");
		else
			snprintf(out, len, "%d", (int)v);
		break;
	case SA_SIG:
		if ((int)v > 0 && (int)v < NSIG && sigabbrev_np((int)v))
			snprintf(out, len, "SIG%s", sigabbrev_np((int)v));
		else
			snprintf(out, len, "%d", (int)v);
		break;
	default:	/* addresses, buffers, paths, flags */
		snprintf(out, len, "%#llx", (unsigned long long)v);
		break;
	}
}

/* rewind dump [--json] [--stats] [TRACE]: the events, readable. */
static int cmd_dump(int argc, char **argv)
{
	int json = 0, stats = 0;
	const char *arg = NULL;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--stats") == 0)
			stats = 1;
		else if (trace_arg("dump", argv[i], &arg))
			return REWIND_EXIT_INTERNAL;
	}
	struct trace *t;
	char *tpath;
	int rc = open_trace(arg, &t, &tpath);
	if (rc)
		return rc;
	uint64_t n = trace_event_count(t);
	uint64_t count[EV_KIND_MAX + 1] = { 0 }, bytes[EV_KIND_MAX + 1] = { 0 };
	int status = 0;
	for (uint64_t seq = 0; seq < n; seq++) {
		struct event ev;
		rc = trace_read_event(t, seq, &ev);
		if (rc < 0) {
			status = fail(REWIND_EXIT_INTERNAL, "%s: event %llu: %s",
				      tpath, (unsigned long long)seq,
				      trace_strerror(rc));
			break;
		}
		uint64_t payload = 0;
		for (uint32_t k = 0; k < ev.nmem; k++)
			payload += ev.mem[k].len;
		count[ev.kind]++;
		bytes[ev.kind] += payload;
		if (stats) {
			event_free(&ev);
			continue;
		}
		const struct syscall_desc *d = ev.kind == EV_SYSCALL ?
			syscall_lookup(ev.nr) : NULL;
		int nargs = d ? d->nargs : 6;
		if (json) {
			printf("{\"seq\":%llu,\"icount\":%llu,\"kind\":\"%s\"",
			       (unsigned long long)seq,
			       (unsigned long long)ev.icount,
			       event_kind_name(ev.kind));
			if (ev.kind == EV_SYSCALL) {
				printf(",\"nr\":%llu,\"name\":\"%s\",\"args\":[",
				       (unsigned long long)ev.nr,
				       d ? d->name : "?");
				for (int k = 0; k < nargs; k++)
					printf("%s%llu", k ? "," : "",
					       (unsigned long long)ev.args[k]);
				printf("],\"result\":%lld", (long long)ev.result);
			} else {
				printf(",\"value\":%llu,\"result\":%lld",
				       (unsigned long long)ev.value,
				       (long long)ev.result);
			}
			printf(",\"mem_regions\":%u,\"mem_bytes\":%llu}\n",
			       ev.nmem, (unsigned long long)payload);
		} else {
			printf("%8llu  icount %-12llu ", (unsigned long long)seq,
			       (unsigned long long)ev.icount);
			if (ev.kind == EV_SYSCALL) {
				printf("%s(", d ? d->name : "syscall?");
				for (int k = 0; k < nargs; k++) {
					char a[48];
					format_arg(d ? d->args[k] : SA_HEX,
						   ev.args[k], a, sizeof(a));
					printf("%s%s", k ? ", " : "", a);
				}
				/* addresses (mmap, mremap, brk) in hex */
				if (ev.result >= 0 && d &&
				    (strcmp(d->name, "mmap") == 0 ||
				     strcmp(d->name, "mremap") == 0 ||
				     strcmp(d->name, "brk") == 0))
					printf(") = %#llx",
					       (unsigned long long)ev.result);
				else
					printf(") = %lld", (long long)ev.result);
				if (ev.result < 0 && ev.result > -4096)
					printf(" (%s)", strerror((int)-ev.result));
			} else if (ev.kind == EV_EXIT) {
				printf("exit: wait status %#llx",
				       (unsigned long long)ev.result);
			} else if (ev.kind == EV_MMAP_FILE) {
				printf("file mapping at %#llx, %llu bytes",
				       (unsigned long long)ev.args[0],
				       (unsigned long long)ev.args[1]);
			} else {
				printf("%s = %#llx", event_kind_name(ev.kind),
				       (unsigned long long)ev.value);
			}
			if (ev.nmem)
				printf("  [wrote %llu bytes in %u region%s]",
				       (unsigned long long)payload, ev.nmem,
				       ev.nmem == 1 ? "" : "s");
			putchar('\n');
		}
		event_free(&ev);
	}
	if (stats && !status) {
		printf("%-10s %10s %14s\n", "kind", "events", "payload bytes");
		for (int k = 1; k <= EV_KIND_MAX; k++)
			if (count[k])
				printf("%-10s %10llu %14llu\n", event_kind_name(k),
				       (unsigned long long)count[k],
				       (unsigned long long)bytes[k]);
		struct trace_stats ts;
		rc = trace_stats(t, &ts);
		if (rc < 0) {
			status = fail(REWIND_EXIT_INTERNAL, "%s: %s", tpath,
				      trace_strerror(rc));
		} else {
			/* (not "bytes per event": tools/bench.sh reads
			 * that from the trace file line) */
			double d = n ? (double)n : 1;
			printf("batches: %llu, events encoded %llu bytes "
			       "(%.1f per event), stored %llu bytes "
			       "(%.1f per event)\n",
			       (unsigned long long)ts.batches,
			       (unsigned long long)ts.encoded_bytes,
			       (double)ts.encoded_bytes / d,
			       (unsigned long long)ts.stored_bytes,
			       (double)ts.stored_bytes / d);
			printf("blobs: %llu, %llu bytes, stored %llu bytes\n",
			       (unsigned long long)ts.blobs,
			       (unsigned long long)ts.blob_bytes,
			       (unsigned long long)ts.blob_stored_bytes);
		}
		struct stat st;
		if (stat(tpath, &st) == 0 && n)
			printf("trace file: %lld bytes, %.1f bytes per event\n",
			       (long long)st.st_size,
			       (double)st.st_size / (double)n);
	}
	trace_close(t);
	free(tpath);
	return status;
}

/* Read a whole file into memory (for packing the executable). */
static int read_file(const char *path, void **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -errno;
	size_t cap = 1 << 20, n = 0;
	uint8_t *buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (n < cap)
			break;
		uint8_t *nb = cap < TRACE_BLOB_MAX ? realloc(buf, cap * 2) : NULL;
		if (!nb) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = nb;
		cap *= 2;
	}
	int err = ferror(f) ? -EIO : buf ? 0 : -EFBIG;
	fclose(f);
	if (err) {
		free(buf);
		return err;
	}
	*data = buf;
	*len = n;
	return 0;
}

/* Meta keys a trace carries (pack copies them). */
static const char *const meta_keys[] = {
	"argv", "envp", "exe", "exe_real", "exe_sha256", "cwd", "cpu",
	"engine", "ids", "start_time", "wait_status", "icount",
};

/*
 * rewind pack [TRACE] [-o FILE]: a self-contained copy of the trace.  It
 * already holds every input the guest read (syscall results and the bytes
 * of every file it mapped); pack adds the executable, so that the trace
 * replays where the executable is missing or was rebuilt.  Without -o the
 * trace is replaced by its packed copy.
 */
static int cmd_pack(int argc, char **argv)
{
	const char *arg = NULL, *out = NULL;
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (trace_arg("pack", argv[i], &arg))
			return REWIND_EXIT_INTERNAL;
	}
	struct trace *src, *dst = NULL;
	char *tpath, *tmp = NULL, *exe = NULL, *want = NULL, *load = NULL;
	char why[8800];
	void *data = NULL;
	size_t len;
	int rc = open_trace(arg, &src, &tpath);
	if (rc)
		return rc;
	int status = REWIND_EXIT_INTERNAL;
	if (!out)
		out = tpath;
	if (asprintf(&tmp, "%s.pack-%d", out, (int)getpid()) < 0) {
		tmp = NULL;
		fail(REWIND_EXIT_INTERNAL, "out of memory");
		goto done;
	}
	exe = replay_meta_string(src, "exe", NULL);
	want = replay_meta_string(src, "exe_sha256", NULL);
	if (!exe || !want) {
		fail(REWIND_EXIT_INTERNAL, "%s: the trace's meta data is "
		     "missing or malformed (exe)", tpath);
		goto done;
	}
	if (replay_locate_executable(src, exe, want, &load, why,
				     sizeof(why)) < 0) {
		fail(REWIND_EXIT_INTERNAL, "%s: %s", tpath, why);
		goto done;
	}
	if ((rc = trace_create(tmp, &dst)) < 0)
		goto trace_error;
	for (size_t k = 0; k < sizeof(meta_keys) / sizeof(*meta_keys); k++) {
		void *v;
		size_t n;
		rc = trace_meta_get(src, meta_keys[k], &v, &n);
		if (rc == TRACE_ENOKEY)
			continue;
		if (rc < 0)
			goto trace_error;
		rc = trace_meta_put(dst, meta_keys[k], v, n);
		free(v);
		if (rc < 0)
			goto trace_error;
	}
	uint64_t n = trace_event_count(src);
	for (uint64_t seq = 0; seq < n; seq++) {
		struct event ev;
		if ((rc = trace_read_event(src, seq, &ev)) < 0)
			goto trace_error;
		if (ev.kind == EV_MMAP_FILE) {
			uint8_t h[32];
			rc = trace_blob_get(src, ev.hash, &data, &len);
			if (rc >= 0)
				rc = trace_blob_put(dst, data, len, h);
			free(data);
			data = NULL;
		}
		if (rc >= 0)
			rc = trace_append(dst, &ev, NULL);
		event_free(&ev);
		if (rc < 0)
			goto trace_error;
	}
	uint8_t h[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];
	if ((rc = read_file(load, &data, &len)) < 0) {
		fail(REWIND_EXIT_INTERNAL, "%s: %s", load, strerror(-rc));
		goto done;
	}
	if ((rc = trace_blob_put(dst, data, len, h)) < 0)
		goto trace_error;
	sha256_to_hex(h, hex);
	if ((rc = trace_meta_put(dst, "exe_blob", hex, 64)) < 0)
		goto trace_error;
	rc = trace_close(dst);
	dst = NULL;
	if (rc < 0)
		goto trace_error;
	if (rename(tmp, out) < 0) {
		fail(REWIND_EXIT_INTERNAL, "%s: %s", out, strerror(errno));
		goto done;
	}
	fprintf(stderr, "rewind: packed %s: %llu events and the executable "
		"(%zu bytes)\n", out, (unsigned long long)n, len);
	status = 0;
	goto done;
trace_error:
	fail(REWIND_EXIT_INTERNAL, "%s: %s", tpath, trace_strerror(rc));
done:
	if (dst)
		trace_close(dst);
	if (tmp && status)
		unlink(tmp);
	free(data);
	free(tmp);
	free(exe);
	free(want);
	free(load);
	trace_close(src);
	free(tpath);
	return status;
}

static const char *const planned_commands[] = {
	"repl", "report",
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
	if (strcmp(cmd, "record") == 0)
		return cmd_record(argc - 2, argv + 2);
	if (strcmp(cmd, "replay") == 0)
		return cmd_replay(argc - 2, argv + 2);
	if (strcmp(cmd, "dump") == 0)
		return cmd_dump(argc - 2, argv + 2);
	if (strcmp(cmd, "pack") == 0)
		return cmd_pack(argc - 2, argv + 2);
	if (strcmp(cmd, "gdbserver") == 0)
		return cmd_gdbserver(argc - 2, argv + 2);
	if (strcmp(cmd, "debug") == 0)
		return cmd_debug(argc - 2, argv + 2);
	if (strcmp(cmd, "index") == 0)
		return cmd_index(argc - 2, argv + 2);
	for (i = 0; i < sizeof(planned_commands) / sizeof(*planned_commands);
	     i++)
		if (strcmp(cmd, planned_commands[i]) == 0)
			return fail(REWIND_EXIT_INTERNAL,
				    "'%s' is not implemented yet", cmd);
	return fail(REWIND_EXIT_INTERNAL,
		    "unknown command '%s'; try 'rewind --help'", cmd);
}
