/*
 * server.c - the GDB remote stub (see server.h).
 *
 * One request at a time, in all-stop mode: gdb sends a packet, the stub
 * answers it; a resume request answers with a stop reply when the
 * session stops.  While the session runs, the interrupt callback reads
 * the socket for gdb's ^C (0x03).
 *
 * The guest is one process with one thread (pid and tid are the guest's
 * own, 1000); thread ids are sent in the plain form (multiprocess is not
 * offered).  Signal numbers cross the protocol in gdb's numbering, which
 * differs from Linux's above 9 (gdb_signal_from_linux).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/cpu.h"
#include "gdbstub/packet.h"
#include "gdbstub/server.h"
#include "os/journal.h"
#include "replay/replay.h"
#include "replay/session.h"

#define GUEST_TID 1000
#define MAX_FILES 8

struct stub {
	struct session *s;
	int fd;
	int log;
	int noack;
	int ended;
	enum gdb_serve_end end;
	struct gdb_reader *rd;
	struct gdb_request *req;
	struct gdb_buf reply;		/* the payload being built */
	struct gdb_buf out;		/* framed, to send */
	struct gdb_buf last;		/* last framed reply, for '-' */
	struct session_stop stop;	/* what '?' reports */
	int interrupted;
	uint64_t hwbp[64];		/* breakpoints gdb set as Z1 */
	size_t nhwbp;
	int files[MAX_FILES];		/* vFile handles: host fds */
};

/* ------------------------------------------------------------ signals */

/* Linux signal numbers to gdb's (include/gdb/signals.def). */
static uint8_t gdb_signal_from_linux(int sig)
{
	static const uint8_t map[32] = {
		[1] = 1, [2] = 2, [3] = 3, [4] = 4, [5] = 5, [6] = 6,
		[7] = 10,	/* SIGBUS */
		[8] = 8, [9] = 9,
		[10] = 30,	/* SIGUSR1 */
		[11] = 11,
		[12] = 31,	/* SIGUSR2 */
		[13] = 13, [14] = 14, [15] = 15,
		[16] = 143,	/* SIGSTKFLT: unknown to gdb */
		[17] = 20,	/* SIGCHLD */
		[18] = 19,	/* SIGCONT */
		[19] = 17,	/* SIGSTOP */
		[20] = 18,	/* SIGTSTP */
		[21] = 21, [22] = 22,
		[23] = 16,	/* SIGURG */
		[24] = 24, [25] = 25, [26] = 26, [27] = 27, [28] = 28,
		[29] = 23,	/* SIGIO */
		[30] = 32,	/* SIGPWR */
		[31] = 12,	/* SIGSYS */
	};
	if (sig > 0 && sig < 32)
		return map[sig];
	if (sig == 32)
		return 77;	/* GDB_SIGNAL_REALTIME_32 */
	if (sig >= 33 && sig <= 63)
		return (uint8_t)(45 + sig - 33);
	if (sig == 64)
		return 78;
	return 143;		/* GDB_SIGNAL_UNKNOWN */
}

/* ------------------------------------------------------------ transport */

static int send_all(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Frame and send the reply built in st->reply. */
static void send_reply(struct stub *st)
{
	gdb_buf_reset(&st->out);
	if (st->reply.err) {
		gdb_buf_reset(&st->reply);
		gdb_reply_error(&st->reply, 0x0c);	/* ENOMEM */
	}
	gdb_frame_packet(&st->out, st->reply.data, st->reply.len);
	if (st->log)
		fprintf(stderr, "[gdbstub] <- %.*s\n", (int)st->out.len,
			(const char *)st->out.data);
	if (send_all(st->fd, st->out.data, st->out.len) < 0) {
		st->ended = 1;
		st->end = GDB_SERVE_FAILED;
	}
	gdb_buf_reset(&st->last);
	gdb_buf_append(&st->last, st->out.data, st->out.len);
	gdb_buf_reset(&st->reply);
}

static void reply_str(struct stub *st, const char *s)
{
	gdb_buf_append_str(&st->reply, s);
	send_reply(st);
}

static void reply_error(struct stub *st, uint8_t code)
{
	gdb_reply_error(&st->reply, code);
	send_reply(st);
}

/* Console text for gdb (monitor output), sent as O packets. */
static void console(struct stub *st, const char *text)
{
	size_t len = strlen(text), done = 0;
	while (done < len && !st->ended) {
		int n = gdb_reply_console(&st->reply, text + done, len - done);
		if (n <= 0)
			break;
		send_reply(st);
		done += (size_t)n;
	}
}

/* The session's interrupt callback: has gdb sent ^C? */
static int poll_interrupt(void *ctx)
{
	struct stub *st = ctx;
	uint8_t buf[256];
	if (st->interrupted)
		return 1;
	for (;;) {
		ssize_t n = recv(st->fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n == 0) {
			/* gdb went away: stop running for nobody (the
			 * serve loop then sees the end of the stream) */
			st->interrupted = 1;
			break;
		}
		if (n < 0)
			break;
		if (memchr(buf, 0x03, (size_t)n))
			st->interrupted = 1;
	}
	return st->interrupted;
}

/* ------------------------------------------------------------ registers */

/* gdb's amd64 order of the general registers, as our gpr[] indices. */
static const uint8_t gpr_of_gdb[16] = {
	R_RAX, R_RBX, R_RCX, R_RDX, R_RSI, R_RDI, R_RBP, R_RSP,
	R_R8, R_R9, R_R10, R_R11, R_R12, R_R13, R_R14, R_R15,
};

/* Register regnum's value, little-endian, into out; returns its size. */
static size_t reg_get(const struct cpu *c, unsigned regnum, uint8_t *out)
{
	const struct gdb_reg *r = gdb_amd64_reg(regnum);
	uint64_t v = 0;
	if (!r)
		return 0;
	memset(out, 0, r->size);
	if (regnum < 16) {
		v = c->gpr[gpr_of_gdb[regnum]];
	} else if (regnum == GDB_AMD64_RIP) {
		v = c->rip;
	} else if (regnum == GDB_AMD64_EFLAGS) {
		v = cpu_rflags_read(c);
	} else if (regnum >= GDB_AMD64_CS && regnum <= GDB_AMD64_GS) {
		static const int seg[] = { SEG_CS, SEG_SS, SEG_DS, SEG_ES,
					   SEG_FS, SEG_GS };
		v = c->seg[seg[regnum - GDB_AMD64_CS]];
	} else if (regnum >= GDB_AMD64_ST0 && regnum < GDB_AMD64_ST0 + 8) {
		const struct fpreg *f =
			&c->fpu.fpr[(c->fpu.top + regnum - GDB_AMD64_ST0) & 7];
		memcpy(out, &f->mant, 8);
		memcpy(out + 8, &f->sexp, 2);
		return r->size;
	} else if (regnum == GDB_AMD64_FCTRL) {
		v = c->fpu.fcw;
	} else if (regnum == GDB_AMD64_FSTAT) {
		v = (c->fpu.fsw & ~0x3800u) | ((unsigned)(c->fpu.top & 7) << 11);
	} else if (regnum == GDB_AMD64_FTAG) {
		v = c->fpu.ftw;
	} else if (regnum == GDB_AMD64_FIOFF) {
		v = (uint32_t)c->fpu.fip;
	} else if (regnum == GDB_AMD64_FOOFF) {
		v = (uint32_t)c->fpu.fdp;
	} else if (regnum == GDB_AMD64_FOP) {
		v = c->fpu.fop;
	} else if (regnum >= GDB_AMD64_XMM0 && regnum < GDB_AMD64_XMM0 + 16) {
		memcpy(out, &c->xmm[regnum - GDB_AMD64_XMM0], 16);
		return r->size;
	} else if (regnum == GDB_AMD64_MXCSR) {
		v = c->mxcsr;
	} else if (regnum == GDB_AMD64_ORIG_RAX) {
		v = UINT64_MAX;		/* not stopped in a syscall */
	} else if (regnum == GDB_AMD64_FS_BASE) {
		v = c->fs_base;
	} else if (regnum == GDB_AMD64_GS_BASE) {
		v = c->gs_base;
	}
	for (size_t k = 0; k < r->size && k < 8; k++)
		out[k] = (uint8_t)(v >> (8 * k));
	return r->size;
}

/* Set register regnum from size little-endian bytes; -EINVAL for a
 * register that cannot change (segments, orig_rax: accepted as is). */
static int reg_set(struct cpu *c, unsigned regnum, const uint8_t *in)
{
	const struct gdb_reg *r = gdb_amd64_reg(regnum);
	uint64_t v = 0;
	if (!r)
		return -EINVAL;
	for (size_t k = 0; k < r->size && k < 8; k++)
		v |= (uint64_t)in[k] << (8 * k);
	if (regnum < 16) {
		c->gpr[gpr_of_gdb[regnum]] = v;
	} else if (regnum == GDB_AMD64_RIP) {
		c->rip = v;
	} else if (regnum == GDB_AMD64_EFLAGS) {
		c->rflags = (v & FL_USER_WRITABLE) | FL_FIXED;
	} else if (regnum >= GDB_AMD64_ST0 && regnum < GDB_AMD64_ST0 + 8) {
		struct fpreg *f =
			&c->fpu.fpr[(c->fpu.top + regnum - GDB_AMD64_ST0) & 7];
		memcpy(&f->mant, in, 8);
		memcpy(&f->sexp, in + 8, 2);
	} else if (regnum == GDB_AMD64_FCTRL) {
		c->fpu.fcw = (uint16_t)v;
	} else if (regnum == GDB_AMD64_FSTAT) {
		c->fpu.fsw = (uint16_t)(v & ~0x3800u);
		c->fpu.top = (uint8_t)((v >> 11) & 7);
	} else if (regnum == GDB_AMD64_FTAG) {
		c->fpu.ftw = (uint16_t)v;
	} else if (regnum == GDB_AMD64_FIOFF) {
		c->fpu.fip = (uint32_t)v;
	} else if (regnum == GDB_AMD64_FOOFF) {
		c->fpu.fdp = (uint32_t)v;
	} else if (regnum == GDB_AMD64_FOP) {
		c->fpu.fop = (uint16_t)(v & 0x7ff);
	} else if (regnum >= GDB_AMD64_XMM0 && regnum < GDB_AMD64_XMM0 + 16) {
		memcpy(&c->xmm[regnum - GDB_AMD64_XMM0], in, 16);
	} else if (regnum == GDB_AMD64_MXCSR) {
		c->mxcsr = (uint32_t)v & 0xffff;
	} else if (regnum == GDB_AMD64_FS_BASE) {
		c->fs_base = v;
	} else if (regnum == GDB_AMD64_GS_BASE) {
		c->gs_base = v;
	}
	/* Segment selectors, fiseg/foseg and orig_rax keep their values. */
	return 0;
}

/* Do the registers in buf (regnum order) differ from c's? */
static int regs_differ(const struct cpu *c, const uint8_t *buf)
{
	const struct gdb_reg *regs = gdb_amd64_regs();
	uint8_t cur[16];
	size_t off = 0;
	for (unsigned n = 0; n < GDB_AMD64_NREGS; n++) {
		size_t len = reg_get(c, n, cur);
		if (memcmp(cur, buf + off, len))
			return 1;
		off += regs[n].size;
	}
	return 0;
}

static void do_read_regs(struct stub *st)
{
	const struct cpu *c = session_cpu(st->s);
	uint8_t v[16];
	for (unsigned n = 0; n < GDB_AMD64_NREGS; n++) {
		size_t len = reg_get(c, n, v);
		gdb_buf_append_hex(&st->reply, v, len);
	}
	send_reply(st);
}

static void do_write_regs(struct stub *st)
{
	const struct gdb_request *rq = st->req;
	if (rq->reg.len != GDB_AMD64_REGS_SIZE) {
		reply_error(st, 0x16);
		return;
	}
	/* Writing back what is there changes nothing: no diversion. */
	if (!regs_differ(session_cpu(st->s), rq->reg.data)) {
		reply_str(st, "OK");
		return;
	}
	struct cpu *c = session_cpu_for_write(st->s);
	if (!c) {
		reply_error(st, 0x03);	/* ESRCH: the process exited */
		return;
	}
	const struct gdb_reg *regs = gdb_amd64_regs();
	size_t off = 0;
	for (unsigned n = 0; n < GDB_AMD64_NREGS; n++) {
		reg_set(c, n, rq->reg.data + off);
		off += regs[n].size;
	}
	reply_str(st, "OK");
}

static void do_read_reg(struct stub *st)
{
	uint8_t v[16];
	size_t len = reg_get(session_cpu(st->s), st->req->reg.regnum, v);
	if (!len) {
		reply_error(st, 0x16);
		return;
	}
	gdb_buf_append_hex(&st->reply, v, len);
	send_reply(st);
}

static void do_write_reg(struct stub *st)
{
	const struct gdb_request *rq = st->req;
	const struct gdb_reg *r = gdb_amd64_reg(rq->reg.regnum);
	uint8_t cur[16];
	if (!r || rq->reg.len != r->size) {
		reply_error(st, 0x16);
		return;
	}
	reg_get(session_cpu(st->s), rq->reg.regnum, cur);
	if (memcmp(cur, rq->reg.data, r->size) == 0) {
		reply_str(st, "OK");
		return;
	}
	struct cpu *c = session_cpu_for_write(st->s);
	if (!c) {
		reply_error(st, 0x03);
		return;
	}
	reg_set(c, rq->reg.regnum, rq->reg.data);
	reply_str(st, "OK");
}

/* ------------------------------------------------------------ memory */

static void do_read_mem(struct stub *st)
{
	uint64_t len = st->req->mem.len;
	uint8_t *buf = malloc(len ? len : 1);
	if (!buf) {
		reply_error(st, 0x0c);
		return;
	}
	size_t got = session_read_memory(st->s, st->req->mem.addr, buf, len);
	if (!got && len)
		gdb_reply_error(&st->reply, 0x0e);	/* EFAULT */
	else
		gdb_buf_append_hex(&st->reply, buf, got);
	free(buf);
	send_reply(st);
}

static void do_write_mem(struct stub *st)
{
	const struct gdb_request *rq = st->req;
	if (!rq->mem.len) {
		reply_str(st, "OK");
		return;
	}
	size_t done = session_write_memory(st->s, rq->mem.addr, rq->mem.data,
					   rq->mem.len);
	if (done == rq->mem.len)
		reply_str(st, "OK");
	else
		reply_error(st, 0x0e);
}

/* ------------------------------------------------------------ points */

static enum debug_kind watch_kind(uint8_t type)
{
	return type == GDB_POINT_WRITE ? DBG_WATCH_WRITE :
	       type == GDB_POINT_READ ? DBG_WATCH_READ : DBG_WATCH_ACCESS;
}

static int hwbp_index(const struct stub *st, uint64_t addr)
{
	for (size_t k = 0; k < st->nhwbp; k++)
		if (st->hwbp[k] == addr)
			return (int)k;
	return -1;
}

static void do_point(struct stub *st, int insert)
{
	const struct gdb_request *rq = st->req;
	uint8_t type = rq->point.type;
	uint64_t addr = rq->point.addr;
	int rc;
	if (type == GDB_POINT_SW || type == GDB_POINT_HW) {
		rc = insert ? session_break_insert(st->s, addr) :
			      session_break_remove(st->s, addr);
		/* Which kind gdb asked for decides the stop reason. */
		int k = hwbp_index(st, addr);
		if (rc == 0 && type == GDB_POINT_HW && insert && k < 0 &&
		    st->nhwbp < sizeof(st->hwbp) / sizeof(st->hwbp[0]))
			st->hwbp[st->nhwbp++] = addr;
		if (!insert && k >= 0)
			st->hwbp[k] = st->hwbp[--st->nhwbp];
	} else {
		uint64_t len = rq->point.kind;
		if (!len) {
			reply_error(st, 0x16);
			return;
		}
		rc = insert ? session_watch_insert(st->s, watch_kind(type),
						   addr, len) :
			      session_watch_remove(st->s, watch_kind(type),
						   addr, len);
	}
	if (rc == -ENOENT && !insert)
		rc = 0;		/* removing what is not there: fine */
	if (rc < 0)
		reply_error(st, (uint8_t)-rc);
	else
		reply_str(st, "OK");
}

/* ------------------------------------------------------------ stops */

/* Build the reply for the session's stop in st->stop. */
static void stop_reply(struct stub *st)
{
	const struct session_stop *s = &st->stop;
	const struct cpu *c = session_cpu(st->s);
	struct gdb_stop g = {
		.signo = 5, .reason = GDB_STOP_SIGNAL, .has_thread = 1,
		.thread = { 0, GUEST_TID }, .nregs = 3,
		.reg = { { GDB_AMD64_RBP, 8, c->gpr[R_RBP] },
			 { GDB_AMD64_RSP, 8, c->gpr[R_RSP] },
			 { GDB_AMD64_RIP, 8, c->rip } },
	};
	switch (s->reason) {
	case SESSION_STOP_EXITED:
		if (WIFSIGNALED(s->wait_status))
			gdb_reply_killed(&st->reply, gdb_signal_from_linux(
					 WTERMSIG(s->wait_status)), 0);
		else
			gdb_reply_exited(&st->reply,
					 (uint8_t)WEXITSTATUS(s->wait_status), 0);
		return;
	case SESSION_STOP_BREAK:
		g.reason = hwbp_index(st, s->addr) >= 0 ? GDB_STOP_HWBREAK :
			   GDB_STOP_SWBREAK;
		break;
	case SESSION_STOP_WATCH:
		g.reason = s->watch_kind == DBG_WATCH_WRITE ? GDB_STOP_WATCH :
			   s->watch_kind == DBG_WATCH_READ ? GDB_STOP_RWATCH :
			   GDB_STOP_AWATCH;
		g.addr = s->addr;
		break;
	case SESSION_STOP_SIGNAL:
		g.signo = gdb_signal_from_linux(s->sig);
		break;
	case SESSION_STOP_START:
		g.reason = GDB_STOP_REPLAY_BEGIN;
		break;
	case SESSION_STOP_END:
		g.reason = GDB_STOP_REPLAY_END;
		break;
	case SESSION_STOP_INTERRUPT:
		g.signo = 2;	/* SIGINT */
		break;
	case SESSION_STOP_ERROR:
		g.reason = GDB_STOP_REPLAY_END;
		break;
	default:
		break;
	}
	gdb_reply_stop(&st->reply, &g);
}

/* Run the session as requested and answer with the stop. */
static void resume(struct stub *st, int reverse, int step)
{
	struct session_stop stop;
	st->interrupted = 0;
	int rc = step ? session_step(st->s, reverse, &stop) :
			session_continue(st->s, reverse, &stop);
	if (rc < 0 || stop.reason == SESSION_STOP_ERROR) {
		char msg[800];
		const char *e = session_error(st->s);
		snprintf(msg, sizeof(msg), "rewind: replay failed: %s\n",
			 e ? e : "unknown error");
		console(st, msg);
		stop.reason = SESSION_STOP_ERROR;
	}
	st->stop = stop;
	stop_reply(st);
	send_reply(st);
}

static void do_vcont(struct stub *st)
{
	const struct gdb_request *rq = st->req;
	/* One thread: the first action that applies to it decides. */
	for (unsigned k = 0; k < rq->vcont.count; k++) {
		const struct gdb_vcont_action *a = &rq->vcont.action[k];
		if (a->has_thread && a->thread.tid != GUEST_TID &&
		    a->thread.tid != GDB_ID_ALL && a->thread.tid != GDB_ID_ANY)
			continue;
		switch (a->action) {
		case 'c': case 'C':
			resume(st, 0, 0);
			return;
		case 's': case 'S':
			resume(st, 0, 1);
			return;
		case 't':
			/* Stopping a stopped thread. */
			st->stop.reason = SESSION_STOP_INTERRUPT;
			stop_reply(st);
			send_reply(st);
			return;
		default:
			reply_error(st, 0x16);
			return;
		}
	}
	reply_error(st, 0x16);
}

/* ------------------------------------------------------------ monitor */

static void monitor(struct stub *st)
{
	char cmd[256], out[1024];
	size_t n = st->req->text.len < sizeof(cmd) - 1 ? st->req->text.len :
		   sizeof(cmd) - 1;
	memcpy(cmd, st->req->text.text, n);
	cmd[n] = 0;
	struct session_pos pos;
	session_position(st->s, &pos);
	if (strcmp(cmd, "when") == 0) {
		uint64_t end;
		int have_end = session_end(st->s, &end);
		snprintf(out, sizeof(out), "icount %llu, event %llu%s",
			 (unsigned long long)pos.icount,
			 (unsigned long long)pos.event,
			 pos.diverted ? " (in a diversion)" : "");
		if (have_end)
			snprintf(out + strlen(out), sizeof(out) - strlen(out),
				 ", history ends at icount %llu",
				 (unsigned long long)end);
		strcat(out, "\n");
		console(st, out);
	} else if (strncmp(cmd, "goto-icount ", 12) == 0 ||
		   strncmp(cmd, "goto ", 5) == 0) {
		const char *arg = strchr(cmd, ' ') + 1;
		char *end;
		errno = 0;
		unsigned long long t = strtoull(arg, &end, 0);
		if (errno || end == arg || *end) {
			console(st, "usage: monitor goto-icount N\n");
			reply_error(st, 0x16);
			return;
		}
		struct session_stop stop;
		if (session_seek(st->s, t, &stop) < 0) {
			console(st, "rewind: cannot go there\n");
			reply_error(st, 0x05);
			return;
		}
		st->stop = stop;
		session_position(st->s, &pos);
		snprintf(out, sizeof(out), "now at icount %llu%s\n",
			 (unsigned long long)pos.icount,
			 stop.reason == SESSION_STOP_END ?
			 " (the end of the history)" : "");
		console(st, out);
	} else if (strcmp(cmd, "snapshots") == 0 || strcmp(cmd, "stats") == 0) {
		struct session_stats ss;
		session_get_stats(st->s, &ss);
		snprintf(out, sizeof(out), "%llu snapshots, %.1f MiB (peak "
			 "%.1f MiB, budget %.1f MiB), %llu distinct pages, "
			 "spacing %llu instructions, %llu thinned, %llu "
			 "instructions executed\n",
			 (unsigned long long)ss.snapshots,
			 ss.snapshot_bytes / 1048576.0,
			 ss.peak_bytes / 1048576.0, ss.budget / 1048576.0,
			 (unsigned long long)ss.pages,
			 (unsigned long long)ss.interval,
			 (unsigned long long)ss.thinned,
			 (unsigned long long)ss.executed);
		console(st, out);
	} else if (strcmp(cmd, "help") == 0 || !cmd[0]) {
		console(st, "rewind monitor commands:\n"
			"  monitor when            the current icount and event\n"
			"  monitor goto-icount N   go to instruction count N "
			"(then 'flushregs' or any step)\n"
			"  monitor snapshots       snapshot memory and spacing\n"
			"  monitor help            this text\n");
	} else {
		snprintf(out, sizeof(out), "rewind: unknown monitor command "
			 "'%s' (try 'monitor help')\n", cmd);
		console(st, out);
		reply_error(st, 0x16);
		return;
	}
	reply_str(st, "OK");
}

/* ------------------------------------------------------------ objects */

static void do_xfer(struct stub *st)
{
	const struct gdb_request *rq = st->req;
	const char *obj = rq->xfer.object;
	const void *data = NULL;
	size_t len = 0;
	if (strcmp(obj, "features") == 0) {
		const char *doc;
		if (gdb_find_tdesc(rq->xfer.annex, &doc, &len) < 0) {
			reply_error(st, 0x02);
			return;
		}
		data = doc;
	} else if (strcmp(obj, "auxv") == 0) {
		data = session_auxv(st->s, &len);
	} else if (strcmp(obj, "exec-file") == 0) {
		data = session_replay(st->s)->exe;
		len = strlen(data);
	} else {
		reply_str(st, "");
		return;
	}
	gdb_reply_xfer(&st->reply, data, len, rq->xfer.offset,
		       rq->xfer.length);
	send_reply(st);
}

/* vFile: only the executable can be opened (read only). */
static void do_file(struct stub *st)
{
	const struct gdb_request *rq = st->req;
	const char *exe = session_replay(st->s)->exe;
	switch (rq->kind) {
	case GDB_REQ_FILE_SETFS:
		gdb_reply_file(&st->reply, 0, 0, NULL, 0);
		break;
	case GDB_REQ_FILE_OPEN: {
		char a[PATH_MAX], b[PATH_MAX];
		int slot = -1;
		for (int k = 0; k < MAX_FILES; k++)
			if (st->files[k] < 0)
				slot = k;
		if (!realpath(rq->file.path, a) || !realpath(exe, b) ||
		    strcmp(a, b) != 0) {
			gdb_reply_file(&st->reply, -1, GDB_FILEIO_ENOENT, NULL, 0);
			break;
		}
		if (rq->file.flags & 3) {	/* File-I/O O_WRONLY, O_RDWR */
			gdb_reply_file(&st->reply, -1, GDB_FILEIO_EACCES,
				       NULL, 0);
			break;
		}
		int fd = slot < 0 ? -1 : open(b, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			gdb_reply_file(&st->reply, -1, slot < 0 ? 24 :
				       gdb_fileio_errno(errno), NULL, 0);
			break;
		}
		st->files[slot] = fd;
		gdb_reply_file(&st->reply, slot, 0, NULL, 0);
		break;
	}
	case GDB_REQ_FILE_PREAD: {
		int64_t h = rq->file.fd;
		if (h < 0 || h >= MAX_FILES || st->files[h] < 0) {
			gdb_reply_file(&st->reply, -1, GDB_FILEIO_EBADF, NULL, 0);
			break;
		}
		/* At most what fits one packet once escaped. */
		size_t count = rq->file.count < GDB_PACKET_MAX / 4 ?
			       rq->file.count : GDB_PACKET_MAX / 4;
		uint8_t *buf = malloc(count ? count : 1);
		ssize_t n = buf ? pread(st->files[h], buf, count,
					(off_t)rq->file.offset) : -1;
		if (n < 0)
			gdb_reply_file(&st->reply, -1,
				       gdb_fileio_errno(buf ? errno : ENOMEM),
				       NULL, 0);
		else
			gdb_reply_file(&st->reply, n, 0, buf, (size_t)n);
		free(buf);
		break;
	}
	case GDB_REQ_FILE_FSTAT: {
		int64_t h = rq->file.fd;
		struct stat sb;
		uint8_t enc[GDB_FILEIO_STAT_SIZE];
		if (h < 0 || h >= MAX_FILES || st->files[h] < 0 ||
		    fstat(st->files[h], &sb) < 0) {
			gdb_reply_file(&st->reply, -1, GDB_FILEIO_EBADF, NULL, 0);
			break;
		}
		gdb_fileio_encode_stat(&sb, enc);
		gdb_reply_file(&st->reply, sizeof(enc), 0, enc, sizeof(enc));
		break;
	}
	case GDB_REQ_FILE_CLOSE: {
		int64_t h = rq->file.fd;
		if (h < 0 || h >= MAX_FILES || st->files[h] < 0) {
			gdb_reply_file(&st->reply, -1, GDB_FILEIO_EBADF, NULL, 0);
			break;
		}
		close(st->files[h]);
		st->files[h] = -1;
		gdb_reply_file(&st->reply, 0, 0, NULL, 0);
		break;
	}
	default:	/* readlink */
		gdb_reply_file(&st->reply, -1, GDB_FILEIO_ENOSYS, NULL, 0);
		break;
	}
	send_reply(st);
}

/* ------------------------------------------------------------ dispatch */

static const char supported_features[] =
	"qXfer:features:read+;qXfer:auxv:read+;qXfer:exec-file:read+;"
	"swbreak+;hwbreak+;ReverseStep+;ReverseContinue+;vContSupported+;"
	"QStartNoAckMode+;QPassSignals+";

static void handle(struct stub *st, const uint8_t *data, size_t len)
{
	struct gdb_request *rq = st->req;
	int rc = gdb_parse_request(data, len, rq);
	if (st->log)
		fprintf(stderr, "[gdbstub] -> %.*s\n", (int)(len < 200 ? len : 200),
			(const char *)data);
	if (rc == -EINVAL) {
		reply_error(st, 0x01);
		return;
	}
	switch (rq->kind) {
	case GDB_REQ_HALT_REASON:
		stop_reply(st);
		send_reply(st);
		break;
	case GDB_REQ_READ_REGS: do_read_regs(st); break;
	case GDB_REQ_WRITE_REGS: do_write_regs(st); break;
	case GDB_REQ_READ_REG: do_read_reg(st); break;
	case GDB_REQ_WRITE_REG: do_write_reg(st); break;
	case GDB_REQ_READ_MEM: do_read_mem(st); break;
	case GDB_REQ_WRITE_MEM: do_write_mem(st); break;
	case GDB_REQ_INSERT_POINT: do_point(st, 1); break;
	case GDB_REQ_REMOVE_POINT: do_point(st, 0); break;
	case GDB_REQ_CONTINUE: resume(st, 0, 0); break;
	case GDB_REQ_STEP: resume(st, 0, 1); break;
	case GDB_REQ_BACK_CONTINUE: resume(st, 1, 0); break;
	case GDB_REQ_BACK_STEP: resume(st, 1, 1); break;
	case GDB_REQ_VCONT_QUERY: reply_str(st, "vCont;c;C;s;S;t"); break;
	case GDB_REQ_VCONT: do_vcont(st); break;
	case GDB_REQ_SET_THREAD: reply_str(st, "OK"); break;
	case GDB_REQ_THREAD_ALIVE:
		if (rq->thread.id.tid == GUEST_TID || rq->thread.id.tid <= 0)
			reply_str(st, "OK");
		else
			reply_error(st, 0x03);
		break;
	case GDB_REQ_CURRENT_THREAD: reply_str(st, "QC3e8"); break;
	case GDB_REQ_THREADS_FIRST: reply_str(st, "m3e8"); break;
	case GDB_REQ_THREADS_NEXT: reply_str(st, "l"); break;
	case GDB_REQ_ATTACHED: reply_str(st, "1"); break;
	case GDB_REQ_SUPPORTED:
		gdb_reply_supported(&st->reply, supported_features);
		send_reply(st);
		break;
	case GDB_REQ_XFER_READ: do_xfer(st); break;
	case GDB_REQ_MONITOR: monitor(st); break;
	case GDB_REQ_START_NOACK:
		reply_str(st, "OK");
		st->noack = 1;
		break;
	case GDB_REQ_FILE_OPEN: case GDB_REQ_FILE_PREAD:
	case GDB_REQ_FILE_CLOSE: case GDB_REQ_FILE_FSTAT:
	case GDB_REQ_FILE_SETFS: case GDB_REQ_FILE_READLINK:
		do_file(st);
		break;
	case GDB_REQ_KILL:
		/* k has no reply. */
		st->ended = 1;
		st->end = GDB_SERVE_KILLED;
		break;
	case GDB_REQ_VKILL:
		reply_str(st, "OK");
		st->ended = 1;
		st->end = GDB_SERVE_KILLED;
		break;
	case GDB_REQ_DETACH:
		reply_str(st, "OK");
		st->ended = 1;
		st->end = GDB_SERVE_DETACHED;
		break;
	case GDB_REQ_PASS_SIGNALS: {
		/* gdb's "handle SIG nostop noprint pass": not stopping for
		 * them here saves a round trip each, and going backwards a
		 * scan each. */
		uint64_t mask = 0;
		for (int sig = 1; sig <= 64; sig++) {
			uint8_t g = gdb_signal_from_linux(sig);
			if (rq->signals.set[g / 64] >> (g % 64) & 1)
				mask |= 1ULL << (sig - 1);
		}
		session_pass_signals(st->s, mask);
		reply_str(st, "OK");
		break;
	}
	case GDB_REQ_PROGRAM_SIGNALS:
	case GDB_REQ_DISABLE_ASLR: case GDB_REQ_THREAD_EVENTS:
		reply_str(st, "OK");
		break;
	case GDB_REQ_NON_STOP:
		if (rq->value)
			reply_error(st, 0x16);	/* all-stop only */
		else
			reply_str(st, "OK");
		break;
	default:
		/* Unknown, or known but not offered (qOffsets, qSymbol,
		 * qTStatus, !, R, ...): the empty reply. */
		reply_str(st, "");
		break;
	}
}

/* ------------------------------------------------------------ serve */

enum gdb_serve_end gdb_serve(struct session *s, int conn, int log)
{
	struct stub st = { .s = s, .fd = conn, .log = log };
	uint8_t in[4096];
	for (int k = 0; k < MAX_FILES; k++)
		st.files[k] = -1;
	st.req = malloc(sizeof(*st.req));
	if (!st.req || gdb_reader_create(&st.rd) < 0) {
		free(st.req);
		return GDB_SERVE_FAILED;
	}
	gdb_buf_init(&st.reply);
	gdb_buf_init(&st.out);
	gdb_buf_init(&st.last);
	int one = 1;
	setsockopt(conn, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	/* What '?' says on connecting: stopped, no particular reason. */
	st.stop.reason = SESSION_STOP_STEP;
	session_set_interrupt(s, poll_interrupt, &st);

	st.end = GDB_SERVE_DETACHED;
	while (!st.ended) {
		ssize_t n = recv(conn, in, sizeof(in), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			st.end = n == 0 ? GDB_SERVE_DETACHED : GDB_SERVE_FAILED;
			break;
		}
		const uint8_t *p = in;
		size_t left = (size_t)n;
		while (left && !st.ended) {
			struct gdb_event ev;
			size_t used = gdb_reader_feed(st.rd, p, left, &ev);
			p += used;
			left -= used;
			switch (ev.kind) {
			case GDB_EV_PACKET:
				if (!st.noack)
					send_all(conn, (const uint8_t *)"+", 1);
				handle(&st, ev.data, ev.len);
				break;
			case GDB_EV_NACK:
				if (st.last.len)
					send_all(conn, st.last.data, st.last.len);
				break;
			case GDB_EV_BAD_CHECKSUM:
				if (!st.noack)
					send_all(conn, (const uint8_t *)"-", 1);
				break;
			case GDB_EV_INVALID:
				if (!st.noack)
					send_all(conn, (const uint8_t *)"+", 1);
				reply_error(&st, 0x01);
				break;
			case GDB_EV_INTERRUPT:
				/* Nothing runs between requests: a ^C that
				 * crossed our stop reply.  A reply now would
				 * answer gdb's next packet (gdbserver sends
				 * none either). */
				break;
			default:
				break;
			}
		}
	}
	session_set_interrupt(s, NULL, NULL);
	for (int k = 0; k < MAX_FILES; k++)
		if (st.files[k] >= 0)
			close(st.files[k]);
	gdb_buf_free(&st.reply);
	gdb_buf_free(&st.out);
	gdb_buf_free(&st.last);
	gdb_reader_destroy(st.rd);
	free(st.req);
	return st.end;
}

int gdb_listen(const char *host, int port, int *fd_out, int *port_out,
	       char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC,
				  .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *res = NULL;
	char service[16];
	snprintf(service, sizeof(service), "%d", port);
	int rc = getaddrinfo(host, service, &hints, &res);
	if (rc) {
		snprintf(err, errlen, "cannot resolve %s: %s", host,
			 gai_strerror(rc));
		return -EINVAL;
	}
	int fd = -1, e = 0;
	for (struct addrinfo *a = res; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC,
			    a->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 &&
		    listen(fd, 4) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(err, errlen, "cannot listen on %s:%d: %s", host, port,
			 strerror(e));
		return -e;
	}
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	*port_out = ntohs(ss.ss_family == AF_INET6 ?
			  ((struct sockaddr_in6 *)&ss)->sin6_port :
			  ((struct sockaddr_in *)&ss)->sin_port);
	*fd_out = fd;
	return 0;
}
