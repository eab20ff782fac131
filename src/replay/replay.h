/*
 * replay.h - opening a recorded trace and building the process that
 * replays it.
 *
 * Owns: finding a trace (a path, or the latest recording), reading and
 * checking what the recording says about the run (argv, envp, the
 * executable and its hash, the CPU model, the identity), finding the
 * executable by its content hash (where it was, or the copy `rewind
 * pack` stored in the trace), and creating the guest process at icount 0
 * with a replay journal.  Used by `rewind replay`, `rewind pack` and the
 * replay session (session.h).
 *
 * Does not own: running the replay (the caller runs the engine, or the
 * session does), the journal (src/os/journal.h), the trace format
 * (src/trace).  Errors come back as a negative code and one line of text;
 * printing them is the CLI's job.
 */
#ifndef REWIND_REPLAY_REPLAY_H
#define REWIND_REPLAY_REPLAY_H

#include <stddef.h>
#include <stdint.h>

struct trace;
struct proc;
struct journal;
struct engine_ops;

struct replay {
	struct trace *trace;
	char *trace_path;
	char *exe;		/* the file replay loads (content checked) */
	char *exe_recorded;	/* its path as recorded (AT_EXECFN) */
	char **argv, **envp;
	int cpu_level;		/* enum cpu_level */
	int uid, gid;
	/* From the recording's end, when it got there: the final icount and
	 * wait status (have_end == 0 for a recorder that was killed). */
	int have_end;
	uint64_t end_icount;
	int end_status;

	/* After replay_start: the process at icount 0 and its journal. */
	const struct engine_ops *engine;
	struct proc *p;
	struct journal *j;

	char *argv_buf, *envp_buf;	/* backing of argv/envp */
};

/*
 * The path of the trace to use: arg, or the latest recording
 * ($REWIND_TRACE_DIR/latest or ~/.local/share/rewind/latest) when arg is
 * NULL.  Returns a malloc'd path, or NULL with a reason in err.
 */
char *replay_trace_path(const char *arg, char *err, size_t errlen);
/* Where recordings go without -o: $REWIND_TRACE_DIR, or
 * ~/.local/share/rewind.  0, or -1 when neither is set (or too long). */
int replay_trace_dir(char *out, size_t len);
/* mkdir -p: 0, or -errno for the last directory. */
int replay_mkdirs(char *dir);

/* Open the trace (see replay_trace_path) read-only.  0, or a negative
 * code with one line in err naming the trace and the problem. */
int replay_trace_open(const char *arg, struct trace **t, char **path,
		      char *err, size_t errlen);
int replay_trace_open_update(const char *arg, struct trace **t, char **path,
			     char *err, size_t errlen);

/* A meta value as a malloc'd NUL-terminated string, or NULL. */
char *replay_meta_string(struct trace *t, const char *key, size_t *len);

/*
 * Find the executable the trace was recorded with, by its SHA-256 `want`
 * (hex): where the recording found it (its real path, then the path as
 * given), else the packed copy extracted into $XDG_CACHE_HOME/rewind or
 * ~/.cache/rewind.  0 and a malloc'd path in *out, or a negative code
 * and the reason in why.
 */
int replay_locate_executable(struct trace *t, const char *exe,
			     const char *want, char **out, char *why,
			     size_t whylen);

/* Open a trace for replay: meta data read and checked, executable
 * located.  0, or a negative code with one line in err. */
int replay_open(const char *arg, struct replay **out, char *err,
		size_t errlen);
/* The same, with the trace opened for adding meta values and blobs
 * (trace_open_update), for `rewind index`. */
int replay_open_update(const char *arg, struct replay **out, char *err,
		       size_t errlen);

/* Create the replaying process at icount 0 on engine `engine` (NULL: the
 * default).  quiet: replayed output is not shown.  0, or a negative code
 * with one line in err (a divergence already at the start included). */
int replay_start(struct replay *r, const char *engine, int quiet,
		 int verbose, char *err, size_t errlen);

/* Free everything, the process (and its engine state) included. */
void replay_close(struct replay *r);

#endif
