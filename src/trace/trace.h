/*
 * trace.h - the journal file of one recording.
 *
 * Owns: the trace file, an LMDB environment in a single file (MDB_NOSUBDIR,
 * MDB_NOLOCK: one writer process, no lock file) with named databases
 *
 *   meta     string key -> 8-byte check (SHA-256 of key, NUL, value,
 *            truncated) + value; but "version" -> plain ASCII decimal
 *            (written by trace_create).  Whatever the recorder stores:
 *            argv, env, cwd, cpu, exe hash, engine, start time, exit
 *            status, ...
 *   batches  8-byte big-endian seq of the batch's first event ->
 *            u8 2 (record version), u8 method (0 raw, 1 zstd),
 *            u32le count, u64le body length (before compression),
 *            SHA-256 over (8-byte BE first seq, u32le count, u64le body
 *            length, body), then the body: raw, or one zstd frame of it.
 *            body = count times (varint length, encoded event (event.h))
 *   blobs    32-byte SHA-256 of the content ->
 *            u8 1, u8 method (0 raw, 1 zstd), varint raw length, bytes
 *
 * Events are encoded into a batch in memory and written as one record per
 * commit: TRACE_BATCH_EVENTS events, TRACE_BATCH_BYTES of body or
 * TRACE_BATCH_NS after the first uncommitted event, checked on append, or
 * trace_commit.  So a recorder killed at any point leaves a trace that is
 * valid up to its last commit.  The event encoding's context restarts at
 * each batch, so any event can be decoded after decoding its batch and the
 * headers of the events before it in the batch.  Commits are not fsync'ed
 * (MDB_NOSYNC) until trace_close: process death loses nothing committed,
 * power loss may.
 *
 * A trace opened with trace_open is untrusted: the LMDB structure is
 * checked before LMDB maps it; a batch is decompressed only within the
 * bounds its header states, and checked against its SHA-256, its place
 * after the previous batch and its framing before any of its events is
 * returned (the last batch already by trace_open, which makes the event
 * count trustworthy); each blob is checked against its name, each meta
 * value against its check.  The first corruption found is sticky: every
 * later call returns the same code.
 *
 * Does not own: what events mean (src/os, src/replay), packing.
 */
#ifndef REWIND_TRACE_TRACE_H
#define REWIND_TRACE_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "trace/error.h"
#include "trace/event.h"
#include "trace/hash.h"

#define TRACE_FORMAT_VERSION	2
#define TRACE_MAP_SIZE		(64ULL << 30)	/* address space, not disk */
#define TRACE_BATCH_EVENTS	1024
#define TRACE_BATCH_NS		250000000ULL	/* 250 ms */
#define TRACE_BATCH_BYTES	(1u << 20)	/* body before compression */
#define TRACE_BLOB_MAX		(1ULL << 30)
#define TRACE_META_KEY_MAX	256

struct trace;

/* ---- open and close */

/* Creates a new, empty trace at path (replacing any file there), open for
 * writing. */
int trace_create(const char *path, struct trace **out);

/* Opens an existing trace read-only.  TRACE_ENOTTRACE for a file that is
 * not a trace, TRACE_ENOVERSION / TRACE_EVERSION for a missing or unknown
 * format version, TRACE_ECORRUPT or TRACE_EBATCH for a damaged one (the
 * last batch is verified here), -errno otherwise. */
int trace_open(const char *path, struct trace **out);
/* Opens an existing trace, checked like trace_open, to add meta values
 * and blobs (not events): everything is written in one transaction that
 * trace_commit (or trace_close) commits and trace_abort drops, so the
 * trace is never half updated. */
int trace_open_update(const char *path, struct trace **out);
/* Drops what an update wrote since its last commit. */
void trace_abort(struct trace *t);

/* Commits what is pending, syncs and frees t (also on error).  Returns 0
 * or the error that prevented the last commit. */
int trace_close(struct trace *t);

/* The sticky error (0 if none), and the sequence number it was found at,
 * or UINT64_MAX when it is not about one event. */
int trace_error(const struct trace *t);
uint64_t trace_error_event(const struct trace *t);

/* ---- meta */

/* key: a NUL-terminated string of 1..TRACE_META_KEY_MAX bytes. */
int trace_meta_put(struct trace *t, const char *key, const void *val,
		   size_t len);
/* *val is a malloc'd copy, NUL-terminated for convenience (the NUL is not
 * counted in *len).  TRACE_ENOKEY when absent, TRACE_ECORRUPT when the
 * value does not match its check. */
int trace_meta_get(struct trace *t, const char *key, void **val,
		   size_t *len);

/* ---- events */

/* Assigns ev the next sequence number (returned in *seq if non-NULL) and
 * queues it; may commit.  ev is not kept. */
int trace_append(struct trace *t, const struct event *ev, uint64_t *seq);
/* Commits the events, blobs and meta queued so far (no-op when read-only
 * or nothing is pending).  A recorder about to block should call it. */
int trace_commit(struct trace *t);
/* Events in the trace (for a writer: including uncommitted ones). */
uint64_t trace_event_count(const struct trace *t);
/* Decodes event seq into *ev (release with event_free).  The most recently
 * decoded batch is kept: sequential reads are O(1); a random read decodes
 * its batch (unless kept) and the headers before it in the batch.  On a
 * writer it commits first.  TRACE_ENOEVENT past the end, TRACE_EBATCH for
 * a batch that fails its checks. */
int trace_read_event(struct trace *t, uint64_t seq, struct event *ev);

/* ---- statistics */

struct trace_stats {
	uint64_t events;
	uint64_t batches;
	uint64_t encoded_bytes;	/* batch bodies before compression */
	uint64_t stored_bytes;	/* batch records as stored, headers included */
	uint64_t blobs;
	uint64_t blob_bytes;	/* blob contents */
	uint64_t blob_stored_bytes;	/* blob records as stored */
};

/* Sizes as the batch and blob headers state them (bodies are not read or
 * verified).  On a writer it commits first.  TRACE_EBATCH for a batch
 * record without a valid header. */
int trace_stats(struct trace *t, struct trace_stats *out);

/* ---- blobs */

/* Stores data under its SHA-256 (written to hash_out); storing the same
 * content again is a no-op. */
int trace_blob_put(struct trace *t, const void *data, size_t len,
		   uint8_t hash_out[SHA256_LEN]);
/* 1 when a blob with this hash is stored, 0 when not (not verified). */
int trace_blob_has(struct trace *t, const uint8_t hash[SHA256_LEN]);
/* *data is malloc'd (non-NULL even for an empty blob).  TRACE_ENOBLOB when
 * absent, TRACE_EBADBLOB when what is stored does not hash to its name. */
int trace_blob_get(struct trace *t, const uint8_t hash[SHA256_LEN],
		   void **data, size_t *len);

#endif
