/// A step of a quantized TFLite model (int8, or legacy uint8). Its parameters are
/// computed at import the way TFLite's Prepare computes them (TFLiteQuantized*Import);
/// inputs and outputs are stored unsigned (`ActivationQuantization`). Data movement
/// (RESHAPE, SQUEEZE, PAD, CONCATENATION with equal parameters) runs as `LayoutOp`s
/// on the bytes instead.
enum QuantizedOp: Equatable {
    /// Float input → stored values (QUANTIZE at a float edge).
    case quantize(ActivationQuantization)
    /// Stored values → float output (DEQUANTIZE).
    case dequantize(ActivationQuantization)
    /// QUANTIZE between integer types, RELU and RELU6.
    case requantize(RequantizeParameters, reference: Bool)
    case convolution(QuantizedConvolutionOp)
    case add(AddParameters, BroadcastShapes, reference: Bool)
    case mul(MulParameters, BroadcastShapes, reference: Bool)
    /// A 256-entry table indexed by the stored input (LOGISTIC).
    case lookup(LookupTable)
    case hardSwish(HardSwishParameters, reference: Bool)
    case pool(QuantizedPoolOp)
    case mean(QuantizedMeanOp)
    case softmax(SoftmaxParameters, depth: Int, reference: Bool)
    /// uint8 CONCATENATION of inputs with other parameters than the output's.
    case rescalingConcat(RescalingConcatOp)

    func execute(inputs: [TensorView], outputs: [TensorView]) {
        let count = outputs[0].elementCount
        let out = outputs[0].elements(as: UInt8.self)
        switch self {
        case .quantize(let q):
            QuantizedElementwise.quantize(inputs[0].floats, out, count: count, q)
        case .dequantize(let q):
            QuantizedElementwise.dequantize(inputs[0].elements(as: UInt8.self), outputs[0].floats, count: count, q)
        case .requantize(let p, let reference):
            let input = inputs[0].elements(as: UInt8.self)
            if reference {
                ReferenceQuantizedElementwise.requantize(input, out, count: count, p)
            } else {
                QuantizedElementwise.requantize(input, out, count: count, p)
            }
        case .convolution(let op):
            op.execute(inputs: inputs, outputs: outputs)
        case .add(let p, let shapes, let reference):
            let (a, b) = (UnsafePointer(inputs[0].elements(as: UInt8.self)), UnsafePointer(inputs[1].elements(as: UInt8.self)))
            if !reference, shapes.isElementwise {
                QuantizedElementwise.add(a, b, out, count: count, p)
            } else if !reference, let (smallIsRight, period) = shapes.periodicOperand {
                QuantizedElementwise.periodic(a, b, out, count: count, smallIsRight: smallIsRight, period: period) {
                    QuantizedElementwise.add($0, $1, $2, count: $3, p)
                }
            } else {
                ReferenceQuantizedElementwise.broadcast(a, b, out, shapes: shapes) { ReferenceQuantizedElementwise.add($0, $1, p) }
            }
        case .mul(let p, let shapes, let reference):
            let (a, b) = (UnsafePointer(inputs[0].elements(as: UInt8.self)), UnsafePointer(inputs[1].elements(as: UInt8.self)))
            if !reference, shapes.isElementwise {
                QuantizedElementwise.mul(a, b, out, count: count, p)
            } else if !reference, let (smallIsRight, period) = shapes.periodicOperand {
                QuantizedElementwise.periodic(a, b, out, count: count, smallIsRight: smallIsRight, period: period) {
                    QuantizedElementwise.mul($0, $1, $2, count: $3, p)
                }
            } else {
                ReferenceQuantizedElementwise.broadcast(a, b, out, shapes: shapes) { ReferenceQuantizedElementwise.mul($0, $1, p) }
            }
        case .lookup(let table):
            QuantizedElementwise.lookup(inputs[0].elements(as: UInt8.self), out, count: count, table: table)
        case .hardSwish(let p, let reference):
            let input = inputs[0].elements(as: UInt8.self)
            if reference {
                for i in 0..<count { out[i] = ReferenceQuantizedElementwise.hardSwish(input[i], p) }
            } else {
                QuantizedElementwise.hardSwish(input, out, count: count, p)
            }
        case .pool(let op):
            op.execute(inputs: inputs, outputs: outputs)
        case .mean(let op):
            op.execute(inputs: inputs, outputs: outputs)
        case .softmax(let p, let depth, let reference):
            let (input, rows) = (inputs[0].elements(as: UInt8.self), count / max(depth, 1))
            if reference {
                ReferenceQuantizedPooling.softmax(input: input, output: out, rows: rows, depth: depth, p)
            } else {
                QuantizedElementwise.softmax(input, out, rows: rows, depth: depth, p)
            }
        case .rescalingConcat(let op):
            op.execute(inputs: inputs, outputs: outputs)
        }
    }
}

/// LOGISTIC's table (activations.cc LUTPopulate): stored input byte → stored output byte.
struct LookupTable: Equatable {
    var values: [UInt8]
}

/// AVERAGE_POOL_2D and MAX_POOL_2D on stored values.
struct QuantizedPoolOp: Equatable {
    var pooling: PoolingOp
    /// int8 (the average's rounding sees the file's signed values).
    var isSigned: Bool
    /// The fused activation's range, stored domain.
    var minimum: UInt8
    var maximum: UInt8
    var reference: Bool

    func execute(inputs: [TensorView], outputs: [TensorView]) {
        let g = pooling.geometry(input: inputs[0].shape, output: outputs[0].shape)
        let input = inputs[0].elements(as: UInt8.self), output = outputs[0].elements(as: UInt8.self)
        switch pooling.kind {
        case .max where reference:
            ReferenceQuantizedPooling.maxPool(input: input, output: output, geometry: g, minimum: minimum, maximum: maximum)
        case .max:
            SIMDQuantizedPooling.maxPool(input: input, output: output, geometry: g, minimum: minimum, maximum: maximum)
        case .average where reference:
            ReferenceQuantizedPooling.averagePool(input: input, output: output, geometry: g, isSigned: isSigned, minimum: minimum, maximum: maximum)
        case .average:
            SIMDQuantizedPooling.averagePool(input: input, output: output, geometry: g, isSigned: isSigned, minimum: minimum, maximum: maximum)
        }
    }
}

/// MEAN over some axes: the input seen as runs of [outer, reduced, inner] blocks
/// after its axes are grouped (see `plan`), or an arbitrary set of axes.
struct QuantizedMeanOp: Equatable {
    var inputShape: [Int]
    /// Sorted, distinct, in 0..<rank.
    var axes: [Int]
    var parameters: MeanParameters
    var reference: Bool

    func execute(inputs: [TensorView], outputs: [TensorView]) {
        let input = inputs[0].elements(as: UInt8.self), output = outputs[0].elements(as: UInt8.self)
        // Reduced axes that are one run [first...last] make the input [outer, reduced, inner].
        if let first = axes.first, let last = axes.last, last - first + 1 == axes.count {
            let outer = inputShape[..<first].reduce(1, *)
            let reduced = inputShape[first...last].reduce(1, *)
            let inner = inputShape[(last + 1)...].reduce(1, *)
            if reference || inner == 1 {
                ReferenceQuantizedPooling.mean(input: input, output: output, outer: outer, reduced: reduced, inner: inner, parameters)
            } else {
                SIMDQuantizedPooling.mean(input: input, output: output, outer: outer, reduced: reduced, inner: inner, parameters)
            }
            return
        }
        // Any other set of axes: sum each element into its output.
        let rank = inputShape.count
        var outputStrides = [Int](repeating: 0, count: rank)
        var step = 1
        for axis in (0..<rank).reversed() where !axes.contains(axis) {
            outputStrides[axis] = step
            step *= inputShape[axis]
        }
        var sums = [Int32](repeating: 0, count: outputs[0].elementCount)
        var index = [Int](repeating: 0, count: rank)
        var target = 0
        for element in 0..<inputs[0].elementCount {
            sums[target] &+= Int32(input[element])
            var axis = rank - 1
            while axis >= 0 {
                index[axis] += 1
                target += outputStrides[axis]
                if index[axis] < inputShape[axis] { break }
                target -= outputStrides[axis] * inputShape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        for i in sums.indices { output[i] = parameters.finish(sums[i]) }
    }
}

/// uint8 CONCATENATION whose inputs have other scales or zero points than the
/// output (reference_ops::ConcatenationWithScaling): each such input is rescaled in
/// float32, round(q × s + b) + outZero; the others are copied.
struct RescalingConcatOp: Equatable {
    struct Part: Equatable {
        /// Elements this input contributes per outer block.
        var inner: Int
        /// nil: the input's parameters are the output's (a plain copy).
        var scale: Float?
        var bias: Float
    }

    var outer: Int
    var parts: [Part]
    var outputZeroPoint: Int32

    func execute(inputs: [TensorView], outputs: [TensorView]) {
        var output = outputs[0].elements(as: UInt8.self)
        for block in 0..<outer {
            for (part, view) in zip(parts, inputs) {
                let input = view.elements(as: UInt8.self) + block * part.inner
                if let scale = part.scale {
                    for i in 0..<part.inner {
                        let value = Double(FloatMath.round(Float(input[i]) * scale + part.bias))
                        output[i] = UInt8(clamping: QuantizedRequantization.roundToInt32(value) &+ outputZeroPoint)
                    }
                } else {
                    output.update(from: input, count: part.inner)
                }
                output += part.inner
            }
        }
    }
}
