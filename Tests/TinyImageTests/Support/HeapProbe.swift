import Glibc

/// Reads libjpeg's heap use from an LD_PRELOAD probe, when one is loaded.
///
/// libjpeg-turbo's memory manager gets every pool from malloc (jmemnobs.c),
/// so counting the malloc and free calls made from libjpeg.so's code counts
/// all of libjpeg's buffers. The probe counts per thread, so tests running in
/// parallel do not disturb it. Save this as `jpeg_heap_probe.c`:
///
/// ```c
/// #define _GNU_SOURCE
/// #include <link.h>
/// #include <malloc.h>
/// #include <stdint.h>
/// #include <string.h>
///
/// extern void *__libc_malloc(size_t);
/// extern void *__libc_calloc(size_t, size_t);
/// extern void *__libc_realloc(void *, size_t);
/// extern void __libc_free(void *);
///
/// static uintptr_t jpeg_low, jpeg_high;   // libjpeg.so's code
/// static __thread int counting;
/// static __thread size_t live, peak;
///
/// static int find_libjpeg(struct dl_phdr_info *info, size_t size, void *data) {
///     (void)size; (void)data;
///     if (!info->dlpi_name || !strstr(info->dlpi_name, "libjpeg.so")) return 0;
///     for (int i = 0; i < info->dlpi_phnum; i++) {
///         const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
///         if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
///             jpeg_low = info->dlpi_addr + ph->p_vaddr;
///             jpeg_high = jpeg_low + ph->p_memsz;
///         }
///     }
///     return 1;
/// }
///
/// static int from_libjpeg(void *caller) {
///     return counting && (uintptr_t)caller >= jpeg_low && (uintptr_t)caller < jpeg_high;
/// }
///
/// static void added(void *p) {
///     live += malloc_usable_size(p);
///     if (live > peak) peak = live;
/// }
///
/// void tinyimage_probe_begin(void) {
///     if (!jpeg_high) dl_iterate_phdr(find_libjpeg, NULL);
///     live = peak = 0;
///     counting = 1;
/// }
///
/// size_t tinyimage_probe_end(void) {
///     counting = 0;
///     return peak;
/// }
///
/// void *malloc(size_t n) {
///     void *p = __libc_malloc(n);
///     if (p && from_libjpeg(__builtin_return_address(0))) added(p);
///     return p;
/// }
///
/// void *calloc(size_t n, size_t m) {
///     void *p = __libc_calloc(n, m);
///     if (p && from_libjpeg(__builtin_return_address(0))) added(p);
///     return p;
/// }
///
/// void *realloc(void *old, size_t n) {
///     int counted = from_libjpeg(__builtin_return_address(0));
///     if (counted && old) live -= malloc_usable_size(old);
///     void *p = __libc_realloc(old, n);
///     if (counted && p) added(p);
///     return p;
/// }
///
/// void free(void *p) {
///     if (p && from_libjpeg(__builtin_return_address(0))) live -= malloc_usable_size(p);
///     __libc_free(p);
/// }
/// ```
///
/// then, from the repository:
///
/// ```sh
/// gcc -O2 -shared -fPIC -o /tmp/jpeg_heap_probe.so jpeg_heap_probe.c
/// swift build --scratch-path .build-image --build-tests
/// LD_PRELOAD=/tmp/jpeg_heap_probe.so .build-image/debug/TinyGraphPackageTests.xctest \
///     --testing-library swift-testing --filter libjpegHeapForTheLockRegion
/// ```
struct HeapProbe {
    private let begin: @convention(c) () -> Void
    private let end: @convention(c) () -> Int

    /// nil when no probe is preloaded.
    init?() {
        guard let begin = dlsym(nil, "tinyimage_probe_begin"), let end = dlsym(nil, "tinyimage_probe_end") else { return nil }
        self.begin = unsafeBitCast(begin, to: (@convention(c) () -> Void).self)
        self.end = unsafeBitCast(end, to: (@convention(c) () -> Int).self)
    }

    /// The most bytes libjpeg held at once on this thread while `body` ran.
    func peak(_ body: () throws -> Void) rethrows -> Int {
        begin()
        defer { _ = end() }
        try body()
        return end()
    }
}
