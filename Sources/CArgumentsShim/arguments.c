#include "CArgumentsShim.h"

static int saved_count;
static char **saved_values;

/* glibc calls the constructors of the program (and of each library) with argc, argv, envp. */
__attribute__((constructor)) static void save_arguments(int argc, char **argv, char **envp) {
    (void)envp;
    saved_count = argc;
    saved_values = argv;
}

int arguments_count(void) { return saved_values == 0 ? 0 : saved_count; }

const char *arguments_value(int index) {
    return index >= 0 && index < arguments_count() ? saved_values[index] : 0;
}
