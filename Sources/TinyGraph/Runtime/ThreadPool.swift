/// The threads a `Model` runs on: the caller's thread (thread 0) plus
/// `threadCount - 1` pthreads started once, at load, and parked between runs.
///
/// A step hands the pool a number of tasks and a body. Thread i owns the i-th
/// contiguous share of the tasks and runs it in order; a thread that finishes its
/// share takes tasks from the end of the largest share left (a thread that a busy
/// machine delays gets help). Steps split their work in the same order (tasks in
/// order of output position), so one thread computes about the same part of every
/// layer and finds its input in its own cache. `forEach` returns when every task has
/// finished. Which thread runs which task still varies from run to run, so a task
/// must compute whole outputs of its own, the same way whoever runs it: that is what
/// keeps results bit-identical for every thread count.
///
/// Waiting threads first spin for a while (a run's steps follow each other within
/// microseconds, and waking a sleeping thread costs tens of them), then sleep on a
/// condition variable, so a pool between runs costs no CPU. Spinning polls the
/// shared state with `pthread_mutex_trylock`, never with a plain read: everything
/// shared is read and written under the one mutex, so ThreadSanitizer has nothing
/// to report and the code needs no atomics (Swift's `Atomic` needs macOS 15 on
/// Apple platforms; a mutex works wherever pthreads do).
final class ThreadPool {
    /// Threads that run tasks, the caller's included (1: no pthreads at all).
    let threadCount: Int
    /// For tests: steps split however small their work (`WorkSplit.taskCount`), so
    /// small fixtures exercise every split path.
    let splitsAllWork: Bool
    private let shared: PoolState?
    private var workers: [PosixThread] = []
    /// Per-thread scratch memory (`scratch(_:byteCount:)`): slot i is only ever
    /// touched by the thread running as thread i.
    private let scratchSlots: UnsafeMutablePointer<Scratch>

    private struct Scratch {
        var bytes: UnsafeMutableRawPointer?
        var byteCount: Int
    }

    /// One thread: `forEach` runs every task on the caller's thread.
    convenience init() {
        try! self.init(threads: 1)  // one thread never fails
    }

    /// Starts `threads - 1` pthreads; 0 means one per available core.
    init(threads requested: Int, splitsAllWork: Bool = false) throws(TinyGraphError) {
        guard requested >= 0, requested <= LoadOptions.maximumThreads else {
            throw TinyGraphError(.invalidArgument, field: "threads",
                                 "\(requested) threads: expected 0 (one per core) to \(LoadOptions.maximumThreads)")
        }
        let threads = requested == 0 ? availableCores() : requested
        threadCount = threads
        self.splitsAllWork = splitsAllWork
        scratchSlots = .allocate(capacity: threads)
        scratchSlots.initialize(repeating: Scratch(bytes: nil, byteCount: 0), count: threads)
        guard threads > 1 else {
            shared = nil
            return
        }
        let state = PoolState(threads: threads)
        shared = state
        for index in 1..<threads {
            // Each worker holds a reference of its own, dropped when it returns.
            let start = UnsafeMutablePointer<WorkerStart>.allocate(capacity: 1)
            start.initialize(to: WorkerStart(state: .passRetained(state), index: index))
            switch PosixThread.start({ PoolState.workerMain($0) }, UnsafeMutableRawPointer(start)) {
            case .success(let thread):
                workers.append(thread)
            case .failure(let error):
                start.pointee.state.release()
                start.deinitialize(count: 1)
                start.deallocate()
                stopWorkers()
                throw TinyGraphError(.invalidArgument, field: "threads",
                                     "could not start thread \(index + 1) of \(threads) (pthread_create error \(error.code)); ask for fewer threads")
            }
        }
    }

    deinit {
        stopWorkers()
        for index in 0..<threadCount { scratchSlots[index].bytes?.deallocate() }
        scratchSlots.deinitialize(count: threadCount)
        scratchSlots.deallocate()
    }

    /// Wakes the workers to return and joins them (the pool is idle: no `forEach` runs).
    private func stopWorkers() {
        guard let shared else { return }
        shared.stop()
        for worker in workers { worker.join() }
        workers = []
    }

    /// Calls `body(task)` once for every task in 0..<tasks, spread over the threads,
    /// and returns when every call has returned. One task (or one thread) runs on the
    /// caller's thread alone, with no other thread involved.
    func forEach(_ tasks: Int, _ body: @escaping (Int) -> Void) {
        forEachOnThread(tasks) { task, _ in body(task) }
    }

    /// The same, telling `body` which thread (0..<threadCount) runs the task, for
    /// `scratch(_:byteCount:)`.
    func forEachOnThread(_ tasks: Int, _ body: @escaping (_ task: Int, _ thread: Int) -> Void) {
        guard tasks > 1, let shared else {
            for task in 0..<max(tasks, 0) { body(task, 0) }
            return
        }
        shared.run(tasks, body)
    }

    /// At least `byteCount` bytes (64-byte aligned) for the task running on `thread`
    /// to use until it returns: kept from task to task and run to run, so a step
    /// that needs a buffer per thread does not allocate (and fault in) fresh memory
    /// each time. Only the thread running as `thread` may call this.
    func scratch(_ thread: Int, byteCount: Int) -> UnsafeMutableRawPointer {
        let slot = scratchSlots + thread
        if let bytes = slot.pointee.bytes, slot.pointee.byteCount >= byteCount { return bytes }
        slot.pointee.bytes?.deallocate()
        let bytes = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
        slot.pointee = Scratch(bytes: bytes, byteCount: byteCount)
        return bytes
    }

    /// Copies `byteCount` bytes, a large copy in one contiguous share per thread
    /// (thread i copies the i-th share, as it owns the i-th share of a step's tasks).
    func copy(from source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer, byteCount: Int) {
        let tasks = byteCount >= WorkSplit.minimumParallelBytes ? threadCount : 1
        guard tasks > 1 else {
            destination.copyMemory(from: source, byteCount: byteCount)
            return
        }
        forEach(tasks) { task in
            let range = WorkSplit.range(task, of: tasks, count: byteCount, granule: 64)
            (destination + range.lowerBound).copyMemory(from: source + range.lowerBound, byteCount: range.count)
        }
    }

    /// Wakes sleeping workers ahead of a run, so that their wake-up overlaps the
    /// caller's own work (writing the input) instead of delaying the first step.
    func prepareForRun() {
        shared?.wakeSleepers()
    }
}

/// What a worker thread starts from: the shared state (retained) and its index.
private struct WorkerStart {
    var state: Unmanaged<PoolState>
    var index: Int
}

/// What the pool's threads share, all of it read and written under `mutex`.
private final class PoolState {
    let mutex = PosixMutex()
    /// Signalled when a job is posted (or the pool stops) and a worker sleeps.
    let workPosted = PosixCondition()
    /// Signalled when the last task finishes and the caller sleeps.
    let jobDone = PosixCondition()
    let threadCount: Int

    /// Counts posted jobs: a worker that saw number n waits for n + 1.
    var generation = 0
    var job: ((Int, Int) -> Void)? = nil
    /// Thread i's share of the current job: tasks next[i]..<end[i] are unclaimed.
    let next: UnsafeMutablePointer<Int>
    let end: UnsafeMutablePointer<Int>
    var unfinished = 0
    var sleepingWorkers = 0
    /// Asks sleeping workers to wake and spin although no job is posted yet.
    var wakeCount = 0
    var callerSleeps = false
    var stopping = false

    /// Polls before a waiting thread sleeps: one or two milliseconds, far longer
    /// than the gap between two steps of a run, far shorter than the gap between two
    /// runs of a watcher.
    static let spinPolls = 20_000

    init(threads: Int) {
        threadCount = threads
        next = .allocate(capacity: threads)
        next.initialize(repeating: 0, count: threads)
        end = .allocate(capacity: threads)
        end.initialize(repeating: 0, count: threads)
    }

    deinit {
        next.deallocate()
        end.deallocate()
        mutex.destroy()
        workPosted.destroy()
        jobDone.destroy()
    }

    /// Posts a job, runs tasks of it on the caller's thread, waits for the rest.
    func run(_ tasks: Int, _ body: @escaping (Int, Int) -> Void) {
        lockSpinning()
        generation &+= 1
        job = body
        for thread in 0..<threadCount {
            next[thread] = thread &* tasks / threadCount
            end[thread] = (thread &+ 1) &* tasks / threadCount
        }
        unfinished = tasks
        if sleepingWorkers > 0 { workPosted.broadcast() }
        runTasks(thread: 0)
        // Other threads may still be running tasks they claimed.
        if unfinished > 0 {
            mutex.unlock()
            if !spin(until: { $0.unfinished == 0 }) {
                callerSleeps = true
                while unfinished > 0 { jobDone.wait(mutex) }
                callerSleeps = false
            }
        }
        job = nil
        mutex.unlock()
    }

    /// With the mutex held: the next task of `thread`'s own share, else the last
    /// one of the largest share left, else nil.
    private func claim(_ thread: Int) -> Int? {
        if next[thread] < end[thread] {
            let task = next[thread]
            next[thread] &+= 1
            return task
        }
        var victim = -1
        var most = 0
        for other in 0..<threadCount where end[other] &- next[other] > most {
            most = end[other] &- next[other]
            victim = other
        }
        guard victim >= 0 else { return nil }
        end[victim] &-= 1
        return end[victim]
    }

    /// With the mutex held (on return too): runs tasks until none is left to claim.
    func runTasks(thread: Int) {
        while let task = claim(thread) {
            let body = job
            mutex.unlock()
            body?(task, thread)
            lockSpinning()
            unfinished &-= 1
            if unfinished == 0 && callerSleeps { jobDone.signal() }
        }
    }

    static func workerMain(_ argument: UnsafeMutableRawPointer) {
        let start = argument.assumingMemoryBound(to: WorkerStart.self)
        let state = start.pointee.state.takeRetainedValue()
        let index = start.pointee.index
        start.deinitialize(count: 1)
        start.deallocate()
        state.workerLoop(index)
    }

    private func workerLoop(_ index: Int) {
        var seen = 0
        var wakes = 0
        mutex.lock()
        while !stopping {
            if generation != seen {
                seen = generation
                runTasks(thread: index)
                continue
            }
            mutex.unlock()
            if !spin(until: { $0.generation != seen || $0.stopping }) {
                sleepingWorkers &+= 1
                wakes = wakeCount
                while generation == seen && !stopping && wakeCount == wakes { workPosted.wait(mutex) }
                sleepingWorkers &-= 1
            }
        }
        mutex.unlock()
    }

    /// Wakes sleeping workers; they spin again, waiting for a job.
    func wakeSleepers() {
        lockSpinning()
        if sleepingWorkers > 0 {
            wakeCount &+= 1
            workPosted.broadcast()
        }
        mutex.unlock()
    }

    /// Polls `condition` under the mutex, taken with trylock so that a spinning
    /// thread never makes a working one wait, for `spinPolls` polls. Returns with
    /// the mutex held: true as soon as the condition holds, false if it never did.
    private func spin(until condition: (PoolState) -> Bool) -> Bool {
        var pause = 0
        for poll in 0..<Self.spinPolls {
            if mutex.tryLock() {
                if condition(self) { return true }
                mutex.unlock()
            }
            // A short wait between polls, so that the poller does not keep taking the
            // mutex's cache line from the thread that is working (Swift has no pause
            // instruction); now and then a real yield, for a machine with more
            // threads than cores.
            pause = Self.pause(pause &+ poll)
            if poll & 255 == 255 || pause == 0 { yieldProcessor() }
        }
        mutex.lock()
        return condition(self)
    }

    /// About 50 ns of dependent shift-xor-multiplies whose result the caller uses,
    /// so the compiler keeps them (a chain of multiply-adds alone it folds into one).
    @inline(never)
    private static func pause(_ seed: Int) -> Int {
        var x = seed | 1
        for _ in 0..<40 { x = (x ^ (x &>> 13)) &* 0x2545_F491 }  // fits a 32-bit Int (armv7, armv6)
        return x
    }

    /// Takes the mutex, retrying trylock a while before blocking: it is only ever
    /// held for a few instructions, and blocking costs a system call on each side.
    private func lockSpinning() {
        for _ in 0..<64 {
            if mutex.tryLock() { return }
        }
        mutex.lock()
    }

    /// Asks the workers to return (they finish no job: the pool is idle).
    func stop() {
        mutex.lock()
        stopping = true
        workPosted.broadcast()
        mutex.unlock()
    }
}
