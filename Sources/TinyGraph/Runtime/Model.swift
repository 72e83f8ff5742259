/// A loaded TensorFlow model (frozen GraphDef or TFLite), ready to run.
///
/// ```swift
/// let model = try Model(contentsOf: "model.pb")
/// print(model.inputs[0].shape)            // [1, 227, 227, 3]
/// let outputs = try model.run(pixels)     // [Float], NHWC
/// print(outputs[0].values)                // [Float]
/// ```
///
/// Loading parses the GraphDef, keeps what the outputs need, infers every shape,
/// folds constants and plans one activation arena; `run` only executes kernels.
/// With `LoadOptions.threads` above 1, each run splits its steps over that many
/// threads, started at load and ended when the model is freed.
/// A `Model` is not safe to run from two threads at once (the arena is shared).
public final class Model {
    /// Name, shape and element type of an input or output.
    public struct TensorInfo: Equatable, Sendable {
        public let name: String
        public let shape: [Int]
        /// The file's type: int8 or uint8 for a quantized model's integer edges, which
        /// `run` quantizes and dequantizes with `quantization`.
        public let dtype: DType
        public let quantization: Quantization?
        public var elementCount: Int { TensorType(dtype, shape).elementCount }

        init(name: String, shape: [Int], dtype: DType, quantization: Quantization? = nil) {
            self.name = name
            self.shape = shape
            self.dtype = dtype
            self.quantization = quantization
        }
    }

    public let inputs: [TensorInfo]
    public let outputs: [TensorInfo]

    let graph: Graph
    let plan: ExecutionPlan
    /// The threads `run` splits steps over (`LoadOptions.threads`).
    let threads: ThreadPool

    /// Threads each run uses, the caller's included (`LoadOptions.threads`, with 0
    /// resolved to the core count).
    public var threadCount: Int { threads.threadCount }

    /// Loads a model from the bytes of a frozen `GraphDef` (`model.pb`) or a TFLite
    /// model (recognised by its "TFL3" identifier). The bytes are read in place;
    /// weights are copied once, into the model's own buffers.
    public convenience init(bytes: UnsafeRawBufferPointer, options: LoadOptions = LoadOptions()) throws(TinyGraphError) {
        try self.init(graph: try Importer.importGraph(file: bytes, options: options), threads: options.threads, splitsAllWork: options.splitsAllWork)
    }

    public convenience init(bytes: [UInt8], options: LoadOptions = LoadOptions()) throws(TinyGraphError) {
        let result: Result<Graph, TinyGraphError> = bytes.withUnsafeBytes { buffer in
            do throws(TinyGraphError) {
                return .success(try Importer.importGraph(file: buffer, options: options))
            } catch {
                return .failure(error)
            }
        }
        try self.init(graph: try result.get(), threads: options.threads, splitsAllWork: options.splitsAllWork)
    }

    init(graph: Graph, threads: Int, splitsAllWork: Bool = false) throws(TinyGraphError) {
        let memoryPlan = MemoryPlanner.plan(graph)
        var constantBytes = 0
        for value in graph.values { if let constant = value.constant { constantBytes += constant.byteCount } }
        for node in graph.nodes {
            for op in node.operation.convolutions { constantBytes += op.packedWeights?.storage.byteCount ?? 0 }
            constantBytes += node.operation.quantizedWeightByteCount
        }
        guard memoryPlan.arenaByteCount <= graph.memoryLimit - constantBytes else {
            throw TinyGraphError(.invalidShape, field: "memoryLimit",
                                 "the model needs \(constantBytes) bytes of constants and a \(memoryPlan.arenaByteCount)-byte arena, over the memory limit of \(graph.memoryLimit) bytes")
        }
        self.threads = try ThreadPool(threads: threads, splitsAllWork: splitsAllWork)
        self.graph = graph
        plan = ExecutionPlan(graph: graph, plan: memoryPlan)
        inputs = graph.inputs.map { Self.tensorInfo(name: graph.values[$0].name, graph.values[$0]) }
        outputs = zip(graph.outputNames, graph.outputs).map { name, id in Self.tensorInfo(name: name, graph.values[id]) }
    }

    /// An output tensor. Integer outputs (e.g. ArgMax) are converted to Float in
    /// `values`; a quantized model's int8/uint8 outputs are dequantized.
    public struct Tensor: Sendable {
        public let name: String
        public let shape: [Int]
        public let dtype: DType
        public let values: [Float]
    }

    /// Runs a single-input model on NHWC float32 data of `inputs[0].elementCount` values.
    public func run(_ input: [Float]) throws(TinyGraphError) -> [Tensor] {
        try run(inputs: [input])
    }

    /// Runs a single-input model whose input `fill` writes in place (into the arena),
    /// for callers that would otherwise build an array only to have it copied.
    public func run(fillingInput fill: (UnsafeMutableBufferPointer<Float>) -> Void) throws(TinyGraphError) -> [Tensor] {
        guard inputs.count == 1 else {
            throw TinyGraphError(.invalidArgument, field: "inputs", "run(fillingInput:) needs exactly one input")
        }
        let view = plan.inputViews[0]
        threads.prepareForRun()
        if let quantization = graph.values[graph.inputs[0]].quantization {
            // A quantized input: filled as floats, then quantized at the edge.
            var values = [Float](repeating: 0, count: view.elementCount)
            values.withUnsafeMutableBufferPointer { fill($0) }
            Self.quantize(values, into: view, quantization)
        } else {
            fill(UnsafeMutableBufferPointer(start: view.floats, count: view.elementCount))
        }
        plan.run(on: threads)
        return readOutputs()
    }

    /// Runs the model with one float32 array per input, in `inputs` order.
    public func run(inputs data: [[Float]]) throws(TinyGraphError) -> [Tensor] {
        threads.prepareForRun()
        try write(data, on: threads)
        plan.run(on: threads)
        return readOutputs()
    }

    /// One run-time step: a node that survived folding (Identity and NoOp are gone).
    public struct Step: Sendable {
        public let opType: String
        public let name: String
        public let outputShape: [Int]
        /// Multiply-adds of the step (Conv2D, DepthwiseConv2dNative, MatMul; else 0).
        public let multiplyAdds: Int
    }

    /// The run-time steps in execution order.
    public var steps: [Step] {
        graph.nodes.map { node in
            Step(opType: node.opType, name: node.name, outputShape: node.outputs.first.map { graph.values[$0].type.shape } ?? [],
                 multiplyAdds: Self.multiplyAdds(node, graph))
        }
    }

    /// Runs like `run(inputs:)`, calling `afterStep` with the index into `steps` as
    /// each step finishes: for profilers, which read a clock in it. Steps that are
    /// views of their input (Reshape, Squeeze, ExpandDims of an arena tensor) do not
    /// run and are never reported: they take no time.
    public func run(inputs data: [[Float]], afterStep: (Int) -> Void) throws(TinyGraphError) -> [Tensor] {
        threads.prepareForRun()
        try write(data, on: threads)
        plan.run(on: threads, afterStep: afterStep)
        return readOutputs()
    }

    /// Runs like `run(inputs:)` on the calling thread alone, whatever
    /// `LoadOptions.threads` said: the same steps, arena and weights, so that
    /// `tinygraph bench` can compare thread counts in one process on one model.
    @_spi(Benchmarks) public func runOnCallingThread(inputs data: [[Float]]) throws(TinyGraphError) -> [Tensor] {
        try write(data, on: oneThread)
        plan.run(on: oneThread)
        return readOutputs()
    }

    /// A pool of one thread (no pthreads) for `runOnCallingThread`.
    private let oneThread = ThreadPool()

    /// Copies the inputs into the arena, a large input in one share per thread: each
    /// thread then finds the rows the first step gives it in its own cache.
    private func write(_ data: [[Float]], on threads: ThreadPool) throws(TinyGraphError) {
        guard data.count == inputs.count else {
            throw TinyGraphError(.invalidArgument, field: "inputs", "the model has \(inputs.count) inputs, \(data.count) given")
        }
        for (index, values) in data.enumerated() {
            let view = plan.inputViews[index]
            guard values.count == view.elementCount else {
                throw TinyGraphError(.invalidArgument, node: inputs[index].name, field: "inputs",
                                     "expected \(view.elementCount) values for shape \(TensorType.describe(view.shape)), got \(values.count)")
            }
            if let quantization = graph.values[graph.inputs[index]].quantization {
                Self.quantize(values, into: view, quantization)
                continue
            }
            values.withUnsafeBufferPointer { source in
                if let base = source.baseAddress {
                    threads.copy(from: UnsafeRawPointer(base), to: UnsafeMutableRawPointer(view.floats), byteCount: 4 &* values.count)
                }
            }
        }
    }

    private func readOutputs() -> [Tensor] {
        var result: [Tensor] = []
        for (index, (info, view)) in zip(outputs, plan.outputViews).enumerated() {
            let values = graph.values[graph.outputs[index]].quantization.map { Self.dequantize(view, $0) } ?? Self.floatValues(view)
            result.append(Tensor(name: info.name, shape: info.shape, dtype: info.dtype, values: values))
        }
        return result
    }

    private static func floatValues(_ view: TensorView) -> [Float] {
        let count = view.elementCount
        switch view.dtype {
        case .float32: return Array(UnsafeBufferPointer(start: view.floats, count: count))
        case .int32: return UnsafeBufferPointer(start: view.elements(as: Int32.self), count: count).map { Float($0) }
        case .int64: return UnsafeBufferPointer(start: view.elements(as: Int64.self), count: count).map { Float($0) }
        case .bool, .uint8: return UnsafeBufferPointer(start: view.elements(as: UInt8.self), count: count).map { Float($0) }
        case .int8: return UnsafeBufferPointer(start: view.elements(as: Int8.self), count: count).map { Float($0) }
        }
    }
}
