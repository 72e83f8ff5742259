/// Reference kernels of the elementwise family: plain loops, TensorFlow's formulas.
enum ReferenceElementwise {
    // MARK: Unary

    /// `output[i] = function(input[i])` for `count` floats.
    static func unary(_ function: UnaryFunction, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int) {
        switch function {
        case .relu:
            // cwiseMax<PropagateNaN>(0)
            for i in 0..<count {
                let x = input[i]
                output[i] = x < 0 ? 0 : x
            }
        case .relu6:
            // cwiseMax<PropagateNaN>(0).cwiseMin<PropagateNaN>(6)
            for i in 0..<count {
                let x = input[i]
                output[i] = x < 0 ? 0 : (x > 6 ? 6 : x)
            }
        case .leakyRelu(let alpha):
            // select(x > 0, x, x * alpha): alpha may be > 1 or < 0.
            for i in 0..<count {
                let x = input[i]
                output[i] = x > 0 ? x : x * alpha
            }
        case .elu:
            // select(x < 0, exp(x) - 1, x)
            for i in 0..<count {
                let x = input[i]
                output[i] = x < 0 ? FloatMath.exp(x) - 1 : x
            }
        case .sigmoid:
            for i in 0..<count { output[i] = FloatMath.sigmoid(input[i]) }
        case .tanh:
            for i in 0..<count { output[i] = FloatMath.tanh(input[i]) }
        case .rsqrt:
            for i in 0..<count { output[i] = 1 / FloatMath.squareRoot(input[i]) }
        case .sqrt:
            for i in 0..<count { output[i] = FloatMath.squareRoot(input[i]) }
        case .square:
            for i in 0..<count {
                let x = input[i]
                output[i] = x * x
            }
        case .neg:
            for i in 0..<count { output[i] = -input[i] }
        case .exp:
            for i in 0..<count { output[i] = FloatMath.exp(input[i]) }
        }
    }

    // MARK: Binary

    /// `output = function(lhs, rhs)` with broadcasting, float32.
    static func binary(_ function: BinaryFunction, _ lhs: UnsafePointer<Float>, _ rhs: UnsafePointer<Float>,
                       _ output: UnsafeMutablePointer<Float>, _ shapes: BroadcastShapes) {
        switch function {
        case .add: broadcast(lhs, rhs, output, shapes) { $0 + $1 }
        case .sub: broadcast(lhs, rhs, output, shapes) { $0 - $1 }
        case .mul: broadcast(lhs, rhs, output, shapes) { $0 * $1 }
        case .realDiv: broadcast(lhs, rhs, output, shapes) { $0 / $1 }
        case .maximum: broadcast(lhs, rhs, output, shapes) { maximum($0, $1) }
        case .minimum: broadcast(lhs, rhs, output, shapes) { minimum($0, $1) }
        }
    }

    /// `output = function(lhs, rhs)` with broadcasting, int32/int64 (wrapping arithmetic).
    static func binary<T: FixedWidthInteger>(_ function: BinaryFunction, _ lhs: UnsafePointer<T>, _ rhs: UnsafePointer<T>,
                                             _ output: UnsafeMutablePointer<T>, _ shapes: BroadcastShapes) {
        switch function {
        case .add: broadcast(lhs, rhs, output, shapes) { $0 &+ $1 }
        case .sub: broadcast(lhs, rhs, output, shapes) { $0 &- $1 }
        case .mul: broadcast(lhs, rhs, output, shapes) { $0 &* $1 }
        case .realDiv:
            // Rejected by the resolver (float only); defined anyway so this never traps.
            broadcast(lhs, rhs, output, shapes) { $1 == 0 ? 0 : $0.dividedReportingOverflow(by: $1).partialValue }
        case .maximum: broadcast(lhs, rhs, output, shapes) { $0 < $1 ? $1 : $0 }
        case .minimum: broadcast(lhs, rhs, output, shapes) { $1 < $0 ? $1 : $0 }
        }
    }

    /// TensorFlow's Maximum: NaN if either operand is NaN.
    @inline(__always)
    static func maximum(_ a: Float, _ b: Float) -> Float {
        if a.isNaN || b.isNaN { return .nan }
        return a < b ? b : a
    }

    /// TensorFlow's Minimum: NaN if either operand is NaN.
    @inline(__always)
    static func minimum(_ a: Float, _ b: Float) -> Float {
        if a.isNaN || b.isNaN { return .nan }
        return b < a ? b : a
    }

    /// Applies `function` over the broadcast output shape: walks the output in
    /// row-major order with an odometer over all dims but the last, and reads each
    /// operand through its broadcast strides (0 along broadcast dims).
    @inline(__always)
    static func broadcast<T>(_ lhs: UnsafePointer<T>, _ rhs: UnsafePointer<T>, _ output: UnsafeMutablePointer<T>,
                             _ shapes: BroadcastShapes, _ function: (T, T) -> T) {
        let shape = shapes.output
        var count = 1
        for dim in shape { count *= dim }
        if count == 0 { return }
        if shapes.isElementwise {
            for i in 0..<count { output[i] = function(lhs[i], rhs[i]) }
            return
        }
        let rank = shape.count
        let lhsStrides = Broadcast.strides(of: shapes.lhs, broadcastTo: shape)
        let rhsStrides = Broadcast.strides(of: shapes.rhs, broadcastTo: shape)
        let inner = shape[rank - 1]
        let lhsInner = lhsStrides[rank - 1]
        let rhsInner = rhsStrides[rank - 1]
        var index = [Int](repeating: 0, count: rank)
        var lhsOffset = 0
        var rhsOffset = 0
        var outOffset = 0
        while outOffset < count {
            for i in 0..<inner {
                output[outOffset + i] = function(lhs[lhsOffset + i * lhsInner], rhs[rhsOffset + i * rhsInner])
            }
            outOffset += inner
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                lhsOffset += lhsStrides[axis]
                rhsOffset += rhsStrides[axis]
                if index[axis] < shape[axis] { break }
                lhsOffset -= lhsStrides[axis] * shape[axis]
                rhsOffset -= rhsStrides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }

    // MARK: BiasAdd

    /// `output[r, c] = input[r, c] + bias[c]` for `rows` rows of `channels`.
    static func biasAdd(_ input: UnsafePointer<Float>, _ bias: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>,
                        rows: Int, channels: Int) {
        for row in 0..<rows {
            let base = row * channels
            for c in 0..<channels { output[base + c] = input[base + c] + bias[c] }
        }
    }

    // MARK: Cast

    /// Converts `count` elements. float → int truncates toward zero and saturates
    /// (NaN → 0); int → int wraps like C++'s static_cast; x → bool is x != 0;
    /// bool → x is 0 or 1. Bools are one byte, 0 or 1.
    static func cast(from source: DType, to destination: DType, _ input: UnsafeRawPointer, _ output: UnsafeMutableRawPointer, count: Int) {
        switch source {
        case .float32:
            let values = input.assumingMemoryBound(to: Float.self)
            switch destination {
            case .float32:
                let out = output.assumingMemoryBound(to: Float.self)
                for i in 0..<count { out[i] = values[i] }
            case .int32:
                let out = output.assumingMemoryBound(to: Int32.self)
                for i in 0..<count { out[i] = truncatingSaturated(values[i]) }
            case .int64:
                let out = output.assumingMemoryBound(to: Int64.self)
                for i in 0..<count { out[i] = truncatingSaturated(values[i]) }
            case .bool:
                let out = output.assumingMemoryBound(to: UInt8.self)
                for i in 0..<count { out[i] = values[i] != 0 ? 1 : 0 }
            case .int8:
                let out = output.assumingMemoryBound(to: Int8.self)
                for i in 0..<count { out[i] = Int8(truncatingIfNeeded: truncatingSaturated(values[i]) as Int32) }
            case .uint8:
                let out = output.assumingMemoryBound(to: UInt8.self)
                for i in 0..<count { out[i] = UInt8(truncatingIfNeeded: truncatingSaturated(values[i]) as Int32) }
            }
        case .int32:
            castInteger(input.assumingMemoryBound(to: Int32.self), to: destination, output, count: count)
        case .int64:
            castInteger(input.assumingMemoryBound(to: Int64.self), to: destination, output, count: count)
        case .bool:
            castInteger(input.assumingMemoryBound(to: UInt8.self), to: destination, output, count: count, isBool: true)
        case .int8:
            castInteger(input.assumingMemoryBound(to: Int8.self), to: destination, output, count: count)
        case .uint8:
            castInteger(input.assumingMemoryBound(to: UInt8.self), to: destination, output, count: count)
        }
    }

    private static func castInteger<S: FixedWidthInteger>(_ values: UnsafePointer<S>, to destination: DType, _ output: UnsafeMutableRawPointer,
                                                           count: Int, isBool: Bool = false) {
        switch destination {
        case .float32:
            let out = output.assumingMemoryBound(to: Float.self)
            for i in 0..<count { out[i] = isBool ? (values[i] != 0 ? 1 : 0) : Float(values[i]) }
        case .int32:
            let out = output.assumingMemoryBound(to: Int32.self)
            for i in 0..<count { out[i] = isBool ? (values[i] != 0 ? 1 : 0) : Int32(truncatingIfNeeded: values[i]) }
        case .int64:
            let out = output.assumingMemoryBound(to: Int64.self)
            for i in 0..<count { out[i] = isBool ? (values[i] != 0 ? 1 : 0) : Int64(truncatingIfNeeded: values[i]) }
        case .bool:
            let out = output.assumingMemoryBound(to: UInt8.self)
            for i in 0..<count { out[i] = values[i] != 0 ? 1 : 0 }
        case .int8:
            let out = output.assumingMemoryBound(to: Int8.self)
            for i in 0..<count { out[i] = isBool ? (values[i] != 0 ? 1 : 0) : Int8(truncatingIfNeeded: values[i]) }
        case .uint8:
            let out = output.assumingMemoryBound(to: UInt8.self)
            for i in 0..<count { out[i] = isBool ? (values[i] != 0 ? 1 : 0) : UInt8(truncatingIfNeeded: values[i]) }
        }
    }

    /// Float → integer, truncating toward zero, clamped to the type's range, NaN → 0.
    @inline(__always)
    static func truncatingSaturated<T: FixedWidthInteger>(_ value: Float) -> T {
        if value.isNaN { return 0 }
        // Float(T.min) = -2^(bits-1) exactly; Float(T.max) rounds up to 2^(bits-1).
        if value <= Float(T.min) { return T.min }
        if value >= Float(T.max) { return T.max }
        return T(value)
    }
}
