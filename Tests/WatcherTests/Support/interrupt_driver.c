// Drives Sources/CInterruptShim the way a user's keyboard would: the first signal
// only sets the flag, the second ends the process at once with 128 + its number.
// InterruptionTests compiles it with cc together with the shim and runs it.
#include "CInterruptShim.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc != 3) return 2;
    int first = strcmp(argv[1], "TERM") == 0 ? SIGTERM : SIGINT;
    int second = strcmp(argv[2], "TERM") == 0 ? SIGTERM : SIGINT;
    interrupt_install();
    if (interrupt_signal() != 0) return 3;
    raise(first);  // delivered before raise returns
    if (interrupt_signal() != first) return 4;
    printf("first signal noted\n");
    fflush(stdout);
    raise(second);
    return 5;  // not reached: the second signal exits
}
