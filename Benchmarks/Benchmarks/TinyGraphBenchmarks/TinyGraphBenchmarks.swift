import Benchmark

/// Per-kernel benchmarks on the real layer shapes of SqueezeNet 1.1 at 227 and
/// MobileNetV2 1.0 at 224, then whole models. Every benchmark's setup checks its
/// result (SIMD kernel against the reference kernel, model against TensorFlow's
/// output) and stops the run before timing if it differs. TinyGraph is single-threaded.
let benchmarks: @Sendable () -> Void = {
    // Wall clock in µs for every benchmark, and the FLOP/s of each timed call in G.
    let kernels = Benchmark.Configuration(
        metrics: [.wallClock, flopRate],
        timeUnits: .microseconds,
        units: [flopRate: .giga],
        warmupIterations: 5,
        maxDuration: .milliseconds(500),
        maxIterations: 2000
    )
    registerKernelBenchmarks(kernels)

    let models = Benchmark.Configuration(
        metrics: [.wallClock, flopRate, .peakMemoryResident],
        timeUnits: .microseconds,
        units: [flopRate: .giga, .peakMemoryResident: .mega],
        warmupIterations: 3,
        maxDuration: .seconds(2),
        maxIterations: 300
    )
    registerModelBenchmarks(models)
}
