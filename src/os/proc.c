/*
 * proc.c - creating, ending and destroying the guest process.
 *
 * The identity the guest sees is fixed so that nothing of the host's
 * process table leaks in: pid = tgid = tid = GUEST_PID (1000) and
 * ppid = GUEST_PPID (999).  uid and gid are the host's real ones (an input
 * of the run; getuid and friends are journaled).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/engine.h"
#include "mem/mem.h"
#include "os/elf.h"
#include "os/proc.h"

#define GUEST_PID  1000
#define GUEST_PPID 999

int proc_create(struct proc **out)
{
	struct proc *p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	int r = mem_create(&p->mem);
	if (r < 0)
		goto err_free_proc;
	p->cpu = calloc(1, sizeof(*p->cpu));
	if (!p->cpu) {
		r = -ENOMEM;
		goto err_destroy_mem;
	}
	cpu_reset(p->cpu);
	p->cpu->mem_base = mem_base(p->mem);
	p->cpu->mem = p->mem;
	p->cpu->proc = p;
	p->cpu->tid = GUEST_PID;

	p->pid = GUEST_PID;
	p->ppid = GUEST_PPID;
	p->uid = (int)getuid();
	p->gid = (int)getgid();
	mode_t m = umask(022);
	umask(m);
	p->umask = (uint32_t)m;

	/* Guest fds 0-2 are the host's, when rewind was given them. */
	for (int i = 0; i < GUEST_MAX_FDS; i++)
		p->fds[i].host = -1;
	for (int i = 0; i < 3; i++)
		if (fcntl(i, F_GETFD) >= 0)
			p->fds[i].host = i;

	proc_rlimit_init(p);
	p->dumpable = 1;

	/* sigact[] is zero: SIG_DFL everywhere, nothing blocked. */
	*out = p;
	return 0;

err_destroy_mem:
	mem_destroy(p->mem);
err_free_proc:
	free(p);
	return r;
}

void proc_destroy(struct proc *p)
{
	if (!p)
		return;
	for (int i = 0; i < GUEST_MAX_FDS; i++)
		if (p->fds[i].host > 2)
			close(p->fds[i].host);
	free(p->cpu);
	if (p->mem)
		mem_destroy(p->mem);
	free(p->exe_path);
	free(p);
}

void proc_exit(struct proc *p, int wait_status)
{
	if (p->exited)
		return;
	p->exited = 1;
	p->wait_status = wait_status;
	if (p->cpu)
		p->cpu->attention = 1;
}

int exit_code_of(int wait_status)
{
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	return WEXITSTATUS(wait_status);
}

int proc_exit_code(const struct proc *p)
{
	return exit_code_of(p->wait_status);
}

int proc_launch(const struct proc_launch *l, struct proc **out, char *err,
		size_t errlen)
{
	struct proc *p;
	*out = NULL;
	err[0] = 0;
	int rc = proc_create(&p);
	if (rc < 0) {
		snprintf(err, errlen, "cannot create the guest process: %s",
			 strerror(-rc));
		return rc;
	}
	p->verbose = l->verbose;
	p->replay_quiet = l->replay_quiet;
	p->load_as = l->load_as;
	p->cpu->level = (uint8_t)l->cpu_level;
	if (l->have_ids) {
		p->uid = l->uid;
		p->gid = l->gid;
	}
	p->journal = l->journal;
	mem_set_current(p->mem, p->cpu);
	rc = elf_load(p, p->cpu, l->path, l->argv, l->envp, err, errlen);
	if (rc != 0) {
		if (!err[0])
			snprintf(err, errlen, "cannot load the program");
		mem_set_current(NULL, NULL);
		p->journal = NULL;
		proc_destroy(p);
		return rc;
	}
	*out = p;
	return 0;
}
