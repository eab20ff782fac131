/*
 * test_smoke.c - the unit test harness links against the project and runs:
 * proc_exit_code() turns real wait(2) statuses, produced by the host kernel
 * for children that exit or die of a signal, into the shell-style codes
 * DESIGN.md promises (the code itself, or 128 + the signal number).
 */
#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "os/proc.h"

/* Fork a child that exits with CODE (SIG == 0) or dies of SIG; return the
 * wait status the kernel reports for it. */
static int host_wait_status(int code, int sig)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (sig) {
			/* No core file, and the default action even for
			 * signals Check may have set a handler for. */
			struct rlimit no_core = { 0, 0 };
			setrlimit(RLIMIT_CORE, &no_core);
			signal(sig, SIG_DFL);
			raise(sig);
		}
		_exit(code);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	return status;
}

static int exit_code_for(int wait_status)
{
	struct proc p;
	memset(&p, 0, sizeof(p));
	p.exited = 1;
	p.wait_status = wait_status;
	return proc_exit_code(&p);
}

START_TEST(test_exit_codes)
{
	static const int codes[] = { 0, 1, 2, 42, 124, 125, 255 };
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		ck_assert_int_eq(exit_code_for(host_wait_status(codes[i], 0)),
				 codes[i]);
	/* exit(256 + 3) is seen as 3, as the kernel truncates it. */
	ck_assert_int_eq(exit_code_for(host_wait_status(259, 0)), 3);
}
END_TEST

START_TEST(test_signal_codes)
{
	static const int sigs[] = { SIGSEGV, SIGABRT, SIGKILL, SIGTERM, SIGFPE,
				    SIGBUS, SIGILL, SIGUSR1 };
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		ck_assert_int_eq(exit_code_for(host_wait_status(0, sigs[i])),
				 128 + sigs[i]);
}
END_TEST

START_TEST(test_rewind_codes_distinct)
{
	/* rewind's own failures must not look like a guest killed by a signal. */
	ck_assert_int_eq(REWIND_EXIT_INTERNAL, 125);
	ck_assert_int_eq(REWIND_EXIT_NOEXEC, 126);
	ck_assert_int_eq(REWIND_EXIT_NOTFOUND, 127);
}
END_TEST

static Suite *smoke_suite(void)
{
	Suite *s = suite_create("smoke");
	TCase *tc = tcase_create("exit status");
	tcase_add_test(tc, test_exit_codes);
	tcase_add_test(tc, test_signal_codes);
	tcase_add_test(tc, test_rewind_codes_distinct);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(smoke_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
