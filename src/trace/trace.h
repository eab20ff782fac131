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
 *   events   8-byte big-endian sequence number -> encoded event (event.h)
 *   batches  8-byte big-endian seq of a batch's last event ->
 *            u8 1, u64le first seq, u32le count, sha256 over the batch's
 *            events (each: 8-byte BE seq, u32le length, bytes)
 *   blobs    32-byte SHA-256 of the content ->
 *            u8 1, u8 method (0 raw, 1 zstd), varint raw length, bytes
 *
 * Events are appended into an open write transaction and committed in
 * batches (TRACE_BATCH_EVENTS events, or TRACE_BATCH_NS after the first
 * uncommitted one, checked on append), so a recorder killed at any point
 * leaves a trace that is valid up to its last commit.  Each commit writes
 * one batch record; the event encoding's context restarts at each batch,
 * so any event can be decoded after decoding at most its batch's earlier
 * headers.  Commits are not fsync'ed (MDB_NOSYNC) until trace_close:
 * process death loses nothing committed, power loss may.
 *
 * A trace opened with trace_open is untrusted: the LMDB structure is
 * checked before LMDB maps it, each batch is checked against its SHA-256
 * before its events are returned, each blob against its name, each meta
 * value against its check.  The first
 * corruption found is sticky: every later call returns the same code.
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

#define TRACE_FORMAT_VERSION	1
#define TRACE_MAP_SIZE		(64ULL << 30)	/* address space, not disk */
#define TRACE_BATCH_EVENTS	1024
#define TRACE_BATCH_NS		250000000ULL	/* 250 ms */
#define TRACE_BLOB_MAX		(1ULL << 30)
#define TRACE_META_KEY_MAX	256

struct trace;

/* ---- open and close */

/* Creates a new, empty trace at path (replacing any file there), open for
 * writing. */
int trace_create(const char *path, struct trace **out);

/* Opens an existing trace read-only.  TRACE_ENOTTRACE for a file that is
 * not a trace, TRACE_ENOVERSION / TRACE_EVERSION for a missing or unknown
 * format version, TRACE_ECORRUPT for a damaged one, -errno otherwise. */
int trace_open(const char *path, struct trace **out);

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
/* Decodes event seq into *ev (release with event_free).  Sequential reads
 * are O(1); a random read decodes the headers before it in its batch.  On
 * a writer it commits first.  TRACE_ENOEVENT past the end. */
int trace_read_event(struct trace *t, uint64_t seq, struct event *ev);

/* ---- blobs */

/* Stores data under its SHA-256 (written to hash_out); storing the same
 * content again is a no-op. */
int trace_blob_put(struct trace *t, const void *data, size_t len,
		   uint8_t hash_out[SHA256_LEN]);
/* *data is malloc'd (non-NULL even for an empty blob).  TRACE_ENOBLOB when
 * absent, TRACE_EBADBLOB when what is stored does not hash to its name. */
int trace_blob_get(struct trace *t, const uint8_t hash[SHA256_LEN],
		   void **data, size_t *len);

#endif
