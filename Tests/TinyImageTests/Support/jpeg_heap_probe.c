// An LD_PRELOAD probe that counts libjpeg-turbo's heap: every malloc, calloc, realloc
// and free called from libjpeg.so's own code, per thread (tests run in parallel).
// libjpeg-turbo's memory manager gets every pool from malloc (jmemnobs.c), so this
// counts all of libjpeg's buffers. DecodeMemoryTests compiles it at test time and
// runs its own test binary again under it (see HeapProbe.swift).
#define _GNU_SOURCE
#include <link.h>
#include <malloc.h>
#include <stdint.h>
#include <string.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static uintptr_t jpeg_low, jpeg_high;   // libjpeg.so's code
static __thread int counting;
static __thread size_t live, peak;

static int find_libjpeg(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size; (void)data;
    if (!info->dlpi_name || !strstr(info->dlpi_name, "libjpeg.so")) return 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
            jpeg_low = info->dlpi_addr + ph->p_vaddr;
            jpeg_high = jpeg_low + ph->p_memsz;
        }
    }
    return 1;
}

static int from_libjpeg(void *caller) {
    return counting && (uintptr_t)caller >= jpeg_low && (uintptr_t)caller < jpeg_high;
}

static void added(void *p) {
    live += malloc_usable_size(p);
    if (live > peak) peak = live;
}

void tinyimage_probe_begin(void) {
    if (!jpeg_high) dl_iterate_phdr(find_libjpeg, NULL);
    live = peak = 0;
    counting = 1;
}

size_t tinyimage_probe_end(void) {
    counting = 0;
    return peak;
}

void *malloc(size_t n) {
    void *p = __libc_malloc(n);
    if (p && from_libjpeg(__builtin_return_address(0))) added(p);
    return p;
}

void *calloc(size_t n, size_t m) {
    void *p = __libc_calloc(n, m);
    if (p && from_libjpeg(__builtin_return_address(0))) added(p);
    return p;
}

void *realloc(void *old, size_t n) {
    int counted = from_libjpeg(__builtin_return_address(0));
    if (counted && old) live -= malloc_usable_size(old);
    void *p = __libc_realloc(old, n);
    if (counted && p) added(p);
    return p;
}

void free(void *p) {
    if (p && from_libjpeg(__builtin_return_address(0))) live -= malloc_usable_size(p);
    __libc_free(p);
}
