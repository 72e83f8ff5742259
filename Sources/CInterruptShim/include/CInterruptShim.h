#ifndef CINTERRUPTSHIM_H
#define CINTERRUPTSHIM_H

// SIGINT and SIGTERM for a process that must stop promptly but cleanly: the
// first one only sets a flag that long operations poll (libcurl's progress
// callback, sleeps, lock waits); a second one ends the process at once, with the
// shell's status for that signal (130 for SIGINT, 143 for SIGTERM). The handler
// is C because only a `volatile sig_atomic_t` is safe to touch from it.

/// Installs the handlers (without SA_RESTART, so a blocking call returns EINTR)
/// and unblocks both signals, which a parent may have left blocked.
void interrupt_install(void);

/// The signal that asked the process to stop, or 0 while none has.
int interrupt_signal(void);

#endif
