import Benchmark
import Foundation
@_spi(Testing) import TinyGraph

/// The repository root: `TINYGRAPH_ROOT`, else two folders above this package.
let repositoryRoot: String = {
    if let root = ProcessInfo.processInfo.environment["TINYGRAPH_ROOT"], !root.isEmpty { return root }
    // #filePath is <root>/Benchmarks/Benchmarks/TinyGraphBenchmarks/ModelBenchmarks.swift.
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<4 { url.deleteLastPathComponent() }
    return url.path
}()

func readFloats(_ path: String) -> [Float]? {
    guard let data = FileManager.default.contents(atPath: path), data.count % 4 == 0 else { return nil }
    return data.withUnsafeBytes { raw in (0..<data.count / 4).map { raw.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) } }
}

/// A whole model: one `run` per iteration, after its output was checked.
struct ModelCase {
    var name: String
    var folder: String
    /// The output node, or nil for the model's default outputs.
    var outputNode: String?
    /// Softmax/Sigmoid: absolute tolerance 1e-5; otherwise 1e-4 × max(1, max |expected|)
    /// (the fixture tests' tolerances).
    var probabilities: Bool
}

let modelCases: [ModelCase] = [
    ModelCase(name: "model.customvision-fruits 227", folder: "Tests/Fixtures/models/customvision-fruits", outputNode: nil, probabilities: true),
    ModelCase(name: "model.mobilenetv2-224", folder: "tools/.bench-models/mobilenetv2-224",
              outputNode: "mobilenetv2_1.00_224_1/predictions_1/Softmax", probabilities: true),
    ModelCase(name: "model.shufflenetv2 224", folder: "tools/.bench-models/shufflenetv2", outputNode: "probs", probabilities: true),
]

final class ModelState {
    let model: Model
    let input: [Float]
    /// 2 × the multiply-adds of every convolution and MatMul step.
    let flops: Int

    init(_ modelCase: ModelCase, threads: Int) {
        let folder = repositoryRoot + "/" + modelCase.folder
        do {
            let options = LoadOptions(outputNames: modelCase.outputNode.map { [$0] } ?? [], threads: threads)
            model = try Model(contentsOf: folder + "/model.pb", options: options)
        } catch {
            failCheck("\(modelCase.name): cannot load \(folder)/model.pb: \(error)")
        }
        guard let input = readFloats(folder + "/input.f32"), input.count == model.inputs[0].elementCount else {
            failCheck("\(modelCase.name): \(folder)/input.f32 is missing or not \(model.inputs[0].shape)")
        }
        self.input = input
        flops = 2 * model.steps.reduce(0) { $0 + $1.multiplyAdds }
        let values: [Float]
        do {
            values = try model.run(input)[0].values
        } catch {
            failCheck("\(modelCase.name): run failed: \(error)")
        }
        if let expected = readFloats(folder + "/output_0.f32") {
            // TensorFlow's output for input.f32.
            let largest = expected.reduce(Float(0)) { max($0, abs($1)) }
            let tolerance: Float = modelCase.probabilities ? 1e-5 : 1e-4 * max(1, largest)
            // A NaN, or a count that differs, is an infinite error (ValueComparison).
            let error = ValueComparison(values, expected)
            if !error.isWithin(Double(tolerance)) {
                failCheck("\(modelCase.name): against TensorFlow's output_0.f32: \(error); tolerance \(tolerance)"
                          + " (after regenerating a model, run Benchmarks/write_tf_outputs.py again)")
            }
            print("\(modelCase.name): output matches TensorFlow's output_0.f32 (\(error))")
        } else {
            // tools/.bench-models keeps no TensorFlow output: check what can be checked.
            let sum = values.reduce(0, +)
            if !values.allSatisfy({ $0.isFinite && $0 >= 0 }) || abs(sum - 1) > 1e-3 {
                failCheck("\(modelCase.name): output is not a probability distribution (sum \(sum))")
            }
            print("\(modelCase.name): no output_0.f32 next to the model (Benchmarks/write_tf_outputs.py writes it);"
                  + " only checked that the softmax output is finite and sums to 1")
        }
    }
}

/// Thread counts of the model benchmarks: 1 (the plain name), then 2 and 4 (named
/// "… threads=N") where the machine has that many cores.
let modelThreadCounts = [1] + [2, 4].filter { $0 <= ProcessInfo.processInfo.activeProcessorCount }

func registerModelBenchmarks(_ configuration: Benchmark.Configuration) {
    for modelCase in modelCases {
        let folder = repositoryRoot + "/" + modelCase.folder
        guard FileManager.default.fileExists(atPath: folder + "/model.pb") else {
            print("Skipping \(modelCase.name): \(folder)/model.pb is absent (tools/make_bench_models.py writes it)")
            continue
        }
        for threads in modelThreadCounts {
            registerModelBenchmark(modelCase, threads: threads, configuration)
        }
    }
}

private func registerModelBenchmark(_ modelCase: ModelCase, threads: Int, _ configuration: Benchmark.Configuration) {
    let box = StateBox<ModelState>()
    let name = threads == 1 ? modelCase.name : modelCase.name + " threads=\(threads)"
    Benchmark(name, configuration: configuration) { benchmark in
        let state = box.state!
        for _ in benchmark.scaledIterations {
            let start = ContinuousClock.now
            blackHole(try! state.model.run(state.input))
            recordRate(benchmark, flops: state.flops, since: start)
        }
    } setup: {
        box.state = ModelState(modelCase, threads: threads)
    } teardown: {
        box.state = nil
    }
}
