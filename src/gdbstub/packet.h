/*
 * packet.h - the GDB remote serial protocol, as bytes: framing, reply
 * encoding, request parsing and the amd64 target description.
 *
 * Owns: turning the byte stream from gdb into events (packets, acks,
 * interrupts), building reply payloads and framing them, turning a packet
 * payload into a struct gdb_request, and the register layout that the
 * target description, g/G and p/P share.  Pure code: no sockets, no
 * session state (of the rest of rewind only the hex digit decoder of
 * trace/hash.h).
 * Does not own: what a request does (the stub's executor, src/gdbstub),
 * the connection, or the replay session behind it.
 *
 * Everything read from gdb is treated as hostile: every length is bounded
 * by GDB_PACKET_MAX, every number is checked for overflow, and payloads
 * are (pointer, length) pairs because X packets carry NUL bytes.
 *
 * The protocol in one paragraph: a packet is '$' payload '#' and two hex
 * digits, the sum of the payload bytes modulo 256.  Inside the payload,
 * '}' escapes the next byte (which is XORed with 0x20) and 'X*N' repeats X
 * another N - 29 times.  The receiver acknowledges each packet with '+' or
 * asks for it again with '-' until both sides agree on QStartNoAckMode.
 * A lone 0x03 byte from gdb asks the running program to stop.  Numbers
 * are hexadecimal throughout.
 */
#ifndef REWIND_GDBSTUB_PACKET_H
#define REWIND_GDBSTUB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/*
 * The largest payload the stub accepts, after unescaping and run-length
 * expansion.  qSupported advertises it as PacketSize (gdb_reply_supported),
 * which bounds every packet gdb sends, '$', '#' and checksum included.  A
 * payload that run-length expansion makes longer than this is refused
 * (too long) by the reader.  64 KiB of payload and 1 KiB of slack for the
 * packet's own header.
 */
#define GDB_PACKET_MAX		(64 * 1024 + 1024)

/* The longest memory read (m) accepted: its hex reply fills a packet. */
#define GDB_MEM_READ_MAX	(GDB_PACKET_MAX / 2)

/* The most actions one vCont packet may carry. */
#define GDB_VCONT_MAX		16

/* A struct gdb_buf refuses to grow past this (room for the largest
 * payload framed with every byte escaped, and then some). */
#define GDB_BUF_MAX		(4 * GDB_PACKET_MAX)

/* ---------------------------------------------------------------- framing */

struct gdb_reader;	/* opaque: the byte-at-a-time framing state */

enum gdb_event_kind {
	GDB_EV_NONE,		/* all input consumed, nothing complete yet */
	GDB_EV_PACKET,		/* a packet with a good checksum: data, len */
	GDB_EV_ACK,		/* '+' */
	GDB_EV_NACK,		/* '-': resend the last packet */
	GDB_EV_INTERRUPT,	/* 0x03 between packets: stop the program */
	GDB_EV_BAD_CHECKSUM,	/* corrupt in transit: answer '-' (unless in
				   no-ack mode) and gdb sends it again */
	GDB_EV_INVALID,		/* checksum good but undecodable (longer than
				   GDB_PACKET_MAX, bad run length, dangling
				   escape): answer '+' then an error reply */
};

struct gdb_event {
	enum gdb_event_kind kind;
	/* GDB_EV_PACKET: the decoded payload, NUL-terminated for logging
	 * (it may hold NUL bytes itself).  Owned by the reader and valid
	 * until the next gdb_reader_feed. */
	const uint8_t *data;
	size_t len;
	const char *reason;	/* GDB_EV_BAD_CHECKSUM, GDB_EV_INVALID */
};

/* Allocates a reader in its initial state (between packets).  Returns 0
 * or -ENOMEM. */
int gdb_reader_create(struct gdb_reader **out);
void gdb_reader_destroy(struct gdb_reader *r);

/* Forgets any partial packet, as after a reconnection. */
void gdb_reader_reset(struct gdb_reader *r);

/*
 * Consumes bytes from in[0..len) until one event completes, and returns
 * how many it consumed; *ev says what completed, or GDB_EV_NONE when the
 * whole input was consumed without completing anything.  Feed the rest of
 * the input again until it is used up:
 *
 *	while (len > 0) {
 *		size_t n = gdb_reader_feed(r, in, len, &ev);
 *		in += n, len -= n;
 *		handle(&ev);
 *	}
 *
 * Bytes between packets other than '+', '-', 0x03 and '$' are ignored;
 * gdb never sends notifications ('%' ... '#xx'), so a '%' is such a byte
 * too (and an interrupt after it is never lost).  A '$' inside
 * a packet abandons it and starts a new one.  Memory use is fixed: an
 * oversized packet is read to its end and reported as GDB_EV_INVALID.
 */
size_t gdb_reader_feed(struct gdb_reader *r, const uint8_t *in, size_t len,
		       struct gdb_event *ev);

/* ---------------------------------------------------------------- buffers */

/*
 * A growable byte buffer for building payloads and framed packets.  Zero
 * it (or gdb_buf_init) before use.  Appends never fail loudly: on ENOMEM,
 * or past GDB_BUF_MAX, the buffer keeps what it had and sets the sticky
 * err, which every append returns and gdb_buf_reset clears.
 */
struct gdb_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	int err;		/* 0, -ENOMEM or -E2BIG */
};

void gdb_buf_init(struct gdb_buf *b);
void gdb_buf_free(struct gdb_buf *b);
/* Empties the buffer and clears err; keeps the memory. */
void gdb_buf_reset(struct gdb_buf *b);

int gdb_buf_append(struct gdb_buf *b, const void *data, size_t len);
int gdb_buf_append_char(struct gdb_buf *b, char c);
int gdb_buf_append_str(struct gdb_buf *b, const char *s);
/* Two lower-case hex digits per byte, in memory order. */
int gdb_buf_append_hex(struct gdb_buf *b, const void *data, size_t len);
/* v in lower-case hex without leading zeros ("0" for zero). */
int gdb_buf_append_hexnum(struct gdb_buf *b, uint64_t v);
/* The low size bytes of v (size <= 8), least significant byte first, as
 * hex: a register value as g, p and T replies carry it. */
int gdb_buf_append_le(struct gdb_buf *b, uint64_t v, size_t size);

/* Decodes hex[0..hexlen) into out[0..cap).  Returns the byte count,
 * -EINVAL for an odd length or a non-hex digit, -ENOSPC when cap is too
 * small. */
int gdb_hex_decode(const void *hex, size_t hexlen, uint8_t *out, size_t cap);

/*
 * Appends "$payload#cs" to out.  Payloads are built unescaped: every '$',
 * '#', '}' and '*' byte is escaped here ('}' then the byte XOR 0x20),
 * which is exactly the protocol's binary-data escaping for the replies
 * that carry binary data (qXfer, vFile) and never triggers for the others,
 * whose payloads are hex and letters.  Runs of four or more identical
 * bytes are run-length encoded.  Returns out->err.
 */
int gdb_frame_packet(struct gdb_buf *out, const void *payload, size_t len);

/* ---------------------------------------------------------------- thread ids */

#define GDB_ID_ALL	(-1)	/* "-1": every process / thread */
#define GDB_ID_ANY	0	/* "0": any one of them */

/* "ppid.tid", "ppid" (tid GDB_ID_ALL), or a bare "tid" (pid 0). */
struct gdb_thread_id {
	int64_t pid;
	int64_t tid;
};

/* "pPID.TID" when pid is not 0, else "TID"; -1 as "-1". */
int gdb_buf_append_thread(struct gdb_buf *b, const struct gdb_thread_id *id);

/* ---------------------------------------------------------------- requests */

enum gdb_req_kind {
	GDB_REQ_UNKNOWN,	/* not supported: reply with an empty packet */
	GDB_REQ_MALFORMED,	/* a known packet, badly formed: reason */
	GDB_REQ_HALT_REASON,	/* ? */
	GDB_REQ_READ_REGS,	/* g */
	GDB_REQ_WRITE_REGS,	/* G XX...: reg.data, reg.len */
	GDB_REQ_READ_REG,	/* p n: reg.regnum */
	GDB_REQ_WRITE_REG,	/* P n=r: reg.regnum, reg.data, reg.len */
	GDB_REQ_READ_MEM,	/* m addr,len: mem.addr, mem.len */
	GDB_REQ_WRITE_MEM,	/* M addr,len:XX... and X addr,len:binary:
				   mem.addr, mem.len, mem.data */
	GDB_REQ_INSERT_POINT,	/* Z type,addr,kind[;cond...]: point */
	GDB_REQ_REMOVE_POINT,	/* z type,addr,kind: point */
	GDB_REQ_CONTINUE,	/* c [addr], C sig[;addr]: resume */
	GDB_REQ_STEP,		/* s [addr], S sig[;addr]: resume */
	GDB_REQ_VCONT_QUERY,	/* vCont? */
	GDB_REQ_VCONT,		/* vCont;action[:thread]...: vcont */
	GDB_REQ_BACK_CONTINUE,	/* bc */
	GDB_REQ_BACK_STEP,	/* bs */
	GDB_REQ_SET_THREAD,	/* H op thread: thread.op ('g' 'c' 's'),
				   thread.id */
	GDB_REQ_THREAD_ALIVE,	/* T thread: thread.id */
	GDB_REQ_THREAD_EXTRA,	/* qThreadExtraInfo,thread: thread.id */
	GDB_REQ_KILL,		/* k */
	GDB_REQ_VKILL,		/* vKill;pid: process */
	GDB_REQ_DETACH,		/* D, D;pid: process */
	GDB_REQ_SUPPORTED,	/* qSupported[:features]: supported */
	GDB_REQ_ATTACHED,	/* qAttached[:pid]: process */
	GDB_REQ_CURRENT_THREAD,	/* qC */
	GDB_REQ_THREADS_FIRST,	/* qfThreadInfo */
	GDB_REQ_THREADS_NEXT,	/* qsThreadInfo */
	GDB_REQ_OFFSETS,	/* qOffsets */
	GDB_REQ_SYMBOL,		/* qSymbol:[value]:[hexname]: symbol */
	GDB_REQ_TRACE_STATUS,	/* qTStatus */
	GDB_REQ_XFER_READ,	/* qXfer:object:read:annex:offset,length:
				   xfer */
	GDB_REQ_MONITOR,	/* qRcmd,hex: text (decoded command) */
	GDB_REQ_START_NOACK,	/* QStartNoAckMode */
	GDB_REQ_NON_STOP,	/* QNonStop:0|1: value */
	GDB_REQ_THREAD_EVENTS,	/* QThreadEvents:0|1: value */
	GDB_REQ_PASS_SIGNALS,	/* QPassSignals:sig;...: signals */
	GDB_REQ_PROGRAM_SIGNALS,/* QProgramSignals:sig;...: signals */
	GDB_REQ_DISABLE_ASLR,	/* QDisableRandomization:value: value */
	GDB_REQ_SET_OTHER,	/* QEnvironment*, QSetWorkingDir,
				   QStartupWithShell: text (the name) */
	GDB_REQ_FILE_OPEN,	/* vFile:open:hexname,flags,mode: file */
	GDB_REQ_FILE_PREAD,	/* vFile:pread:fd,count,offset: file */
	GDB_REQ_FILE_CLOSE,	/* vFile:close:fd: file.fd */
	GDB_REQ_FILE_FSTAT,	/* vFile:fstat:fd: file.fd */
	GDB_REQ_FILE_SETFS,	/* vFile:setfs:pid: file.pid */
	GDB_REQ_FILE_READLINK,	/* vFile:readlink:hexname: file.path */
	GDB_REQ_MUST_REPLY_EMPTY,/* vMustReplyEmpty */
	GDB_REQ_EXTENDED,	/* ! */
	GDB_REQ_RESTART,	/* R [XX] */
	GDB_REQ_KIND_COUNT,
};

/* Z/z types. */
enum gdb_point_type {
	GDB_POINT_SW = 0,	/* software breakpoint */
	GDB_POINT_HW = 1,	/* hardware breakpoint */
	GDB_POINT_WRITE = 2,	/* write watchpoint */
	GDB_POINT_READ = 3,	/* read watchpoint */
	GDB_POINT_ACCESS = 4,	/* access watchpoint */
};

/* qSupported features gdb offered ("name+"). */
enum gdb_feature {
	GDB_FEAT_MULTIPROCESS = 1 << 0,
	GDB_FEAT_SWBREAK = 1 << 1,
	GDB_FEAT_HWBREAK = 1 << 2,
	GDB_FEAT_FORK_EVENTS = 1 << 3,
	GDB_FEAT_VFORK_EVENTS = 1 << 4,
	GDB_FEAT_EXEC_EVENTS = 1 << 5,
	GDB_FEAT_VCONT_SUPPORTED = 1 << 6,
	GDB_FEAT_THREAD_EVENTS = 1 << 7,
	GDB_FEAT_NO_RESUMED = 1 << 8,
	GDB_FEAT_XML_REGISTERS = 1 << 9,	/* xmlRegisters=... */
};

struct gdb_vcont_action {
	char action;		/* 'c' 's' 'C' 'S' 't' 'r' */
	uint8_t signo;		/* C, S */
	bool has_thread;	/* no thread: applies to every thread */
	struct gdb_thread_id thread;
	uint64_t start, end;	/* r: step while start <= pc < end */
};

/*
 * A parsed request.  Only the member of the union named next to the kind
 * in enum gdb_req_kind is meaningful.  Pointers point either into the
 * payload (X data) or into buf, so a request is valid while both it and
 * the payload it was parsed from are.  Strings are NUL-terminated and
 * never contain NUL.  The struct is large (buf): keep one per session.
 */
struct gdb_request {
	enum gdb_req_kind kind;
	const char *reason;	/* GDB_REQ_MALFORMED: static text */
	union {
		struct {
			uint64_t addr;
			uint64_t len;		/* never wraps past 2^64 */
			const uint8_t *data;	/* writes: len bytes */
		} mem;
		struct {
			uint32_t regnum;
			const uint8_t *data;	/* target byte order */
			size_t len;
		} reg;
		struct {
			uint8_t type;		/* enum gdb_point_type */
			uint64_t addr;
			uint64_t kind;		/* breakpoint: 1; watch: len */
			bool has_cond;		/* ;cond_list or ;cmds given
						   (accepted, not parsed) */
		} point;
		struct {
			bool has_signal;	/* C, S */
			uint8_t signo;		/* gdb's signal number */
			bool has_addr;
			uint64_t addr;
		} resume;
		struct {
			unsigned count;
			struct gdb_vcont_action action[GDB_VCONT_MAX];
		} vcont;
		struct {
			char op;		/* H: 'g', 'c' or 's' */
			struct gdb_thread_id id;
		} thread;
		struct {
			bool has_pid;
			int64_t pid;
		} process;
		struct {
			uint32_t features;	/* enum gdb_feature bits */
		} supported;
		struct {
			bool has_value;
			uint64_t value;
			const char *name;	/* "" for "qSymbol::" */
			size_t name_len;
		} symbol;
		struct {
			const char *object;	/* "features", "auxv", ... */
			const char *annex;	/* may be "" */
			uint64_t offset;
			uint64_t length;
		} xfer;
		struct {
			const char *text;
			size_t len;
		} text;
		struct {
			uint64_t set[4];	/* bit n: gdb signal n */
		} signals;
		struct {
			const char *path;	/* open, readlink */
			size_t path_len;
			int64_t fd;		/* pread, close, fstat */
			uint64_t flags, mode;	/* open: File-I/O values */
			uint64_t count, offset;	/* pread */
			int64_t pid;		/* setfs: 0 = the stub's own */
		} file;
		uint64_t value;
	};
	uint8_t buf[GDB_PACKET_MAX + 64];
};

/*
 * Parses payload[0..len) (a packet's decoded payload, which may be hostile
 * and may contain NUL bytes) into *req, driven by one table of packets.
 * Returns 0 for a well-formed known request, -ENOSYS with kind
 * GDB_REQ_UNKNOWN for a packet this module does not know, -EINVAL with
 * kind GDB_REQ_MALFORMED and a reason for a known packet with bad fields.
 */
int gdb_parse_request(const void *payload, size_t len,
		      struct gdb_request *req);

/* "read_mem", "vcont", ...: for logs.  Never NULL. */
const char *gdb_req_kind_name(enum gdb_req_kind kind);

/* ---------------------------------------------------------------- replies */

/* Each builds one reply payload at the end of b (frame it afterwards with
 * gdb_frame_packet) and returns b->err. */

int gdb_reply_ok(struct gdb_buf *b);			/* "OK" */
int gdb_reply_error(struct gdb_buf *b, uint8_t code);	/* "Exx" */

/* "PacketSize=<GDB_PACKET_MAX>" then ";" and features (e.g.
 * "qXfer:features:read+;swbreak+;ReverseStep+;ReverseContinue+"),
 * unless features is NULL or empty. */
int gdb_reply_supported(struct gdb_buf *b, const char *features);

/* "Oxx..." console output: appends at most as much of text as fits in one
 * packet and returns how many bytes of text it used (so call it, framing
 * each reply, until all is sent), or b->err when that is set.  gdb takes
 * O packets only while the program runs, before the stop reply. */
int gdb_reply_console(struct gdb_buf *b, const void *text, size_t len);

/*
 * The reply to qXfer:OBJECT:read:ANNEX:offset,length for an object held
 * whole in obj[0..objlen): 'l' when this reply reaches the end of the
 * object, else 'm', then at most length bytes from offset, fewer if the
 * escaped reply would not fit in GDB_PACKET_MAX.  An offset at or past the
 * end gives "l".
 */
int gdb_reply_xfer(struct gdb_buf *b, const void *obj, size_t objlen,
		   uint64_t offset, uint64_t length);

enum gdb_stop_reason {
	GDB_STOP_SIGNAL,	/* no reason key: a plain signal */
	GDB_STOP_SWBREAK,	/* swbreak:; */
	GDB_STOP_HWBREAK,	/* hwbreak:; */
	GDB_STOP_WATCH,		/* watch:addr; */
	GDB_STOP_RWATCH,	/* rwatch:addr; */
	GDB_STOP_AWATCH,	/* awatch:addr; */
	GDB_STOP_REPLAY_BEGIN,	/* replaylog:begin; (reverse hit the start) */
	GDB_STOP_REPLAY_END,	/* replaylog:end; (forward hit the end) */
};

#define GDB_STOP_MAX_REGS 4

/* What a T stop reply says.  Registers are the few gdb wants at once
 * (rbp, rsp, rip) so that it need not ask with p. */
struct gdb_stop {
	uint8_t signo;			/* gdb's number: 5 is SIGTRAP */
	enum gdb_stop_reason reason;
	uint64_t addr;			/* the data address of a watch */
	bool has_thread;
	struct gdb_thread_id thread;
	unsigned nregs;
	struct {
		uint16_t regnum;
		uint8_t size;		/* bytes, <= 8 */
		uint64_t value;
	} reg[GDB_STOP_MAX_REGS];
};

/* "Txx" then "thread:...;", "nn:value;" per register and the reason key:
 * e.g. "T05thread:p1.1;06:d0e5ffffff7f0000;swbreak:;".  -EINVAL for more
 * than GDB_STOP_MAX_REGS registers or a size above 8. */
int gdb_reply_stop(struct gdb_buf *b, const struct gdb_stop *st);

int gdb_reply_signal(struct gdb_buf *b, uint8_t signo);	/* "Sxx" */
/* "Wxx" (the exit status) and ";process:pid" when pid > 0. */
int gdb_reply_exited(struct gdb_buf *b, uint8_t status, int64_t pid);
/* "Xxx" (the terminating signal) and ";process:pid" when pid > 0. */
int gdb_reply_killed(struct gdb_buf *b, uint8_t signo, int64_t pid);

/* ---------------------------------------------------------------- host I/O */

/* File-I/O errno values (gdb's own numbering, mostly Linux's). */
#define GDB_FILEIO_ENOENT	2
#define GDB_FILEIO_EBADF	9
#define GDB_FILEIO_EACCES	13
#define GDB_FILEIO_EINVAL	22
#define GDB_FILEIO_ENOSYS	88
#define GDB_FILEIO_EUNKNOWN	9999

/* Size of the File-I/O struct stat carried by vFile:fstat replies. */
#define GDB_FILEIO_STAT_SIZE	64

/* A host errno (positive) as a File-I/O errno. */
int gdb_fileio_errno(int host_errno);

/* vFile:open flags (File-I/O values) as host O_* flags in *out: 0, or
 * -EINVAL for bits outside the protocol's set. */
int gdb_fileio_open_flags(uint64_t flags, int *out);

/* Fills out with st in the File-I/O layout: big-endian, 32-bit fields
 * (truncated) except size, blksize and blocks. */
void gdb_fileio_encode_stat(const struct stat *st,
			    uint8_t out[GDB_FILEIO_STAT_SIZE]);

/* "Fresult" (hex), or "F-1,errno" when result < 0 (errno a File-I/O
 * value); then ";" and data[0..len) when data is not NULL (pread, fstat,
 * readlink).  Binary data is escaped by gdb_frame_packet. */
int gdb_reply_file(struct gdb_buf *b, int64_t result, int fileio_errno,
		   const void *data, size_t len);

/* ---------------------------------------------------------------- amd64 */

/* gdb's register numbers for amd64 GNU/Linux, in g packet order. */
enum gdb_amd64_regnum {
	GDB_AMD64_RAX, GDB_AMD64_RBX, GDB_AMD64_RCX, GDB_AMD64_RDX,
	GDB_AMD64_RSI, GDB_AMD64_RDI, GDB_AMD64_RBP, GDB_AMD64_RSP,
	GDB_AMD64_R8, GDB_AMD64_R9, GDB_AMD64_R10, GDB_AMD64_R11,
	GDB_AMD64_R12, GDB_AMD64_R13, GDB_AMD64_R14, GDB_AMD64_R15,
	GDB_AMD64_RIP,			/* 16 = 0x10 */
	GDB_AMD64_EFLAGS,
	GDB_AMD64_CS, GDB_AMD64_SS, GDB_AMD64_DS, GDB_AMD64_ES,
	GDB_AMD64_FS, GDB_AMD64_GS,
	GDB_AMD64_ST0,			/* st0..st7: 24..31, 10 bytes */
	GDB_AMD64_FCTRL = GDB_AMD64_ST0 + 8,
	GDB_AMD64_FSTAT, GDB_AMD64_FTAG, GDB_AMD64_FISEG, GDB_AMD64_FIOFF,
	GDB_AMD64_FOSEG, GDB_AMD64_FOOFF, GDB_AMD64_FOP,
	GDB_AMD64_XMM0,			/* xmm0..xmm15: 40..55 */
	GDB_AMD64_MXCSR = GDB_AMD64_XMM0 + 16,
	GDB_AMD64_ORIG_RAX,
	GDB_AMD64_FS_BASE,
	GDB_AMD64_GS_BASE,
	GDB_AMD64_NREGS,		/* 60 */
};

/* Bytes in a g reply or G request: every register, in regnum order. */
#define GDB_AMD64_REGS_SIZE 560

/* One register as gdb sees it.  The table is the single source of truth
 * for the target description, g/G (registers back to back in table order)
 * and p/P. */
struct gdb_reg {
	const char *name;
	uint16_t regnum;
	uint8_t size;		/* bytes, little-endian in packets */
	const char *type;	/* target-description type */
	const char *group;	/* NULL: gdb picks from the type */
	const char *feature;	/* org.gnu.gdb.i386.core, ... */
};

/* The GDB_AMD64_NREGS registers, index == regnum. */
const struct gdb_reg *gdb_amd64_regs(void);

/* The register numbered regnum, or NULL. */
const struct gdb_reg *gdb_amd64_reg(uint64_t regnum);

/* The target description document named annex ("target.xml", the only
 * one: all features inline) for qXfer:features:read.  Returns 0 and sets
 * *doc / *len, or -ENOENT. */
int gdb_find_tdesc(const char *annex, const char **doc, size_t *len);

#endif
