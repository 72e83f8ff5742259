/// Operators on int8/uint8 tensors: each becomes one `QuantizedOp` step whose
/// parameters are computed as TFLite's Prepare computes them, or a `LayoutOp`
/// (RESHAPE, SQUEEZE, PAD, CONCATENATION with equal parameters) that moves the
/// stored bytes. Activations are stored unsigned (`ActivationQuantization`).
extension TFLiteGraphBuilder {
    /// The operators TinyGraph runs on quantized tensors.
    static let quantizedOps: [TFLiteBuiltinOp] = [
        .quantize, .dequantize, .conv2D, .depthwiseConv2D, .fullyConnected, .add, .mul, .averagePool2D, .maxPool2D,
        .mean, .concatenation, .reshape, .squeeze, .pad, .softmax, .logistic, .hardSwish, .relu, .relu6,
    ]

    /// Whether `op` computes on quantized tensors: QUANTIZE, a DEQUANTIZE of int8/uint8,
    /// or any operator with an int8/uint8 output.
    func isQuantizedOperator(_ op: Operator, _ code: Int32) -> Bool {
        if code == TFLiteBuiltinOp.quantize.rawValue { return true }
        if code == TFLiteBuiltinOp.dequantize.rawValue {
            return op.inputs.first.map { $0 >= 0 && Self.isQuantizedInteger(tensor($0).type) } ?? false
        }
        return op.outputs.contains { Self.isQuantizedInteger(tensor($0).type) }
    }

    mutating func importQuantized(_ op: Operator, _ code: TFLiteBuiltinOp) throws(TinyGraphError) {
        switch code {
        case .quantize: try importQuantize(op)
        case .dequantize: try importQuantizedDequantize(op)
        case .conv2D: try importQuantizedConv2D(op)
        case .depthwiseConv2D: try importQuantizedDepthwise(op)
        case .fullyConnected: try importQuantizedFullyConnected(op)
        case .averagePool2D, .maxPool2D: try importQuantizedPool(op, code)
        case .add: try importQuantizedAdd(op)
        case .mul: try importQuantizedMul(op)
        case .relu: try importQuantizedRelu(op, low: 0, high: .infinity)
        case .relu6: try importQuantizedRelu(op, low: 0, high: 6)
        case .logistic: try importQuantizedLogistic(op)
        case .hardSwish: try importQuantizedHardSwish(op)
        case .softmax: try importQuantizedSoftmax(op)
        case .mean: try importQuantizedMean(op)
        case .concatenation: try importQuantizedConcatenation(op)
        case .reshape:
            _ = try quantizedOperand(op, 0)
            try importReshape(op)
        case .squeeze:
            _ = try quantizedOperand(op, 0)
            try importSqueeze(op)
        case .pad: try importQuantizedPad(op)
        default:
            throw error(.unsupportedOps, "op \(opName) is not supported on quantized tensors")
        }
    }

    // MARK: Values

    /// Input `position` of a quantized operator: an activation (stored unsigned), or
    /// a constant int8/uint8 tensor, stored unsigned once for every reader.
    mutating func quantizedOperand(_ op: Operator, _ position: Int) throws(TinyGraphError) -> (id: Int, quantization: ActivationQuantization) {
        guard hasInput(op, position) else {
            throw error(field: "inputs", "input \(position) is missing; the operator has \(op.inputs.count) inputs")
        }
        let index = Int(op.inputs[position])
        if let id = tensorValues[index] {
            guard let quantization = graph.values[id].quantization, graph.values[id].type.dtype == .uint8 else {
                throw error(.unsupportedOps, field: "inputs",
                            "input \(position) '\(tensor(op.inputs[position]).name)' is \(graph.values[id].type.dtype.name), not a quantized tensor")
            }
            return (id, quantization)
        }
        let source = subgraph.tensors[index]
        let quantization = try activationQuantization(ofTensor: index)
        guard let data = constantData(ofTensor: index) else {
            throw error(field: "inputs", "tensor \(index) '\(source.name)' is read before any operator writes it, and it is neither a model input nor a constant")
        }
        let type = TensorType(.uint8, try fileShape(source))
        guard data.count == type.byteCount else {
            throw error(field: "Buffer.data", "constant '\(source.name)': buffer \(source.buffer) has \(data.count) bytes; shape \(TensorType.describe(type.shape)) needs \(type.byteCount)")
        }
        constantBytes += type.byteCount
        guard constantBytes <= options.memoryLimit else {
            throw error(.invalidShape, field: "Buffer.data", "constants exceed the memory limit")
        }
        let buffer = TensorBuffer(byteCount: type.byteCount)
        let flip: UInt8 = quantization.isSigned ? 0x80 : 0
        for i in 0..<type.byteCount { buffer.bytes.storeBytes(of: file[data.start + i] ^ flip, toByteOffset: i, as: UInt8.self) }
        var value = Value(name: source.name, type: type, constant: buffer)
        value.quantization = quantization
        let id = addValue(value)
        tensorValues[index] = id
        boundToTensor[id] = true
        valueUses[id] = tensorUses[index]
        return (id, quantization)
    }

    /// Output `position`'s quantization (an int8/uint8 tensor) and file shape.
    func quantizedOutput(_ op: Operator, _ position: Int = 0) throws(TinyGraphError) -> ActivationQuantization {
        guard position < op.outputs.count else { throw error(field: "outputs", "output \(position) is missing") }
        return try activationQuantization(ofTensor: Int(op.outputs[position]))
    }

    /// One quantized step: its output is a new value with `quantization` (nil for a
    /// float output). Folded at load when every input is a constant.
    mutating func emitQuantized(_ operation: QuantizedOp, _ inputs: [Int], output type: TensorType,
                                quantization: ActivationQuantization?) throws(TinyGraphError) -> Int {
        for id in inputs { try materialize(id) }
        var value = Value(name: nodeName, type: type, constant: nil)
        value.quantization = quantization
        if inputs.allSatisfy({ graph.values[$0].constant != nil }) {
            constantBytes += type.byteCount
            guard constantBytes <= options.memoryLimit else {
                throw error(.invalidShape, "folding this operator's outputs exceeds the memory limit")
            }
            let buffer = TensorBuffer(byteCount: type.byteCount)
            let views = inputs.map { TensorView(base: graph.values[$0].constant!.bytes, type: graph.values[$0].type) }
            operation.execute(inputs: views, outputs: [TensorView(base: buffer.bytes, type: type)])
            value.constant = buffer
            return addScratch(value)
        }
        let id = addScratch(value)
        for input in inputs { readAtRunTime[input] = true }
        graph.nodes.append(Node(name: nodeName, opType: opName, operation: .quantized(operation), inputs: inputs, outputs: [id]))
        return id
    }

    /// A node context for shape errors of the current operator.
    var quantizedContext: NodeContext { NodeContext(name: nodeName, opType: opName, attributes: [:], inputs: []) }

    // MARK: Convolutions

    mutating func importQuantizedConv2D(_ op: Operator) throws(TinyGraphError) {
        let options = try TFLiteConvolutionOptions(conv2D: op.options(.conv2D, op: opName, node: nodeName))
        let (x, inputQuantization) = try quantizedOperand(op, 0)
        let outputQuantization = try quantizedOutput(op)
        let inputShape = graph.values[x].type.shape
        let filter = try quantizedFilter(op, 1, channelAxis: 0, inputType: fileType(inputQuantization))
        let shape = filter.filter.shape
        guard inputShape.count == 4, shape.count == 4, shape.allSatisfy({ $0 > 0 }), shape[3] == inputShape[3] else {
            throw error(.invalidShape, field: "inputs",
                        "input \(TensorType.describe(inputShape)) and filter \(TensorType.describe(shape)): expected NHWC and [out, height, width, in] with in = the input's channels (grouped convolution is not supported)")
        }
        let (outC, kh, kw, inC) = (shape[0], shape[1], shape[2], shape[3])
        let bias = try quantizedBias(op, 2, channels: outC)
        var requantization: [QuantizedArithmetic.Multiplier] = []
        if inputQuantization.isSigned {
            for scale in filter.scales {
                requantization.append(try multiplier(Double(inputQuantization.scale) * Double(scale) / Double(outputQuantization.scale), "convolution"))
            }
        } else {
            if let bias {
                try checkBiasScale(bias.scale, inputScale: inputQuantization.scale, filterScale: filter.scales[0],
                                   outputScale: outputQuantization.scale, bias: tensor(op.inputs[2]).name)
            }
            let single = try multiplier(Double(inputQuantization.scale * filter.scales[0]) / Double(outputQuantization.scale), "convolution")
            requantization = [QuantizedArithmetic.Multiplier](repeating: single, count: outC)
        }
        var (convolution, outputHeight, outputWidth) = try windowedConvolution(
            .conv2D, input: inputShape, kernel: (kh, kw), channels: (inC, outC), padding: options.padding,
            strides: (options.strideH, options.strideW), dilations: (options.dilationH, options.dilationW),
            inputQuantization: inputQuantization, output: outputQuantization, activation: options.activation,
            bias: bias?.values, requantization: .fixedPoint(requantization))
        if self.options.quantizedReferenceKernels {
            convolution.filter = filter.filter
        } else {
            try requireWithinMemoryLimit(PackedQuantizedWeights.packedByteCount(kernelHeight: kh, kernelWidth: kw, inChannels: inC,
                                                                                  outChannels: outC, depthwise: false))
            let rows = kh * kw * inC
            convolution.packed = filter.filter.values.withUnsafeBufferPointer { values in
                PackedQuantizedWeights.panels(
                    kernelHeight: kh, kernelWidth: kw, inChannels: inC, outChannels: outC, inputZeroPoint: inputQuantization.zeroPoint,
                    bias: bias?.values, requantization: .fixedPoint(requantization), weightsFitInt8: filter.fitsInt8
                ) { o, r in Int32(values[o * rows + r]) }
            }
        }
        let outputShape = [inputShape[0], outputHeight, outputWidth, outC]
        try bindQuantized(op, try emitQuantized(.convolution(convolution), [x], output: TensorType(.uint8, outputShape),
                                                quantization: outputQuantization))
    }

    mutating func importQuantizedDepthwise(_ op: Operator) throws(TinyGraphError) {
        let options = try TFLiteConvolutionOptions(depthwise: op.options(.depthwiseConv2D, op: opName, node: nodeName))
        let (x, inputQuantization) = try quantizedOperand(op, 0)
        let outputQuantization = try quantizedOutput(op)
        let inputShape = graph.values[x].type.shape
        let filter = try quantizedFilter(op, 1, channelAxis: 3, inputType: fileType(inputQuantization))
        let shape = filter.filter.shape
        guard inputShape.count == 4, shape.count == 4, shape[0] == 1, shape[1] > 0, shape[2] > 0, inputShape[3] > 0,
              shape[3] > 0, shape[3] % inputShape[3] == 0 else {
            throw error(.invalidShape, field: "inputs",
                        "input \(TensorType.describe(inputShape)) and filter \(TensorType.describe(shape)): expected NHWC and [1, height, width, channels × multiplier]")
        }
        let (kh, kw, outC, inC) = (shape[1], shape[2], shape[3], inputShape[3])
        let depthMultiplier = outC / inC
        let bias = try quantizedBias(op, 2, channels: outC)
        var requantization: [QuantizedArithmetic.Multiplier] = []
        if inputQuantization.isSigned {
            for scale in filter.scales {
                requantization.append(try multiplier(Double(inputQuantization.scale) * Double(scale) / Double(outputQuantization.scale), "depthwise convolution"))
            }
        } else {
            if let bias {
                try checkBiasScale(bias.scale, inputScale: inputQuantization.scale, filterScale: filter.scales[0],
                                   outputScale: outputQuantization.scale, bias: tensor(op.inputs[2]).name)
            }
            let single = try multiplier(Double(inputQuantization.scale * filter.scales[0]) / Double(outputQuantization.scale), "depthwise convolution")
            requantization = [QuantizedArithmetic.Multiplier](repeating: single, count: outC)
        }
        var (convolution, outputHeight, outputWidth) = try windowedConvolution(
            .depthwise(multiplier: depthMultiplier), input: inputShape, kernel: (kh, kw), channels: (inC, outC),
            padding: options.padding, strides: (options.strideH, options.strideW), dilations: (options.dilationH, options.dilationW),
            inputQuantization: inputQuantization, output: outputQuantization, activation: options.activation,
            bias: bias?.values, requantization: .fixedPoint(requantization))
        if self.options.quantizedReferenceKernels || depthMultiplier != 1 {
            // The SIMD kernel takes multiplier 1 (every depthwise layer of the usual CNNs).
            convolution.filter = filter.filter
        } else {
            try requireWithinMemoryLimit(PackedQuantizedWeights.packedByteCount(kernelHeight: kh, kernelWidth: kw, inChannels: inC,
                                                                                  outChannels: outC, depthwise: true))
            convolution.packed = filter.filter.values.withUnsafeBufferPointer { values in
                PackedQuantizedWeights.depthwiseRows(
                    kernelHeight: kh, kernelWidth: kw, channels: outC, inputZeroPoint: inputQuantization.zeroPoint, bias: bias?.values,
                    requantization: .fixedPoint(requantization), weightsFitInt8: filter.fitsInt8
                ) { tap, c in Int32(values[tap * outC + c]) }
            }
        }
        let outputShape = [inputShape[0], outputHeight, outputWidth, outC]
        try bindQuantized(op, try emitQuantized(.convolution(convolution), [x], output: TensorType(.uint8, outputShape),
                                                quantization: outputQuantization))
    }

    /// Rows of the input's last dim (any rank, flattened) times the [out, in] filter;
    /// keep_num_dims keeps the input's leading dims. TFLite's reference kernel
    /// requantizes in double precision: round(acc × in scale × filter scale / out scale).
    mutating func importQuantizedFullyConnected(_ op: Operator) throws(TinyGraphError) {
        let options = try TFLiteFullyConnectedOptions(op.options(.fullyConnected, op: opName, node: nodeName))
        guard options.weightsFormat == 0 else {
            throw error(.unsupportedOps, field: "weights_format", "weights format \(options.weightsFormat) is not supported (only DEFAULT)")
        }
        let (x, inputQuantization) = try quantizedOperand(op, 0)
        let outputQuantization = try quantizedOutput(op)
        let filter = try quantizedFilter(op, 1, channelAxis: 0, inputType: fileType(inputQuantization))
        let shape = filter.filter.shape
        let inputShape = graph.values[x].type.shape
        let count = graph.values[x].type.elementCount
        guard shape.count == 2, shape[0] > 0, shape[1] > 0, count % shape[1] == 0 else {
            throw error(.invalidShape, field: "inputs", "input \(TensorType.describe(inputShape)) and weights \(TensorType.describe(shape)): expected weights [out, in] and rows of in values")
        }
        let (outC, depth) = (shape[0], shape[1])
        let bias = try quantizedBias(op, 2, channels: outC)
        if !filter.isPerChannel, let bias {
            try checkBiasScale(bias.scale, inputScale: inputQuantization.scale, filterScale: filter.scales[0],
                               outputScale: outputQuantization.scale, bias: tensor(op.inputs[2]).name)
        }
        var scales: [Double] = []
        for scale in filter.scales {
            let real = Double(inputQuantization.scale) * Double(scale) / Double(outputQuantization.scale)
            guard real.isFinite else { throw error(field: "Tensor.quantization", "the fully connected scale ratio \(real) is not finite") }
            scales.append(real)
        }
        let (low, high) = try activationRange(options.activation, outputQuantization)
        var fullyConnected = QuantizedConvolutionOp(
            kind: .fullyConnected, kernelHeight: 1, kernelWidth: 1, inChannels: depth, outChannels: outC,
            inputZeroPoint: inputQuantization.zeroPoint,
            epilogue: QuantizedOutput(requantization: .double(scales), zeroPoint: outputQuantization.zeroPoint, minimum: low, maximum: high),
            bias: bias?.values)
        if self.options.quantizedReferenceKernels {
            fullyConnected.filter = filter.filter
        } else {
            try requireWithinMemoryLimit(PackedQuantizedWeights.packedByteCount(kernelHeight: 1, kernelWidth: 1, inChannels: depth,
                                                                                  outChannels: outC, depthwise: false))
            fullyConnected.packed = filter.filter.values.withUnsafeBufferPointer { values in
                PackedQuantizedWeights.panels(
                    kernelHeight: 1, kernelWidth: 1, inChannels: depth, outChannels: outC, inputZeroPoint: inputQuantization.zeroPoint,
                    bias: bias?.values, requantization: .double(scales), weightsFitInt8: filter.fitsInt8
                ) { o, r in Int32(values[o * depth + r]) }
            }
        }
        let rows = count / depth
        let outputShape = options.keepNumDims ? Array(inputShape.dropLast()) + [outC] : [rows, outC]
        try bindQuantized(op, try emitQuantized(.convolution(fullyConnected), [x], output: TensorType(.uint8, outputShape),
                                                quantization: outputQuantization))
    }

    /// A convolution's geometry (TFLite's SAME/VALID padding, as TensorFlow's) and epilogue.
    func windowedConvolution(
        _ kind: QuantizedConvolutionOp.Kind, input: [Int], kernel: (Int, Int), channels: (Int, Int), padding: Int8,
        strides: (Int32, Int32), dilations: (Int32, Int32), inputQuantization: ActivationQuantization, output: ActivationQuantization,
        activation: Int8, bias: [Int32]?, requantization: QuantizedRequantization
    ) throws(TinyGraphError) -> (op: QuantizedConvolutionOp, outputHeight: Int, outputWidth: Int) {
        let paddingKind: ConvolutionOp.Padding
        switch TFLitePadding(rawValue: padding) {
        case .same?: paddingKind = .same
        case .valid?: paddingKind = .valid
        case nil: throw error(field: "padding", "padding \(padding) is not SAME (0) or VALID (1)")
        }
        for (name, value) in [("stride", strides.0), ("stride", strides.1), ("dilation", dilations.0), ("dilation", dilations.1)] where value < 1 {
            throw error(field: name, "\(name) \(value) must be at least 1")
        }
        let context = quantizedContext
        let rows = try ConvolutionOp.windowedOutputSize(context, field: "input 0", inputSize: input[1], window: kernel.0, stride: Int(strides.0),
                                                        dilation: Int(dilations.0), padding: paddingKind)
        let cols = try ConvolutionOp.windowedOutputSize(context, field: "input 0", inputSize: input[2], window: kernel.1, stride: Int(strides.1),
                                                        dilation: Int(dilations.1), padding: paddingKind)
        let (low, high) = try activationRange(activation, output)
        let op = QuantizedConvolutionOp(
            kind: kind, kernelHeight: kernel.0, kernelWidth: kernel.1, inChannels: channels.0, outChannels: channels.1,
            strideH: Int(strides.0), strideW: Int(strides.1), dilationH: Int(dilations.0), dilationW: Int(dilations.1),
            padTop: rows.before, padBottom: rows.after, padLeft: cols.before, padRight: cols.after,
            inputZeroPoint: inputQuantization.zeroPoint,
            epilogue: QuantizedOutput(requantization: requantization, zeroPoint: output.zeroPoint, minimum: low, maximum: high),
            bias: bias)
        return (op, rows.size, cols.size)
    }

    func requireWithinMemoryLimit(_ bytes: Int) throws(TinyGraphError) {
        guard bytes <= options.memoryLimit else {
            throw error(.invalidShape, "packing the filter would take \(bytes) bytes, over the memory limit of \(options.memoryLimit)")
        }
    }

    func fileType(_ quantization: ActivationQuantization) -> TFLiteTensorType {
        quantization.isSigned ? .int8 : .uint8
    }

    // MARK: Pooling

    mutating func importQuantizedPool(_ op: Operator, _ code: TFLiteBuiltinOp) throws(TinyGraphError) {
        let options = try TFLitePoolOptions(op.options(.pool2D, op: opName, node: nodeName))
        let (x, inputQuantization) = try quantizedOperand(op, 0)
        let outputQuantization = try quantizedOutput(op)
        let shape = graph.values[x].type.shape
        guard shape.count == 4, options.filterHeight >= 1, options.filterWidth >= 1, options.strideH >= 1, options.strideW >= 1 else {
            throw error(.invalidShape, field: "inputs", "input \(TensorType.describe(shape)) with window \(options.filterHeight)×\(options.filterWidth), strides \(options.strideH)×\(options.strideW): expected NHWC and positive sizes")
        }
        let paddingKind: ConvolutionOp.Padding
        switch TFLitePadding(rawValue: options.padding) {
        case .same?: paddingKind = .same
        case .valid?: paddingKind = .valid
        case nil: throw error(field: "padding", "padding \(options.padding) is not SAME (0) or VALID (1)")
        }
        let context = quantizedContext
        let rows = try ConvolutionOp.windowedOutputSize(context, field: "input 0", inputSize: shape[1], window: Int(options.filterHeight),
                                                        stride: Int(options.strideH), dilation: 1, padding: paddingKind)
        let cols = try ConvolutionOp.windowedOutputSize(context, field: "input 0", inputSize: shape[2], window: Int(options.filterWidth),
                                                        stride: Int(options.strideW), dilation: 1, padding: paddingKind)
        let (low, high) = try activationRange(options.activation, outputQuantization)
        let pooling = PoolingOp(kind: code == .maxPool2D ? .max : .average, windowH: Int(options.filterHeight), windowW: Int(options.filterWidth),
                                strideH: Int(options.strideH), strideW: Int(options.strideW),
                                padTop: rows.before, padBottom: rows.after, padLeft: cols.before, padRight: cols.after)
        let pool = QuantizedPoolOp(pooling: pooling, isSigned: inputQuantization.isSigned, minimum: UInt8(low), maximum: UInt8(high),
                                   reference: self.options.quantizedReferenceKernels)
        try bindQuantized(op, try emitQuantized(.pool(pool), [x], output: TensorType(.uint8, [shape[0], rows.size, cols.size, shape[3]]),
                                                quantization: outputQuantization))
    }

    /// Binds a quantized step's output value to output `position` of `op`.
    mutating func bindQuantized(_ op: Operator, _ id: Int, position: Int = 0) throws(TinyGraphError) {
        try bind(op, output: position, to: id)
    }
}
