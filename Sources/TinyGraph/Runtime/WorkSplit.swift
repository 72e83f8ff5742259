/// Splitting a step's work into tasks for `ThreadPool.forEach`.
enum WorkSplit {
    /// Most tasks per thread when a step splits: each thread owns a share of the
    /// tasks and the first to finish takes the last tasks of the others' shares, so
    /// threads end a step at most one (short) task apart; a task is still long
    /// against the microsecond of claiming it (`taskCount` keeps each above half of
    /// `minimum`).
    static let tasksPerThread = 8

    /// A step with less work than this many multiply-adds (about 2 µs on one core)
    /// runs whole on the calling thread: waking another would cost about as much.
    static let minimumParallelMultiplyAdds = 100_000

    /// A memory-bound step (copies, elementwise, pooling) below this many bytes
    /// read and written runs whole on the calling thread.
    static let minimumParallelBytes = 128 * 1024

    /// Part `part` of `parts` near-equal contiguous ranges of 0..<count whose
    /// boundaries fall on multiples of `granule` (the end excepted).
    @inline(__always)
    static func range(_ part: Int, of parts: Int, count: Int, granule: Int = 1) -> Range<Int> {
        let units = (count &+ granule &- 1) / granule
        let start = part &* units / parts &* granule
        let end = (part &+ 1) &* units / parts &* granule
        return min(start, count)..<min(end, count)
    }

    /// How many tasks to split `units` independent units of work into, `work` in
    /// all: one without a pool of several threads or if `work` is under `minimum`,
    /// else at least two, up to `tasksPerThread` per thread, never more than there
    /// are units, and never so many that a task gets less than twice `minimum` (a
    /// few microseconds: claiming a task takes a fraction of one, mostly moving the
    /// mutex's cache line between cores). A pool made with `splitsAllWork` (tests)
    /// splits everything it can into `units` tasks.
    static func taskCount(
        _ threads: ThreadPool?, units: Int, work: Int, minimum: Int, tasksPerThread: Int = WorkSplit.tasksPerThread
    ) -> Int {
        guard let threads, threads.threadCount > 1, units > 1 else { return 1 }
        if threads.splitsAllWork { return units }
        guard work >= minimum else { return 1 }
        let byWork = max(work / max(2 &* minimum, 1), 2)
        return max(min(threads.threadCount &* tasksPerThread, units, byWork), 1)
    }
}
