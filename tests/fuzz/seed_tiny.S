/* A minimal static x86-64 program for the ELF fuzzer's seed corpus and the
 * hostile-ELF tests: text, data and a bss larger than a page; exits 42
 * (more if the bss is not zero). */
	.text
	.globl _start
_start:
	/* The bss must read as zero: both the tail of the last file page
	 * (where the file holds other bytes) and the anonymous pages. */
	mov	big(%rip), %rax
	or	big+64(%rip), %rax
	or	big+400(%rip), %rax
	or	big+700(%rip), %rax
	or	big+1024(%rip), %rax
	or	big+3000(%rip), %rax
	or	big+4000(%rip), %rax
	or	big+8184(%rip), %rax
	add	answer(%rip), %rax
	mov	%rax, %rdi
	mov	$60, %eax		/* exit */
	syscall
	hlt

	.data
answer:	.quad	42

	.bss
big:	.zero	8192

	.section .note.GNU-stack,"",@progbits
