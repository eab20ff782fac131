/*
 * error.h - the trace library's error codes.
 *
 * Every function in src/trace returns 0 (or a count) on success, a negative
 * errno for host failures (ENOMEM, EIO, ENOENT, ...), or one of the codes
 * below, which sit in a reserved range so they cannot be mistaken for
 * either.  trace_strerror() turns any of them into one line of text.
 */
#ifndef REWIND_TRACE_ERROR_H
#define REWIND_TRACE_ERROR_H

#include <stdbool.h>

enum trace_error {
	TRACE_ERR_FIRST = -20099,
	TRACE_ENOTTRACE = -20000,	/* not an LMDB file / not a trace */
	TRACE_ENOVERSION = -20001,	/* meta has no format version */
	TRACE_EVERSION = -20002,	/* format version we do not know */
	TRACE_ECORRUPT = -20003,	/* database structure damaged */
	TRACE_EBADEVENT = -20004,	/* malformed event record */
	TRACE_EEVVERSION = -20005,	/* event encoded by an unknown version */
	TRACE_EBATCH = -20006,		/* batch checksum or order mismatch */
	TRACE_EBADBLOB = -20007,	/* blob content does not match its hash */
	TRACE_ENOBLOB = -20008,		/* no blob with that hash */
	TRACE_ENOEVENT = -20009,	/* sequence number past the end */
	TRACE_ENOKEY = -20010,		/* no such meta key */
	TRACE_EREADONLY = -20011,	/* write to a read-only trace */
	TRACE_EFULL = -20012,		/* LMDB map full */
	TRACE_ETOOBIG = -20013,		/* event/blob beyond the size limits */
	TRACE_EINVAL = -20014,		/* event the encoder cannot represent */
	TRACE_ECOMPRESS = -20015,	/* zstd failed while compressing */
	TRACE_ELMDB = -20016,		/* other LMDB failure */
	TRACE_ERR_LAST = -20000,
};

/* One line, no trailing newline, never NULL; also covers negative errno. */
const char *trace_strerror(int err);

/* True for the codes that mean "the file is damaged or hostile": these are
 * sticky on a struct trace. */
bool trace_err_is_corrupt(int err);

#endif
