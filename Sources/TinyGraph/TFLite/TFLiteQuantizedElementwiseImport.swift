/// QUANTIZE, DEQUANTIZE, ADD, MUL, RELU, RELU6, LOGISTIC, HARD_SWISH, SOFTMAX,
/// MEAN, CONCATENATION and PAD on quantized tensors: parameters as TFLite's
/// Prepare functions compute them (add.cc, mul.cc, activations.cc, reduce.cc,
/// quantize.cc, concatenation.cc, pad.cc), float arithmetic where TFLite does it
/// in float.
extension TFLiteGraphBuilder {
    /// QUANTIZE: a float input quantized with the output's parameters, or an
    /// int8/uint8 input requantized to the output's.
    mutating func importQuantize(_ op: Operator) throws(TinyGraphError) {
        guard hasInput(op, 0) else { throw error(field: "inputs", "QUANTIZE has no input") }
        let output = try quantizedOutput(op)
        let source = tensor(op.inputs[0])
        let shape: [Int]
        let id: Int
        if source.type == .float32 {
            let x = try input(op, 0)
            shape = graph.values[x].type.shape
            id = try emitQuantized(.quantize(output), [x], output: TensorType(.uint8, shape), quantization: output)
        } else {
            let (x, inputQuantization) = try quantizedOperand(op, 0)
            shape = graph.values[x].type.shape
            let multiplier = try self.multiplier(Double(inputQuantization.scale) / Double(output.scale), "QUANTIZE")
            // Clamped to the output type's whole range (0...255 stored).
            let parameters = RequantizeParameters(inputZeroPoint: inputQuantization.zeroPoint, outputZeroPoint: output.zeroPoint,
                                                  multiplier: multiplier, minimum: 0, maximum: 255)
            id = try emitQuantized(.requantize(parameters, reference: options.quantizedReferenceKernels), [x],
                                   output: TensorType(.uint8, shape), quantization: output)
        }
        try bind(op, output: 0, to: id)
    }

    /// DEQUANTIZE of an activation (a float output of a quantized model), or of a
    /// constant int8/uint8 tensor, folded at load (per-channel tables allowed).
    mutating func importQuantizedDequantize(_ op: Operator) throws(TinyGraphError) {
        guard hasInput(op, 0) else { throw error(field: "inputs", "DEQUANTIZE has no input") }
        let index = Int(op.inputs[0])
        if tensorValues[index] == nil, let data = constantData(ofTensor: index) {
            try dequantizeConstant(op, index, data)
            return
        }
        let (x, quantization) = try quantizedOperand(op, 0)
        let shape = graph.values[x].type.shape
        try bind(op, output: 0, to: try emitQuantized(.dequantize(quantization), [x], output: TensorType(.float32, shape), quantization: nil))
    }

    private mutating func dequantizeConstant(_ op: Operator, _ index: Int, _ data: ByteRange) throws(TinyGraphError) {
        let source = subgraph.tensors[index]
        let shape = try fileShape(source)
        let count = TensorType(.float32, shape).elementCount
        guard data.count == count else {
            throw error(field: "Buffer.data", "constant '\(source.name)': buffer \(source.buffer) has \(data.count) bytes; shape \(TensorType.describe(shape)) needs \(count)")
        }
        guard let quantization = source.quantization, !quantization.hasDetails, !quantization.scales.isEmpty,
              quantization.zeroPoints.count == quantization.scales.count else {
            throw quantizationError(source, "a quantized constant needs as many scales as zero points (at least one)")
        }
        let axis = Int(quantization.dimension)
        let perChannel = quantization.scales.count > 1
        guard !perChannel || (axis >= 0 && axis < shape.count && shape[axis] == quantization.scales.count) else {
            throw quantizationError(source, "\(quantization.scales.count) scales on dimension \(axis) of shape \(TensorType.describe(shape))")
        }
        for scale in quantization.scales { try checkScale(scale, source) }
        constantBytes += 4 * count
        guard constantBytes <= options.memoryLimit else { throw error(.invalidShape, field: "Buffer.data", "constants exceed the memory limit") }
        // The channel of element i: (i / inner) % channels, inner = product of the dims after the axis.
        let inner = perChannel ? shape[(axis + 1)...].reduce(1, *) : 1
        let buffer = TensorBuffer(byteCount: 4 * count)
        let floats = buffer.bytes.assumingMemoryBound(to: Float.self)
        for i in 0..<count {
            let channel = perChannel ? (i / inner) % quantization.scales.count : 0
            let byte = file[data.start + i]
            let q = source.type == .int8 ? Int64(Int8(bitPattern: byte)) : Int64(byte)
            floats[i] = Float(Double(quantization.scales[channel]) * Double(q - quantization.zeroPoints[channel]))
        }
        try bind(op, output: 0, to: addScratch(Value(name: source.name, type: TensorType(.float32, shape), constant: buffer)))
    }

    // MARK: Arithmetic

    /// The two operands of ADD or MUL, their broadcast shapes and the output's quantization.
    private mutating func binaryOperands(_ op: Operator) throws(TinyGraphError) -> (Int, ActivationQuantization, Int, ActivationQuantization, BroadcastShapes, ActivationQuantization) {
        let (a, qa) = try quantizedOperand(op, 0)
        let (b, qb) = try quantizedOperand(op, 1)
        let output = try quantizedOutput(op)
        let (sa, sb) = (graph.values[a].type.shape, graph.values[b].type.shape)
        guard sa.count <= Broadcast.maxRank, sb.count <= Broadcast.maxRank, let shape = Broadcast.shape(sa, sb) else {
            throw error(.invalidShape, field: "inputs", "shapes \(TensorType.describe(sa)) and \(TensorType.describe(sb)) do not broadcast")
        }
        guard TensorType.checkedElementCount(shape) != nil else {
            throw error(.invalidShape, field: "inputs", "the broadcast shape \(TensorType.describe(shape)) is too large")
        }
        return (a, qa, b, qb, BroadcastShapes(lhs: sa, rhs: sb, output: shape), output)
    }

    /// ADD (add.cc, 8-bit): both inputs rescaled to twice the larger scale with 20
    /// bits of headroom, summed, rescaled to the output.
    mutating func importQuantizedAdd(_ op: Operator) throws(TinyGraphError) {
        let activation = try tfliteActivation(op.options(.add, op: opName, node: nodeName), id: 0)
        let (a, qa, b, qb, shapes, output) = try binaryOperands(op)
        let leftShift: Int32 = 20
        let twiceMaxInputScale = Double(2 * max(qa.scale, qb.scale))
        let realOutput = twiceMaxInputScale / Double(Float(1 << 20) * output.scale)
        guard realOutput < 1 else {
            throw error(field: "Tensor.quantization", "the output's scale \(output.scale) is too small for the inputs' (\(qa.scale), \(qb.scale)): TFLite's ADD needs a ratio below 1")
        }
        let (low, high) = try activationRange(activation, output)
        let parameters = AddParameters(
            inputZeroPoints: (qa.zeroPoint, qb.zeroPoint),
            inputMultipliers: (try multiplier(Double(qa.scale) / twiceMaxInputScale, "ADD input"),
                               try multiplier(Double(qb.scale) / twiceMaxInputScale, "ADD input")),
            outputMultiplier: try multiplier(realOutput, "ADD output"), outputZeroPoint: output.zeroPoint, leftShift: leftShift,
            minimum: low, maximum: high)
        let id = try emitQuantized(.add(parameters, shapes, reference: options.quantizedReferenceKernels), [a, b],
                                   output: TensorType(.uint8, shapes.output), quantization: output)
        try bind(op, output: 0, to: id)
    }

    /// MUL (mul.cc): (x − xzp)(y − yzp) times in1 × in2 / out (float32 arithmetic, as TFLite).
    mutating func importQuantizedMul(_ op: Operator) throws(TinyGraphError) {
        let activation = try tfliteActivation(op.options(.mul, op: opName, node: nodeName), id: 0)
        let (a, qa, b, qb, shapes, output) = try binaryOperands(op)
        let (low, high) = try activationRange(activation, output)
        let parameters = MulParameters(
            inputZeroPoints: (qa.zeroPoint, qb.zeroPoint),
            outputMultiplier: try multiplier(Double(qa.scale * qb.scale / output.scale), "MUL"),
            outputZeroPoint: output.zeroPoint, minimum: low, maximum: high)
        let id = try emitQuantized(.mul(parameters, shapes, reference: options.quantizedReferenceKernels), [a, b],
                                   output: TensorType(.uint8, shapes.output), quantization: output)
        try bind(op, output: 0, to: id)
    }

    // MARK: Activations

    /// RELU and RELU6 (activations.cc QuantizedReluX): requantize to the output's
    /// scale, clamp to zp + round(bound / scale).
    mutating func importQuantizedRelu(_ op: Operator, low: Float, high: Float) throws(TinyGraphError) {
        let (x, input) = try quantizedOperand(op, 0)
        let output = try quantizedOutput(op)
        let typeLow: Int32 = output.isSigned ? -128 : 0, typeHigh = typeLow + 255
        func bound(_ value: Float) throws(TinyGraphError) -> Int32 {
            guard let q = QuantizedArithmetic.quantize(value, scale: output.scale, zeroPoint: output.fileZeroPoint) else {
                throw error(field: "Tensor.quantization", "the activation's bound \(value) does not fit the output's quantization")
            }
            return q
        }
        let minimum = max(typeLow, try bound(low))
        let maximum = high == .infinity ? typeHigh : min(typeHigh, try bound(high))
        let parameters = RequantizeParameters(
            inputZeroPoint: input.zeroPoint, outputZeroPoint: output.zeroPoint,
            multiplier: try multiplier(Double(input.scale / output.scale), opName),
            minimum: minimum + output.storageOffset, maximum: maximum + output.storageOffset)
        let shape = graph.values[x].type.shape
        try bind(op, output: 0, to: try emitQuantized(.requantize(parameters, reference: options.quantizedReferenceKernels), [x],
                                                      output: TensorType(.uint8, shape), quantization: output))
    }

    /// LOGISTIC: TFLite's table of 1 / (1 + e^−x) over every input value (LUTPopulate,
    /// float32 arithmetic); the output's scale must be 1/256.
    mutating func importQuantizedLogistic(_ op: Operator) throws(TinyGraphError) {
        let (x, input) = try quantizedOperand(op, 0)
        let output = try quantizedOutput(op)
        guard output.scale == 1.0 / 256, output.fileType == input.fileType else {
            throw error(field: "Tensor.quantization", "LOGISTIC's output must have scale 1/256 and the input's type, has \(output.scale)")
        }
        let inverseScale: Float = 1 / output.scale
        var table = [UInt8](repeating: 0, count: 256)
        let (low, high): (Int32, Int32) = input.isSigned ? (-128, 127) : (0, 255)
        for value in low...high {
            let dequantized = input.scale * Float(value - input.fileZeroPoint)
            let transformed = 1 / (1 + QuantizedArithmetic.exp(-dequantized))
            let rescaled = FloatMath.round(transformed * inverseScale)
            let quantized = QuantizedRequantization.roundToInt32(FloatMath.trunc(Double(rescaled + Float(output.fileZeroPoint))))
            let clamped = min(max(quantized, low), high)
            table[Int(value + input.storageOffset)] = UInt8(clamped + output.storageOffset)
        }
        let shape = graph.values[x].type.shape
        try bind(op, output: 0, to: try emitQuantized(.lookup(LookupTable(values: table)), [x], output: TensorType(.uint8, shape),
                                                      quantization: output))
    }

    /// HARD_SWISH (activations.cc HardSwishPrepare): 16-bit fixed-point multipliers.
    mutating func importQuantizedHardSwish(_ op: Operator) throws(TinyGraphError) {
        let (x, input) = try quantizedOperand(op, 0)
        let output = try quantizedOutput(op)
        let hiresInputScale = (1.0 / 128.0) * input.scale
        let reluishScale: Float = 3.0 / 32768.0
        let outputMultiplier = try multiplier(Double(hiresInputScale / output.scale), "HARD_SWISH output")
        let reluishMultiplier = try multiplier(Double(hiresInputScale / reluishScale), "HARD_SWISH")
        guard outputMultiplier.shift <= 0 else {
            throw error(field: "Tensor.quantization", "HARD_SWISH needs an output scale at least the input's / 128; has \(output.scale) for \(input.scale)")
        }
        let parameters = HardSwishParameters(
            inputZeroPoint: input.zeroPoint, outputFileZeroPoint: output.fileZeroPoint, isSigned: output.isSigned,
            outputMultiplier: Self.int16Multiplier(outputMultiplier.value), outputExponent: outputMultiplier.shift,
            reluishMultiplier: Self.int16Multiplier(reluishMultiplier.value), reluishExponent: reluishMultiplier.shift)
        let shape = graph.values[x].type.shape
        try bind(op, output: 0, to: try emitQuantized(.hardSwish(parameters, reference: options.quantizedReferenceKernels), [x],
                                                      output: TensorType(.uint8, shape), quantization: output))
    }

    /// TFLite's DownScaleInt32ToInt16Multiplier.
    static func int16Multiplier(_ value: Int32) -> Int16 {
        if value >= Int32.max - (1 << 15) { return Int16.max }
        return Int16(truncatingIfNeeded: (value + (1 << 15)) >> 16)
    }

    /// SOFTMAX over the last axis (reference kernel): beta × input scale as a Q5.26
    /// multiplier; outputs of scale 1/256 and zero point −128 (int8) or 0 (uint8).
    mutating func importQuantizedSoftmax(_ op: Operator) throws(TinyGraphError) {
        let beta = try op.options(.softmax, op: opName, node: nodeName)?.float32(0, "beta") ?? 0
        let (x, input) = try quantizedOperand(op, 0)
        let output = try quantizedOutput(op)
        guard output.zeroPoint == 0, abs(output.scale - 1.0 / 256) <= 0.001 / 256 else {
            throw error(field: "Tensor.quantization", "SOFTMAX's output must have scale 1/256 and zero point \(output.isSigned ? -128 : 0), has \(output.scale) and \(output.fileZeroPoint)")
        }
        let real = min(Double(beta) * Double(input.scale) * Double(1 << 26), Double(Int32.max))
        guard real > 1 else {
            throw error(field: "beta", "beta \(beta) times the input's scale \(input.scale) is too small for TFLite's int8 SOFTMAX")
        }
        let multiplier = try self.multiplier(real, "SOFTMAX")
        let radius = FloatMath.floor(Double(31) * Double(1 << 26) / Double(Int64(1) << Int64(multiplier.shift)))
        let parameters = SoftmaxParameters(inputMultiplier: multiplier.value, inputLeftShift: multiplier.shift,
                                           differenceMinimum: -Int32(radius))
        let shape = graph.values[x].type.shape
        guard let depth = shape.last, depth > 0 else { throw error(.invalidShape, field: "inputs", "SOFTMAX needs an input of rank 1 or more") }
        try bind(op, output: 0, to: try emitQuantized(.softmax(parameters, depth: depth, reference: options.quantizedReferenceKernels), [x], output: TensorType(.uint8, shape),
                                                      quantization: output))
    }

    // MARK: Reduction and data movement

    /// MEAN (reduce.cc, reference kernel): the sum minus count × zero point,
    /// multiplied by in/out scale divided by the count.
    mutating func importQuantizedMean(_ op: Operator) throws(TinyGraphError) {
        let keepDims = try op.options(.reducer, op: opName, node: nodeName)?.bool(0, "keep_dims") ?? false
        let (x, input) = try quantizedOperand(op, 0)
        let output = try quantizedOutput(op)
        let shape = graph.values[x].type.shape
        let axesID = try self.input(op, 1)
        guard graph.values[axesID].isConstant else { throw error(field: "inputs", "the axes must be a constant") }
        let given = try NodeContext(name: nodeName, opType: opName, attributes: [:], inputs: [graph.values[axesID]]).constantInts(0, field: "axes")
        var axes: [Int] = []
        for axis in given {
            let normalized = axis < 0 ? axis + shape.count : axis
            guard normalized >= 0, normalized < shape.count else {
                throw error(.invalidShape, field: "axes", "axis \(axis) is out of range for rank \(shape.count)")
            }
            if !axes.contains(normalized) { axes.append(normalized) }
        }
        axes.sort()
        let count = axes.reduce(1) { $0 * shape[$1] }
        guard count > 0 else { throw error(.invalidShape, field: "inputs", "MEAN over an empty axis") }
        var outputShape: [Int] = []
        for (axis, dim) in shape.enumerated() {
            if axes.contains(axis) {
                if keepDims { outputShape.append(1) }
            } else {
                outputShape.append(dim)
            }
        }
        let ratio = try multiplier(Double(input.scale) / Double(output.scale), "MEAN")
        let mean = QuantizedMeanOp(inputShape: shape, axes: axes,
                                   parameters: MeanParameters(count: count, inputZeroPoint: input.zeroPoint, outputZeroPoint: output.zeroPoint,
                                                              scaleRatio: ratio),
                                   reference: options.quantizedReferenceKernels)
        try bind(op, output: 0, to: try emitQuantized(.mean(mean), [x], output: TensorType(.uint8, outputShape), quantization: output))
    }

    /// CONCATENATION: int8 inputs must share the output's scale and zero point
    /// (TFLite's rule) and are concatenated as bytes; uint8 inputs with other
    /// parameters are rescaled (ConcatenationWithScaling).
    mutating func importQuantizedConcatenation(_ op: Operator) throws(TinyGraphError) {
        let options = try TFLiteConcatenationOptions(op.options(.concatenation, op: opName, node: nodeName))
        guard TFLiteActivation(rawValue: options.activation) == TFLiteActivation.none else {
            throw error(.unsupportedOps, field: "fused_activation_function", "a fused activation on a quantized CONCATENATION is not supported")
        }
        let output = try quantizedOutput(op)
        var inputs: [(Int, ActivationQuantization)] = []
        for position in op.inputs.indices { inputs.append(try quantizedOperand(op, position)) }
        guard !inputs.isEmpty else { throw error(field: "inputs", "CONCATENATION has no inputs") }
        let same = inputs.allSatisfy { $0.1.scale == output.scale && $0.1.zeroPoint == output.zeroPoint }
        if !same && output.isSigned {
            let names = op.inputs.map { "'" + tensor($0).name + "'" }.joined(separator: ", ")
            throw error(field: "Tensor.quantization", "int8 CONCATENATION needs every input (\(names)) to have the output's scale and zero point, as TFLite does")
        }
        // The layout step checks shapes and the axis.
        var layoutInputs = inputs.map { $0.0 }
        layoutInputs.append(int32s([Int(options.axis)], shape: []))
        let concatenated = try emit1("ConcatV2", layoutInputs)
        if same {
            try bind(op, output: 0, to: concatenated)
            return
        }
        // uint8 with rescaling: the same geometry as the layout step.
        guard case .layout(let layout) = graph.nodes.last?.operation, graph.nodes.last?.outputs == [concatenated],
              case .concat(let outer, let inner) = layout.kind else {
            throw error(.unsupportedOps, "CONCATENATION of constant uint8 tensors with other parameters than the output's is not supported")
        }
        let inverseOutputScale: Float = 1 / output.scale
        var parts: [RescalingConcatOp.Part] = []
        for ((_, q), count) in zip(inputs, inner) {
            if q.scale == output.scale && q.zeroPoint == output.zeroPoint {
                parts.append(RescalingConcatOp.Part(inner: count, scale: nil, bias: 0))
            } else {
                let scale = q.scale * inverseOutputScale
                parts.append(RescalingConcatOp.Part(inner: count, scale: scale, bias: -Float(q.zeroPoint) * scale))
            }
        }
        let node = graph.nodes.removeLast()
        graph.nodes.append(Node(name: node.name, opType: node.opType,
                                operation: .quantized(.rescalingConcat(RescalingConcatOp(outer: outer, parts: parts, outputZeroPoint: output.zeroPoint))),
                                inputs: node.inputs, outputs: node.outputs))
        try bind(op, output: 0, to: concatenated)
    }

    /// PAD: the input's bytes, the border filled with the output's zero point.
    mutating func importQuantizedPad(_ op: Operator) throws(TinyGraphError) {
        let (x, _) = try quantizedOperand(op, 0)
        let output = try quantizedOutput(op)
        let fill = TensorBuffer(byteCount: 1)
        fill.bytes.storeBytes(of: UInt8(output.zeroPoint), as: UInt8.self)
        let fillID = addScratch(Value(name: nodeName + "/fill", type: TensorType(.uint8, []), constant: fill))
        try bind(op, output: 0, to: try emit1("PadV2", [x, try input(op, 1), fillID]))
    }
}
