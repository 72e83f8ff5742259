/*
 * The self-contained bundle's entry point (`watcher` and Lambda's `bootstrap`):
 * a static executable, so it runs where there is no shell and no C library.
 * It finds its own folder (/proc/self/exe, else argv[0]) and starts the real
 * program with the bundle's own loader and libraries:
 *
 *   <dir>/lib/ld-linux-<arch>.so.<n> --library-path <dir>/lib --argv0 <argv[0]> <dir>/lib/watcher.bin ARGS...
 *
 * so the host's glibc (or its absence) does not matter. WATCHER_BUNDLE_DIR tells
 * the program where the bundle's CA certificates are.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef LOADER_NAME
#error "compile with -DLOADER_NAME=\"ld-linux-x86-64.so.2\" (the loader's file name in lib/)"
#endif

static int folder_of(const char *path, char *folder, size_t size) {
    const char *slash = strrchr(path, '/');
    if (slash == NULL) return getcwd(folder, size) == NULL ? -1 : 0;
    size_t length = (size_t)(slash - path);
    if (length == 0) length = 1; /* the root folder */
    if (length >= size) return -1;
    memcpy(folder, path, length);
    folder[length] = '\0';
    return 0;
}

int main(int argc, char **argv) {
    char self[PATH_MAX], folder[PATH_MAX], loader[PATH_MAX], libraries[PATH_MAX], program[PATH_MAX];
    ssize_t count = readlink("/proc/self/exe", self, sizeof self - 1);
    if (count > 0) {
        self[count] = '\0';
    } else if (argc > 0 && realpath(argv[0], self) == NULL) {
        fprintf(stderr, "watcher launcher: cannot find its own folder (no /proc, and argv[0] '%s': %s)\n", argv[0],
                strerror(errno));
        return 127;
    }
    if (folder_of(self, folder, sizeof folder) != 0) {
        fprintf(stderr, "watcher launcher: path too long: %s\n", self);
        return 127;
    }
    /* The folder is shorter than PATH_MAX; refuse (never truncate) when a path would not fit. */
    if ((size_t)snprintf(loader, sizeof loader, "%.3000s/lib/%s", folder, LOADER_NAME) >= sizeof loader ||
        (size_t)snprintf(libraries, sizeof libraries, "%.3000s/lib", folder) >= sizeof libraries ||
        (size_t)snprintf(program, sizeof program, "%.3000s/lib/watcher.bin", folder) >= sizeof program ||
        strlen(folder) > 3000) {
        fprintf(stderr, "watcher launcher: folder path too long: %s\n", folder);
        return 127;
    }
    setenv("WATCHER_BUNDLE_DIR", folder, 1);

    char **arguments = calloc((size_t)argc + 7, sizeof *arguments);
    if (arguments == NULL) return 127;
    int next = 0;
    arguments[next++] = loader;
    arguments[next++] = "--library-path";
    arguments[next++] = libraries;
    arguments[next++] = "--argv0";
    arguments[next++] = argc > 0 ? argv[0] : "watcher";
    arguments[next++] = program;
    for (int index = 1; index < argc; index++) arguments[next++] = argv[index];
    arguments[next] = NULL;
    execv(loader, arguments);
    fprintf(stderr, "watcher launcher: cannot start %s: %s\n", loader, strerror(errno));
    return 127;
}
