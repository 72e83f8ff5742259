/// Quantization tables of a TFLite model, checked as the importer reads them, and
/// the parameters TFLite's Prepare functions derive from them. Nothing in a table
/// is trusted: scales must be finite and positive, zero points inside their type,
/// per-channel tables as long as their dimension, multipliers representable; any
/// other table is a typed error naming the tensor.
extension TFLiteGraphBuilder {
    /// A filter as the quantized kernels take it: w − zero point, and a scale per
    /// output channel (a per-tensor scale repeated).
    struct QuantizedFilterData {
        var filter: QuantizedFilter
        var scales: [Float]
        var type: TFLiteTensorType
        var isPerChannel: Bool
        /// Every w − zero point fits an int8 (the VNNI kernels' operand).
        var fitsInt8: Bool
    }

    static func isQuantizedInteger(_ type: TFLiteTensorType?) -> Bool { type == .int8 || type == .uint8 }

    func quantizationError(_ tensor: TFLiteModel.Tensor, _ message: String) -> TinyGraphError {
        error(.invalidGraph, field: "Tensor.quantization", "tensor '\(tensor.name)': \(message)")
    }

    /// Checks a scale: finite, positive, and normal (a subnormal scale's reciprocal
    /// overflows float32).
    func checkScale(_ scale: Float, _ tensor: TFLiteModel.Tensor) throws(TinyGraphError) {
        guard scale.isFinite, scale >= Float.leastNormalMagnitude else {
            throw quantizationError(tensor, "scale \(scale) is not a finite positive number")
        }
    }

    /// An int8/uint8 activation's per-tensor parameters, in the stored domain.
    func activationQuantization(ofTensor index: Int) throws(TinyGraphError) -> ActivationQuantization {
        let tensor = subgraph.tensors[index]
        guard let type = tensor.type, Self.isQuantizedInteger(type) else {
            throw error(.unsupportedOps, field: "Tensor.type",
                        "tensor '\(tensor.name)' is \(tensor.typeName) where a quantized operator needs int8 or uint8")
        }
        guard let quantization = tensor.quantization else {
            throw quantizationError(tensor, "an \(tensor.typeName) activation has no quantization parameters")
        }
        guard !quantization.hasDetails else { throw quantizationError(tensor, "custom quantization (QuantizationDetails) is not supported") }
        guard quantization.scales.count == 1, quantization.zeroPoints.count == 1 else {
            throw quantizationError(tensor, "an activation needs one scale and one zero point, found \(quantization.scales.count) and \(quantization.zeroPoints.count)")
        }
        try checkScale(quantization.scales[0], tensor)
        let zeroPoint = quantization.zeroPoints[0]
        let range: ClosedRange<Int64> = type == .int8 ? -128...127 : 0...255
        guard range.contains(zeroPoint) else {
            throw quantizationError(tensor, "zero point \(zeroPoint) is outside \(tensor.typeName)'s range \(range.lowerBound)...\(range.upperBound)")
        }
        return ActivationQuantization(scale: quantization.scales[0], fileZeroPoint: Int32(zeroPoint), fileType: type == .int8 ? .int8 : .uint8)
    }

    /// A constant int8/uint8 filter of `shape` with `channels` output channels along
    /// `channelAxis`. int8 filters are symmetric (zero point 0, TFLite's quantization
    /// spec); uint8 ones have one asymmetric per-tensor table.
    func quantizedFilter(_ op: Operator, _ position: Int, channelAxis: Int, inputType: TFLiteTensorType) throws(TinyGraphError) -> QuantizedFilterData {
        guard hasInput(op, position) else { throw error(field: "inputs", "the filter (input \(position)) is missing") }
        let index = Int(op.inputs[position])
        let tensor = subgraph.tensors[index]
        guard let data = constantData(ofTensor: index), tensorValues[index] == nil || graph.values[tensorValues[index]!].isConstant else {
            throw error(.unsupportedOps, field: "inputs", "filter '\(tensor.name)' must be a constant: quantized filters computed at run time are not supported")
        }
        guard let type = tensor.type, type == inputType else {
            throw error(.unsupportedOps, field: "Tensor.type",
                        "filter '\(tensor.name)' is \(tensor.typeName) for an \(TFLiteSchema.tensorTypeName(inputType.rawValue)) input; TinyGraph runs int8 filters on int8 inputs and uint8 on uint8")
        }
        let shape = try fileShape(tensor)
        let count = TensorType(.int8, shape).elementCount
        guard data.count == count else {
            throw error(field: "Buffer.data", "filter '\(tensor.name)': buffer \(tensor.buffer) has \(data.count) bytes; shape \(TensorType.describe(shape)) needs \(count)")
        }
        guard channelAxis < shape.count else {
            throw error(.invalidShape, field: "inputs", "filter '\(tensor.name)' has shape \(TensorType.describe(shape))")
        }
        let channels = shape[channelAxis]
        guard let quantization = tensor.quantization, !quantization.hasDetails else {
            throw quantizationError(tensor, "a quantized filter needs quantization parameters")
        }
        let scaleCount = quantization.scales.count
        guard scaleCount == 1 || (type == .int8 && scaleCount == channels && Int(quantization.dimension) == channelAxis) else {
            throw quantizationError(tensor, "\(scaleCount) scales on dimension \(quantization.dimension) for \(channels) output channels on dimension \(channelAxis); expected one, or (int8) one per output channel")
        }
        guard quantization.zeroPoints.count == scaleCount else {
            throw quantizationError(tensor, "\(scaleCount) scales but \(quantization.zeroPoints.count) zero points")
        }
        for scale in quantization.scales { try checkScale(scale, tensor) }
        var zeroPoint: Int32 = 0
        if type == .int8 {
            guard quantization.zeroPoints.allSatisfy({ $0 == 0 }) else {
                throw quantizationError(tensor, "int8 filters must be symmetric (zero point 0), found \(quantization.zeroPoints.first { $0 != 0 }!)")
            }
        } else {
            guard (0...255).contains(quantization.zeroPoints[0]) else {
                throw quantizationError(tensor, "zero point \(quantization.zeroPoints[0]) is outside uint8's range 0...255")
            }
            zeroPoint = Int32(quantization.zeroPoints[0])
        }
        var values = [Int16](repeating: 0, count: count)
        var fitsInt8 = true
        for i in 0..<count {
            let byte = file[data.start + i]
            let value = (type == .int8 ? Int32(Int8(bitPattern: byte)) : Int32(byte)) - zeroPoint
            if value < -128 || value > 127 { fitsInt8 = false }
            values[i] = Int16(value)
        }
        let scales = scaleCount == 1 ? [Float](repeating: quantization.scales[0], count: channels) : quantization.scales
        return QuantizedFilterData(filter: QuantizedFilter(values: values, shape: shape), scales: scales, type: type,
                                   isPerChannel: scaleCount > 1, fitsInt8: fitsInt8)
    }

    /// The optional int32 bias: one value per output channel. Its scale is only
    /// checked where TFLite checks it (`checkBiasScale`).
    func quantizedBias(_ op: Operator, _ position: Int, channels: Int) throws(TinyGraphError) -> (values: [Int32], scale: Float?)? {
        guard hasInput(op, position) else { return nil }
        let index = Int(op.inputs[position])
        let tensor = subgraph.tensors[index]
        guard let data = constantData(ofTensor: index) else {
            throw error(.unsupportedOps, field: "inputs", "bias '\(tensor.name)' must be a constant")
        }
        guard tensor.type == .int32 else {
            throw error(.unsupportedOps, field: "Tensor.type", "bias '\(tensor.name)' is \(tensor.typeName); quantized operators take int32 biases")
        }
        let shape = try fileShape(tensor)
        guard TensorType(.int32, shape).elementCount == channels, data.count == 4 * channels else {
            throw error(.invalidShape, field: "inputs", "bias '\(tensor.name)' has shape \(TensorType.describe(shape)) and \(data.count) bytes for \(channels) output channels")
        }
        var values: [Int32] = []
        values.reserveCapacity(channels)
        for c in 0..<channels { values.append(Int32(littleEndian: file.loadUnaligned(fromByteOffset: data.start + 4 * c, as: Int32.self))) }
        var scale: Float? = nil
        if let quantization = tensor.quantization, quantization.scales.count >= 1 { scale = quantization.scales[0] }
        return (values, scale)
    }

    /// TFLite's check that a per-tensor bias scale is input scale × filter scale
    /// (GetQuantizedConvolutionMultipler): within 2% of an output step.
    func checkBiasScale(_ biasScale: Float?, inputScale: Float, filterScale: Float, outputScale: Float, bias name: String) throws(TinyGraphError) {
        let product = Double(inputScale) * Double(filterScale)
        let difference = abs(product - Double(biasScale ?? 0))
        guard difference / Double(outputScale) <= 0.02 else {
            throw error(field: "Tensor.quantization", "bias '\(name)' has scale \(biasScale ?? 0); TFLite requires input scale × filter scale (\(product)) within 2% of the output's scale")
        }
    }

    /// TFLite's QuantizeMultiplier of a real multiplier, refused where TFLite's
    /// arithmetic would overflow (2^30 and above) or the value is not a number.
    func multiplier(_ real: Double, _ what: String) throws(TinyGraphError) -> QuantizedArithmetic.Multiplier {
        guard real.isFinite, real >= 0 else {
            throw error(field: "Tensor.quantization", "the \(what) scale ratio \(real) is not a finite non-negative number")
        }
        let multiplier = QuantizedArithmetic.quantizeMultiplier(real)
        guard multiplier.shift <= 30 else {
            throw error(field: "Tensor.quantization", "the \(what) scale ratio \(real) is too large to requantize (TFLite's fixed point needs it below 2^30)")
        }
        return multiplier
    }

    /// TFLite's CalculateActivationRangeQuantized for a fused activation, stored domain.
    func activationRange(_ code: Int8, _ output: ActivationQuantization) throws(TinyGraphError) -> (Int32, Int32) {
        let low: Int32 = output.isSigned ? -128 : 0, high = low + 255
        func quantized(_ value: Float) throws(TinyGraphError) -> Int32 {
            guard let q = QuantizedArithmetic.quantize(value, scale: output.scale, zeroPoint: output.fileZeroPoint) else {
                throw error(field: "Tensor.quantization", "the fused activation's bound \(value) does not fit the output's quantization")
            }
            return q
        }
        var range = (low, high)
        switch TFLiteActivation(rawValue: code) {
        case .none?: break
        case .relu?: range = (max(low, try quantized(0)), high)
        case .relu6?: range = (max(low, try quantized(0)), min(high, try quantized(6)))
        case .reluN1To1?: range = (max(low, try quantized(-1)), min(high, try quantized(1)))
        case .tanh?, .signBit?, nil:
            let name = code == 4 ? "TANH" : code == 5 ? "SIGN_BIT" : "\(code)"
            throw error(.unsupportedOps, field: "fused_activation_function", "fused activation \(name) is not supported")
        }
        // An empty range (a bound beyond the type) still clamps to one value, as TFLite's min(max()).
        return (range.0 + output.storageOffset, range.1 + output.storageOffset)
    }
}
