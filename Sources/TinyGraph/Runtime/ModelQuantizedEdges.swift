/// A quantized model's edges: `Model.run` takes and returns floats, quantized and
/// dequantized with the model's own parameters (TFLite's QUANTIZE and DEQUANTIZE).
extension Model {
    static func tensorInfo(name: String, _ value: Value) -> TensorInfo {
        guard let quantization = value.quantization else {
            return TensorInfo(name: name, shape: value.type.shape, dtype: value.type.dtype, quantization: nil)
        }
        return TensorInfo(name: name, shape: value.type.shape, dtype: quantization.fileType, quantization: quantization.publicDescription)
    }

    static func quantize(_ values: [Float], into view: TensorView, _ quantization: ActivationQuantization) {
        values.withUnsafeBufferPointer { source in
            if let base = source.baseAddress {
                QuantizedElementwise.quantize(base, view.elements(as: UInt8.self), count: values.count, quantization)
            }
        }
    }

    static func dequantize(_ view: TensorView, _ quantization: ActivationQuantization) -> [Float] {
        var values = [Float](repeating: 0, count: view.elementCount)
        values.withUnsafeMutableBufferPointer { target in
            if let base = target.baseAddress {
                QuantizedElementwise.dequantize(view.elements(as: UInt8.self), base, count: target.count, quantization)
            }
        }
        return values
    }
}

extension Operation {
    /// Bytes of the packed filter (and requantization tables) a quantized step holds.
    var quantizedWeightByteCount: Int {
        guard case .quantized(.convolution(let op)) = self else { return 0 }
        if let packed = op.packed { return packed.byteCount }
        return 2 * (op.filter?.values.count ?? 0)
    }
}
