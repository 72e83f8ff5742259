/// How to import a model.
public struct LoadOptions: Sendable {
    /// Batch size substituted for a `-1` first dimension of an input (default 1).
    public var batchSize: Int
    /// The input shape, for a model with a single input whose `Placeholder` shape is
    /// incomplete or that you want to run at another size.
    public var inputShape: [Int]?
    /// Input shapes by `Placeholder` name, for models with several inputs.
    public var inputShapes: [String: [Int]]
    /// Names of the tensors to compute ("node" or "node:1"). Empty means the
    /// default: `model_outputs`, else `loss`, else every sink of the graph.
    public var outputNames: [String]
    /// Most bytes the model may allocate for constants (weights and folded tensors)
    /// and the activation arena together. A file that asks for more is refused at
    /// load with an error instead of exhausting memory (default 4 GiB; Int.max on
    /// 32-bit targets).
    public var memoryLimit: Int
    /// Threads each run uses: 1 (the default) runs on the calling thread alone; N
    /// also starts N − 1 threads with the model, which wait between runs and end
    /// when it is freed; 0 means one per core this process may use. Results are the
    /// same bits whatever the count. A model still runs one inference at a time.
    public var threads: Int
    /// For tests: split every step the threads can share, however small (see
    /// `ThreadPool.splitsAllWork`). Internal: not part of the API.
    var splitsAllWork = false

    /// The most threads a model may use (`threads` above it is refused at load).
    public static let maximumThreads = 256
    /// Quantized TFLite models: run the reference kernels (TFLite's arithmetic, the
    /// truth the SIMD kernels are tested against) with the filters as the file has
    /// them, instead of the packed SIMD kernels. For tests.
    @_spi(Testing) public var quantizedReferenceKernels = false

    /// 4 GiB, or Int.max on 32-bit targets.
    public static let defaultMemoryLimit = Int(clamping: Int64(1) << 32)

    public init(batchSize: Int = 1, inputShape: [Int]? = nil, inputShapes: [String: [Int]] = [:], outputNames: [String] = [],
                memoryLimit: Int = LoadOptions.defaultMemoryLimit, threads: Int = 1) {
        self.batchSize = batchSize
        self.inputShape = inputShape
        self.inputShapes = inputShapes
        self.outputNames = outputNames
        self.memoryLimit = memoryLimit
        self.threads = threads
    }
}
