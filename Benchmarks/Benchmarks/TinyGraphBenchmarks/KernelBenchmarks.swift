import Benchmark
import Foundation
@_spi(Kernels) @_spi(Testing) import TinyGraph

/// Deterministic floats in [-scale, scale] (a 64-bit LCG, as in the unit tests).
func randomFloats(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    var state = seed &* 6364136223846793005 &+ 1442695040888963407
    return (0..<count).map { _ in
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return scale * Float(Int64(bitPattern: state >> 11) % 2_000_001 - 1_000_000) / 1_000_000
    }
}

func applyActivation(_ value: Float, _ activation: Kernels.Activation) -> Float {
    switch activation {
    case .none: return value
    case .relu: return max(value, 0)
    case .relu6: return min(max(value, 0), 6)
    case .leakyRelu(let alpha): return value > 0 ? value : value * alpha
    }
}

/// Stops the run before anything is timed: a benchmark of a wrong kernel is worthless.
func failCheck(_ message: String) -> Never {
    let text = "TinyGraphBenchmarks: CHECK FAILED: \(message)\n"
    FileHandle.standardError.write(Data(text.utf8))
    fatalError(text)
}

/// A convolution layer with random input, weights packed once, and an output buffer.
final class ConvolutionState {
    let layer: ConvolutionLayer
    let shape: Kernels.ConvolutionShape
    let input: UnsafeMutablePointer<Float>
    let output: UnsafeMutablePointer<Float>
    let outputCount: Int
    let packed: Kernels.PackedWeights

    init(_ layer: ConvolutionLayer, seed: UInt64) {
        self.layer = layer
        let shape = layer.shape
        self.shape = shape
        let (outHeight, outWidth) = layer.outputSize
        let inputCount = layer.height * layer.width * layer.inChannels
        outputCount = outHeight * outWidth * layer.outChannels
        let filterShape = [layer.kernel, layer.kernel, layer.inChannels, layer.depthwise ? 1 : layer.outChannels]
        let fanIn = layer.kernel * layer.kernel * (layer.depthwise ? 1 : layer.inChannels)
        // Weights ~ 1/sqrt(fan-in), so outputs stay near 1 at every depth, as in a trained net.
        let filter = randomFloats(filterShape.reduce(1, *), seed: seed &+ 1, scale: 1.7 / Float(fanIn).squareRoot())
        let bias = randomFloats(layer.outChannels, seed: seed &+ 2, scale: 0.5)
        input = .allocate(capacity: inputCount)
        input.initialize(from: randomFloats(inputCount, seed: seed), count: inputCount)
        output = .allocate(capacity: outputCount)
        output.initialize(repeating: .nan, count: outputCount)
        packed = filter.withUnsafeBufferPointer { f in
            layer.depthwise ? Kernels.PackedWeights.depthwise(filter: f.baseAddress!, shape: filterShape)
                            : Kernels.PackedWeights.conv2D(filter: f.baseAddress!, shape: filterShape)
        }
        bias.withUnsafeBufferPointer { packed.addBias($0.baseAddress!) }

        // Check: the SIMD kernel once, against the reference kernel on the same data.
        run()
        var reference = [Float](repeating: 0, count: outputCount)
        filter.withUnsafeBufferPointer { f in
            reference.withUnsafeMutableBufferPointer { r in
                if layer.depthwise {
                    Kernels.referenceDepthwise(input: input, filter: f.baseAddress!, output: r.baseAddress!, shape: shape)
                } else {
                    Kernels.referenceConv2D(input: input, filter: f.baseAddress!, output: r.baseAddress!, shape: shape)
                }
            }
        }
        let want = (0..<outputCount).map { applyActivation(reference[$0] + bias[$0 % layer.outChannels], layer.activation) }
        let largest = want.reduce(Float(0)) { max($0, abs($1)) }
        // NaN (an output never written) is an infinite error (ValueComparison).
        let error = ValueComparison(Array(UnsafeBufferPointer(start: output, count: outputCount)), want)
        // The SIMD kernel adds the bias first and may fuse multiply-adds: the unit
        // tests' tolerance (SIMDConvolutionTests).
        let tolerance = 1e-5 * max(1, largest)
        if !error.isWithin(Double(tolerance)) {
            failCheck("\(layer.name): SIMD vs reference: \(error); tolerance \(tolerance)")
        }
    }

    @inline(__always)
    func run() {
        if layer.depthwise {
            Kernels.simdDepthwise(input: input, weights: packed, output: output, shape: shape, activation: layer.activation)
        } else {
            Kernels.simdConv2D(input: input, weights: packed, output: output, shape: shape, activation: layer.activation)
        }
    }

    deinit {
        input.deallocate()
        output.deallocate()
    }
}

/// A pooling layer with random input and an output buffer, checked like convolutions.
final class PoolingState {
    let layer: PoolingLayer
    let shape: Kernels.PoolingShape
    let input: UnsafeMutablePointer<Float>
    let output: UnsafeMutablePointer<Float>

    init(_ layer: PoolingLayer, seed: UInt64) {
        self.layer = layer
        let shape = layer.shape
        self.shape = shape
        let out = ConvolutionLayer.resolve(layer.size, layer.window, layer.stride, layer.padding).out
        let inputCount = layer.size * layer.size * layer.channels
        let outputCount = out * out * layer.channels
        input = .allocate(capacity: inputCount)
        input.initialize(from: randomFloats(inputCount, seed: seed), count: inputCount)
        output = .allocate(capacity: outputCount)
        output.initialize(repeating: .nan, count: outputCount)
        run()
        var reference = [Float](repeating: .nan, count: outputCount)
        reference.withUnsafeMutableBufferPointer { r in
            if layer.average {
                Kernels.referenceAvgPool(input: input, output: r.baseAddress!, shape: shape)
            } else {
                Kernels.referenceMaxPool(input: input, output: r.baseAddress!, shape: shape)
            }
        }
        // Same windows in the same order: max pooling must match bit for bit.
        let tolerance: Float = layer.average ? 1e-6 : 0
        for index in 0..<outputCount where !(abs(output[index] - reference[index]) <= tolerance) {
            failCheck("\(layer.name): SIMD \(output[index]) vs reference \(reference[index]) at \(index)")
        }
    }

    @inline(__always)
    func run() {
        if layer.average {
            Kernels.simdAvgPool(input: input, output: output, shape: shape)
        } else {
            Kernels.simdMaxPool(input: input, output: output, shape: shape)
        }
    }

    deinit {
        input.deallocate()
        output.deallocate()
    }
}

/// FLOP/s of one timed call, recorded as a custom metric (shown in GFLOP/s).
let flopRate = BenchmarkMetric.custom("FLOP/s", polarity: .prefersLarger, useScalingFactor: false)

@inline(__always)
func recordRate(_ benchmark: Benchmark, flops: Int, since start: ContinuousClock.Instant) {
    let elapsed = ContinuousClock.now - start
    let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
    if nanoseconds > 0 { benchmark.measurement(flopRate, Int(Double(flops) / nanoseconds * 1e9)) }
}

/// Holds a benchmark's state between its setup (which builds and checks it) and teardown.
final class StateBox<State> {
    var state: State?
}

func registerKernelBenchmarks(_ configuration: Benchmark.Configuration) {
    for (index, layer) in (squeezeNetConvolutions + mobileNetV2Convolutions).enumerated() {
        registerKernel(layer.name, flops: layer.flops, configuration) { ConvolutionState(layer, seed: 1000 &+ UInt64(index)) }
    }
    for (index, layer) in squeezeNetPools.enumerated() {
        registerKernel(layer.name, flops: layer.flops, configuration) { PoolingState(layer, seed: 5000 &+ UInt64(index)) }
    }
}

/// What a kernel benchmark times: one call, and the buffer it writes.
protocol KernelState: AnyObject {
    func run()
    var output: UnsafeMutablePointer<Float> { get }
}

extension ConvolutionState: KernelState {}
extension PoolingState: KernelState {}

/// One benchmark whose setup builds (and checks) the state, timing `run()` calls.
func registerKernel<State: KernelState>(
    _ name: String, flops: Int, _ configuration: Benchmark.Configuration, makeState: @escaping () -> State
) {
    let box = StateBox<State>()
    Benchmark(name, configuration: configuration) { benchmark in
        let state = box.state!
        for _ in benchmark.scaledIterations {
            let start = ContinuousClock.now
            state.run()
            recordRate(benchmark, flops: flops, since: start)
            blackHole(state.output)
        }
    } setup: {
        box.state = makeState()
    } teardown: {
        box.state = nil
    }
}
