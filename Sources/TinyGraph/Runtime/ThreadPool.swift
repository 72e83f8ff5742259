/// The threads a `Model` runs on: the caller's thread plus `threadCount - 1`
/// pthreads started once, at load, and parked between runs.
///
/// A step hands the pool a number of tasks and a body; every thread, the caller's
/// included, claims the next unclaimed task until none is left, and `forEach`
/// returns when all have finished. Which thread runs which task varies from run to
/// run, so a task must compute whole outputs of its own, the same way whoever runs
/// it: that is what keeps results bit-identical for every thread count.
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

    /// One thread: `forEach` runs every task on the caller's thread.
    init() {
        threadCount = 1
        splitsAllWork = false
        shared = nil
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
        guard threads > 1 else {
            shared = nil
            return
        }
        let state = PoolState()
        shared = state
        for index in 1..<threads {
            // Each worker holds a reference of its own, dropped when it returns.
            let argument = Unmanaged.passRetained(state).toOpaque()
            switch PosixThread.start({ PoolState.workerMain($0) }, argument) {
            case .success(let thread):
                workers.append(thread)
            case .failure(let error):
                Unmanaged<PoolState>.fromOpaque(argument).release()
                stopWorkers()
                throw TinyGraphError(.invalidArgument, field: "threads",
                                     "could not start thread \(index + 1) of \(threads) (pthread_create error \(error.code)); ask for fewer threads")
            }
        }
    }

    deinit { stopWorkers() }

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
        guard tasks > 1, let shared else {
            for task in 0..<max(tasks, 0) { body(task) }
            return
        }
        shared.run(tasks, body)
    }
}

/// What the pool's threads share, all of it read and written under `mutex`.
private final class PoolState {
    let mutex = PosixMutex()
    /// Signalled when a job is posted (or the pool stops) and a worker sleeps.
    let workPosted = PosixCondition()
    /// Signalled when the last task finishes and the caller sleeps.
    let jobDone = PosixCondition()

    /// Counts posted jobs: a worker that saw number n waits for n + 1.
    var generation = 0
    var job: ((Int) -> Void)? = nil
    var taskCount = 0
    var nextTask = 0
    var unfinished = 0
    var sleepingWorkers = 0
    var callerSleeps = false
    var stopping = false

    /// Polls before a waiting thread sleeps: about a millisecond of trylocks, far
    /// longer than the gap between two steps of a run, far shorter than the gap
    /// between two runs of a watcher.
    static let spinPolls = 20_000

    deinit {
        mutex.destroy()
        workPosted.destroy()
        jobDone.destroy()
    }

    /// Posts a job, runs tasks of it on the caller's thread, waits for the rest.
    func run(_ tasks: Int, _ body: @escaping (Int) -> Void) {
        lockSpinning()
        generation &+= 1
        job = body
        taskCount = tasks
        nextTask = 0
        unfinished = tasks
        if sleepingWorkers > 0 { workPosted.broadcast() }
        runTasks()
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

    /// With the mutex held (on return too): claims and runs tasks until none is left.
    func runTasks() {
        while nextTask < taskCount {
            let task = nextTask
            nextTask &+= 1
            let body = job
            mutex.unlock()
            body?(task)
            lockSpinning()
            unfinished &-= 1
            if unfinished == 0 && callerSleeps { jobDone.signal() }
        }
    }

    static func workerMain(_ argument: UnsafeMutableRawPointer) {
        let state = Unmanaged<PoolState>.fromOpaque(argument).takeRetainedValue()
        state.workerLoop()
    }

    private func workerLoop() {
        var seen = 0
        mutex.lock()
        while !stopping {
            if generation != seen {
                seen = generation
                runTasks()
                continue
            }
            mutex.unlock()
            if !spin(until: { $0.generation != seen || $0.stopping }) {
                sleepingWorkers &+= 1
                while generation == seen && !stopping { workPosted.wait(mutex) }
                sleepingWorkers &-= 1
            }
        }
        mutex.unlock()
    }

    /// Polls `condition` under the mutex, taken with trylock so that a spinning
    /// thread never makes a working one wait, for `spinPolls` polls. Returns with
    /// the mutex held: true as soon as the condition holds, false if it never did.
    private func spin(until condition: (PoolState) -> Bool) -> Bool {
        for poll in 0..<Self.spinPolls {
            if mutex.tryLock() {
                if condition(self) { return true }
                mutex.unlock()
            }
            if poll & 255 == 255 { yieldProcessor() }
        }
        mutex.lock()
        return condition(self)
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
