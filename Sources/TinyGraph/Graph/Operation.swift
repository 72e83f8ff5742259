/// A resolved operation: the op type, its attributes and constant inputs parsed
/// into parameters. One case per op family; each family lives in `Operators/` and
/// its reference kernels in `Kernels/Reference/`.
enum Operation {
    case convolution(ConvolutionOp)
    case pooling(PoolingOp)
    case matMul(MatMulOp)
    case batchNorm(BatchNormOp)
    case resize(ResizeOp)
    case elementwise(ElementwiseOp)
    case reduction(ReductionOp)
    case layout(LayoutOp)
    /// Made by `ConcatFusion`, never by the importer.
    case channelConcat(ChannelConcatOp)
    /// A step of a quantized TFLite model (int8 or uint8): Operators/Quantized.
    case quantized(QuantizedOp)

    /// The convolutions the step runs: one for a convolution, those computed inside
    /// a fused concatenation, else none (weight counts look here).
    var convolutions: [ConvolutionOp] {
        switch self {
        case .convolution(let op): return [op]
        case .channelConcat(let op): return op.convolutions.map { $0.op }
        default: return []
        }
    }

    /// Runs the reference kernel. Shapes were checked at import, so this cannot fail.
    func execute(inputs: [TensorView], outputs: [TensorView]) {
        switch self {
        case .convolution(let op): op.execute(inputs: inputs, outputs: outputs)
        case .pooling(let op): op.execute(inputs: inputs, outputs: outputs)
        case .matMul(let op): op.execute(inputs: inputs, outputs: outputs)
        case .batchNorm(let op): op.execute(inputs: inputs, outputs: outputs)
        case .resize(let op): op.execute(inputs: inputs, outputs: outputs)
        case .elementwise(let op): op.execute(inputs: inputs, outputs: outputs)
        case .reduction(let op): op.execute(inputs: inputs, outputs: outputs)
        case .layout(let op): op.execute(inputs: inputs, outputs: outputs)
        case .channelConcat(let op): op.execute(inputs: inputs, outputs: outputs)
        case .quantized(let op): op.execute(inputs: inputs, outputs: outputs)
        }
    }

    /// Runs the step with its work split over `threads` where the op family splits
    /// (convolutions, quantized convolutions, pooling, elementwise, softmax); every other step runs whole on the calling
    /// thread. Either way each output element is computed by the same code in the
    /// same order as with one thread.
    func execute(inputs: [TensorView], outputs: [TensorView], on threads: ThreadPool) {
        guard threads.threadCount > 1 else {
            execute(inputs: inputs, outputs: outputs)
            return
        }
        switch self {
        case .convolution(let op): op.execute(inputs: inputs, outputs: outputs, threads: threads)
        case .pooling(let op): op.execute(inputs: inputs, outputs: outputs, threads: threads)
        case .channelConcat(let op): op.execute(inputs: inputs, outputs: outputs, threads: threads)
        case .elementwise(let op): op.execute(inputs: inputs, outputs: outputs, threads: threads)
        case .reduction(let op): op.execute(inputs: inputs, outputs: outputs, threads: threads)
        case .layout(let op): op.execute(inputs: inputs, outputs: outputs, threads: threads)
        case .quantized(.convolution(let op)): op.execute(inputs: inputs, outputs: outputs, threads: threads)
        default: execute(inputs: inputs, outputs: outputs)
        }
    }
}

/// What an op family's `resolve` returns for one node.
struct ResolvedNode {
    var operation: Operation
    /// Indices into the node's inputs that the kernel reads at run time, in the
    /// order `execute` receives them. Inputs consumed at load (axes, shapes,
    /// paddings) are left out.
    var runtimeInputs: [Int]
    /// Types of the node's outputs, output 0 first.
    var outputTypes: [TensorType]
}

/// Maps TensorFlow op types to op families.
enum OperatorRegistry {
    /// Op types handled by the importer itself rather than an op family.
    static let structuralOps: [String] = ["Placeholder", "Const", "Identity", "NoOp"]

    static let familyOps: [String] = [
        "Conv2D", "DepthwiseConv2dNative",
        "MaxPool", "AvgPool",
        "MatMul",
        "FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3",
        "ResizeBilinear", "ResizeNearestNeighbor",
        "BiasAdd", "Relu", "Relu6", "LeakyRelu", "Elu", "Sigmoid", "Tanh",
        "Rsqrt", "Sqrt", "Square", "Neg", "Exp",
        "Add", "AddV2", "Sub", "Mul", "RealDiv", "Maximum", "Minimum", "Cast",
        "Mean", "Sum", "Max", "ArgMax", "Softmax",
        "ConcatV2", "Pack", "Pad", "PadV2", "MirrorPad", "Reshape", "Squeeze", "ExpandDims",
        "Transpose", "Slice", "StridedSlice", "Split", "SplitV", "Shape",
    ]

    static func isSupported(_ opType: String) -> Bool {
        structuralOps.contains(opType) || familyOps.contains(opType)
    }

    static func resolve(_ context: NodeContext) throws(TinyGraphError) -> ResolvedNode {
        switch context.opType {
        case "Conv2D", "DepthwiseConv2dNative":
            return try ConvolutionOp.resolve(context)
        case "MaxPool", "AvgPool":
            return try PoolingOp.resolve(context)
        case "MatMul":
            return try MatMulOp.resolve(context)
        case "FusedBatchNorm", "FusedBatchNormV2", "FusedBatchNormV3":
            return try BatchNormOp.resolve(context)
        case "ResizeBilinear", "ResizeNearestNeighbor":
            return try ResizeOp.resolve(context)
        case "BiasAdd", "Relu", "Relu6", "LeakyRelu", "Elu", "Sigmoid", "Tanh", "Rsqrt", "Sqrt", "Square",
             "Neg", "Exp", "Add", "AddV2", "Sub", "Mul", "RealDiv", "Maximum", "Minimum", "Cast":
            return try ElementwiseOp.resolve(context)
        case "Mean", "Sum", "Max", "ArgMax", "Softmax":
            return try ReductionOp.resolve(context)
        case "ConcatV2", "Pack", "Pad", "PadV2", "MirrorPad", "Reshape", "Squeeze", "ExpandDims",
             "Transpose", "Slice", "StridedSlice", "Split", "SplitV", "Shape":
            return try LayoutOp.resolve(context)
        default:
            throw context.error(.unsupportedOps, "op type \(context.opType) is not supported")
        }
    }
}
