// The few POSIX thread calls the thread pool needs, behind three small types, and
// the number of cores this process may run on. Hosted builds take the calls from
// Glibc or Darwin. Embedded Swift builds have no Glibc module: they declare the
// calls with @_extern(c) and keep each mutex and condition variable in
// `objectBytes` of heap memory, initialised by pthread_*_init. The C types' sizes
// differ per target (glibc: a mutex is 40 bytes on x86_64, 48 on aarch64, 24 on
// 32-bit ARM; a condition variable 48 everywhere; musl and Darwin are within 64),
// and a C layout cannot be written in Swift without per-target #ifs; a generous
// fixed size needs none, and tools/arm64-check asserts it against each target's
// <pthread.h>. A pthread object never moves once initialised, so all of them live
// on the heap, not in Swift values.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#else
@_extern(c, "pthread_create")
private func pthread_create(
    _ thread: UnsafeMutablePointer<UInt>, _ attributes: UnsafeRawPointer?,
    _ start: @convention(c) (UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer?, _ argument: UnsafeMutableRawPointer?
) -> Int32
@_extern(c, "pthread_join")
private func pthread_join(_ thread: UInt, _ result: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Int32
@_extern(c, "pthread_mutex_init") private func pthread_mutex_init(_ mutex: UnsafeMutableRawPointer, _ attributes: UnsafeRawPointer?) -> Int32
@_extern(c, "pthread_mutex_destroy") private func pthread_mutex_destroy(_ mutex: UnsafeMutableRawPointer) -> Int32
@_extern(c, "pthread_mutex_lock") private func pthread_mutex_lock(_ mutex: UnsafeMutableRawPointer) -> Int32
@_extern(c, "pthread_mutex_trylock") private func pthread_mutex_trylock(_ mutex: UnsafeMutableRawPointer) -> Int32
@_extern(c, "pthread_mutex_unlock") private func pthread_mutex_unlock(_ mutex: UnsafeMutableRawPointer) -> Int32
@_extern(c, "pthread_cond_init") private func pthread_cond_init(_ condition: UnsafeMutableRawPointer, _ attributes: UnsafeRawPointer?) -> Int32
@_extern(c, "pthread_cond_destroy") private func pthread_cond_destroy(_ condition: UnsafeMutableRawPointer) -> Int32
@_extern(c, "pthread_cond_wait")
private func pthread_cond_wait(_ condition: UnsafeMutableRawPointer, _ mutex: UnsafeMutableRawPointer) -> Int32
@_extern(c, "pthread_cond_signal") private func pthread_cond_signal(_ condition: UnsafeMutableRawPointer) -> Int32
@_extern(c, "pthread_cond_broadcast") private func pthread_cond_broadcast(_ condition: UnsafeMutableRawPointer) -> Int32
@_extern(c, "sched_yield") private func sched_yield() -> Int32
@_extern(c, "sysconf") private func sysconf(_ name: Int32) -> Int
/// Linux's _SC_NPROCESSORS_ONLN (the Embedded builds link glibc).
private let processorsOnline: Int32 = 84
#endif

/// Bytes reserved for one pthread mutex or condition variable in the Embedded builds.
let posixObjectBytes = 128

/// A pthread mutex (default attributes) in heap memory of its own.
struct PosixMutex {
    #if canImport(Glibc) || canImport(Darwin)
    private let object: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        object = .allocate(capacity: 1)
        object.initialize(to: pthread_mutex_t())
        pthread_mutex_init(object, nil)
    }
    #else
    private let object: UnsafeMutableRawPointer

    init() {
        object = .allocate(byteCount: posixObjectBytes, alignment: 16)
        object.initializeMemory(as: UInt8.self, repeating: 0, count: posixObjectBytes)
        _ = pthread_mutex_init(object, nil)
    }
    #endif

    func lock() { _ = pthread_mutex_lock(object) }
    func unlock() { _ = pthread_mutex_unlock(object) }
    /// Takes the mutex if it is free; never waits.
    func tryLock() -> Bool { pthread_mutex_trylock(object) == 0 }

    /// Only when no thread can use it any more.
    func destroy() {
        _ = pthread_mutex_destroy(object)
        object.deallocate()
    }

    #if canImport(Glibc) || canImport(Darwin)
    fileprivate var pointer: UnsafeMutablePointer<pthread_mutex_t> { object }
    #else
    fileprivate var pointer: UnsafeMutableRawPointer { object }
    #endif
}

/// A pthread condition variable (default attributes) in heap memory of its own.
struct PosixCondition {
    #if canImport(Glibc) || canImport(Darwin)
    private let object: UnsafeMutablePointer<pthread_cond_t>

    init() {
        object = .allocate(capacity: 1)
        object.initialize(to: pthread_cond_t())
        pthread_cond_init(object, nil)
    }
    #else
    private let object: UnsafeMutableRawPointer

    init() {
        object = .allocate(byteCount: posixObjectBytes, alignment: 16)
        object.initializeMemory(as: UInt8.self, repeating: 0, count: posixObjectBytes)
        _ = pthread_cond_init(object, nil)
    }
    #endif

    /// Releases `mutex` (held by the caller), sleeps until signalled, takes it again.
    /// May return without a signal: callers wait in a loop on their own condition.
    func wait(_ mutex: PosixMutex) { _ = pthread_cond_wait(object, mutex.pointer) }
    func signal() { _ = pthread_cond_signal(object) }
    func broadcast() { _ = pthread_cond_broadcast(object) }

    func destroy() {
        _ = pthread_cond_destroy(object)
        object.deallocate()
    }
}

/// A started pthread, to be joined once.
struct PosixThread {
    #if canImport(Glibc) || canImport(Darwin)
    private typealias Handle = pthread_t
    #else
    private typealias Handle = UInt
    #endif
    private let handle: Handle

    /// Starts a thread that calls `entry(argument)`, or returns pthread_create's
    /// error number if the system refuses.
    static func start(
        _ entry: @convention(c) (UnsafeMutableRawPointer) -> Void, _ argument: UnsafeMutableRawPointer
    ) -> Result<PosixThread, PosixError> {
        // pthread_create passes one pointer: the entry and its argument go in a small box.
        let box = UnsafeMutablePointer<StartBox>.allocate(capacity: 1)
        box.initialize(to: StartBox(entry: entry, argument: argument))
        #if canImport(Darwin)
        var started: pthread_t? = nil
        let result = pthread_create(&started, nil, { PosixThread.run($0); return nil }, box)
        #else
        var started: Handle = 0
        let result = pthread_create(&started, nil, { PosixThread.run($0!); return nil }, box)
        #endif
        guard result == 0 else {
            box.deinitialize(count: 1)
            box.deallocate()
            return .failure(PosixError(code: result))
        }
        #if canImport(Darwin)
        return .success(PosixThread(handle: started!))
        #else
        return .success(PosixThread(handle: started))
        #endif
    }

    private struct StartBox {
        var entry: @convention(c) (UnsafeMutableRawPointer) -> Void
        var argument: UnsafeMutableRawPointer
    }

    private static func run(_ raw: UnsafeMutableRawPointer) {
        let box = raw.assumingMemoryBound(to: StartBox.self)
        let start = box.pointee
        box.deinitialize(count: 1)
        box.deallocate()
        start.entry(start.argument)
    }

    /// Waits for the thread to return.
    func join() { _ = pthread_join(handle, nil) }
}

/// An error number from a pthread call.
struct PosixError: Error {
    var code: Int32
}

/// Lets another thread run (a spinning thread calls it now and then).
func yieldProcessor() { _ = sched_yield() }

/// The number of online processors (sysconf's _SC_NPROCESSORS_ONLN), at least 1.
/// A container limited to fewer cores by a CPU set or quota still sees them all:
/// there, ask for the number of threads explicitly.
func availableCores() -> Int {
    #if canImport(Glibc) || canImport(Darwin)
    return max(sysconf(Int32(_SC_NPROCESSORS_ONLN)), 1)
    #else
    return max(sysconf(processorsOnline), 1)
    #endif
}
