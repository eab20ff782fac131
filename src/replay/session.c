/*
 * session.c - the replay timeline: seek, reverse execution, stop
 * conditions, snapshots under a memory budget, diversions (see
 * session.h).
 *
 * The one primitive is advance(): run the replay forwards from where it
 * stands to an icount, in one of three modes (no stops at all; stop at
 * the first hit; log every hit and go on), taking snapshots on the way
 * wherever the timeline has none within the current spacing.  Everything
 * else is built from it and restore():
 *
 *   seek(t)            restore the last snapshot at or before t (unless
 *                      the current moment is nearer), advance to t.
 *   continue           advance in stop mode to the end of the history.
 *   reverse-continue   for the interval [snapshot, now) and then each
 *                      earlier interval: restore its start, advance in log
 *                      mode to its end, and take the last hit before now;
 *                      seek there.  No hit before the first snapshot:
 *                      the start of the trace.
 *   step / reverse     advance by one, or seek(now - 1).
 *
 * Snapshot spacing adapts to the engine's measured speed so that
 * re-executing one interval takes about TARGET_SECONDS.  A seek that
 * re-executes a long stretch also leaves a snapshot near its target, so
 * that repeated steps backwards get cheaper (denser snapshots near the
 * moment of interest).  When snapshots take more memory than the budget,
 * the ones whose removal loses least (small gaps far from the current
 * moment) go first, which keeps a logarithmic spread around the present.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/debug.h"
#include "engine/engine.h"
#include "gc/pagestore.h"
#include "mem/mem.h"
#include "os/journal.h"
#include "os/proc.h"
#include "replay/replay.h"
#include "replay/session.h"
#include "replay/snapfile.h"
#include "replay/snapshot.h"
#include "trace/event.h"
#include "trace/le.h"
#include "trace/trace.h"

#define TARGET_SECONDS 0.05		/* re-execution per interval */
#define INTERVAL_MIN 200000ULL
#define INTERVAL_MAX 2000000000ULL
#define INTERVAL_START 5000000ULL
#define REFINE_MIN 20000ULL		/* seeks shorter than this leave
					   no snapshot behind */
#define CHUNK 50000000ULL		/* instructions between polls */
#define SYS_exit_nr 60
#define SYS_exit_group_nr 231

enum end_kind {
	END_UNKNOWN,	/* not reached yet (a truncated trace) */
	END_EXIT,	/* end = the exit/exit_group syscall instruction */
	END_KILLED,	/* end = the signal stop before the fatal signal */
	END_TRUNCATED,	/* end = where the trace stops */
};

/* Hits collected in log mode. */
struct hitlog {
	struct debug_hit *h;
	size_t n, cap;
	uint64_t below;		/* only hits with icount < below count, */
	uint64_t rip;		/* and signals at icount below delivered
				   before now: not to the instruction at
				   rip (see session_continue) */
	int oom;
};

struct session {
	struct replay *r;
	struct proc *p;
	struct cpu *c;
	const struct engine_ops *eng;

	struct ptstore st;
	struct snapshot **snaps;	/* sorted by icount; [0] at 0 */
	size_t nsnaps, capsnaps;
	struct snapshot *base;		/* memory is in sync with it */
	uint64_t snap_bytes;		/* records of snaps[] */
	uint64_t budget, peak, thinned, executed, loaded;
	uint64_t interval;
	int fixed_interval;
	double ips;			/* measured instructions per second */

	struct cpu_debug dbg;
	struct cpu_debug sigdbg;	/* signals only (seek_to_signal) */
	struct session_stop last;	/* the last stop reported */

	enum end_kind end_kind;
	uint64_t end_icount;
	int exited;
	int wait_status;

	int diverted;
	struct snapshot *div_origin;	/* the moment a diversion left */
	struct session_stop div_last;	/* and the stop it was at */

	int (*poll)(void *ctx);
	void *poll_ctx;

	uint8_t auxv[512];
	size_t auxv_len;
	char error[700];
};

/* ------------------------------------------------------------ helpers */

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t memory_total(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
	if (pages <= 0 || size <= 0)
		return 4ULL << 30;
	return (uint64_t)pages * (uint64_t)size;
}

static uint64_t bytes_used(const struct session *s)
{
	struct pagestore_stats ps;
	pagestore_get_stats(s->st.ps, &ps);
	return ps.bytes + s->st.node_bytes + s->snap_bytes;
}

static void set_error(struct session *s, const char *msg)
{
	if (!s->error[0])
		snprintf(s->error, sizeof(s->error), "%s", msg);
}

static uint64_t icount_now(const struct session *s)
{
	return s->c->icount;
}

/* ------------------------------------------------------------ timeline */

/* Index of the last snapshot with icount <= t (snaps[0] is at 0). */
static size_t snap_at_or_before(const struct session *s, uint64_t t)
{
	size_t lo = 0, hi = s->nsnaps;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (s->snaps[mid]->icount <= t)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* Drop snapshot k from the timeline (never the base or the first). */
static void snap_remove(struct session *s, size_t k)
{
	struct snapshot *x = s->snaps[k];
	s->snap_bytes -= x->bytes;
	snapshot_free(&s->st, x);
	memmove(&s->snaps[k], &s->snaps[k + 1],
		(s->nsnaps - k - 1) * sizeof(*s->snaps));
	s->nsnaps--;
}

/*
 * Keep the snapshots under the budget: drop, one at a time, the one
 * whose removal leaves the smallest gap relative to its distance from
 * the current moment (so the spread stays dense near the present and
 * thins out logarithmically into the past and future).
 */
static void thin(struct session *s, uint64_t room)
{
	uint64_t used = bytes_used(s);
	if (used > s->peak)
		s->peak = used;
	if (room > s->budget / 2)
		room = s->budget / 2;	/* a huge change: do what we can */
	if (used + room <= s->budget)
		return;
	uint64_t goal = s->budget - room - s->budget / 8, now = icount_now(s);
	while (bytes_used(s) > goal && s->nsnaps > 2) {
		size_t best = 0;
		double best_score = 0;
		for (size_t k = 1; k < s->nsnaps; k++) {
			if (s->snaps[k] == s->base)
				continue;
			uint64_t t = s->snaps[k]->icount;
			uint64_t prev = s->snaps[k - 1]->icount;
			uint64_t next = k + 1 < s->nsnaps ?
				s->snaps[k + 1]->icount : t + (t - prev);
			uint64_t dist = t > now ? t - now : now - t;
			double score = (double)(next - prev) /
				       (double)(dist + s->interval);
			if (!best || score < best_score) {
				best = k;
				best_score = score;
			}
		}
		if (!best)
			break;
		snap_remove(s, best);
		s->thinned++;
	}
}

/* Insert snapshot x into the timeline, which takes it over (sorted; one
 * already there at that icount wins and x is freed).  0 or -ENOMEM (x
 * freed). */
static int snap_insert(struct session *s, struct snapshot *x)
{
	size_t k = snap_at_or_before(s, x->icount);
	if (s->snaps[k]->icount == x->icount) {
		snapshot_free(&s->st, x);
		return 0;
	}
	if (s->nsnaps == s->capsnaps) {
		size_t cap = s->capsnaps * 2;
		struct snapshot **n = realloc(s->snaps, cap * sizeof(*n));
		if (!n) {
			snapshot_free(&s->st, x);
			return -ENOMEM;
		}
		s->snaps = n;
		s->capsnaps = cap;
	}
	memmove(&s->snaps[k + 2], &s->snaps[k + 1],
		(s->nsnaps - k - 1) * sizeof(*s->snaps));
	s->snaps[k + 1] = x;
	s->nsnaps++;
	s->snap_bytes += x->bytes;
	return 0;
}

/* Capture a snapshot of the current moment into the timeline (if none
 * is there yet).  Failure is not fatal: the timeline is just sparser. */
static void snap_take(struct session *s)
{
	uint64_t t = icount_now(s);
	if (s->snaps[snap_at_or_before(s, t)]->icount == t || s->diverted ||
	    s->p->exited)
		return;
	/* Make room first, so that the new snapshot fits the budget too
	 * (the estimate is what changed, uncompressed, plus the record). */
	thin(s, mem_track_bytes(s->p->mem) + sizeof(struct snapshot) +
		sizeof(struct proc));
	struct snapshot *x;
	if (snapshot_capture(&s->st, s->base, s->p, &x) < 0) {
		/* Tracking was not reset: the base stays valid. */
		return;
	}
	x->event = journal_position(s->r->j);
	/* x is the base from now on: memory is in sync with it. */
	if (snap_insert(s, x) < 0) {
		s->base = NULL;
		return;
	}
	s->base = x;
	thin(s, 0);
}

/* Restore snapshot x: the process and the journal stand at its moment. */
static int restore(struct session *s, struct snapshot *x)
{
	int err = snapshot_restore(&s->st, s->base, x, s->p);
	if (err < 0) {
		/* Memory is partly x's now: the next restore writes all. */
		s->base = NULL;
		snprintf(s->error, sizeof(s->error), "cannot restore the "
			 "snapshot at icount %llu: %s",
			 (unsigned long long)x->icount, strerror(-err));
		return err;
	}
	s->base = x;
	journal_seek(s->r->j, x->event);
	s->exited = 0;
	return 0;
}

/* The next icount at which advance() should take a snapshot, given the
 * current moment: the spacing after the last snapshot, unless the next
 * one is close anyway. */
static uint64_t next_snap_point(const struct session *s)
{
	uint64_t t = icount_now(s);
	size_t k = snap_at_or_before(s, t);
	uint64_t at = s->snaps[k]->icount + s->interval;
	if (k + 1 < s->nsnaps &&
	    s->snaps[k + 1]->icount < at + s->interval / 2)
		return UINT64_MAX;	/* covered */
	return at > t ? at : t + 1;
}

static void adapt_interval(struct session *s, uint64_t instructions,
			   double seconds)
{
	if (instructions < 1000000 || seconds <= 0)
		return;
	double ips = (double)instructions / seconds;
	s->ips = s->ips ? 0.8 * s->ips + 0.2 * ips : ips;
	if (s->fixed_interval)
		return;
	double want = s->ips * TARGET_SECONDS;
	if (want < (double)INTERVAL_MIN)
		want = (double)INTERVAL_MIN;
	if (want > (double)INTERVAL_MAX)
		want = (double)INTERVAL_MAX;
	s->interval = (uint64_t)want;
}

/* The data address a watch stop reports: the access, or the start of
 * the watched range when the access began below it (so that it lies in
 * the range, where gdb looks for it). */
static uint64_t watch_address(const struct debug_hit *h)
{
	return h->access > h->addr ? h->access : h->addr;
}

/* ------------------------------------------------------------ running */

enum advance_mode {
	RUN_FREE,	/* no stop conditions (seeking) */
	RUN_STOP,	/* stop at the first hit */
	RUN_LOG,	/* log every hit */
	RUN_SIGNALS,	/* stop at the first signal (s->sigdbg) */
};

static void log_hit(void *ctx, const struct debug_hit *h)
{
	struct hitlog *l = ctx;
	if (h->kind == DBG_CANCEL) {
		/* (a signal delivered before the faulting instruction, which
		 * may be a handler's first, stays) */
		while (l->n && l->h[l->n - 1].icount == h->icount &&
		       l->h[l->n - 1].kind != DBG_SIGNAL)
			l->n--;
		return;
	}
	if (h->icount > l->below || (h->icount == l->below &&
	    (h->kind != DBG_SIGNAL || h->rip == l->rip)))
		return;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct debug_hit *n = realloc(l->h, cap * sizeof(*n));
		if (!n) {
			l->oom = 1;
			return;
		}
		l->h = n;
		l->cap = cap;
	}
	l->h[l->n++] = *h;
}

/*
 * The end of the history was reached by running into it: a truncated
 * trace (the journal ran out) leaves the process killed by the journal;
 * step back to just before the instruction that needed the missing
 * event.
 */
static int end_reached_by_failure(struct session *s, struct session_stop *st);

/*
 * Run forwards to icount `limit` (or a stop).  Returns 0 and fills st:
 * STEP when limit was reached, or BREAK/WATCH/SIGNAL (RUN_STOP), EXITED,
 * END, INTERRUPT, ERROR.
 */
static int advance(struct session *s, uint64_t limit, enum advance_mode mode,
		   struct hitlog *log, struct session_stop *st)
{
	struct cpu *c = s->c;
	memset(st, 0, sizeof(*st));
	if (mode == RUN_FREE) {
		debug_attach(c, NULL);
	} else if (mode == RUN_SIGNALS) {
		debug_attach(c, &s->sigdbg);
	} else {
		s->dbg.log = mode == RUN_LOG ? log_hit : NULL;
		s->dbg.log_ctx = log;
		s->dbg.stop_signals = 1;
		debug_attach(c, &s->dbg);
	}
	uint64_t i0 = c->icount, polled = c->icount;
	int rc = 0;
	for (;;) {
		if (s->p->exited) {
			st->reason = SESSION_STOP_EXITED;
			st->wait_status = s->p->wait_status;
			break;
		}
		if (c->icount >= limit) {
			st->reason = SESSION_STOP_STEP;
			break;
		}
		uint64_t stop_at = limit;
		uint64_t snap = s->diverted ? UINT64_MAX : next_snap_point(s);
		if (snap < stop_at)
			stop_at = snap;
		if (stop_at - c->icount > CHUNK)
			stop_at = c->icount + CHUNK;
		uint64_t before = c->icount;
		double t1 = now_seconds();
		enum engine_stop why = s->eng->run(c, stop_at);
		/* The spacing follows the engine's speed as it goes. */
		adapt_interval(s, c->icount - before, now_seconds() - t1);
		if (why == ENGINE_STOP_ICOUNT) {
			if (c->icount == snap)
				snap_take(s);
			if (s->poll && c->icount - polled >= CHUNK / 2) {
				polled = c->icount;
				if (s->poll(s->poll_ctx)) {
					st->reason = SESSION_STOP_INTERRUPT;
					break;
				}
			}
			continue;
		}
		if (why == ENGINE_STOP_DEBUG) {
			const struct debug_hit *h = &c->dbg->hit;
			st->addr = h->addr;
			if (h->kind == DBG_BREAK) {
				st->reason = SESSION_STOP_BREAK;
			} else if (h->kind == DBG_DELIVERED) {
				st->reason = SESSION_STOP_STEP;
			} else if (h->kind == DBG_SIGNAL) {
				st->reason = SESSION_STOP_SIGNAL;
				st->sig = h->sig;
			} else {
				st->reason = SESSION_STOP_WATCH;
				st->watch_kind = h->kind;
				st->addr = watch_address(h);
			}
			break;
		}
		if (why == ENGINE_STOP_EXIT) {
			if (!s->diverted && journal_failure(s->r->j)) {
				rc = end_reached_by_failure(s, st);
				goto out;
			}
			s->exited = 1;
			s->wait_status = s->p->wait_status;
			st->reason = SESSION_STOP_EXITED;
			st->wait_status = s->p->wait_status;
			break;
		}
		snprintf(s->error, sizeof(s->error), "the engine stopped "
			 "unexpectedly (reason %d) at icount %llu", (int)why,
			 (unsigned long long)c->icount);
		st->reason = SESSION_STOP_ERROR;
		rc = -EIO;
		break;
	}
out:
	debug_attach(c, NULL);
	s->dbg.skip_break = s->dbg.skip_signal = UINT64_MAX;
	s->dbg.stop_after_signal = 0;
	s->executed += c->icount - i0;
	st->icount = c->icount;
	return rc;
}

/* Go to icount t (t within the history), without stop conditions. */
static int seek_to(struct session *s, uint64_t t, struct session_stop *st)
{
	uint64_t now = icount_now(s);
	size_t k = snap_at_or_before(s, t);
	struct snapshot *x = s->snaps[k];
	int rc = 0;
	/* Run on from here when that is no longer than from the snapshot. */
	if (s->exited || t < now || x->icount > now) {
		if ((rc = restore(s, x)) < 0) {
			st->reason = SESSION_STOP_ERROR;
			return rc;
		}
	}
	now = icount_now(s);
	/* A long way to go: leave a snapshot near the target on the way,
	 * for the steps backwards that usually follow. */
	if (t - now > REFINE_MIN) {
		uint64_t mid = t - (t - now) / 8;
		if ((rc = advance(s, mid, RUN_FREE, NULL, st)) < 0)
			return rc;
		if (st->reason != SESSION_STOP_STEP)
			return 0;
		snap_take(s);
	}
	return advance(s, t, RUN_FREE, NULL, st);
}

/*
 * Go to the stop before signal sig is delivered at icount t.  A signal
 * raised by a system call or arriving between instructions is delivered
 * before the run looks at its limit, so seek_to(t) lands after the
 * delivery, on the handler's first instruction (a moment of the same
 * icount); the stop before it is reached by running from t - 1 with
 * signals as the only stop condition.  (Of two deliveries of the same
 * signal at one icount this finds the first.)
 */
static int seek_to_signal(struct session *s, uint64_t t, int sig,
			  struct session_stop *st)
{
	int rc = seek_to(s, t ? t - 1 : 0, st);
	if (rc < 0)
		return rc;
	s->sigdbg.skip_signal = UINT64_MAX;
	for (int tries = 0; tries < 64; tries++) {
		if ((rc = advance(s, t + 1, RUN_SIGNALS, NULL, st)) < 0)
			return rc;
		if (st->reason != SESSION_STOP_SIGNAL || st->icount > t)
			break;
		if (st->icount == t && st->sig == sig)
			return 0;
		/* an earlier one: deliver it and go on */
		s->sigdbg.skip_signal = st->icount;
	}
	snprintf(s->error, sizeof(s->error), "signal %d at icount %llu was "
		 "not found again", sig, (unsigned long long)t);
	st->reason = SESSION_STOP_ERROR;
	return -EIO;
}

static int end_reached_by_failure(struct session *s, struct session_stop *st)
{
	uint64_t at = journal_failure_icount(s->r->j);
	char msg[600];
	snprintf(msg, sizeof(msg), "%s", journal_failure(s->r->j));
	if (journal_failure_code(s->r->j) != 0 ||
	    !strstr(msg, "the trace ends here")) {
		/* A divergence or a damaged trace, not an end. */
		set_error(s, msg);
		st->reason = SESSION_STOP_ERROR;
		st->icount = icount_now(s);
		return -EIO;
	}
	s->end_kind = END_TRUNCATED;
	s->end_icount = at;
	int rc = seek_to(s, at, st);
	if (rc < 0)
		return rc;
	st->reason = SESSION_STOP_END;
	st->icount = icount_now(s);
	return 0;
}

/* ------------------------------------------------------------ open */

/* What the trace says about its end: the EV_EXIT event and the event
 * before it. */
static void find_end(struct session *s)
{
	struct trace *t = s->r->trace;
	uint64_t n = trace_event_count(t);
	struct event last, prev;
	s->end_kind = END_UNKNOWN;
	if (n < 1 || trace_read_event(t, n - 1, &last) < 0)
		return;
	if (last.kind == EV_EXIT) {
		s->end_kind = END_KILLED;
		s->end_icount = last.icount;
		s->wait_status = (int)last.result;
		if (n >= 2 && trace_read_event(t, n - 2, &prev) == 0) {
			if (prev.kind == EV_SYSCALL &&
			    (prev.nr == SYS_exit_group_nr ||
			     prev.nr == SYS_exit_nr) &&
			    prev.icount + 1 == last.icount) {
				s->end_kind = END_EXIT;
				s->end_icount = prev.icount;
			}
			event_free(&prev);
		}
	}
	event_free(&last);
}

/* ------------------------------------------------------------ index */

/* The meta value "snapshots": magic, version, the trace's event count
 * (an index belongs to its trace), then one 32-byte record hash each. */
#define INDEX_MAGIC 0x58535752u		/* "RWSX" */
#define INDEX_HDR 16

static int index_get_page(void *ctx, const uint8_t hash[32], void *out)
{
	struct trace *t = ctx;
	void *data;
	size_t len;
	int rc = trace_blob_get(t, hash, &data, &len);
	if (rc < 0)
		return rc;
	if (len != PAGESTORE_PAGE) {
		free(data);
		return TRACE_ECORRUPT;
	}
	memcpy(out, data, len);
	free(data);
	return 0;
}

struct index_put {
	struct trace *t;
	uint64_t bytes;
};

static int index_put_page(void *ctx, const void *data, const uint8_t hash[32])
{
	struct index_put *ip = ctx;
	int have = trace_blob_has(ip->t, hash);
	if (have)
		return have < 0 ? have : 0;
	uint8_t h[SHA256_LEN];
	ip->bytes += PAGESTORE_PAGE;
	return trace_blob_put(ip->t, data, PAGESTORE_PAGE, h);
}

/* Load the trace's snapshot index, when it has one. */
static int index_load(struct session *s, char *err, size_t errlen)
{
	struct trace *t = s->r->trace;
	size_t len = 0;
	uint8_t *v = (uint8_t *)replay_meta_string(t, "snapshots", &len);
	int rc = 0;
	if (!v)
		return 0;
	if (len < INDEX_HDR || (len - INDEX_HDR) % SHA256_LEN ||
	    le_get(v, 8) != ((uint64_t)1 << 32 | INDEX_MAGIC)) {
		snprintf(err, errlen, "%s: the snapshot index is malformed",
			 s->r->trace_path);
		free(v);
		return TRACE_ECORRUPT;
	}
	if (le_get(v + 8, 8) != trace_event_count(t)) {
		/* Not this trace's index (it cannot happen unless the file
		 * was edited): replay without it. */
		free(v);
		return 0;
	}
	size_t n = (len - INDEX_HDR) / SHA256_LEN;
	/* Each record lists the pages that differ from the one before: the
	 * previous record is the base of the next.  Record 0 (icount 0) has
	 * a twin captured live, so it is kept only for that. */
	struct snapshot *prev = NULL, *first = NULL;
	uint64_t nevents = journal_event_count(s->r->j);
	for (size_t k = 0; k < n && rc == 0; k++) {
		void *rec;
		size_t rlen;
		struct snapshot *x;
		rc = trace_blob_get(t, v + INDEX_HDR + k * SHA256_LEN, &rec,
				    &rlen);
		if (rc < 0)
			break;
		rc = snapfile_decode(&s->st, prev, s->p, rec, rlen,
				     index_get_page, t, &x);
		free(rec);
		if (rc < 0)
			break;
		if ((k == 0) != (x->icount == 0) ||
		    (prev && x->icount <= prev->icount) || x->event > nevents) {
			snapshot_free(&s->st, x);
			rc = TRACE_ECORRUPT;
			break;
		}
		if (k == 0) {
			first = x;
		} else if ((rc = snap_insert(s, x)) == 0) {
			s->loaded++;
		} else {
			break;	/* x was freed */
		}
		prev = x;
	}
	snapshot_free(&s->st, first);
	free(v);
	if (rc < 0) {
		snprintf(err, errlen, "%s: the snapshot index: %s",
			 s->r->trace_path, trace_strerror(rc));
		return rc;
	}
	thin(s, 0);
	return 0;
}

int session_index_save(struct session *s, uint64_t *count, uint64_t *bytes,
		       char *err, size_t errlen)
{
	struct session_stop st;
	struct trace *t = s->r->trace;
	int rc = session_seek(s, UINT64_MAX, &st);
	if (rc < 0 || st.reason == SESSION_STOP_ERROR) {
		snprintf(err, errlen, "%s: %s", s->r->trace_path,
			 s->error[0] ? s->error : "cannot replay to the end");
		return rc < 0 ? rc : -EIO;
	}
	size_t len = INDEX_HDR + s->nsnaps * SHA256_LEN;
	uint8_t *v = malloc(len);
	if (!v) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	le_put(v, (uint64_t)1 << 32 | INDEX_MAGIC, 8);
	le_put(v + 8, trace_event_count(t), 8);
	struct index_put ip = { .t = t };
	for (size_t k = 0; k < s->nsnaps && rc == 0; k++) {
		uint8_t *rec;
		size_t rlen;
		rc = snapfile_encode(&s->st, k ? s->snaps[k - 1] : NULL,
				     s->snaps[k], index_put_page, &ip, &rec,
				     &rlen);
		if (rc < 0)
			break;
		rc = trace_blob_put(t, rec, rlen, v + INDEX_HDR + k * SHA256_LEN);
		free(rec);
	}
	if (rc == 0)
		rc = trace_meta_put(t, "snapshots", v, len);
	if (rc == 0)
		rc = trace_commit(t);
	free(v);
	if (rc < 0) {
		trace_abort(t);	/* no blobs without the list naming them */
		snprintf(err, errlen, "%s: cannot store the index: %s",
			 s->r->trace_path, trace_strerror(rc));
		return rc;
	}
	*count = s->nsnaps;
	*bytes = ip.bytes;
	return 0;
}

/* ------------------------------------------------------------ open */

int session_open(const char *trace, const struct session_opts *o,
		 struct session **out, char *err, size_t errlen)
{
	struct session *s = calloc(1, sizeof(*s));
	int rc = 0;
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	debug_init(&s->dbg);
	debug_init(&s->sigdbg);
	s->sigdbg.stop_signals = 1;
	rc = o && o->update_trace ? replay_open_update(trace, &s->r, err, errlen) :
	     replay_open(trace, &s->r, err, errlen);
	if (rc < 0)
		goto fail;
	if ((rc = replay_start(s->r, o ? o->engine : NULL,
			       !(o && o->show_output), 0, err, errlen)) < 0)
		goto fail;
	s->p = s->r->p;
	s->c = s->p->cpu;
	s->c->breaks = &s->dbg;
	s->eng = s->r->engine;
	s->budget = o && o->memory_budget ? o->memory_budget :
		    memory_total() / 8;
	s->interval = o && o->interval ? o->interval : INTERVAL_START;
	s->fixed_interval = o && o->interval;
	if ((rc = pagestore_create(&s->st.ps)) < 0) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	s->capsnaps = 64;
	s->snaps = malloc(s->capsnaps * sizeof(*s->snaps));
	if (!s->snaps) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	struct snapshot *first;
	if ((rc = snapshot_capture(&s->st, NULL, s->p, &first)) < 0) {
		snprintf(err, errlen, "cannot take the first snapshot: %s",
			 strerror(-rc));
		goto fail;
	}
	first->event = journal_position(s->r->j);
	s->snaps[0] = first;
	s->nsnaps = 1;
	s->snap_bytes = first->bytes;
	s->base = first;
	if (s->p->auxv_len <= sizeof(s->auxv) &&
	    mem_copy_in(s->p->mem, s->auxv, s->p->auxv_addr,
			s->p->auxv_len) == 0)
		s->auxv_len = s->p->auxv_len;
	find_end(s);
	if (!(o && o->no_index) && (rc = index_load(s, err, errlen)) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	session_close(s);
	return rc;
}

void session_close(struct session *s)
{
	if (!s)
		return;
	for (size_t k = 0; k < s->nsnaps; k++)
		snapshot_free(&s->st, s->snaps[k]);
	snapshot_free(&s->st, s->div_origin);
	free(s->snaps);
	if (s->st.ps)
		pagestore_destroy(s->st.ps);
	if (s->c) {
		debug_attach(s->c, NULL);
		s->c->breaks = NULL;
	}
	debug_free(&s->dbg);
	debug_free(&s->sigdbg);
	replay_close(s->r);
	free(s);
}

/* ------------------------------------------------------------ queries */

void session_position(const struct session *s, struct session_pos *pos)
{
	pos->icount = icount_now(s);
	pos->event = journal_position(s->r->j);
	pos->tid = s->c->tid;
	pos->diverted = s->diverted;
	pos->exited = s->exited;
}

int session_end(const struct session *s, uint64_t *icount)
{
	if (s->end_kind == END_UNKNOWN)
		return 0;
	*icount = s->end_icount;
	return 1;
}

const struct replay *session_replay(const struct session *s) { return s->r; }
const struct cpu *session_cpu(const struct session *s) { return s->c; }

const void *session_auxv(const struct session *s, size_t *len)
{
	*len = s->auxv_len;
	return s->auxv;
}

const char *session_error(const struct session *s)
{
	return s->error[0] ? s->error : NULL;
}

void session_set_interrupt(struct session *s, int (*poll)(void *ctx),
			   void *ctx)
{
	s->poll = poll;
	s->poll_ctx = ctx;
}

void session_get_stats(const struct session *s, struct session_stats *st)
{
	struct pagestore_stats ps;
	pagestore_get_stats(s->st.ps, &ps);
	st->snapshots = s->nsnaps;
	st->snapshot_bytes = bytes_used(s);
	st->peak_bytes = s->peak > st->snapshot_bytes ? s->peak :
			 st->snapshot_bytes;
	st->budget = s->budget;
	st->pages = ps.pages;
	st->interval = s->interval;
	st->thinned = s->thinned;
	st->executed = s->executed;
	st->loaded = s->loaded;
}

void session_state_hash(struct session *s, uint8_t out[32])
{
	journal_state_hash(s->p, s->c, out);
}

/* ------------------------------------------------------------ stops */

/* Decoded code at addr must be decoded again to see the change. */
static void break_changed(struct session *s, uint64_t addr)
{
	s->eng->invalidate(s->c, addr, 1);
}

int session_break_insert(struct session *s, uint64_t addr)
{
	int rc = debug_break_add(&s->dbg, addr);
	if (rc == 0)
		break_changed(s, addr);
	return rc;
}

int session_break_remove(struct session *s, uint64_t addr)
{
	int rc = debug_break_del(&s->dbg, addr);
	if (rc == 0)
		break_changed(s, addr);
	return rc;
}

int session_watch_insert(struct session *s, enum debug_kind kind,
			 uint64_t addr, uint64_t len)
{
	return debug_watch_add(&s->dbg, NULL, addr, len, kind);
}

void session_pass_signals(struct session *s, uint64_t mask)
{
	s->dbg.pass_signals = mask;
}

int session_watch_remove(struct session *s, enum debug_kind kind,
			 uint64_t addr, uint64_t len)
{
	return debug_watch_del(&s->dbg, NULL, addr, len, kind);
}

/* ------------------------------------------------------- diversions */

static int enter_diversion(struct session *s)
{
	if (s->diverted)
		return 0;
	if (s->exited)
		return -ESRCH;
	struct snapshot *x;
	int rc = snapshot_capture(&s->st, s->base, s->p, &x);
	if (rc < 0)
		return rc;
	x->event = journal_position(s->r->j);
	s->div_origin = x;
	s->div_last = s->last;
	s->base = x;
	s->diverted = 1;
	s->p->diverted = 1;
	s->p->journal = NULL;
	return 0;
}

/* Enter a diversion to write registers or memory there.  A fault whose
 * signal is still to be delivered is dropped: the debugger changed the
 * state (an inferior call from a crash, a fixed pointer), and the
 * instruction faults again if it still does.  (Leaving the diversion
 * restores the origin, pending fault included.) */
static int divert_for_write(struct session *s)
{
	int rc = enter_diversion(s);
	if (rc == 0)
		s->c->fault_pending = 0;
	return rc;
}

int session_leave_diversion(struct session *s)
{
	if (!s->diverted)
		return 0;
	struct snapshot *x = s->div_origin;
	s->div_origin = NULL;
	s->last = s->div_last;	/* (a signal stop stays one) */
	s->p->diverted = 0;
	s->p->journal = s->r->j;
	s->diverted = 0;
	/* Memory is in sync with x plus what the diversion changed: back
	 * to x exactly. */
	int rc = restore(s, x);
	/* x stays the base: into the timeline, unless a snapshot of the
	 * same moment is there already; then that one becomes the base
	 * (restoring it from x writes nothing: same pages) and x goes. */
	size_t k = snap_at_or_before(s, x->icount);
	if (rc == 0 && s->snaps[k]->icount == x->icount) {
		rc = restore(s, s->snaps[k]);
		snapshot_free(&s->st, x);
	} else if (rc == 0) {
		/* Out of memory (snap_insert then frees x): memory no longer
		 * matches a snapshot the timeline keeps, so the next restore
		 * writes every page. */
		if (snap_insert(s, x) < 0)
			s->base = NULL;
	} else {
		s->base = NULL;
		snapshot_free(&s->st, x);
	}
	return rc;
}

struct cpu *session_cpu_for_write(struct session *s)
{
	return divert_for_write(s) < 0 ? NULL : s->c;
}

size_t session_write_memory(struct session *s, uint64_t addr,
			    const void *buf, size_t len)
{
	if (divert_for_write(s) < 0)
		return 0;
	return mem_poke(s->p->mem, addr, buf, len);
}

/* Leave the diversion if the registers are back to the moment it left
 * (gdb restoring them after an inferior call). */
static int maybe_leave_diversion(struct session *s)
{
	if (!s->diverted)
		return 0;
	const struct cpu *o = &s->div_origin->cpu;
	if (memcmp(o->gpr, s->c->gpr, sizeof(o->gpr)) != 0 ||
	    o->rip != s->c->rip)
		return 0;
	return session_leave_diversion(s);
}

/* ------------------------------------------------------------ memory */

size_t session_read_memory(struct session *s, uint64_t addr, void *buf,
			   size_t len)
{
	size_t done = 0;
	while (done < len) {
		uint64_t a = addr + done, pg = a & GUEST_PAGE_MASK;
		if (a < addr || a >= GUEST_LIMIT)
			break;
		size_t n = GUEST_PAGE_SIZE - (a - pg);
		if (n > len - done)
			n = len - done;
		int unprotect;
		const uint8_t *p = mem_page_for_read(s->p->mem, pg, &unprotect);
		if (!p)
			break;
		memcpy((uint8_t *)buf + done, p + (a - pg), n);
		mem_page_read_done(s->p->mem, pg, unprotect);
		done += n;
	}
	return done;
}

/* ------------------------------------------------------------ motion */

/* The moment forwards execution stops at on the timeline: just before
 * the exit, or where the trace ends.  A fatal signal needs no limit: its
 * stop before delivery is the end. */
static uint64_t forward_limit(const struct session *s)
{
	if (s->diverted)
		return UINT64_MAX;
	return s->end_kind == END_EXIT || s->end_kind == END_TRUNCATED ?
	       s->end_icount : UINT64_MAX;
}

/* Resuming from the last stop: do not stop again at the breakpoint we
 * stand on, and deliver the signal we stopped for. */
static void set_skips(struct session *s)
{
	uint64_t t = icount_now(s);
	s->dbg.skip_break = t;
	s->dbg.skip_break_addr = s->c->rip;
	s->dbg.skip_signal = s->last.reason == SESSION_STOP_SIGNAL &&
			     s->last.icount == t ? t : UINT64_MAX;
}

static int finish(struct session *s, struct session_stop *st, int rc)
{
	st->icount = icount_now(s);
	if (rc < 0 && st->reason != SESSION_STOP_ERROR)
		st->reason = SESSION_STOP_ERROR;
	s->last = *st;
	return rc;
}

/* Forwards, in stop mode, to limit; END when the end of the history is
 * where it stopped. */
static int forward(struct session *s, uint64_t limit, struct session_stop *st)
{
	uint64_t end = forward_limit(s);
	int rc = 0;
	if (s->exited) {
		st->reason = SESSION_STOP_EXITED;
		st->wait_status = s->wait_status;
		return finish(s, st, 0);
	}
	if (icount_now(s) == end && !s->diverted) {
		/* Past the end: let the process exit as recorded. */
		if (s->end_kind == END_TRUNCATED) {
			st->reason = SESSION_STOP_END;
			return finish(s, st, 0);
		}
		set_skips(s);
		rc = advance(s, UINT64_MAX, RUN_STOP, NULL, st);
		if (rc == 0 && st->reason == SESSION_STOP_SIGNAL) {
			/* the fatal signal's stop, then its delivery */
			return finish(s, st, 0);
		}
		return finish(s, st, rc);
	}
	set_skips(s);
	rc = advance(s, limit < end ? limit : end, RUN_STOP, NULL, st);
	if (rc == 0 && st->reason == SESSION_STOP_STEP && limit >= end &&
	    icount_now(s) == end)
		st->reason = SESSION_STOP_END;
	return finish(s, st, rc);
}

int session_continue(struct session *s, int reverse, struct session_stop *st)
{
	memset(st, 0, sizeof(*st));
	int rc = 0;
	if (reverse) {
		if (s->diverted && (rc = session_leave_diversion(s)) < 0)
			return finish(s, st, rc);
	} else {
		if ((rc = maybe_leave_diversion(s)) < 0)
			return finish(s, st, rc);
		return forward(s, UINT64_MAX, st);
	}
	if (s->exited) {
		/* Back from beyond the end: first to the end itself. */
		uint64_t end = s->end_icount;
		rc = seek_to(s, end, st);
		if (rc < 0)
			return finish(s, st, rc);
	}
	/* A signal delivered at this icount is in the past when we stand
	 * past its delivery (on the handler's first instruction), not when
	 * we stand at its stop or before the instruction whose fault raises
	 * it: then rip is the signal's. */
	uint64_t now = icount_now(s), hi = now;
	struct hitlog log = { .below = now, .rip = s->c->rip };
	while (hi > 0) {
		size_t k = snap_at_or_before(s, hi - 1);
		struct snapshot *x = s->snaps[k];
		/* (x may be thinned away while the interval runs) */
		uint64_t lo = x->icount;
		if ((rc = restore(s, x)) < 0)
			break;
		log.n = 0;
		rc = advance(s, hi, RUN_LOG, &log, st);
		if (rc < 0)
			break;
		if (st->reason == SESSION_STOP_INTERRUPT) {
			/* Interrupted going backwards: stop at the moment
			 * the scan reached, an earlier one. */
			free(log.h);
			return finish(s, st, 0);
		}
		if (log.oom) {
			rc = -ENOMEM;
			break;
		}
		if (log.n) {
			/* The last hit.  Hits are logged in the order they
			 * happen; at one moment after the last signal there,
			 * a watchpoint beats a breakpoint (it is the more
			 * specific report). */
			struct debug_hit h = log.h[log.n - 1];
			for (size_t i = log.n; i-- > 0 &&
			     log.h[i].icount == h.icount &&
			     log.h[i].kind != DBG_SIGNAL;)
				if (log.h[i].kind != DBG_BREAK)
					h = log.h[i];
			free(log.h);
			rc = h.kind == DBG_SIGNAL ?
			     seek_to_signal(s, h.icount, h.sig, st) :
			     seek_to(s, h.icount, st);
			if (rc < 0)
				return finish(s, st, rc);
			if (h.kind == DBG_BREAK) {
				st->reason = SESSION_STOP_BREAK;
				st->addr = h.addr;
			} else if (h.kind == DBG_SIGNAL) {
				/* before its delivery, as going forwards */
				st->reason = SESSION_STOP_SIGNAL;
				st->sig = h.sig;
			} else {
				st->reason = SESSION_STOP_WATCH;
				st->watch_kind = h.kind;
				st->addr = watch_address(&h);
			}
			return finish(s, st, 0);
		}
		hi = lo;
	}
	free(log.h);
	if (rc < 0)
		return finish(s, st, rc);
	if ((rc = restore(s, s->snaps[0])) < 0)
		return finish(s, st, rc);
	memset(st, 0, sizeof(*st));
	st->reason = SESSION_STOP_START;
	return finish(s, st, 0);
}

/* Might a signal have just been delivered?  rip is a handler's address,
 * or the return address at rsp is a signal restorer (a handler that
 * SA_RESETHAND reset). */
static int at_handler_entry(struct session *s)
{
	uint64_t ret = 0, rip = s->c->rip;
	if (session_read_memory(s, s->c->gpr[R_RSP], &ret, 8) != 8)
		ret = 0;
	for (int sig = 1; sig <= GUEST_NSIG; sig++) {
		const struct guest_sigaction *a = &s->p->sigact[sig];
		if ((a->handler > 1 && a->handler == rip) ||
		    (a->restorer && a->restorer == ret))
			return 1;
	}
	return 0;
}

int session_step(struct session *s, int reverse, struct session_stop *st)
{
	memset(st, 0, sizeof(*st));
	int rc = 0;
	if (!reverse) {
		if ((rc = maybe_leave_diversion(s)) < 0)
			return finish(s, st, rc);
		/* A step from a signal stop delivers the signal and stops
		 * before the handler's first instruction, as a step of the
		 * hardware does. */
		if (s->last.reason == SESSION_STOP_SIGNAL &&
		    s->last.icount == icount_now(s))
			s->dbg.stop_after_signal = 1;
		return forward(s, icount_now(s) + 1, st);
	}
	if (s->diverted && (rc = session_leave_diversion(s)) < 0)
		return finish(s, st, rc);
	if (s->exited)
		return session_seek(s, s->end_icount, st);
	uint64_t now = icount_now(s);
	if (now == 0) {
		st->reason = SESSION_STOP_START;
		return finish(s, st, 0);
	}
	/* On a handler's first instruction, at the icount where its signal
	 * was delivered (delivery retires nothing): the step back is to the
	 * signal's stop, from which the step forwards delivered it. */
	if (at_handler_entry(s)) {
		uint64_t rip = s->c->rip;
		if ((rc = seek_to(s, now - 1, st)) < 0)
			return finish(s, st, rc);
		s->sigdbg.skip_signal = UINT64_MAX;
		if ((rc = advance(s, now, RUN_SIGNALS, NULL, st)) < 0)
			return finish(s, st, rc);
		if (st->reason == SESSION_STOP_SIGNAL && st->icount == now &&
		    s->c->rip != rip)
			return finish(s, st, 0);
	}
	rc = seek_to(s, now - 1, st);
	if (rc == 0)
		st->reason = now - 1 == 0 ? SESSION_STOP_START :
			     SESSION_STOP_STEP;
	return finish(s, st, rc);
}

int session_seek(struct session *s, uint64_t t, struct session_stop *st)
{
	memset(st, 0, sizeof(*st));
	int rc = 0;
	if (s->diverted && (rc = session_leave_diversion(s)) < 0)
		return finish(s, st, rc);
	uint64_t end = s->end_kind != END_UNKNOWN ? s->end_icount : UINT64_MAX;
	int beyond = t > end;
	if (beyond)
		t = end;
	rc = seek_to(s, t, st);
	if (rc == 0 && st->reason == SESSION_STOP_STEP &&
	    (beyond || (t == end && s->end_kind != END_UNKNOWN)))
		st->reason = SESSION_STOP_END;
	return finish(s, st, rc);
}
