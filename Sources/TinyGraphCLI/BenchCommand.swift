@_spi(Benchmarks) import TinyGraph

enum BenchCommand {
    static let spec = CommandSpec(
        name: "bench",
        abstract: "Time a model's inference: median and min latency, GFLOP/s, memory, and time per op.",
        discussion: """
            Loads the model once, runs --warmup untimed inferences, then --runs timed ones
            in this process, on --threads threads (default 1). With more than one thread,
            blocks of 5 timed runs alternate with blocks of 5 runs of the same model on the
            calling thread alone, and the report gives both medians and the speed-up. Then a few more
            runs with a clock read after every step give the time per op type and per step.
            Without --input, the input is deterministic pseudo-random values in [0, 1).
            Time a release build (see README): debug builds are many times slower.
            """,
        arguments: [ModelOptions.model],
        options: [
            CommandSpec.Option(name: "input", valueName: "file", help: "Raw little-endian float32 input (default: pseudo-random values)."),
            CommandSpec.Option(name: "runs", valueName: "n", help: "Timed runs (default 50)."),
            CommandSpec.Option(name: "warmup", valueName: "n", help: "Untimed runs before timing (default 5)."),
            CommandSpec.Option(name: "json", valueName: nil, help: "Print one JSON object instead of text."),
            ModelOptions.inputShape,
            ModelOptions.outputNode(repeatable: false),
            ModelOptions.threads,
        ])

    static func run(_ parsed: ParsedArguments) throws {
        let runs = try parsed.integer("runs", default: 50, atLeast: 1)
        let warmup = try parsed.integer("warmup", default: 5, atLeast: 0)
        let input = parsed.value("input")
        let loadStart = SystemClock.now()
        let loaded = try ModelOptions.load(parsed)
        let loadMilliseconds = Double(SystemClock.now() - loadStart) / 1e6
        guard loaded.inputs.count == 1 else {
            throw CommandFailure("the model has \(loaded.inputs.count) inputs; bench takes one")
        }
        let data = try input.map { try FileIO.readFloats($0) } ?? pseudoRandom(count: loaded.inputs[0].elementCount)
        guard data.count == loaded.inputs[0].elementCount else {
            throw CommandFailure("\(input ?? "input") holds \(data.count) float32 values; the model needs \(loaded.inputs[0].elementCount)")
        }
        let report = try measure(loaded, data, path: parsed.arguments[0], runs: runs, warmup: warmup, loadMilliseconds: loadMilliseconds)
        print(parsed.flag("json") ? report.json : report.text)
    }

    private static func measure(
        _ model: Model, _ data: [Float], path: String, runs: Int, warmup: Int, loadMilliseconds: Double
    ) throws -> BenchReport {
        let compare = model.threadCount > 1
        for _ in 0..<warmup {
            _ = try model.run(data)
            if compare { _ = try model.runOnCallingThread(inputs: [data]) }
        }
        var times: [Double] = []
        var oneThreadTimes: [Double] = []
        // With a comparison, blocks of runs of each kind alternate (ABBA), so drift and
        // other processes' load fall on both alike. Blocks, not single runs: the
        // model's threads sleep during a one-thread run, and runs one after another
        // (as an app classifying a stream makes them) find them awake.
        var block = 0
        while times.count < runs {
            let count = min(benchBlock, runs &- times.count)
            for threaded in (block % 2 == 0 ? [true, false] : [false, true]) where threaded || compare {
                for _ in 0..<count {
                    let start = SystemClock.now()
                    if threaded {
                        _ = try model.run(data)
                        times.append(Double(SystemClock.now() - start) / 1e6)
                    } else {
                        _ = try model.runOnCallingThread(inputs: [data])
                        oneThreadTimes.append(Double(SystemClock.now() - start) / 1e6)
                    }
                }
            }
            block += 1
        }
        times.sort()
        oneThreadTimes.sort()

        // Time per step over a few extra runs, summed by op type.
        let steps = model.steps
        var stepTotals = [UInt64](repeating: 0, count: steps.count)
        let profileRuns = min(runs, 10)
        for _ in 0..<profileRuns {
            var last = SystemClock.now()
            _ = try model.run(inputs: [data]) { index in
                let now = SystemClock.now()
                stepTotals[index] += now - last
                last = now
            }
        }
        var byOp: [String: (count: Int, nanoseconds: UInt64)] = [:]
        for (index, step) in steps.enumerated() {
            byOp[step.opType, default: (0, 0)].count += 1
            byOp[step.opType, default: (0, 0)].nanoseconds += stepTotals[index]
        }
        let slowest = steps.indices.sorted { stepTotals[$0] > stepTotals[$1] }.map { index in
            BenchReport.StepTime(step: steps[index], milliseconds: Double(stepTotals[index]) / 1e6 / Double(profileRuns))
        }
        let ops = byOp.map { BenchReport.OpTime(op: $0.key, count: $0.value.count, milliseconds: Double($0.value.nanoseconds) / 1e6 / Double(profileRuns)) }
            .sorted { $0.milliseconds > $1.milliseconds }

        let summary = model.summary
        return BenchReport(
            model: path, runs: runs, threads: model.threadCount, medianMilliseconds: median(times), minMilliseconds: times[0],
            oneThreadMedianMilliseconds: compare ? median(oneThreadTimes) : nil, oneThreadMinMilliseconds: oneThreadTimes.first,
            loadMilliseconds: loadMilliseconds, multiplyAdds: summary.multiplyAdds,
            arenaBytes: summary.arenaByteCount, weightBytes: summary.weightByteCount,
            peakResidentBytes: SystemClock.peakResidentBytes(), ops: ops, slowestSteps: slowest)
    }

    /// Runs of one kind in a row when bench compares thread counts.
    private static let benchBlock = 5

    /// The middle value of sorted `times` (the mean of the two middle ones for an even count).
    private static func median(_ times: [Double]) -> Double {
        times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
    }

    /// Deterministic values in [0, 1): timing should not depend on a random seed.
    private static func pseudoRandom(count: Int) -> [Float] {
        var state: UInt32 = 0x1234_5678
        return (0..<count).map { _ in
            state = state &* 1_664_525 &+ 1_013_904_223
            return Float(state >> 8) / Float(1 << 24)
        }
    }
}

/// What `bench` measured, as text or JSON.
struct BenchReport {
    struct OpTime {
        var op: String
        var count: Int
        var milliseconds: Double
    }

    struct StepTime {
        var step: Model.Step
        var milliseconds: Double
        var gigaflops: Double { milliseconds > 0 ? 2 * Double(step.multiplyAdds) / (milliseconds * 1e6) : 0 }
    }

    var model: String
    var runs: Int
    var threads: Int
    var medianMilliseconds: Double
    var minMilliseconds: Double
    /// The same model on the calling thread alone, in blocks alternating with the timed runs
    /// (only when `threads` > 1).
    var oneThreadMedianMilliseconds: Double?
    var oneThreadMinMilliseconds: Double?
    var loadMilliseconds: Double
    var multiplyAdds: Int
    var arenaBytes: Int
    var weightBytes: Int
    var peakResidentBytes: Int
    var ops: [OpTime]
    /// Every step, slowest first (the text shows the first 12).
    var slowestSteps: [StepTime]

    /// One thread's median over this thread count's: above 1 means faster.
    var speedup: Double? { oneThreadMedianMilliseconds.map { medianMilliseconds > 0 ? $0 / medianMilliseconds : 0 } }

    /// Two multiply-add FLOPs per multiply-add, at the median latency.
    var gigaflops: Double { medianMilliseconds > 0 ? 2 * Double(multiplyAdds) / (medianMilliseconds * 1e6) : 0 }

    var text: String {
        var lines = [
            "model \(model)",
            "threads   \(threads)",
            "latency   median \(fixed(medianMilliseconds, 3)) ms, min \(fixed(minMilliseconds, 3)) ms over \(runs) runs (\(threads) thread\(threads == 1 ? "" : "s"))",
        ]
        if let oneThread = oneThreadMedianMilliseconds, let oneThreadMin = oneThreadMinMilliseconds, let speedup {
            lines.append("1 thread  median \(fixed(oneThread, 3)) ms, min \(fixed(oneThreadMin, 3)) ms, in blocks alternating with those: "
                         + "speed-up \(fixed(speedup, 2))×, \(threads) threads take \(fixed(1 / speedup, 2)) of the time")
        }
        lines += [
            "compute   \(fixed(gigaflops, 1)) GFLOP/s (\(InspectReport.grouped(multiplyAdds)) multiply-adds)",
            "memory    weights \(InspectReport.bytes(weightBytes)), arena \(InspectReport.bytes(arenaBytes)), peak RSS \(InspectReport.bytes(peakResidentBytes))",
            "load      \(fixed(loadMilliseconds, 1)) ms",
            "kernels   \(KernelConfiguration.summary)",
            "time per op type (mean of up to 10 profiled runs):",
        ]
        let total = ops.reduce(0) { $0 + $1.milliseconds }
        for op in ops {
            let share = total > 0 ? 100 * op.milliseconds / total : 0
            lines.append("  \(InspectReport.pad(op.op, 24)) \(InspectReport.pad(String(op.count), 4)) \(fixed(op.milliseconds, 3)) ms  \(fixed(share, 1))%")
        }
        lines.append("slowest steps:")
        for entry in slowestSteps.prefix(12) {
            let rate = entry.step.multiplyAdds > 0 ? "  \(fixed(entry.gigaflops, 1)) GFLOP/s" : ""
            lines.append("  \(fixed(entry.milliseconds, 3)) ms  \(entry.step.opType) \(entry.step.name) \(describe(entry.step.outputShape))\(rate)")
        }
        return lines.joined(separator: "\n")
    }

    var json: String {
        JSON.object([
            ("model", .string(model)),
            ("runs", .int(runs)),
            ("threads", .int(threads)),
            ("median_ms", .double(medianMilliseconds)),
            ("min_ms", .double(minMilliseconds)),
            ("one_thread_median_ms", oneThreadMedianMilliseconds.map { .double($0) } ?? .null),
            ("one_thread_min_ms", oneThreadMinMilliseconds.map { .double($0) } ?? .null),
            ("speedup", speedup.map { .double($0) } ?? .null),
            ("load_ms", .double(loadMilliseconds)),
            ("gflops", .double(gigaflops)),
            ("multiply_adds", .int(multiplyAdds)),
            ("arena_bytes", .int(arenaBytes)),
            ("weight_bytes", .int(weightBytes)),
            ("peak_rss_bytes", .int(peakResidentBytes)),
            ("kernels", .string(KernelConfiguration.summary)),
            ("ops", .array(ops.map { .object([("op", .string($0.op)), ("count", .int($0.count)), ("ms", .double($0.milliseconds))]) })),
            ("steps", .array(slowestSteps.map {
                .object([("name", .string($0.step.name)), ("op", .string($0.step.opType)), ("ms", .double($0.milliseconds)),
                         ("multiply_adds", .int($0.step.multiplyAdds))])
            })),
        ]).rendered
    }
}

/// 3.14159 → "3.142" without Foundation's String(format:).
func fixed(_ value: Double, _ digits: Int) -> String {
    guard value.isFinite else { return "\(value)" }
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = Int((abs(value) * scale).rounded())
    let whole = scaled / Int(scale)
    var fraction = String(scaled % Int(scale))
    while fraction.count < digits { fraction = "0" + fraction }
    return (value < 0 && scaled != 0 ? "-" : "") + String(whole) + (digits > 0 ? "." + fraction : "")
}
