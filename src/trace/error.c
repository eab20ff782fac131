/*
 * error.c - messages for the trace library's error codes.
 */
#include <string.h>

#include "trace/error.h"

const char *trace_strerror(int err)
{
	switch (err) {
	case 0: return "success";
	case TRACE_ENOTTRACE: return "not a rewind trace (not an LMDB file)";
	case TRACE_ENOVERSION: return "trace has no format version in its meta";
	case TRACE_EVERSION: return "trace format version not supported";
	case TRACE_ECORRUPT: return "trace file is corrupt (damaged database)";
	case TRACE_EBADEVENT: return "malformed event record";
	case TRACE_EEVVERSION: return "event record of an unknown encoding version";
	case TRACE_EBATCH: return "event batch does not match its checksum";
	case TRACE_EBADBLOB: return "blob content does not match its hash";
	case TRACE_ENOBLOB: return "blob not found";
	case TRACE_ENOEVENT: return "no such event";
	case TRACE_ENOKEY: return "no such meta key";
	case TRACE_EREADONLY: return "trace is open read-only";
	case TRACE_EFULL: return "trace map is full";
	case TRACE_ETOOBIG: return "record exceeds the size limits";
	case TRACE_EINVAL: return "invalid event";
	case TRACE_ECOMPRESS: return "compression failed";
	case TRACE_ELMDB: return "LMDB error";
	}
	if (err < 0 && err > -4096)
		return strerror(-err);
	return "unknown trace error";
}

bool trace_err_is_corrupt(int err)
{
	switch (err) {
	case TRACE_ENOTTRACE: case TRACE_ENOVERSION: case TRACE_EVERSION:
	case TRACE_ECORRUPT: case TRACE_EBADEVENT: case TRACE_EEVVERSION:
	case TRACE_EBATCH: case TRACE_EBADBLOB:
		return true;
	}
	return false;
}
