/*
 * replay.c - opening a trace and building the replaying process (see
 * replay.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/cpuid.h"
#include "engine/engine.h"
#include "mem/mem.h"
#include "os/journal.h"
#include "os/proc.h"
#include "replay/replay.h"
#include "trace/hash.h"
#include "trace/trace.h"

int replay_trace_dir(char *out, size_t len)
{
	const char *env = getenv("REWIND_TRACE_DIR");
	const char *home = getenv("HOME");
	int n;
	if (env && *env)
		n = snprintf(out, len, "%s", env);
	else if (home && *home)
		n = snprintf(out, len, "%s/.local/share/rewind", home);
	else
		return -1;
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int replay_mkdirs(char *dir)
{
	for (char *q = dir + 1; *q; q++) {
		if (*q == '/') {
			*q = 0;
			mkdir(dir, 0755);
			*q = '/';
		}
	}
	return mkdir(dir, 0755) == 0 || errno == EEXIST ? 0 : -errno;
}

char *replay_trace_path(const char *arg, char *err, size_t errlen)
{
	char *path = NULL;
	char dir[4096];
	if (arg) {
		path = strdup(arg);
	} else if (replay_trace_dir(dir, sizeof(dir)) == 0) {
		if (asprintf(&path, "%s/latest", dir) < 0)
			path = NULL;
	} else {
		snprintf(err, errlen, "no trace given and no latest recording "
			 "found (HOME and REWIND_TRACE_DIR are unset)");
		return NULL;
	}
	if (!path)
		snprintf(err, errlen, "out of memory");
	return path;
}

static int trace_open_as(const char *arg, int update, struct trace **t,
			 char **path_out, char *err, size_t errlen)
{
	char *path = replay_trace_path(arg, err, errlen);
	if (!path)
		return -ENOMEM;
	int rc = update ? trace_open_update(path, t) : trace_open(path, t);
	if (rc < 0) {
		if (!arg && rc == -ENOENT)
			snprintf(err, errlen, "%s: no latest recording (give "
				 "a TRACE)", path);
		else
			snprintf(err, errlen, "%s: %s", path,
				 trace_strerror(rc));
		free(path);
		return rc;
	}
	*path_out = path;
	return 0;
}

int replay_trace_open(const char *arg, struct trace **t, char **path_out,
		      char *err, size_t errlen)
{
	return trace_open_as(arg, 0, t, path_out, err, errlen);
}

int replay_trace_open_update(const char *arg, struct trace **t,
			     char **path_out, char *err, size_t errlen)
{
	return trace_open_as(arg, 1, t, path_out, err, errlen);
}

char *replay_meta_string(struct trace *t, const char *key, size_t *len)
{
	void *v = NULL;
	size_t n = 0;
	if (trace_meta_get(t, key, &v, &n) < 0)
		return NULL;
	if (len)
		*len = n;
	return v;
}

/* Split NUL-separated bytes into a NULL-terminated vector pointing into
 * buf.  NULL on allocation failure or malformed input. */
static char **split_strings(char *buf, size_t len)
{
	size_t n = 0;
	if (len && buf[len - 1] != 0)
		return NULL;
	for (size_t k = 0; k < len; k++)
		n += buf[k] == 0;
	char **v = calloc(n + 1, sizeof(*v));
	if (!v)
		return NULL;
	for (size_t k = 0, i = 0; k < len; i++) {
		v[i] = buf + k;
		k += strlen(buf + k) + 1;
	}
	return v;
}

/* 1 when the file at path has the SHA-256 whose hex is want. */
static int file_matches(const char *path, const char *want)
{
	uint8_t h[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];
	if (!path || sha256_file(path, h) < 0)
		return 0;
	sha256_to_hex(h, hex);
	return strcmp(hex, want) == 0;
}

/* Extract the packed executable (blob `want`) into the cache directory;
 * 0 and its path, or a negative code and why. */
static int extract_packed(struct trace *t, const char *blob, const char *want,
			  char **out, char *why, size_t whylen)
{
	uint8_t h[SHA256_LEN];
	void *data = NULL;
	size_t len = 0;
	const char *cache = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char dir[4096];
	int rc;
	if (cache && *cache)
		snprintf(dir, sizeof(dir), "%s/rewind", cache);
	else
		snprintf(dir, sizeof(dir), "%s/.cache/rewind",
			 home && *home ? home : "/tmp");
	if (sha256_from_hex(blob, h) < 0 || strcmp(blob, want) != 0) {
		snprintf(why, whylen, "the packed executable's hash is "
			 "malformed");
		return TRACE_ECORRUPT;
	}
	if ((rc = trace_blob_get(t, h, &data, &len)) < 0) {
		snprintf(why, whylen, "the packed executable: %s",
			 trace_strerror(rc));
		return rc;
	}
	char path[4200], tmp[4300];
	replay_mkdirs(dir);
	snprintf(path, sizeof(path), "%s/%s", dir, want);
	snprintf(tmp, sizeof(tmp), "%s.%d", path, (int)getpid());
	FILE *f = file_matches(path, want) ? NULL : fopen(tmp, "wb");
	if (f) {
		int bad = fwrite(data, 1, len, f) != len;
		bad |= fclose(f) != 0;
		if (bad || chmod(tmp, 0755) || rename(tmp, path))
			unlink(tmp);
	}
	free(data);
	if (!file_matches(path, want)) {
		snprintf(why, whylen, "cannot extract the packed executable "
			 "into %s", dir);
		return -EIO;
	}
	*out = strdup(path);
	return *out ? 0 : -ENOMEM;
}

int replay_locate_executable(struct trace *t, const char *exe,
			     const char *want, char **out, char *why,
			     size_t whylen)
{
	char *real = replay_meta_string(t, "exe_real", NULL);
	char *blob = replay_meta_string(t, "exe_blob", NULL);
	int rc = -ENOENT;
	if (file_matches(real, want)) {
		*out = real;
		real = NULL;
		rc = 0;
	} else if (file_matches(exe, want)) {
		*out = strdup(exe);
		rc = *out ? 0 : -ENOMEM;
	} else if (blob) {
		rc = extract_packed(t, blob, want, out, why, whylen);
	}
	if (rc == -ENOENT) {
		if (access(real ? real : exe, R_OK) == 0)
			snprintf(why, whylen, "the executable %s changed since "
				 "the recording (sha256 differs; `rewind pack` "
				 "makes a trace carry its executable)",
				 real ? real : exe);
		else
			snprintf(why, whylen, "the recorded executable %s is not "
				 "readable and the trace is not packed",
				 real ? real : exe);
	}
	free(real);
	free(blob);
	return rc;
}

/* A decimal meta value; 0 when present and well formed. */
static int meta_number(struct trace *t, const char *key, long long *out)
{
	char *s = replay_meta_string(t, key, NULL), *end;
	if (!s)
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	int bad = errno || end == s || *end;
	free(s);
	return bad ? -1 : 0;
}

static int open_replay(const char *arg, int update, struct replay **out,
		       char *err, size_t errlen);

int replay_open(const char *arg, struct replay **out, char *err,
		size_t errlen)
{
	return open_replay(arg, 0, out, err, errlen);
}

int replay_open_update(const char *arg, struct replay **out, char *err,
		       size_t errlen)
{
	return open_replay(arg, 1, out, err, errlen);
}

static int open_replay(const char *arg, int update, struct replay **out,
		       char *err, size_t errlen)
{
	struct replay *r = calloc(1, sizeof(*r));
	char *exe = NULL, *want = NULL, *cpu = NULL, *ids = NULL;
	size_t alen = 0, elen = 0;
	int rc;
	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rc = trace_open_as(arg, update, &r->trace, &r->trace_path, err,
			   errlen);
	if (rc < 0)
		goto fail;
	r->argv_buf = replay_meta_string(r->trace, "argv", &alen);
	r->envp_buf = replay_meta_string(r->trace, "envp", &elen);
	exe = replay_meta_string(r->trace, "exe", NULL);
	want = replay_meta_string(r->trace, "exe_sha256", NULL);
	cpu = replay_meta_string(r->trace, "cpu", NULL);
	ids = replay_meta_string(r->trace, "ids", NULL);
	if (!r->argv_buf || !r->envp_buf || !exe || !want || !cpu ||
	    !(r->argv = split_strings(r->argv_buf, alen)) || !r->argv[0] ||
	    !(r->envp = split_strings(r->envp_buf, elen)) ||
	    !(r->cpu_level = cpuid_parse_level(cpu)) ||
	    !ids || sscanf(ids, "%d %d", &r->uid, &r->gid) != 2) {
		snprintf(err, errlen, "%s: the trace's meta data is missing or "
			 "malformed (argv, envp, exe, cpu, ids)", r->trace_path);
		rc = TRACE_ECORRUPT;
		goto fail;
	}
	long long icount, status;
	if (meta_number(r->trace, "icount", &icount) == 0 &&
	    meta_number(r->trace, "wait_status", &status) == 0 &&
	    icount >= 0) {
		r->have_end = 1;
		r->end_icount = (uint64_t)icount;
		r->end_status = (int)status;
	}
	char why[8800];
	rc = replay_locate_executable(r->trace, exe, want, &r->exe, why,
				      sizeof(why));
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", r->trace_path, why);
		goto fail;
	}
	r->exe_recorded = exe;
	exe = NULL;
	free(want);
	free(cpu);
	free(ids);
	*out = r;
	return 0;
fail:
	free(exe);
	free(want);
	free(cpu);
	free(ids);
	replay_close(r);
	return rc;
}

int replay_start(struct replay *r, const char *engine, int quiet,
		 int verbose, char *err, size_t errlen)
{
	int rc;
	r->engine = engine_find(engine);
	if (!r->engine) {
		snprintf(err, errlen, "unknown engine '%s'", engine);
		return -EINVAL;
	}
	if (!cpuid_host_supports(r->cpu_level)) {
		snprintf(err, errlen, "%s: recorded with --cpu=x86-64-v%d, "
			 "which needs a host CPU with LAHF in 64-bit mode "
			 "(and for v2 SSE4.2 and POPCNT)",
			 r->trace_path, r->cpu_level);
		return -ENOTSUP;
	}
	if ((rc = mem_install_fault_handler()) < 0) {
		snprintf(err, errlen, "cannot install the fault handler: %s",
			 strerror(-rc));
		return rc;
	}
	if ((rc = journal_create(r->trace, JOURNAL_REPLAY, &r->j)) < 0) {
		snprintf(err, errlen, "out of memory");
		return rc;
	}
	struct proc_launch l = {
		.path = r->exe, .argv = r->argv, .envp = r->envp,
		.cpu_level = r->cpu_level, .verbose = verbose,
		.replay_quiet = quiet, .load_as = r->exe_recorded,
		.uid = r->uid, .gid = r->gid, .have_ids = 1, .journal = r->j,
	};
	char why[512];
	rc = proc_launch(&l, &r->p, why, sizeof(why));
	if (rc != 0) {
		if (journal_failure(r->j))
			snprintf(err, errlen, "%s: replay stopped: %s",
				 r->trace_path, journal_failure(r->j));
		else
			snprintf(err, errlen, "%s", why);
		return rc < 0 ? rc : -EIO;
	}
	return 0;
}

void replay_close(struct replay *r)
{
	if (!r)
		return;
	if (r->p) {
		/* The process is gone: the fault handler must forget it. */
		mem_set_current(NULL, NULL);
		if (r->engine)
			r->engine->release(r->p->cpu);
		r->p->journal = NULL;
		proc_destroy(r->p);
	}
	if (r->j)
		journal_destroy(r->j);
	if (r->trace)
		trace_close(r->trace);
	free(r->trace_path);
	free(r->exe);
	free(r->exe_recorded);
	free(r->argv);
	free(r->envp);
	free(r->argv_buf);
	free(r->envp_buf);
	free(r);
}
