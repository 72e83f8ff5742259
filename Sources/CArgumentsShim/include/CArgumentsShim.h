#ifndef CARGUMENTSSHIM_H
#define CARGUMENTSSHIM_H

/// The process's argc and argv as glibc handed them to the program's
/// constructors. Swift's CommandLine.arguments reads /proc/self/cmdline on
/// Linux, which is missing in an empty chroot; these are always there.
int arguments_count(void);
const char *arguments_value(int index);

#endif
