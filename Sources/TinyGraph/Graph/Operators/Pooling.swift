/// MaxPool and AvgPool on NHWC float32 input (SAME or VALID padding, resolved to
/// explicit numbers at import).
struct PoolingOp: Equatable {
    enum Kind: Equatable {
        case max
        case average
    }

    var kind: Kind
    var windowH: Int
    var windowW: Int
    var strideH: Int
    var strideW: Int
    var padTop: Int
    var padBottom: Int
    var padLeft: Int
    var padRight: Int

    static func resolve(_ context: NodeContext) throws(TinyGraphError) -> ResolvedNode {
        let kind: Kind
        switch context.opType {
        case "MaxPool": kind = .max
        case "AvgPool": kind = .average
        default: throw context.error(.unsupportedOps, "op type \(context.opType) is not a pooling op")
        }
        try context.requireInputCount(1)
        try context.requireFloat(0)
        try context.requireRank(0, 4)
        try context.requireNHWC()

        let input = context.shape(0)
        let window = try ConvolutionOp.spatialAttribute(context, "ksize")
        let strides = try ConvolutionOp.spatialAttribute(context, "strides")
        let padding = try ConvolutionOp.paddingAttribute(context, allowExplicit: false)
        let rows = try ConvolutionOp.windowedOutputSize(
            context, field: "input 0", inputSize: input[1], window: window.h, stride: strides.h, dilation: 1, padding: padding)
        let cols = try ConvolutionOp.windowedOutputSize(
            context, field: "input 0", inputSize: input[2], window: window.w, stride: strides.w, dilation: 1, padding: padding)

        let outputType = try context.makeType(.float32, [input[0], rows.size, cols.size, input[3]])
        let op = PoolingOp(
            kind: kind, windowH: window.h, windowW: window.w, strideH: strides.h, strideW: strides.w,
            padTop: rows.before, padBottom: rows.after, padLeft: cols.before, padRight: cols.after)
        return ResolvedNode(operation: .pooling(op), runtimeInputs: [0], outputTypes: [outputType])
    }

    /// Kernel sizes for the given input and output shapes.
    func geometry(input: [Int], output: [Int]) -> PoolingGeometry {
        PoolingGeometry(
            batch: input[0], inHeight: input[1], inWidth: input[2], channels: input[3],
            windowHeight: windowH, windowWidth: windowW, outHeight: output[1], outWidth: output[2],
            strideH: strideH, strideW: strideW, padTop: padTop, padLeft: padLeft)
    }

    /// Runs the step; output rows split over `threads` when given.
    func execute(inputs: [TensorView], outputs: [TensorView], threads: ThreadPool? = nil) {
        let g = geometry(input: inputs[0].shape, output: outputs[0].shape)
        switch kind {
        case .max: SIMDPooling.maxPool(input: inputs[0].floats, output: outputs[0].floats, geometry: g, threads: threads)
        case .average: SIMDPooling.avgPool(input: inputs[0].floats, output: outputs[0].floats, geometry: g, threads: threads)
        }
    }
}
