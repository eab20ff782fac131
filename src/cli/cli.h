/*
 * cli.h - what the files of the rewind command share.
 *
 * Owns: the one way a command reports failure (one line on stderr, an
 * exit status from DESIGN.md) and the entry points of the commands that
 * live outside main.c.
 */
#ifndef REWIND_CLI_CLI_H
#define REWIND_CLI_CLI_H

/* Print "rewind: " and the message as one line on stderr; return status. */
int fail(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* An argument of a command that takes one TRACE and options it has
 * already looked at: the TRACE.  Returns 0, or 1 after printing why the
 * argument is refused (an unknown option, a second trace). */
int trace_arg(const char *cmd, const char *a, const char **arg);

/* debug.c: rewind gdbserver, rewind debug, rewind index. */
int cmd_gdbserver(int argc, char **argv);
int cmd_debug(int argc, char **argv);
int cmd_index(int argc, char **argv);

#endif
