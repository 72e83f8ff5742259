import Foundation
import Testing
@_spi(Testing) @testable import TinyGraph

/// The model's thread pool: it starts its threads once, runs every task exactly once
/// on several threads, keeps its threads from job to job, sleeps and wakes, and a
/// pool (or a `Model`) freed while idle ends and joins its threads.
@Suite struct ThreadPoolTests {
    /// The kernel's id of the calling thread (what /proc/self/task lists), from the
    /// /proc/thread-self link ("PID/task/TID").
    static func threadID() -> Int32 {
        let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/thread-self")) ?? ""
        return Int32(target.split(separator: "/").last ?? "") ?? -1
    }

    /// Per-task slots that tasks write without a lock: each task only its own.
    final class Slots: @unchecked Sendable {
        let values: UnsafeMutablePointer<Int>
        let count: Int
        init(_ count: Int) {
            self.count = count
            values = .allocate(capacity: count)
            values.initialize(repeating: 0, count: count)
        }
        deinit { values.deallocate() }
        var array: [Int] { Array(UnsafeBufferPointer(start: values, count: count)) }
    }

    /// Holds every task until `parties` tasks have arrived (each on its own thread,
    /// since none can finish and claim another first); false after 20 s.
    final class Barrier: @unchecked Sendable {
        let condition = NSCondition()
        var arrived = 0
        let parties: Int
        init(_ parties: Int) { self.parties = parties }

        func arriveAndWait() -> Bool {
            condition.lock()
            defer { condition.unlock() }
            arrived += 1
            condition.broadcast()
            let deadline = Date().addingTimeInterval(20)
            while arrived < parties {
                if !condition.wait(until: deadline) { return false }
            }
            return true
        }
    }

    /// Runs `threads` tasks that meet at a barrier, so each runs on a different
    /// thread of the pool, and returns their thread ids.
    static func threadIDs(of pool: ThreadPool) -> [Int32] {
        let barrier = Barrier(pool.threadCount)
        let ids = Slots(pool.threadCount)
        let met = Slots(pool.threadCount)
        pool.forEach(pool.threadCount) { task in
            met.values[task] = barrier.arriveAndWait() ? 1 : 0
            ids.values[task] = Int(threadID())
        }
        #expect(met.array.allSatisfy { $0 == 1 }, "the pool's threads never all ran at once")
        return ids.array.map { Int32($0) }
    }

    static func threadExists(_ id: Int32) -> Bool {
        FileManager.default.fileExists(atPath: "/proc/self/task/\(id)")
    }

    /// Waits up to 5 s for the threads to be gone (the kernel reaps a thread a
    /// moment after pthread_join returns).
    static func waitUntilGone(_ ids: [Int32]) -> Bool {
        for _ in 0..<500 {
            if !ids.contains(where: threadExists) { return true }
            usleep(10_000)
        }
        return false
    }

    @Test func startsItsThreadsOnceAndRunsTasksOnAllOfThem() throws {
        let pool = try ThreadPool(threads: 4)
        #expect(pool.threadCount == 4)
        let ids = Self.threadIDs(of: pool)
        #expect(Set(ids).count == 4, "\(ids)")
        #expect(ids.contains(Self.threadID()), "the caller's thread runs tasks too")
        #expect(ids.allSatisfy(Self.threadExists))
    }

    @Test func everyTaskRunsExactlyOnce() throws {
        let pool = try ThreadPool(threads: 3)
        for tasks in [0, 1, 2, 3, 7, 1000] {
            let slots = Slots(max(tasks, 1))
            pool.forEach(tasks) { task in slots.values[task] += 1 }
            #expect(slots.array.prefix(tasks).allSatisfy { $0 == 1 }, "\(tasks) tasks")
        }
    }

    /// Thousands of jobs reuse the same threads: no thread is started per job.
    @Test func reusesItsThreadsFromJobToJob() throws {
        let pool = try ThreadPool(threads: 3)
        let workers = Set(Self.threadIDs(of: pool))
        let seen = Slots(3 * 64)
        for job in 0..<3000 {
            let tasks = 1 + job % 64
            let slots = Slots(tasks)
            pool.forEach(tasks) { task in
                slots.values[task] = task + 1
                if job % 50 == 0 { seen.values[task] = Int(Self.threadID()) }
            }
            #expect(slots.array == Array(1...tasks))
        }
        let used = Set(seen.array.filter { $0 != 0 }.map { Int32($0) })
        #expect(used.isSubset(of: workers), "tasks ran on threads the pool did not start: \(used.subtracting(workers))")
        #expect(Set(Self.threadIDs(of: pool)) == workers)
    }

    /// Threads that have slept (past their spinning) wake for the next job, and a
    /// caller that waits long for a worker's task sleeps and is woken.
    @Test func sleepingThreadsWakeUp() throws {
        let pool = try ThreadPool(threads: 2)
        for round in 0..<3 {
            usleep(50_000)  // far past the spin: the worker sleeps on its condition variable
            let barrier = Barrier(2)
            let slots = Slots(2)
            pool.forEach(2) { task in
                slots.values[task] = barrier.arriveAndWait() ? 1 : 0
                if task == 1 { usleep(30_000) }  // the caller runs out of tasks and sleeps
            }
            #expect(slots.array == [1, 1], "round \(round)")
        }
    }

    @Test func oneThreadStartsNoThreadAndRunsOnTheCaller() throws {
        for pool in [ThreadPool(), try ThreadPool(threads: 1)] {
            #expect(pool.threadCount == 1)
            let ids = Slots(5)
            pool.forEach(5) { task in ids.values[task] = Int(Self.threadID()) }
            #expect(ids.array.allSatisfy { $0 == Int(Self.threadID()) })
        }
    }

    @Test func zeroMeansOneThreadPerCore() throws {
        let cores = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        #expect(try ThreadPool(threads: 0).threadCount == cores)
        let model = try Model(contentsOf: Fixtures.root + "/op-conv/model.pb", options: LoadOptions(threads: 0))
        #expect(model.threadCount == cores)
    }

    @Test(arguments: [-1, -100, LoadOptions.maximumThreads + 1])
    func refusesABadThreadCount(_ threads: Int) throws {
        #expect(throws: TinyGraphError.self) { try ThreadPool(threads: threads) }
        do {
            _ = try Model(contentsOf: Fixtures.root + "/op-conv/model.pb", options: LoadOptions(threads: threads))
            Issue.record("a model with \(threads) threads loaded")
        } catch {
            #expect(error.kind == .invalidArgument && error.field == "threads", "\(error)")
            #expect(error.description.contains("\(threads) threads"), "\(error)")
        }
    }

    @Test func aPoolFreedWhileIdleJoinsItsThreads() throws {
        var pool: ThreadPool? = try ThreadPool(threads: 4)
        let ids = Self.threadIDs(of: pool!).filter { $0 != Self.threadID() }
        #expect(ids.count == 3)
        #expect(ids.allSatisfy(Self.threadExists))
        pool = nil
        #expect(Self.waitUntilGone(ids), "threads still running after the pool was freed: \(ids.filter(Self.threadExists))")
    }

    /// A `Model` owns its pool: freeing the model (idle, after runs) ends its threads.
    @Test func aModelFreedWhileIdleJoinsItsThreads() throws {
        let fixture = try Fixtures.load("mobilenetv2-035")
        var model: Model? = try Model(contentsOf: fixture.directory + "/model.pb",
                                      options: LoadOptions(outputNames: fixture.outputs.map(\.name), threads: 3))
        #expect(model!.threadCount == 3)
        let first = try model!.run(fixture.input32)
        let ids = Self.threadIDs(of: model!.threads).filter { $0 != Self.threadID() }
        #expect(ids.count == 2)
        let second = try model!.run(fixture.input32)
        #expect(first.map { $0.values.map(\.bitPattern) } == second.map { $0.values.map(\.bitPattern) })
        weak let pool = model!.threads
        model = nil
        #expect(pool == nil, "the model's pool outlived it")
        #expect(Self.waitUntilGone(ids), "threads still running after the model was freed: \(ids.filter(Self.threadExists))")
    }

    @Test func workSplitRangesCoverEverythingOnceOnGranules() {
        for count in [0, 1, 5, 16, 17, 100, 1000] {
            for parts in 1...9 {
                for granule in [1, 4, 16] {
                    var next = 0
                    for part in 0..<parts {
                        let range = WorkSplit.range(part, of: parts, count: count, granule: granule)
                        #expect(range.lowerBound == next, "\(count) \(parts) \(granule) part \(part)")
                        #expect(range.lowerBound % granule == 0 || range.isEmpty)
                        next = range.upperBound
                    }
                    #expect(next == count, "\(count) \(parts) \(granule)")
                }
            }
        }
    }

    @Test func smallStepsStayOnTheCallingThread() throws {
        let pool = try ThreadPool(threads: 4)
        let minimum = WorkSplit.minimumParallelMultiplyAdds
        #expect(WorkSplit.taskCount(nil, units: 100, work: 100 * minimum, minimum: minimum) == 1)
        #expect(WorkSplit.taskCount(ThreadPool(), units: 100, work: 100 * minimum, minimum: minimum) == 1)
        #expect(WorkSplit.taskCount(pool, units: 100, work: minimum - 1, minimum: minimum) == 1)
        #expect(WorkSplit.taskCount(pool, units: 1, work: 100 * minimum, minimum: minimum) == 1)
        // Enough work for every thread: up to tasksPerThread each, never more than the units.
        #expect(WorkSplit.taskCount(pool, units: 100, work: 100 * minimum, minimum: minimum) == 4 * WorkSplit.tasksPerThread)
        #expect(WorkSplit.taskCount(pool, units: 5, work: 100 * minimum, minimum: minimum) == 5)
        // A little over the minimum: two tasks, not 32 tiny ones.
        #expect(WorkSplit.taskCount(pool, units: 100, work: minimum + 1, minimum: minimum) == 2)
        #expect(WorkSplit.taskCount(pool, units: 100, work: 100 * minimum, minimum: minimum, tasksPerThread: 3) == 12)
        // Each task gets at least twice the minimum.
        #expect(WorkSplit.taskCount(pool, units: 100, work: 10 * minimum, minimum: minimum) == 5)
        let everything = try ThreadPool(threads: 2, splitsAllWork: true)
        #expect(WorkSplit.taskCount(everything, units: 7, work: 1, minimum: minimum) == 7)
    }
}
