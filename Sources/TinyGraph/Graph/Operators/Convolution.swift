/// Conv2D (filter HWIO) and DepthwiseConv2dNative (filter [KH, KW, C, M]) on NHWC
/// float32 input. Padding is resolved to explicit numbers at import, so kernels
/// need no TensorFlow padding logic.
struct ConvolutionOp: Equatable {
    enum Kind: Equatable {
        case conv2D
        case depthwise
    }

    /// Activation applied to each output element: `.none` at import, set when
    /// `EpilogueFusion` absorbs the activation that follows.
    enum Activation: Equatable {
        case none
        case relu
        case relu6
        /// TensorFlow's `x > 0 ? x : x * alpha`.
        case leakyRelu(alpha: Float)
    }

    /// TensorFlow's `padding` attribute.
    enum Padding: Equatable {
        case same
        case valid
        case explicit
    }

    var kind: Kind
    var strideH: Int
    var strideW: Int
    var dilationH: Int
    var dilationW: Int
    var padTop: Int
    var padBottom: Int
    var padLeft: Int
    var padRight: Int
    var activation: Activation = .none
    /// The filter packed for the SIMD kernels when it is a constant (always, in
    /// frozen graphs); nil means the filter is a run-time input and the reference
    /// kernel runs.
    var packedWeights: PackedConvolutionWeights? = nil
    /// Set by `PoolFusion`: the MaxPool that was the output's only reader now runs
    /// inside this step (`SIMDConvolution.conv2DMaxPool`). The node's outputs are then
    /// the pool's output and the ring of convolution rows it pools from.
    var fusedPool: FusedMaxPool? = nil

    static func resolve(_ context: NodeContext) throws(TinyGraphError) -> ResolvedNode {
        let kind: Kind
        switch context.opType {
        case "Conv2D": kind = .conv2D
        case "DepthwiseConv2dNative": kind = .depthwise
        default: throw context.error(.unsupportedOps, "op type \(context.opType) is not a convolution")
        }
        try context.requireInputCount(2)
        try context.requireFloat(0)
        try context.requireFloat(1)
        try context.requireRank(0, 4)
        try context.requireRank(1, 4)
        try context.requireNHWC()

        let input = context.shape(0)
        let filter = context.shape(1)
        let strides = try spatialAttribute(context, "strides")
        let dilations = try spatialAttribute(context, "dilations", default: [1, 1, 1, 1])
        if kind == .depthwise, strides.h != strides.w {
            throw context.error(field: "strides", "height stride \(strides.h) and width stride \(strides.w) must be equal for depthwise convolution")
        }
        guard filter[0] > 0, filter[1] > 0, filter[2] > 0, filter[3] > 0 else {
            throw context.shapeError(field: "input 1", "filter shape \(TensorType.describe(filter)) must not have zero dimensions")
        }
        guard filter[2] == input[3] else {
            throw context.shapeError(
                field: "input 1",
                "filter input depth \(filter[2]) does not match input channels \(input[3]) (grouped convolution is not supported)")
        }

        let padding = try paddingAttribute(context, allowExplicit: true)
        var explicitPads = (top: 0, bottom: 0, left: 0, right: 0)
        if padding == .explicit {
            let pads = try context.ints("explicit_paddings")
            guard pads.count == 8 else {
                throw context.error(field: "explicit_paddings", "expects 8 values (a pair per NHWC dimension), has \(pads.count)")
            }
            for value in pads where value < 0 {
                throw context.error(field: "explicit_paddings", "padding \(value) must not be negative")
            }
            guard pads[0] == 0, pads[1] == 0, pads[6] == 0, pads[7] == 0 else {
                throw context.error(field: "explicit_paddings", "batch and channel paddings must be 0")
            }
            explicitPads = (pads[2], pads[3], pads[4], pads[5])
        } else {
            let pads = try context.ints("explicit_paddings", default: [])
            guard pads.isEmpty else {
                throw context.error(field: "explicit_paddings", "must be empty unless padding is EXPLICIT")
            }
        }

        let rows = try windowedOutputSize(
            context, field: "input 0", inputSize: input[1], window: filter[0], stride: strides.h, dilation: dilations.h,
            padding: padding, explicitBefore: explicitPads.top, explicitAfter: explicitPads.bottom)
        let cols = try windowedOutputSize(
            context, field: "input 0", inputSize: input[2], window: filter[1], stride: strides.w, dilation: dilations.w,
            padding: padding, explicitBefore: explicitPads.left, explicitAfter: explicitPads.right)

        let outChannels = kind == .conv2D ? filter[3] : filter[2] * filter[3]
        let outputType = try context.makeType(.float32, [input[0], rows.size, cols.size, outChannels])
        var op = ConvolutionOp(
            kind: kind, strideH: strides.h, strideW: strides.w, dilationH: dilations.h, dilationW: dilations.w,
            padTop: rows.before, padBottom: rows.after, padLeft: cols.before, padRight: cols.after)
        // Constant filters are packed once, here, straight from the model file; the SIMD
        // kernel then reads only the packed copy.
        if let values = context.inputs[1].constantBytes, kind == .conv2D || filter[3] == 1 {
            try context.requireWithinMemoryLimit(
                PackedConvolutionWeights.packedByteCount(kernelHeight: filter[0], kernelWidth: filter[1], inChannels: filter[2],
                                                         outChannels: outChannels, depthwise: kind == .depthwise),
                "packing the filter")
            op.packedWeights = kind == .conv2D
                ? PackedConvolutionWeights.conv2D(filter: values, shape: filter)
                : PackedConvolutionWeights.depthwise(filter: values, shape: filter)
            return ResolvedNode(operation: .convolution(op), runtimeInputs: [0], outputTypes: [outputType])
        }
        return ResolvedNode(operation: .convolution(op), runtimeInputs: [0, 1], outputTypes: [outputType])
    }

    /// A MatMul's [M, K] matrix seen as the image [1, 1, M, K]; images unchanged.
    private static func imageShape(_ shape: [Int]) -> [Int] {
        shape.count == 2 ? [1, 1, shape[0], shape[1]] : shape
    }

    /// Kernel sizes for the given input, filter and output shapes.
    func geometry(input: [Int], filter: [Int], output: [Int]) -> ConvolutionGeometry {
        ConvolutionGeometry(
            batch: input[0], inHeight: input[1], inWidth: input[2], inChannels: input[3],
            kernelHeight: filter[0], kernelWidth: filter[1],
            outHeight: output[1], outWidth: output[2], outChannels: output[3],
            strideH: strideH, strideW: strideW, dilationH: dilationH, dilationW: dilationW,
            padTop: padTop, padLeft: padLeft)
    }

    /// A packed Conv2D whose output pixels lie `outputPixelStride` floats apart (a
    /// channel slice of a concatenation, `ChannelConcatOp`); `outputShape` is the
    /// slice's [N, H, W, channels].
    func executeConv2D(input: TensorView, output: UnsafeMutablePointer<Float>, outputShape: [Int], outputPixelStride: Int,
                       threads: ThreadPool? = nil) {
        guard let packed = packedWeights, kind == .conv2D, fusedPool == nil else {
            preconditionFailure("ConcatFusion only places packed, unfused Conv2D steps in a concatenation")
        }
        let filter = [packed.kernelHeight, packed.kernelWidth, packed.inChannels, packed.outChannels]
        SIMDConvolution.conv2D(input: input.floats, weights: packed, output: output,
                               geometry: geometry(input: input.shape, filter: filter, output: outputShape),
                               activation: activation, outputPixelStride: outputPixelStride, threads: threads)
    }

    /// Runs the step; the packed kernels split their work over `threads` when given.
    func execute(inputs: [TensorView], outputs: [TensorView], threads: ThreadPool? = nil) {
        if let pool = fusedPool, let packed = packedWeights {
            let g = geometry(input: inputs[0].shape, filter: [packed.kernelHeight, packed.kernelWidth, packed.inChannels, packed.outChannels],
                             output: pool.convolutionOutputShape)
            SIMDConvolution.conv2DMaxPool(
                input: inputs[0].floats, weights: packed, output: outputs[0].floats, ring: outputs[1].floats, geometry: g,
                activation: activation, pool: pool.pooling.geometry(input: pool.convolutionOutputShape, output: outputs[0].shape),
                threads: threads)
            return
        }
        if let packed = packedWeights {
            let filter = [packed.kernelHeight, packed.kernelWidth, packed.inChannels, kind == .conv2D ? packed.outChannels : 1]
            let g = geometry(input: Self.imageShape(inputs[0].shape), filter: filter, output: Self.imageShape(outputs[0].shape))
            switch kind {
            case .conv2D:
                SIMDConvolution.conv2D(input: inputs[0].floats, weights: packed, output: outputs[0].floats, geometry: g,
                                       activation: activation, threads: threads)
            case .depthwise:
                SIMDDepthwise.depthwise(input: inputs[0].floats, weights: packed, output: outputs[0].floats, geometry: g,
                                        activation: activation, threads: threads)
            }
            return
        }
        let g = geometry(input: inputs[0].shape, filter: inputs[1].shape, output: outputs[0].shape)
        switch kind {
        case .conv2D:
            ReferenceConvolution.conv2D(
                input: inputs[0].floats, filter: inputs[1].floats, output: outputs[0].floats, geometry: g, activation: activation)
        case .depthwise:
            ReferenceConvolution.depthwise(
                input: inputs[0].floats, filter: inputs[1].floats, output: outputs[0].floats, geometry: g, activation: activation)
        }
    }

    // MARK: Shared with PoolingOp

    /// A 4-entry NHWC list attribute (`strides`, `dilations`, `ksize`): N and C must
    /// be 1, H and W positive.
    static func spatialAttribute(_ context: NodeContext, _ key: String, default defaultValue: [Int]? = nil) throws(TinyGraphError) -> (h: Int, w: Int) {
        let values = try context.ints(key, default: defaultValue)
        guard values.count == 4 else {
            throw context.error(field: key, "expects 4 values (NHWC), has \(values.count)")
        }
        guard values[0] == 1, values[3] == 1 else {
            throw context.error(field: key, "batch and channel entries must be 1, got \(values[0]) and \(values[3])")
        }
        guard values[1] >= 1, values[2] >= 1 else {
            throw context.error(field: key, "height and width entries must be positive, got \(values[1]) and \(values[2])")
        }
        return (values[1], values[2])
    }

    static func paddingAttribute(_ context: NodeContext, allowExplicit: Bool) throws(TinyGraphError) -> Padding {
        let text = try context.string("padding")
        switch text {
        case "SAME": return .same
        case "VALID": return .valid
        case "EXPLICIT" where allowExplicit: return .explicit
        default:
            throw context.error(field: "padding", "'\(text)' is not supported, expected SAME or VALID\(allowExplicit ? " or EXPLICIT" : "")")
        }
    }

    /// TensorFlow's `GetWindowedOutputSizeVerboseV2`: output size and padding
    /// before/after (SAME puts the odd extra on the after side). An output size
    /// below 1 is an error.
    static func windowedOutputSize(
        _ context: NodeContext, field: String, inputSize: Int, window: Int, stride: Int, dilation: Int,
        padding: Padding, explicitBefore: Int = 0, explicitAfter: Int = 0
    ) throws(TinyGraphError) -> (size: Int, before: Int, after: Int) {
        let effective = (window - 1) * dilation + 1
        var size = 0
        var before = 0
        var after = 0
        switch padding {
        case .valid:
            if inputSize >= effective { size = (inputSize - effective) / stride + 1 }
        case .same:
            size = (inputSize + stride - 1) / stride
            let needed = max((size - 1) * stride + effective - inputSize, 0)
            before = needed / 2
            after = needed - before
        case .explicit:
            before = explicitBefore
            after = explicitAfter
            let padded = inputSize + before + after
            if padded >= effective { size = (padded - effective) / stride + 1 }
        }
        guard size >= 1 else {
            throw context.shapeError(
                field: field,
                "input size \(inputSize) with window \(window) (dilation \(dilation), stride \(stride)) gives an empty output")
        }
        return (size, before, after)
    }
}
