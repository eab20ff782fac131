/*
 * packet.c - the GDB remote serial protocol as bytes (contract in
 * packet.h): the framing state machine, reply encoding, the request
 * table and its parsers, and the amd64 target description.
 *
 * Layering follows gdb's own reader: a packet's raw bytes are checksummed,
 * then run-length expanded ('*' repeats the previous *raw* byte), then
 * unescaped ('}' XORs the next byte with 0x20).  Our encoder only
 * run-length encodes bytes that need no escape, so both orders agree on
 * what we send.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include "gdbstub/packet.h"
#include "trace/hash.h"

static const char hex_digits[] = "0123456789abcdef";

/* Bytes that cannot appear literally inside a payload. */
static bool needs_escape(uint8_t c)
{
	return c == '$' || c == '#' || c == '}' || c == '*';
}

/* ================================================================ framing */

#define RLE_BIAS 29	/* a count byte c means c - 29 more copies */

enum reader_state {
	RS_IDLE,	/* between packets */
	RS_BODY,	/* after '$' */
	RS_COUNT,	/* after '*': the next byte is a repeat count */
	RS_SUM_HI,	/* after '#' */
	RS_SUM_LO,
};

struct gdb_reader {
	enum reader_state state;
	uint8_t sum;		/* of the raw payload bytes so far */
	uint8_t sum_hi;		/* first checksum digit */
	bool escape;		/* the last raw byte was an unconsumed '}' */
	bool has_prev;
	uint8_t prev;		/* the last raw byte, which '*' repeats */
	bool too_long;
	const char *bad;	/* first decoding error in this packet */
	size_t len;
	uint8_t data[GDB_PACKET_MAX + 1];	/* + NUL terminator */
};

int gdb_reader_create(struct gdb_reader **out)
{
	struct gdb_reader *r = malloc(sizeof(*r));
	if (!r)
		return -ENOMEM;
	gdb_reader_reset(r);
	*out = r;
	return 0;
}

void gdb_reader_destroy(struct gdb_reader *r)
{
	free(r);
}

static void reader_start_packet(struct gdb_reader *r)
{
	r->state = RS_BODY;
	r->sum = 0;
	r->escape = false;
	r->has_prev = false;
	r->too_long = false;
	r->bad = NULL;
	r->len = 0;
}

void gdb_reader_reset(struct gdb_reader *r)
{
	reader_start_packet(r);
	r->state = RS_IDLE;
}

static void reader_mark_bad(struct gdb_reader *r, const char *why)
{
	if (!r->bad)
		r->bad = why;
}

/* One raw payload byte after run-length expansion: unescape and store. */
static void reader_put_raw(struct gdb_reader *r, uint8_t c)
{
	r->prev = c;
	r->has_prev = true;
	if (r->escape) {
		c ^= 0x20;
		r->escape = false;
	} else if (c == '}') {
		r->escape = true;
		return;
	}
	if (r->len < GDB_PACKET_MAX)
		r->data[r->len++] = c;
	else
		r->too_long = true;
}

/* The packet's second checksum digit has arrived: say what it was. */
static void reader_finish(struct gdb_reader *r, uint8_t sum,
			  struct gdb_event *ev)
{
	r->state = RS_IDLE;
	if (sum != r->sum) {
		ev->kind = GDB_EV_BAD_CHECKSUM;
		ev->reason = "checksum mismatch";
	} else if (r->bad) {
		ev->kind = GDB_EV_INVALID;
		ev->reason = r->bad;
	} else if (r->too_long) {
		ev->kind = GDB_EV_INVALID;
		ev->reason = "packet longer than PacketSize";
	} else {
		r->data[r->len] = 0;
		ev->kind = GDB_EV_PACKET;
		ev->data = r->data;
		ev->len = r->len;
	}
}

/* Advances the state machine by one byte; true when *ev is complete. */
static bool reader_step(struct gdb_reader *r, uint8_t c, struct gdb_event *ev)
{
	/* '$' never occurs inside a well-formed packet (it is always
	 * escaped), so wherever it appears a new packet begins. */
	if (c == '$') {
		reader_start_packet(r);
		return false;
	}
	int d;
	switch (r->state) {
	case RS_IDLE:
		switch (c) {
		case '+':
			ev->kind = GDB_EV_ACK;
			return true;
		case '-':
			ev->kind = GDB_EV_NACK;
			return true;
		case 0x03:
			ev->kind = GDB_EV_INTERRUPT;
			return true;
		}
		return false;	/* junk, including '%' notifications */
	case RS_BODY:
		if (c == '#') {
			if (r->escape)
				reader_mark_bad(r, "escape at end of packet");
			r->state = RS_SUM_HI;
			return false;
		}
		r->sum += c;
		if (c == '*')
			r->state = RS_COUNT;
		else
			reader_put_raw(r, c);
		return false;
	case RS_COUNT:
		if (c == '#') {
			reader_mark_bad(r, "run-length count missing");
			r->state = RS_SUM_HI;
			return false;
		}
		r->sum += c;
		r->state = RS_BODY;
		if (!r->has_prev) {
			reader_mark_bad(r, "run length with nothing to repeat");
		} else if (c < ' ' || c > '~') {
			reader_mark_bad(r, "bad run-length count");
		} else {
			for (int n = c - RLE_BIAS; n > 0; n--)
				reader_put_raw(r, r->prev);
		}
		return false;
	case RS_SUM_HI:
	case RS_SUM_LO:
		d = hex_digit_value(c);
		if (d < 0) {
			r->state = RS_IDLE;
			ev->kind = GDB_EV_BAD_CHECKSUM;
			ev->reason = "checksum is not two hex digits";
			return true;
		}
		if (r->state == RS_SUM_HI) {
			r->sum_hi = (uint8_t)d;
			r->state = RS_SUM_LO;
			return false;
		}
		reader_finish(r, (uint8_t)(r->sum_hi << 4 | d), ev);
		return true;
	}
	return false;
}

size_t gdb_reader_feed(struct gdb_reader *r, const uint8_t *in, size_t len,
		       struct gdb_event *ev)
{
	ev->kind = GDB_EV_NONE;
	ev->data = NULL;
	ev->len = 0;
	ev->reason = NULL;
	for (size_t i = 0; i < len; i++)
		if (reader_step(r, in[i], ev))
			return i + 1;
	return len;
}

/* ================================================================ buffers */

void gdb_buf_init(struct gdb_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void gdb_buf_free(struct gdb_buf *b)
{
	free(b->data);
	gdb_buf_init(b);
}

void gdb_buf_reset(struct gdb_buf *b)
{
	b->len = 0;
	b->err = 0;
}

/* Makes room for n more bytes; returns a pointer to them, or NULL with
 * b->err set. */
static uint8_t *buf_reserve(struct gdb_buf *b, size_t n)
{
	if (b->err)
		return NULL;
	if (n > GDB_BUF_MAX - b->len) {
		b->err = -E2BIG;
		return NULL;
	}
	if (n > b->cap - b->len) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap - b->len < n)
			cap *= 2;
		if (cap > GDB_BUF_MAX)
			cap = GDB_BUF_MAX;
		uint8_t *p = realloc(b->data, cap);
		if (!p) {
			b->err = -ENOMEM;
			return NULL;
		}
		b->data = p;
		b->cap = cap;
	}
	return b->data + b->len;
}

int gdb_buf_append(struct gdb_buf *b, const void *data, size_t len)
{
	uint8_t *p = buf_reserve(b, len);
	if (p && len) {
		memcpy(p, data, len);
		b->len += len;
	}
	return b->err;
}

int gdb_buf_append_char(struct gdb_buf *b, char c)
{
	return gdb_buf_append(b, &c, 1);
}

int gdb_buf_append_str(struct gdb_buf *b, const char *s)
{
	return gdb_buf_append(b, s, strlen(s));
}

int gdb_buf_append_hex(struct gdb_buf *b, const void *data, size_t len)
{
	if (len > GDB_BUF_MAX / 2) {
		if (!b->err)
			b->err = -E2BIG;
		return b->err;
	}
	uint8_t *p = buf_reserve(b, 2 * len);
	if (!p)
		return b->err;
	const uint8_t *s = data;
	for (size_t i = 0; i < len; i++) {
		*p++ = (uint8_t)hex_digits[s[i] >> 4];
		*p++ = (uint8_t)hex_digits[s[i] & 15];
	}
	b->len += 2 * len;
	return 0;
}

/* v in hex with at least min_digits digits. */
static int buf_append_hex_min(struct gdb_buf *b, uint64_t v, int min_digits)
{
	char tmp[16];
	int n = 0;
	do {
		tmp[n++] = hex_digits[v & 15];
		v >>= 4;
	} while (v || n < min_digits);
	char out[16];
	for (int i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	return gdb_buf_append(b, out, (size_t)n);
}

int gdb_buf_append_hexnum(struct gdb_buf *b, uint64_t v)
{
	return buf_append_hex_min(b, v, 1);
}

int gdb_buf_append_le(struct gdb_buf *b, uint64_t v, size_t size)
{
	uint8_t bytes[8];
	if (size > 8) {
		if (!b->err)
			b->err = -EINVAL;
		return b->err;
	}
	for (size_t i = 0; i < size; i++)
		bytes[i] = (uint8_t)(v >> (8 * i));
	return gdb_buf_append_hex(b, bytes, size);
}

int gdb_hex_decode(const void *hex, size_t hexlen, uint8_t *out, size_t cap)
{
	const uint8_t *h = hex;
	if (hexlen % 2)
		return -EINVAL;
	if (hexlen / 2 > cap)
		return -ENOSPC;
	if (hexlen / 2 > INT32_MAX)
		return -E2BIG;
	for (size_t i = 0; i < hexlen / 2; i++) {
		int hi = hex_digit_value(h[2 * i]);
		int lo = hex_digit_value(h[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(hexlen / 2);
}

int gdb_frame_packet(struct gdb_buf *out, const void *payload, size_t len)
{
	const uint8_t *p = payload;
	/* Worst case: every byte escaped, plus "$", "#" and two digits. */
	if (len > (GDB_BUF_MAX - 4) / 2) {
		if (!out->err)
			out->err = -E2BIG;
		return out->err;
	}
	uint8_t *w = buf_reserve(out, 2 * len + 4), *start = w;
	if (!w)
		return out->err;
	uint8_t sum = 0;
	*w++ = '$';
	for (size_t i = 0; i < len;) {
		uint8_t c = p[i];
		if (needs_escape(c)) {
			*w++ = '}';
			*w++ = c ^ 0x20;
			sum += '}' + (c ^ 0x20);
			i++;
			continue;
		}
		*w++ = c;
		sum += c;
		i++;
		/* A run: the count byte says how many more copies follow,
		 * printable (3..97 -> ' '..'~') and never '#' or '$', which
		 * would end or restart the packet. */
		size_t more = 0;
		while (i + more < len && p[i + more] == c && more < 97)
			more++;
		if (more < 3)
			continue;
		while (more + RLE_BIAS == '#' || more + RLE_BIAS == '$')
			more--;
		*w++ = '*';
		*w++ = (uint8_t)(more + RLE_BIAS);
		sum += '*' + (uint8_t)(more + RLE_BIAS);
		i += more;
	}
	*w++ = '#';
	*w++ = (uint8_t)hex_digits[sum >> 4];
	*w++ = (uint8_t)hex_digits[sum & 15];
	out->len += (size_t)(w - start);
	return 0;
}

int gdb_buf_append_thread(struct gdb_buf *b, const struct gdb_thread_id *id)
{
	if (id->pid != 0) {
		gdb_buf_append_char(b, 'p');
		if (id->pid < 0)
			gdb_buf_append_str(b, "-1");
		else
			gdb_buf_append_hexnum(b, (uint64_t)id->pid);
		gdb_buf_append_char(b, '.');
	}
	if (id->tid < 0)
		return gdb_buf_append_str(b, "-1");
	return gdb_buf_append_hexnum(b, (uint64_t)id->tid);
}

/* ================================================================ replies */

int gdb_reply_ok(struct gdb_buf *b)
{
	return gdb_buf_append_str(b, "OK");
}

int gdb_reply_error(struct gdb_buf *b, uint8_t code)
{
	gdb_buf_append_char(b, 'E');
	return buf_append_hex_min(b, code, 2);
}

int gdb_reply_supported(struct gdb_buf *b, const char *features)
{
	gdb_buf_append_str(b, "PacketSize=");
	gdb_buf_append_hexnum(b, GDB_PACKET_MAX);
	if (features && *features) {
		gdb_buf_append_char(b, ';');
		gdb_buf_append_str(b, features);
	}
	return b->err;
}

int gdb_reply_console(struct gdb_buf *b, const void *text, size_t len)
{
	size_t n = len < (GDB_PACKET_MAX - 1) / 2 ? len : (GDB_PACKET_MAX - 1) / 2;
	gdb_buf_append_char(b, 'O');
	gdb_buf_append_hex(b, text, n);
	return b->err ? b->err : (int)n;
}

int gdb_reply_xfer(struct gdb_buf *b, const void *obj, size_t objlen,
		   uint64_t offset, uint64_t length)
{
	if (offset >= objlen)
		return gdb_buf_append_char(b, 'l');
	const uint8_t *p = (const uint8_t *)obj + offset;
	size_t avail = objlen - (size_t)offset;
	size_t want = length < avail ? (size_t)length : avail;
	/* Escaping doubles some bytes: stop where the packet would be full
	 * (the type byte takes one). */
	size_t n = 0, cost = 0;
	while (n < want) {
		size_t w = needs_escape(p[n]) ? 2 : 1;
		if (cost + w > GDB_PACKET_MAX - 1)
			break;
		cost += w;
		n++;
	}
	gdb_buf_append_char(b, n == avail ? 'l' : 'm');
	return gdb_buf_append(b, p, n);
}

static const char *const stop_reason_key[] = {
	[GDB_STOP_SWBREAK] = "swbreak:",
	[GDB_STOP_HWBREAK] = "hwbreak:",
	[GDB_STOP_WATCH] = "watch:",
	[GDB_STOP_RWATCH] = "rwatch:",
	[GDB_STOP_AWATCH] = "awatch:",
	[GDB_STOP_REPLAY_BEGIN] = "replaylog:begin",
	[GDB_STOP_REPLAY_END] = "replaylog:end",
};

int gdb_reply_stop(struct gdb_buf *b, const struct gdb_stop *st)
{
	if (st->nregs > GDB_STOP_MAX_REGS ||
	    (unsigned)st->reason > GDB_STOP_REPLAY_END)
		return -EINVAL;
	for (unsigned i = 0; i < st->nregs; i++)
		if (st->reg[i].size > 8)
			return -EINVAL;
	gdb_buf_append_char(b, 'T');
	buf_append_hex_min(b, st->signo, 2);
	if (st->has_thread) {
		gdb_buf_append_str(b, "thread:");
		gdb_buf_append_thread(b, &st->thread);
		gdb_buf_append_char(b, ';');
	}
	for (unsigned i = 0; i < st->nregs; i++) {
		buf_append_hex_min(b, st->reg[i].regnum, 2);
		gdb_buf_append_char(b, ':');
		gdb_buf_append_le(b, st->reg[i].value, st->reg[i].size);
		gdb_buf_append_char(b, ';');
	}
	if (st->reason != GDB_STOP_SIGNAL) {
		gdb_buf_append_str(b, stop_reason_key[st->reason]);
		if (st->reason == GDB_STOP_WATCH ||
		    st->reason == GDB_STOP_RWATCH ||
		    st->reason == GDB_STOP_AWATCH)
			gdb_buf_append_hexnum(b, st->addr);
		gdb_buf_append_char(b, ';');
	}
	return b->err;
}

int gdb_reply_signal(struct gdb_buf *b, uint8_t signo)
{
	gdb_buf_append_char(b, 'S');
	return buf_append_hex_min(b, signo, 2);
}

static int reply_end(struct gdb_buf *b, char letter, uint8_t value,
		     int64_t pid)
{
	gdb_buf_append_char(b, letter);
	buf_append_hex_min(b, value, 2);
	if (pid > 0) {
		gdb_buf_append_str(b, ";process:");
		gdb_buf_append_hexnum(b, (uint64_t)pid);
	}
	return b->err;
}

int gdb_reply_exited(struct gdb_buf *b, uint8_t status, int64_t pid)
{
	return reply_end(b, 'W', status, pid);
}

int gdb_reply_killed(struct gdb_buf *b, uint8_t signo, int64_t pid)
{
	return reply_end(b, 'X', signo, pid);
}

/* ================================================================ host I/O */

int gdb_fileio_errno(int host_errno)
{
	switch (host_errno) {
	/* The File-I/O numbers are Linux's for these. */
	case EPERM: case ENOENT: case EINTR: case EIO: case EBADF:
	case EACCES: case EFAULT: case EBUSY: case EEXIST: case ENODEV:
	case ENOTDIR: case EISDIR: case EINVAL: case ENFILE: case EMFILE:
	case EFBIG: case ENOSPC: case ESPIPE: case EROFS:
		return host_errno;
	case ENAMETOOLONG:
		return 91;
	case ENOSYS:
		return GDB_FILEIO_ENOSYS;
	default:
		return GDB_FILEIO_EUNKNOWN;
	}
}

int gdb_fileio_open_flags(uint64_t flags, int *out)
{
	enum {
		FIO_WRONLY = 0x1, FIO_RDWR = 0x2, FIO_APPEND = 0x8,
		FIO_CREAT = 0x200, FIO_TRUNC = 0x400, FIO_EXCL = 0x800,
	};
	if (flags & ~(uint64_t)(FIO_WRONLY | FIO_RDWR | FIO_APPEND | FIO_CREAT |
				FIO_TRUNC | FIO_EXCL))
		return -EINVAL;
	int f;
	switch (flags & 3) {
	case 0:
		f = O_RDONLY;
		break;
	case FIO_WRONLY:
		f = O_WRONLY;
		break;
	case FIO_RDWR:
		f = O_RDWR;
		break;
	default:
		return -EINVAL;
	}
	if (flags & FIO_APPEND)
		f |= O_APPEND;
	if (flags & FIO_CREAT)
		f |= O_CREAT;
	if (flags & FIO_TRUNC)
		f |= O_TRUNC;
	if (flags & FIO_EXCL)
		f |= O_EXCL;
	*out = f;
	return 0;
}

static uint8_t *put_be(uint8_t *p, uint64_t v, int size)
{
	for (int i = size - 1; i >= 0; i--)
		*p++ = (uint8_t)(v >> (8 * i));
	return p;
}

void gdb_fileio_encode_stat(const struct stat *st,
			    uint8_t out[GDB_FILEIO_STAT_SIZE])
{
	uint8_t *p = out;
	p = put_be(p, st->st_dev, 4);
	p = put_be(p, st->st_ino, 4);
	p = put_be(p, st->st_mode, 4);
	p = put_be(p, st->st_nlink, 4);
	p = put_be(p, st->st_uid, 4);
	p = put_be(p, st->st_gid, 4);
	p = put_be(p, st->st_rdev, 4);
	p = put_be(p, (uint64_t)st->st_size, 8);
	p = put_be(p, (uint64_t)st->st_blksize, 8);
	p = put_be(p, (uint64_t)st->st_blocks, 8);
	p = put_be(p, (uint64_t)st->st_atime, 4);
	p = put_be(p, (uint64_t)st->st_mtime, 4);
	put_be(p, (uint64_t)st->st_ctime, 4);
}

int gdb_reply_file(struct gdb_buf *b, int64_t result, int fileio_errno,
		   const void *data, size_t len)
{
	gdb_buf_append_char(b, 'F');
	if (result < 0) {
		gdb_buf_append_str(b, "-1,");
		gdb_buf_append_hexnum(b, (uint64_t)(fileio_errno < 0 ?
						    GDB_FILEIO_EUNKNOWN :
						    fileio_errno));
	} else {
		gdb_buf_append_hexnum(b, (uint64_t)result);
	}
	if (data) {
		gdb_buf_append_char(b, ';');
		gdb_buf_append(b, data, len);
	}
	return b->err;
}

/* ================================================================ requests */

/* The state of one parse: a cursor over the payload and the request being
 * filled, whose buf hands out space for decoded fields. */
struct parser {
	const uint8_t *start, *p, *end;
	struct gdb_request *req;
	size_t used;		/* bytes of req->buf handed out */
};

#define PARSE_UNKNOWN 1	/* a parse function's "not ours after all" */

static int malformed(struct parser *ps, const char *why)
{
	ps->req->kind = GDB_REQ_MALFORMED;
	ps->req->reason = why;
	return -EINVAL;
}

static bool at_end(const struct parser *ps)
{
	return ps->p == ps->end;
}

static bool eat(struct parser *ps, char c)
{
	if (ps->p < ps->end && *ps->p == (uint8_t)c) {
		ps->p++;
		return true;
	}
	return false;
}

static int expect(struct parser *ps, char c, const char *why)
{
	return eat(ps, c) ? 0 : malformed(ps, why);
}

/* One or more hex digits; what names the field for the error. */
static int parse_num(struct parser *ps, uint64_t *out, const char *what)
{
	uint64_t v = 0;
	const uint8_t *p0 = ps->p;
	int d;
	while (ps->p < ps->end && (d = hex_digit_value(*ps->p)) >= 0) {
		if (v >> 60)
			return malformed(ps, "number overflows 64 bits");
		v = v << 4 | (uint64_t)d;
		ps->p++;
	}
	if (ps->p == p0)
		return malformed(ps, what);
	*out = v;
	return 0;
}

/* ",NUM": a field after a comma. */
static int parse_comma_num(struct parser *ps, uint64_t *out, const char *what)
{
	int err = expect(ps, ',', "missing ','");
	return err ? err : parse_num(ps, out, what);
}

static int parse_num_max(struct parser *ps, uint64_t *out, uint64_t max,
			 const char *what)
{
	int err = parse_num(ps, out, what);
	if (!err && *out > max)
		return malformed(ps, what);
	return err;
}

/* The bytes up to the first of stops (or the end); the cursor moves past
 * them, not past the stop. */
static size_t span(struct parser *ps, const char *stops)
{
	const uint8_t *p0 = ps->p;
	size_t nstops = strlen(stops);
	while (ps->p < ps->end && !memchr(stops, *ps->p, nstops))
		ps->p++;
	return (size_t)(ps->p - p0);
}

static uint8_t *take_space(struct parser *ps, size_t n)
{
	if (n > sizeof(ps->req->buf) - ps->used)
		return NULL;
	uint8_t *p = ps->req->buf + ps->used;
	ps->used += n;
	return p;
}

/* src[0..n) as a NUL-terminated string in req->buf. */
static int take_text(struct parser *ps, const uint8_t *src, size_t n,
		     const char **out)
{
	if (memchr(src, 0, n))
		return malformed(ps, "NUL byte in text");
	uint8_t *p = take_space(ps, n + 1);
	if (!p)
		return malformed(ps, "packet too long");
	memcpy(p, src, n);
	p[n] = 0;
	*out = (const char *)p;
	return 0;
}

/* Hex hex[0..n) decoded into req->buf, NUL-terminated. */
static int take_hex(struct parser *ps, const uint8_t *hex, size_t n,
		    const uint8_t **out, size_t *outlen)
{
	uint8_t *p = take_space(ps, n / 2 + 1);
	if (!p)
		return malformed(ps, "packet too long");
	int got = gdb_hex_decode(hex, n, p, n / 2);
	if (got < 0)
		return malformed(ps, "bad hex data");
	p[got] = 0;
	*out = p;
	*outlen = (size_t)got;
	return 0;
}

/* Hex-encoded text (a file name, a monitor command): no NUL inside. */
static int take_hex_text(struct parser *ps, const uint8_t *hex, size_t n,
			 const char **out, size_t *outlen)
{
	const uint8_t *p;
	int err = take_hex(ps, hex, n, &p, outlen);
	if (err)
		return err;
	if (memchr(p, 0, *outlen))
		return malformed(ps, "NUL byte in text");
	*out = (const char *)p;
	return 0;
}

/* The rest of the payload as hex data. */
static int take_hex_rest(struct parser *ps, const uint8_t **out,
			 size_t *outlen)
{
	const uint8_t *p0 = ps->p;
	ps->p = ps->end;
	return take_hex(ps, p0, (size_t)(ps->end - p0), out, outlen);
}

/* A range must not run past the top of the address space. */
static int check_range(struct parser *ps, uint64_t addr, uint64_t len)
{
	if (len && addr + (len - 1) < addr)
		return malformed(ps, "range wraps past the end of memory");
	return 0;
}

/* "-1" or a hex id up to INT64_MAX. */
static int parse_id(struct parser *ps, int64_t *out)
{
	if (eat(ps, '-')) {
		if (!eat(ps, '1'))
			return malformed(ps, "bad thread id");
		*out = GDB_ID_ALL;
		return 0;
	}
	uint64_t v = 0;
	int err = parse_num_max(ps, &v, INT64_MAX, "bad thread id");
	if (!err)
		*out = (int64_t)v;
	return err;
}

static int parse_thread_id(struct parser *ps, struct gdb_thread_id *id)
{
	int err;
	if (eat(ps, 'p')) {
		if ((err = parse_id(ps, &id->pid)))
			return err;
		if (!eat(ps, '.')) {
			id->tid = GDB_ID_ALL;	/* "ppid": its threads */
			return 0;
		}
	} else {
		id->pid = 0;
	}
	return parse_id(ps, &id->tid);
}

/* ---------------------------------------------------------------- one per packet */

static int parse_write_regs(struct parser *ps)
{
	struct gdb_request *req = ps->req;
	if (at_end(ps))
		return malformed(ps, "no register data");
	return take_hex_rest(ps, &req->reg.data, &req->reg.len);
}

static int parse_read_reg(struct parser *ps)
{
	uint64_t n = 0;
	int err = parse_num_max(ps, &n, 0xffff, "bad register number");
	ps->req->reg.regnum = (uint32_t)n;
	return err;
}

static int parse_write_reg(struct parser *ps)
{
	struct gdb_request *req = ps->req;
	int err = parse_read_reg(ps);
	if (!err)
		err = expect(ps, '=', "missing '='");
	if (err)
		return err;
	if (at_end(ps))
		return malformed(ps, "no register value");
	return take_hex_rest(ps, &req->reg.data, &req->reg.len);
}

/* "addr,len" */
static int parse_addr_len(struct parser *ps)
{
	struct gdb_request *req = ps->req;
	int err = parse_num(ps, &req->mem.addr, "bad address");
	if (!err)
		err = parse_comma_num(ps, &req->mem.len, "bad length");
	if (!err)
		err = check_range(ps, req->mem.addr, req->mem.len);
	return err;
}

static int parse_read_mem(struct parser *ps)
{
	int err = parse_addr_len(ps);
	if (!err && ps->req->mem.len > GDB_MEM_READ_MAX)
		return malformed(ps, "length too large");
	return err;
}

static int parse_write_mem_hex(struct parser *ps)
{
	struct gdb_request *req = ps->req;
	int err = parse_addr_len(ps);
	if (!err)
		err = expect(ps, ':', "missing ':'");
	if (err)
		return err;
	size_t n;
	if ((err = take_hex_rest(ps, &req->mem.data, &n)))
		return err;
	if (n != req->mem.len)
		return malformed(ps, "data length does not match");
	return 0;
}

/* X: the data is binary, already unescaped by the reader. */
static int parse_write_mem_bin(struct parser *ps)
{
	struct gdb_request *req = ps->req;
	int err = parse_addr_len(ps);
	if (!err)
		err = expect(ps, ':', "missing ':'");
	if (err)
		return err;
	if ((uint64_t)(ps->end - ps->p) != req->mem.len)
		return malformed(ps, "data length does not match");
	req->mem.data = ps->p;
	ps->p = ps->end;
	return 0;
}

/* Z/z "type,addr,kind[;cond_list][;cmds:...]": conditions and commands
 * are accepted and ignored (we never offer ConditionalBreakpoints). */
static int parse_point(struct parser *ps)
{
	struct gdb_request *req = ps->req;
	uint64_t type = 0;
	int err = parse_num(ps, &type, "bad breakpoint type");
	if (!err)
		err = parse_comma_num(ps, &req->point.addr, "bad address");
	if (!err)
		err = parse_comma_num(ps, &req->point.kind,
				      "bad breakpoint kind");
	if (err)
		return err;
	if (type > GDB_POINT_ACCESS)
		return PARSE_UNKNOWN;	/* the empty reply: "not supported" */
	req->point.type = (uint8_t)type;
	if (eat(ps, ';')) {
		req->point.has_cond = true;
		ps->p = ps->end;
	}
	return 0;
}

/* c/s [addr] */
static int parse_resume(struct parser *ps)
{
	struct gdb_request *req = ps->req;
	if (at_end(ps))
		return 0;
	req->resume.has_addr = true;
	return parse_num(ps, &req->resume.addr, "bad address");
}

static int parse_signal(struct parser *ps, uint8_t *signo)
{
	uint64_t v = 0;
	int err = parse_num_max(ps, &v, 0xff, "bad signal number");
	*signo = (uint8_t)v;
	return err;
}

/* C/S sig[;addr] */
static int parse_resume_signal(struct parser *ps)
{
	struct gdb_request *req = ps->req;
	req->resume.has_signal = true;
	int err = parse_signal(ps, &req->resume.signo);
	if (err || !eat(ps, ';'))
		return err;
	req->resume.has_addr = true;
	return parse_num(ps, &req->resume.addr, "bad address");
}

/* vCont;action[:thread][;action[:thread]]... */
static int parse_vcont(struct parser *ps)
{
	struct gdb_request *req = ps->req;
	int err = 0;
	for (;;) {
		if (req->vcont.count == GDB_VCONT_MAX)
			return malformed(ps, "too many vCont actions");
		struct gdb_vcont_action *a =
			&req->vcont.action[req->vcont.count];
		if (at_end(ps))
			return malformed(ps, "missing vCont action");
		a->action = (char)*ps->p++;
		switch (a->action) {
		case 'c':
		case 's':
		case 't':
			break;
		case 'C':
		case 'S':
			err = parse_signal(ps, &a->signo);
			break;
		case 'r':
			err = parse_num(ps, &a->start, "bad range start");
			if (!err)
				err = parse_comma_num(ps, &a->end,
						      "bad range end");
			break;
		default:
			return malformed(ps, "unknown vCont action");
		}
		if (err)
			return err;
		if (eat(ps, ':')) {
			a->has_thread = true;
			if ((err = parse_thread_id(ps, &a->thread)))
				return err;
		}
		req->vcont.count++;
		if (at_end(ps))
			return 0;
		if ((err = expect(ps, ';', "missing ';'")))
			return err;
	}
}

static int parse_set_thread(struct parser *ps)
{
	struct gdb_request *req = ps->req;
	if (at_end(ps))
		return malformed(ps, "missing operation");
	req->thread.op = (char)*ps->p++;
	if (req->thread.op != 'g' && req->thread.op != 'c' &&
	    req->thread.op != 's')
		return malformed(ps, "unknown H operation");
	return parse_thread_id(ps, &req->thread.id);
}

static int parse_thread(struct parser *ps)
{
	return parse_thread_id(ps, &ps->req->thread.id);
}

/* D;pid, vKill;pid, qAttached:pid */
static int parse_pid(struct parser *ps)
{
	struct gdb_request *req = ps->req;
	uint64_t pid = 0;
	int err = parse_num_max(ps, &pid, INT64_MAX, "bad process id");
	req->process.has_pid = true;
	req->process.pid = (int64_t)pid;
	return err;
}

static const struct {
	const char *name;
	uint32_t bit;
} supported_features[] = {
	{ "multiprocess", GDB_FEAT_MULTIPROCESS },
	{ "swbreak", GDB_FEAT_SWBREAK },
	{ "hwbreak", GDB_FEAT_HWBREAK },
	{ "fork-events", GDB_FEAT_FORK_EVENTS },
	{ "vfork-events", GDB_FEAT_VFORK_EVENTS },
	{ "exec-events", GDB_FEAT_EXEC_EVENTS },
	{ "vContSupported", GDB_FEAT_VCONT_SUPPORTED },
	{ "QThreadEvents", GDB_FEAT_THREAD_EVENTS },
	{ "no-resumed", GDB_FEAT_NO_RESUMED },
};

static bool name_is(const uint8_t *p, size_t n, const char *name)
{
	return strlen(name) == n && memcmp(p, name, n) == 0;
}

/* qSupported:feature;feature...: "name+" sets a known bit; "name-",
 * "name?", "name=value" and unknown names are allowed and ignored, except
 * xmlRegisters=... */
static int parse_supported(struct parser *ps)
{
	struct gdb_request *req = ps->req;
	while (!at_end(ps)) {
		const uint8_t *item = ps->p;
		size_t n = span(ps, ";");
		eat(ps, ';');
		const uint8_t *eq = memchr(item, '=', n);
		if (eq) {
			if (name_is(item, (size_t)(eq - item), "xmlRegisters"))
				req->supported.features |= GDB_FEAT_XML_REGISTERS;
			continue;
		}
		if (n == 0 || item[n - 1] != '+')
			continue;
		for (size_t i = 0; i < sizeof(supported_features) /
					    sizeof(supported_features[0]); i++)
			if (name_is(item, n - 1, supported_features[i].name))
				req->supported.features |=
					supported_features[i].bit;
	}
	return 0;
}

/* qSymbol:[value]:[hexname] ("qSymbol::" offers to look symbols up) */
static int parse_symbol(struct parser *ps)
{
	struct gdb_request *req = ps->req;
	int err;
	if (!eat(ps, ':')) {
		req->symbol.has_value = true;
		if ((err = parse_num(ps, &req->symbol.value, "bad symbol value")))
			return err;
		if ((err = expect(ps, ':', "missing ':'")))
			return err;
	}
	const uint8_t *hex = ps->p;
	ps->p = ps->end;
	return take_hex_text(ps, hex, (size_t)(ps->end - hex),
			     &req->symbol.name, &req->symbol.name_len);
}

/* qXfer:object:read:annex:offset,length; other operations are unknown. */
static int parse_xfer(struct parser *ps)
{
	struct gdb_request *req = ps->req;
	const uint8_t *obj = ps->p;
	size_t objlen = span(ps, ":");
	if (objlen == 0)
		return malformed(ps, "missing object");
	int err = expect(ps, ':', "missing ':'");
	if (err)
		return err;
	const uint8_t *op = ps->p;
	size_t oplen = span(ps, ":");
	if (!name_is(op, oplen, "read"))
		return PARSE_UNKNOWN;
	if ((err = expect(ps, ':', "missing ':'")))
		return err;
	const uint8_t *annex = ps->p;
	size_t annexlen = span(ps, ":");
	if ((err = expect(ps, ':', "missing ':'")) ||
	    (err = take_text(ps, obj, objlen, &req->xfer.object)) ||
	    (err = take_text(ps, annex, annexlen, &req->xfer.annex)) ||
	    (err = parse_num(ps, &req->xfer.offset, "bad offset")))
		return err;
	return parse_comma_num(ps, &req->xfer.length, "bad length");
}

static int parse_monitor(struct parser *ps)
{
	struct gdb_request *req = ps->req;
	const uint8_t *hex = ps->p;
	ps->p = ps->end;
	return take_hex_text(ps, hex, (size_t)(ps->end - hex), &req->text.text,
			     &req->text.len);
}

/* QNonStop:0|1, QThreadEvents:0|1 */
static int parse_switch(struct parser *ps)
{
	return parse_num_max(ps, &ps->req->value, 1, "expected 0 or 1");
}

static int parse_value(struct parser *ps)
{
	return parse_num(ps, &ps->req->value, "bad value");
}

/* QPassSignals:sig[;sig]... (an empty list clears the set) */
static int parse_signals(struct parser *ps)
{
	struct gdb_request *req = ps->req;
	while (!at_end(ps)) {
		uint8_t sig;
		int err = parse_signal(ps, &sig);
		if (err)
			return err;
		req->signals.set[sig / 64] |= 1ULL << (sig % 64);
		if (!at_end(ps) && (err = expect(ps, ';', "missing ';'")))
			return err;
	}
	return 0;
}

/* The Q packets gdb sends only when offered: remember their name. */
static int parse_set_other(struct parser *ps)
{
	struct gdb_request *req = ps->req;
	ps->p = ps->start;
	size_t n = span(ps, ":");
	ps->p = ps->end;
	int err = take_text(ps, ps->start, n, &req->text.text);
	req->text.len = n;
	return err;
}

static int parse_fd(struct parser *ps, int64_t *fd)
{
	uint64_t v = 0;
	int err = parse_num_max(ps, &v, INT32_MAX, "bad file descriptor");
	*fd = (int64_t)v;
	return err;
}

static int parse_file_open(struct parser *ps)
{
	struct gdb_request *req = ps->req;
	const uint8_t *hex = ps->p;
	size_t n = span(ps, ",");
	int err = take_hex_text(ps, hex, n, &req->file.path,
				&req->file.path_len);
	if (!err)
		err = parse_comma_num(ps, &req->file.flags, "bad flags");
	if (!err)
		err = parse_comma_num(ps, &req->file.mode, "bad mode");
	return err;
}

static int parse_file_pread(struct parser *ps)
{
	struct gdb_request *req = ps->req;
	int err = parse_fd(ps, &req->file.fd);
	if (!err)
		err = parse_comma_num(ps, &req->file.count, "bad count");
	if (!err)
		err = parse_comma_num(ps, &req->file.offset, "bad offset");
	return err;
}

static int parse_file_fd(struct parser *ps)
{
	return parse_fd(ps, &ps->req->file.fd);
}

static int parse_file_setfs(struct parser *ps)
{
	uint64_t pid = 0;
	int err = parse_num_max(ps, &pid, INT64_MAX, "bad process id");
	ps->req->file.pid = (int64_t)pid;
	return err;
}

static int parse_file_readlink(struct parser *ps)
{
	struct gdb_request *req = ps->req;
	const uint8_t *hex = ps->p;
	ps->p = ps->end;
	return take_hex_text(ps, hex, (size_t)(ps->end - hex), &req->file.path,
			     &req->file.path_len);
}

/* R [XX] */
static int parse_restart(struct parser *ps)
{
	if (at_end(ps))
		return 0;
	return parse_num(ps, &ps->req->value, "bad value");
}

/* ---------------------------------------------------------------- the table */

enum match {
	EXACT,		/* the payload is the name */
	ARGS,		/* the payload starts with the name; parse the rest */
};

struct packet_def {
	const char *name;
	enum match match;
	enum gdb_req_kind kind;
	/* Parses what follows the name; 0, PARSE_UNKNOWN or -EINVAL (via
	 * malformed).  Whatever it leaves unread makes the packet
	 * malformed. */
	int (*parse)(struct parser *ps);
};

/*
 * Every packet the stub understands.  The first entry that matches wins:
 * a name that is a prefix of another (ARGS "D;" and EXACT "D") must not
 * shadow it, which the names' separators (';', ':', ',') take care of.
 */
static const struct packet_def packet_table[] = {
	{ "?", EXACT, GDB_REQ_HALT_REASON, NULL },
	{ "g", EXACT, GDB_REQ_READ_REGS, NULL },
	{ "G", ARGS, GDB_REQ_WRITE_REGS, parse_write_regs },
	{ "p", ARGS, GDB_REQ_READ_REG, parse_read_reg },
	{ "P", ARGS, GDB_REQ_WRITE_REG, parse_write_reg },
	{ "m", ARGS, GDB_REQ_READ_MEM, parse_read_mem },
	{ "M", ARGS, GDB_REQ_WRITE_MEM, parse_write_mem_hex },
	{ "X", ARGS, GDB_REQ_WRITE_MEM, parse_write_mem_bin },
	{ "Z", ARGS, GDB_REQ_INSERT_POINT, parse_point },
	{ "z", ARGS, GDB_REQ_REMOVE_POINT, parse_point },
	{ "c", ARGS, GDB_REQ_CONTINUE, parse_resume },
	{ "s", ARGS, GDB_REQ_STEP, parse_resume },
	{ "C", ARGS, GDB_REQ_CONTINUE, parse_resume_signal },
	{ "S", ARGS, GDB_REQ_STEP, parse_resume_signal },
	{ "bc", EXACT, GDB_REQ_BACK_CONTINUE, NULL },
	{ "bs", EXACT, GDB_REQ_BACK_STEP, NULL },
	{ "H", ARGS, GDB_REQ_SET_THREAD, parse_set_thread },
	{ "T", ARGS, GDB_REQ_THREAD_ALIVE, parse_thread },
	{ "k", EXACT, GDB_REQ_KILL, NULL },
	{ "D", EXACT, GDB_REQ_DETACH, NULL },
	{ "D;", ARGS, GDB_REQ_DETACH, parse_pid },
	{ "!", EXACT, GDB_REQ_EXTENDED, NULL },
	{ "R", ARGS, GDB_REQ_RESTART, parse_restart },
	{ "vCont?", EXACT, GDB_REQ_VCONT_QUERY, NULL },
	{ "vCont;", ARGS, GDB_REQ_VCONT, parse_vcont },
	{ "vKill;", ARGS, GDB_REQ_VKILL, parse_pid },
	{ "vMustReplyEmpty", EXACT, GDB_REQ_MUST_REPLY_EMPTY, NULL },
	{ "vFile:open:", ARGS, GDB_REQ_FILE_OPEN, parse_file_open },
	{ "vFile:pread:", ARGS, GDB_REQ_FILE_PREAD, parse_file_pread },
	{ "vFile:close:", ARGS, GDB_REQ_FILE_CLOSE, parse_file_fd },
	{ "vFile:fstat:", ARGS, GDB_REQ_FILE_FSTAT, parse_file_fd },
	{ "vFile:setfs:", ARGS, GDB_REQ_FILE_SETFS, parse_file_setfs },
	{ "vFile:readlink:", ARGS, GDB_REQ_FILE_READLINK, parse_file_readlink },
	{ "qSupported", EXACT, GDB_REQ_SUPPORTED, NULL },
	{ "qSupported:", ARGS, GDB_REQ_SUPPORTED, parse_supported },
	{ "qAttached", EXACT, GDB_REQ_ATTACHED, NULL },
	{ "qAttached:", ARGS, GDB_REQ_ATTACHED, parse_pid },
	{ "qC", EXACT, GDB_REQ_CURRENT_THREAD, NULL },
	{ "qfThreadInfo", EXACT, GDB_REQ_THREADS_FIRST, NULL },
	{ "qsThreadInfo", EXACT, GDB_REQ_THREADS_NEXT, NULL },
	{ "qThreadExtraInfo,", ARGS, GDB_REQ_THREAD_EXTRA, parse_thread },
	{ "qOffsets", EXACT, GDB_REQ_OFFSETS, NULL },
	{ "qSymbol:", ARGS, GDB_REQ_SYMBOL, parse_symbol },
	{ "qTStatus", EXACT, GDB_REQ_TRACE_STATUS, NULL },
	{ "qXfer:", ARGS, GDB_REQ_XFER_READ, parse_xfer },
	{ "qRcmd,", ARGS, GDB_REQ_MONITOR, parse_monitor },
	{ "QStartNoAckMode", EXACT, GDB_REQ_START_NOACK, NULL },
	{ "QNonStop:", ARGS, GDB_REQ_NON_STOP, parse_switch },
	{ "QThreadEvents:", ARGS, GDB_REQ_THREAD_EVENTS, parse_switch },
	{ "QPassSignals:", ARGS, GDB_REQ_PASS_SIGNALS, parse_signals },
	{ "QProgramSignals:", ARGS, GDB_REQ_PROGRAM_SIGNALS, parse_signals },
	{ "QDisableRandomization:", ARGS, GDB_REQ_DISABLE_ASLR, parse_value },
	{ "QEnvironmentHexEncoded:", ARGS, GDB_REQ_SET_OTHER, parse_set_other },
	{ "QEnvironmentUnset:", ARGS, GDB_REQ_SET_OTHER, parse_set_other },
	{ "QEnvironmentReset", EXACT, GDB_REQ_SET_OTHER, parse_set_other },
	{ "QSetWorkingDir:", ARGS, GDB_REQ_SET_OTHER, parse_set_other },
	{ "QStartupWithShell:", ARGS, GDB_REQ_SET_OTHER, parse_set_other },
};

static const char *const req_kind_names[GDB_REQ_KIND_COUNT] = {
	[GDB_REQ_UNKNOWN] = "unknown",
	[GDB_REQ_MALFORMED] = "malformed",
	[GDB_REQ_HALT_REASON] = "halt_reason",
	[GDB_REQ_READ_REGS] = "read_regs",
	[GDB_REQ_WRITE_REGS] = "write_regs",
	[GDB_REQ_READ_REG] = "read_reg",
	[GDB_REQ_WRITE_REG] = "write_reg",
	[GDB_REQ_READ_MEM] = "read_mem",
	[GDB_REQ_WRITE_MEM] = "write_mem",
	[GDB_REQ_INSERT_POINT] = "insert_point",
	[GDB_REQ_REMOVE_POINT] = "remove_point",
	[GDB_REQ_CONTINUE] = "continue",
	[GDB_REQ_STEP] = "step",
	[GDB_REQ_VCONT_QUERY] = "vcont_query",
	[GDB_REQ_VCONT] = "vcont",
	[GDB_REQ_BACK_CONTINUE] = "back_continue",
	[GDB_REQ_BACK_STEP] = "back_step",
	[GDB_REQ_SET_THREAD] = "set_thread",
	[GDB_REQ_THREAD_ALIVE] = "thread_alive",
	[GDB_REQ_THREAD_EXTRA] = "thread_extra",
	[GDB_REQ_KILL] = "kill",
	[GDB_REQ_VKILL] = "vkill",
	[GDB_REQ_DETACH] = "detach",
	[GDB_REQ_SUPPORTED] = "supported",
	[GDB_REQ_ATTACHED] = "attached",
	[GDB_REQ_CURRENT_THREAD] = "current_thread",
	[GDB_REQ_THREADS_FIRST] = "threads_first",
	[GDB_REQ_THREADS_NEXT] = "threads_next",
	[GDB_REQ_OFFSETS] = "offsets",
	[GDB_REQ_SYMBOL] = "symbol",
	[GDB_REQ_TRACE_STATUS] = "trace_status",
	[GDB_REQ_XFER_READ] = "xfer_read",
	[GDB_REQ_MONITOR] = "monitor",
	[GDB_REQ_START_NOACK] = "start_noack",
	[GDB_REQ_NON_STOP] = "non_stop",
	[GDB_REQ_THREAD_EVENTS] = "thread_events",
	[GDB_REQ_PASS_SIGNALS] = "pass_signals",
	[GDB_REQ_PROGRAM_SIGNALS] = "program_signals",
	[GDB_REQ_DISABLE_ASLR] = "disable_aslr",
	[GDB_REQ_SET_OTHER] = "set_other",
	[GDB_REQ_FILE_OPEN] = "file_open",
	[GDB_REQ_FILE_PREAD] = "file_pread",
	[GDB_REQ_FILE_CLOSE] = "file_close",
	[GDB_REQ_FILE_FSTAT] = "file_fstat",
	[GDB_REQ_FILE_SETFS] = "file_setfs",
	[GDB_REQ_FILE_READLINK] = "file_readlink",
	[GDB_REQ_MUST_REPLY_EMPTY] = "must_reply_empty",
	[GDB_REQ_EXTENDED] = "extended",
	[GDB_REQ_RESTART] = "restart",
};

const char *gdb_req_kind_name(enum gdb_req_kind kind)
{
	if ((unsigned)kind >= GDB_REQ_KIND_COUNT || !req_kind_names[kind])
		return "?";
	return req_kind_names[kind];
}

static const struct packet_def *find_packet(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < sizeof(packet_table) / sizeof(packet_table[0]);
	     i++) {
		const struct packet_def *def = &packet_table[i];
		size_t n = strlen(def->name);
		if (len < n || memcmp(p, def->name, n) != 0)
			continue;
		if (def->match == EXACT && len != n)
			continue;
		return def;
	}
	return NULL;
}

int gdb_parse_request(const void *payload, size_t len,
		      struct gdb_request *req)
{
	/* Everything but the (large) scratch buffer. */
	memset(req, 0, offsetof(struct gdb_request, buf));
	struct parser ps = {
		.start = payload,
		.p = payload,
		.end = (const uint8_t *)payload + len,
		.req = req,
	};
	if (len > GDB_PACKET_MAX)
		return malformed(&ps, "packet too long");
	const struct packet_def *def = find_packet(payload, len);
	if (!def) {
		req->kind = GDB_REQ_UNKNOWN;
		return -ENOSYS;
	}
	req->kind = def->kind;
	ps.p += strlen(def->name);
	int err = def->parse ? def->parse(&ps) : 0;
	if (err == PARSE_UNKNOWN) {
		memset(req, 0, offsetof(struct gdb_request, buf));
		req->kind = GDB_REQ_UNKNOWN;
		return -ENOSYS;
	}
	if (err)
		return err;
	if (!at_end(&ps))
		return malformed(&ps, "trailing characters");
	return 0;
}

/* ================================================================ amd64 */

/*
 * The registers of amd64 GNU/Linux in gdb's numbering, one list per
 * target-description feature.  Each list expands twice: into the register
 * table and into the <reg> elements of target.xml, so the two cannot
 * disagree.  REG(name, regnum, bits, type) and REG_IN(..., group) for a
 * register gdb should list in a group other than the one its type implies.
 */
#define FEATURE_CORE	"org.gnu.gdb.i386.core"
#define FEATURE_SSE	"org.gnu.gdb.i386.sse"
#define FEATURE_LINUX	"org.gnu.gdb.i386.linux"
#define FEATURE_SEGS	"org.gnu.gdb.i386.segments"

#define CORE_REGS(REG, REG_IN)						\
	REG(rax, 0, 64, int64) REG(rbx, 1, 64, int64)			\
	REG(rcx, 2, 64, int64) REG(rdx, 3, 64, int64)			\
	REG(rsi, 4, 64, int64) REG(rdi, 5, 64, int64)			\
	REG(rbp, 6, 64, data_ptr) REG(rsp, 7, 64, data_ptr)		\
	REG(r8, 8, 64, int64) REG(r9, 9, 64, int64)			\
	REG(r10, 10, 64, int64) REG(r11, 11, 64, int64)			\
	REG(r12, 12, 64, int64) REG(r13, 13, 64, int64)			\
	REG(r14, 14, 64, int64) REG(r15, 15, 64, int64)			\
	REG(rip, 16, 64, code_ptr)					\
	REG(eflags, 17, 32, i386_eflags)				\
	REG(cs, 18, 32, int32) REG(ss, 19, 32, int32)			\
	REG(ds, 20, 32, int32) REG(es, 21, 32, int32)			\
	REG(fs, 22, 32, int32) REG(gs, 23, 32, int32)			\
	REG(st0, 24, 80, i387_ext) REG(st1, 25, 80, i387_ext)		\
	REG(st2, 26, 80, i387_ext) REG(st3, 27, 80, i387_ext)		\
	REG(st4, 28, 80, i387_ext) REG(st5, 29, 80, i387_ext)		\
	REG(st6, 30, 80, i387_ext) REG(st7, 31, 80, i387_ext)		\
	REG_IN(fctrl, 32, 32, int, float)				\
	REG_IN(fstat, 33, 32, int, float)				\
	REG_IN(ftag, 34, 32, int, float)				\
	REG_IN(fiseg, 35, 32, int, float)				\
	REG_IN(fioff, 36, 32, int, float)				\
	REG_IN(foseg, 37, 32, int, float)				\
	REG_IN(fooff, 38, 32, int, float)				\
	REG_IN(fop, 39, 32, int, float)

#define SSE_REGS(REG, REG_IN)						\
	REG(xmm0, 40, 128, vec128) REG(xmm1, 41, 128, vec128)		\
	REG(xmm2, 42, 128, vec128) REG(xmm3, 43, 128, vec128)		\
	REG(xmm4, 44, 128, vec128) REG(xmm5, 45, 128, vec128)		\
	REG(xmm6, 46, 128, vec128) REG(xmm7, 47, 128, vec128)		\
	REG(xmm8, 48, 128, vec128) REG(xmm9, 49, 128, vec128)		\
	REG(xmm10, 50, 128, vec128) REG(xmm11, 51, 128, vec128)		\
	REG(xmm12, 52, 128, vec128) REG(xmm13, 53, 128, vec128)		\
	REG(xmm14, 54, 128, vec128) REG(xmm15, 55, 128, vec128)		\
	REG_IN(mxcsr, 56, 32, i386_mxcsr, vector)

#define LINUX_REGS(REG, REG_IN)						\
	REG(orig_rax, 57, 64, int)

#define SEGMENT_REGS(REG, REG_IN)					\
	REG(fs_base, 58, 64, int) REG(gs_base, 59, 64, int)

/* The table: FEATURE names the list being expanded. */
#define TABLE_REG(name, num, bits, type)				\
	{ #name, num, (bits) / 8, #type, NULL, FEATURE },
#define TABLE_REG_IN(name, num, bits, type, group)			\
	{ #name, num, (bits) / 8, #type, #group, FEATURE },

static const struct gdb_reg amd64_regs[] = {
#define FEATURE FEATURE_CORE
	CORE_REGS(TABLE_REG, TABLE_REG_IN)
#undef FEATURE
#define FEATURE FEATURE_SSE
	SSE_REGS(TABLE_REG, TABLE_REG_IN)
#undef FEATURE
#define FEATURE FEATURE_LINUX
	LINUX_REGS(TABLE_REG, TABLE_REG_IN)
#undef FEATURE
#define FEATURE FEATURE_SEGS
	SEGMENT_REGS(TABLE_REG, TABLE_REG_IN)
#undef FEATURE
};

_Static_assert(sizeof(amd64_regs) / sizeof(amd64_regs[0]) == GDB_AMD64_NREGS,
	       "register table and enum gdb_amd64_regnum disagree");

#define SIZE_REG(name, num, bits, type) + (bits) / 8
#define SIZE_REG_IN(name, num, bits, type, group) + (bits) / 8
_Static_assert(0 CORE_REGS(SIZE_REG, SIZE_REG_IN) SSE_REGS(SIZE_REG, SIZE_REG_IN)
	       LINUX_REGS(SIZE_REG, SIZE_REG_IN)
	       SEGMENT_REGS(SIZE_REG, SIZE_REG_IN) == GDB_AMD64_REGS_SIZE,
	       "GDB_AMD64_REGS_SIZE is not the sum of the register sizes");

const struct gdb_reg *gdb_amd64_regs(void)
{
	return amd64_regs;
}

const struct gdb_reg *gdb_amd64_reg(uint64_t regnum)
{
	return regnum < GDB_AMD64_NREGS ? &amd64_regs[regnum] : NULL;
}

/* The XML: the same lists, as <reg> elements with explicit numbers. */
#define XML_REG(name, num, bits, type)					\
	"  <reg name=\"" #name "\" bitsize=\"" #bits "\" type=\"" #type	\
	"\" regnum=\"" #num "\"/>\n"
#define XML_REG_IN(name, num, bits, type, group)			\
	"  <reg name=\"" #name "\" bitsize=\"" #bits "\" type=\"" #type	\
	"\" regnum=\"" #num "\" group=\"" #group "\"/>\n"

/* One bit of a flags register, as <field name start end>. */
#define XML_BIT(name, bit)						\
	"  <field name=\"" name "\" start=\"" #bit "\" end=\"" #bit "\"/>\n"

/*
 * amd64 GNU/Linux as gdb knows it natively: integer core, x87, SSE,
 * orig_rax for syscall restarts, and the fs/gs bases.  xmm registers are
 * a union of the vector views every gdb since 7.x understands (newer ones
 * also offer bfloat16 and half views, which older ones would refuse).
 */
static const char target_xml[] =
	"<?xml version=\"1.0\"?>\n"
	"<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
	"<target version=\"1.0\">\n"
	"<architecture>i386:x86-64</architecture>\n"
	"<osabi>GNU/Linux</osabi>\n"
	"<feature name=\"" FEATURE_CORE "\">\n"
	" <flags id=\"i386_eflags\" size=\"4\">\n"
	XML_BIT("CF", 0) XML_BIT("", 1) XML_BIT("PF", 2) XML_BIT("AF", 4)
	XML_BIT("ZF", 6) XML_BIT("SF", 7) XML_BIT("TF", 8) XML_BIT("IF", 9)
	XML_BIT("DF", 10) XML_BIT("OF", 11) XML_BIT("NT", 14)
	XML_BIT("RF", 16) XML_BIT("VM", 17) XML_BIT("AC", 18)
	XML_BIT("VIF", 19) XML_BIT("VIP", 20) XML_BIT("ID", 21)
	" </flags>\n"
	CORE_REGS(XML_REG, XML_REG_IN)
	"</feature>\n"
	"<feature name=\"" FEATURE_SSE "\">\n"
	" <vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
	" <vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>\n"
	" <vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n"
	" <vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n"
	" <vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n"
	" <vector id=\"v2i64\" type=\"int64\" count=\"2\"/>\n"
	" <union id=\"vec128\">\n"
	"  <field name=\"v4_float\" type=\"v4f\"/>\n"
	"  <field name=\"v2_double\" type=\"v2d\"/>\n"
	"  <field name=\"v16_int8\" type=\"v16i8\"/>\n"
	"  <field name=\"v8_int16\" type=\"v8i16\"/>\n"
	"  <field name=\"v4_int32\" type=\"v4i32\"/>\n"
	"  <field name=\"v2_int64\" type=\"v2i64\"/>\n"
	"  <field name=\"uint128\" type=\"uint128\"/>\n"
	" </union>\n"
	" <flags id=\"i386_mxcsr\" size=\"4\">\n"
	XML_BIT("IE", 0) XML_BIT("DE", 1) XML_BIT("ZE", 2) XML_BIT("OE", 3)
	XML_BIT("UE", 4) XML_BIT("PE", 5) XML_BIT("DAZ", 6) XML_BIT("IM", 7)
	XML_BIT("DM", 8) XML_BIT("ZM", 9) XML_BIT("OM", 10) XML_BIT("UM", 11)
	XML_BIT("PM", 12) XML_BIT("FZ", 15)
	" </flags>\n"
	SSE_REGS(XML_REG, XML_REG_IN)
	"</feature>\n"
	"<feature name=\"" FEATURE_LINUX "\">\n"
	LINUX_REGS(XML_REG, XML_REG_IN)
	"</feature>\n"
	"<feature name=\"" FEATURE_SEGS "\">\n"
	SEGMENT_REGS(XML_REG, XML_REG_IN)
	"</feature>\n"
	"</target>\n";

int gdb_find_tdesc(const char *annex, const char **doc, size_t *len)
{
	if (strcmp(annex, "target.xml") != 0)
		return -ENOENT;
	*doc = target_xml;
	*len = sizeof(target_xml) - 1;
	return 0;
}
