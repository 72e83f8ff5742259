/// CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED on quantized tensors. The
/// filter is packed once at load for the SIMD kernels (`PackedQuantizedWeights`,
/// with the zero-point corrections folded into its bias); with
/// `LoadOptions.quantizedReferenceKernels` it is kept as the file has it and the
/// reference kernels run instead.
struct QuantizedConvolutionOp: Equatable {
    enum Kind: Equatable {
        case conv2D
        case depthwise(multiplier: Int)
        /// Rows of the input's last dim times the [out, in] filter.
        case fullyConnected
    }

    var kind: Kind
    var kernelHeight: Int
    var kernelWidth: Int
    var inChannels: Int
    var outChannels: Int
    var strideH = 1
    var strideW = 1
    var dilationH = 1
    var dilationW = 1
    var padTop = 0
    var padBottom = 0
    var padLeft = 0
    var padRight = 0
    /// The input's zero point, stored domain.
    var inputZeroPoint: Int32
    var epilogue: QuantizedOutput
    /// The file's int32 bias, one per output channel.
    var bias: [Int32]?
    /// The filter as the file has it, zero points subtracted: reference kernels only.
    var filter: QuantizedFilter?
    /// The filter packed for the SIMD kernels.
    var packed: PackedQuantizedWeights?

    func geometry(input: [Int], output: [Int]) -> ConvolutionGeometry {
        ConvolutionGeometry(
            batch: input[0], inHeight: input[1], inWidth: input[2], inChannels: input[3],
            kernelHeight: kernelHeight, kernelWidth: kernelWidth,
            outHeight: output[1], outWidth: output[2], outChannels: output[3],
            strideH: strideH, strideW: strideW, dilationH: dilationH, dilationW: dilationW,
            padTop: padTop, padLeft: padLeft)
    }

    /// A fully connected op's input and output as images [1, 1, rows, channels].
    func imageGeometry(inputCount: Int) -> ConvolutionGeometry {
        let rows = inputCount / max(inChannels, 1)
        return geometry(input: [1, 1, rows, inChannels], output: [1, 1, rows, outChannels])
    }

    /// The SIMD kernels' geometry: the image's, or a fully connected op's rows as one.
    func packedGeometry(inputs: [TensorView], outputs: [TensorView]) -> ConvolutionGeometry {
        kind == .fullyConnected
            ? imageGeometry(inputCount: inputs[0].elementCount)
            : geometry(input: inputs[0].shape, output: outputs[0].shape)
    }

    func execute(inputs: [TensorView], outputs: [TensorView]) {
        let input = UnsafePointer(inputs[0].elements(as: UInt8.self))
        let output = outputs[0].elements(as: UInt8.self)
        if let packed {
            let g = packedGeometry(inputs: inputs, outputs: outputs)
            switch kind {
            case .conv2D, .fullyConnected:
                SIMDQuantizedConvolution.conv2D(input: input, weights: packed, output: output, geometry: g, epilogue: epilogue,
                                                outputPixelStride: g.outChannels)
            case .depthwise:
                SIMDQuantizedDepthwise.depthwise(input: input, weights: packed, output: output, geometry: g, epilogue: epilogue)
            }
            return
        }
        guard let filter else { preconditionFailure("a quantized convolution has packed weights or its filter") }
        switch kind {
        case .conv2D:
            ReferenceQuantizedConvolution.conv2D(
                input: input, inputZeroPoint: inputZeroPoint, filter: filter, bias: bias, output: output,
                geometry: geometry(input: inputs[0].shape, output: outputs[0].shape), epilogue: epilogue)
        case .depthwise(let multiplier):
            ReferenceQuantizedConvolution.depthwise(
                input: input, inputZeroPoint: inputZeroPoint, filter: filter, multiplier: multiplier, bias: bias, output: output,
                geometry: geometry(input: inputs[0].shape, output: outputs[0].shape), epilogue: epilogue)
        case .fullyConnected:
            ReferenceQuantizedConvolution.fullyConnected(
                input: input, inputZeroPoint: inputZeroPoint, filter: filter, bias: bias, output: output,
                rows: inputs[0].elementCount / max(inChannels, 1), epilogue: epilogue)
        }
    }

    /// `execute` with the SIMD kernels' work split over `threads`: CONV_2D and
    /// FULLY_CONNECTED by output pixels (whole 8-pixel blocks), depthwise by groups of
    /// 16 channels. Every output byte is the same integer arithmetic in the same
    /// order whatever the split: the same bytes as one thread. Reference kernels and
    /// steps too small to be worth a wake-up run on the calling thread.
    func execute(inputs: [TensorView], outputs: [TensorView], threads: ThreadPool) {
        guard let packed else { return execute(inputs: inputs, outputs: outputs) }
        let input = UnsafePointer(inputs[0].elements(as: UInt8.self))
        let output = outputs[0].elements(as: UInt8.self)
        let g = packedGeometry(inputs: inputs, outputs: outputs)
        let work = multiplyAdds(outputCount: outputs[0].elementCount)
        let epilogue = self.epilogue
        switch kind {
        case .conv2D, .fullyConnected:
            let pixels = g.batch &* g.outHeight &* g.outWidth
            let block = SIMDQuantizedConvolution.blockSize(packed)
            let tasks = WorkSplit.taskCount(threads, units: (pixels &+ block &- 1) / block, work: work,
                                            minimum: WorkSplit.minimumParallelMultiplyAdds)
            guard tasks > 1 else { return execute(inputs: inputs, outputs: outputs) }
            threads.forEach(tasks) { task in
                SIMDQuantizedConvolution.conv2D(input: input, weights: packed, output: output, geometry: g, epilogue: epilogue,
                                                outputPixelStride: g.outChannels,
                                                pixels: WorkSplit.range(task, of: tasks, count: pixels, granule: block))
            }
        case .depthwise:
            let groups = (g.inChannels &+ 15) / 16
            let tasks = WorkSplit.taskCount(threads, units: groups, work: work, minimum: WorkSplit.minimumParallelMultiplyAdds)
            guard tasks > 1 else { return execute(inputs: inputs, outputs: outputs) }
            threads.forEach(tasks) { task in
                let part = WorkSplit.range(task, of: tasks, count: groups)
                SIMDQuantizedDepthwise.depthwise(input: input, weights: packed, output: output, geometry: g, epilogue: epilogue,
                                                 channels: (part.lowerBound &* 16)..<min(part.upperBound &* 16, g.inChannels))
            }
        }
    }

    /// Multiply-adds of one run.
    func multiplyAdds(outputCount: Int) -> Int {
        switch kind {
        case .conv2D, .fullyConnected: return outputCount * kernelHeight * kernelWidth * inChannels
        case .depthwise: return outputCount * kernelHeight * kernelWidth
        }
    }
}
