/// The quantized elementwise kernels the plan runs: 16 values at a time where the
/// arithmetic is TFLite's requantization (requantize, ADD, MUL), the reference
/// loop for the rest (edges, table lookups, HARD_SWISH), each over the tail too.
enum QuantizedElementwise {
    /// `ActivationQuantization.quantize` 16 values at a time: x / scale rounded half
    /// away from zero (LLVM: add ±0.49999997, truncate), the zero point, the clamp
    /// (NaN to 0), then the integer read from the mantissa of v + 2^23.
    @inline(never)
    static func quantize(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<UInt8>, count: Int, _ q: ActivationQuantization) {
        let zero = SIMD16<Float>(repeating: Float(q.zeroPoint))
        let low = SIMD16<Float>(repeating: 0), high = SIMD16<Float>(repeating: 255)
        let magic = SIMD16<Float>(repeating: 8_388_608)
        var i = 0
        #if arch(arm)
        // 32-bit ARM has no rounding instruction: the vector rounding would call libm's
        // roundf per lane; the reference loop rounds with FloatMath.
        ReferenceQuantizedElementwise.quantize(input, output, count: count, q)
        return
        #endif
        while i &+ 16 <= count {
            var v = (UnsafeRawPointer(input + i).loadUnaligned(as: SIMD16<Float>.self) / q.scale).rounded(.toNearestOrAwayFromZero) + zero
            v.replace(with: low, where: .!(v .>= low))
            v.replace(with: high, where: v .> high)
            storeBytes(narrowToBytes(unsafeBitCast(v + magic, to: QuantizedVector.self)), output + i, count: 16)
            i &+= 16
        }
        ReferenceQuantizedElementwise.quantize(input + i, output + i, count: count &- i, q)
    }

    static func dequantize(_ input: UnsafePointer<UInt8>, _ output: UnsafeMutablePointer<Float>, count: Int, _ q: ActivationQuantization) {
        ReferenceQuantizedElementwise.dequantize(input, output, count: count, q)
    }

    static func lookup(_ input: UnsafePointer<UInt8>, _ output: UnsafeMutablePointer<UInt8>, count: Int, table: LookupTable) {
        table.values.withUnsafeBufferPointer { values in
            for i in 0..<count { output[i] = values[Int(input[i])] }
        }
    }

    /// `ReferenceQuantizedPooling.softmax` with each exp computed once: it depends
    /// only on the difference to the row's maximum (0...255), so a table of 256
    /// filled as differences first appear serves every element and row (MobileNet's
    /// 1001 classes took 1001 × 2 fixed-point exps). Same arithmetic, same bytes.
    static func softmax(_ input: UnsafePointer<UInt8>, _ output: UnsafeMutablePointer<UInt8>, rows: Int, depth: Int,
                        _ p: SoftmaxParameters) {
        typealias FP = QuantizedFixedPoint
        // −1: not computed yet (exps are Q0.31 values ≥ 0). Differences below the
        // reference's minimum count as exp 0: they add nothing and output 0.
        let exps = UnsafeMutablePointer<Int32>.allocate(capacity: 256)
        defer { exps.deallocate() }
        exps.initialize(repeating: -1, count: 256)
        @inline(__always) func exp(_ distance: Int) -> Int32 {
            if exps[distance] < 0 {
                let difference = -Int32(distance)
                exps[distance] = difference >= p.differenceMinimum ? FP.expOnNegativeValues(p.rescale(difference), integerBits: 5) : 0
            }
            return exps[distance]
        }
        for row in 0..<rows {
            let x = input + row &* depth, y = output + row &* depth
            var largest: UInt8 = 0
            for c in 0..<depth where x[c] > largest { largest = x[c] }
            var sumOfExps: Int32 = 0  // Q12
            for c in 0..<depth {
                sumOfExps = sumOfExps &+ QuantizedArithmetic.roundingDivideByPOT(exp(Int(largest &- x[c])), 12)
            }
            let (scale, bitsOverUnit) = FP.reciprocal(sumOfExps, integerDigits: 12)
            let exponent = min(max(bitsOverUnit + 31 - 8, 0), 31)
            for c in 0..<depth {
                let value = QuantizedArithmetic.roundingDivideByPOT(FP.mul(scale, exp(Int(largest &- x[c]))), exponent)
                y[c] = UInt8(clamping: value)
            }
        }
    }

    static func hardSwish(_ input: UnsafePointer<UInt8>, _ output: UnsafeMutablePointer<UInt8>, count: Int, _ p: HardSwishParameters) {
        for i in 0..<count { output[i] = ReferenceQuantizedElementwise.hardSwish(input[i], p) }
    }

    @inline(never)
    static func requantize(_ input: UnsafePointer<UInt8>, _ output: UnsafeMutablePointer<UInt8>, count: Int, _ p: RequantizeParameters) {
        let requantizer = QuantizedRequantizer(p.multiplier, zeroPoint: p.outputZeroPoint, minimum: p.minimum, maximum: p.maximum)
        let inputZero = QuantizedVector(repeating: p.inputZeroPoint)
        var i = 0
        while i &+ 16 <= count {
            let x = loadWidened(bytes: input + i) &- inputZero
            storeBytes(requantizer.bytes(x), output + i, count: 16)
            i &+= 16
        }
        ReferenceQuantizedElementwise.requantize(input + i, output + i, count: count &- i, p)
    }

    @inline(never)
    static func add(_ lhs: UnsafePointer<UInt8>, _ rhs: UnsafePointer<UInt8>, _ output: UnsafeMutablePointer<UInt8>, count: Int,
                    _ p: AddParameters) {
        let scale1 = QuantizedRequantizer.scaling(p.inputMultipliers.0)
        let scale2 = QuantizedRequantizer.scaling(p.inputMultipliers.1)
        let zero1 = QuantizedVector(repeating: p.inputZeroPoints.0), zero2 = QuantizedVector(repeating: p.inputZeroPoints.1)
        let headroom = QuantizedVector(repeating: p.leftShift)
        let requantizer = QuantizedRequantizer(p.outputMultiplier, zeroPoint: p.outputZeroPoint, minimum: p.minimum, maximum: p.maximum)
        var i = 0
        while i &+ 16 <= count {
            let a = (loadWidened(bytes: lhs + i) &- zero1) &<< headroom
            let b = (loadWidened(bytes: rhs + i) &- zero2) &<< headroom
            storeBytes(requantizer.bytes(scale1.multiply(a) &+ scale2.multiply(b)), output + i, count: 16)
            i &+= 16
        }
        while i < count {
            output[i] = ReferenceQuantizedElementwise.add(lhs[i], rhs[i], p)
            i &+= 1
        }
    }

    @inline(never)
    static func mul(_ lhs: UnsafePointer<UInt8>, _ rhs: UnsafePointer<UInt8>, _ output: UnsafeMutablePointer<UInt8>, count: Int,
                    _ p: MulParameters) {
        let zero1 = QuantizedVector(repeating: p.inputZeroPoints.0), zero2 = QuantizedVector(repeating: p.inputZeroPoints.1)
        let requantizer = QuantizedRequantizer(p.outputMultiplier, zeroPoint: p.outputZeroPoint, minimum: p.minimum, maximum: p.maximum)
        var i = 0
        while i &+ 16 <= count {
            let product = (loadWidened(bytes: lhs + i) &- zero1) &* (loadWidened(bytes: rhs + i) &- zero2)
            storeBytes(requantizer.bytes(product), output + i, count: 16)
            i &+= 16
        }
        while i < count {
            output[i] = ReferenceQuantizedElementwise.mul(lhs[i], rhs[i], p)
            i &+= 1
        }
    }
}

extension BroadcastShapes {
    /// When one operand has the output's shape and the other repeats along the
    /// leading dims (right-aligned, its leading dims 1 and its trailing dims the
    /// output's, e.g. a per-channel [C] against [N, H, W, C]): whether the small one
    /// is the right-hand side, and its element count (the period).
    var periodicOperand: (smallIsRight: Bool, period: Int)? {
        func repeats(_ small: [Int]) -> Int? {
            // The longest tail equal to the output's; everything before it must be 1.
            let leading = output.count - small.count
            var tail = small.count
            while tail > 0 && small[tail - 1] == output[leading + tail - 1] { tail -= 1 }
            guard small[..<tail].allSatisfy({ $0 == 1 }) else { return nil }
            return small[tail...].reduce(1, *)
        }
        if lhs == output, let period = repeats(rhs) { return (true, period) }
        if rhs == output, let period = repeats(lhs) { return (false, period) }
        return nil
    }
}

extension QuantizedElementwise {
    /// A periodic broadcast as elementwise runs: the small operand repeated 16 times
    /// (a multiple of 16 values and of the period) against chunks of the large one.
    static func periodic(
        _ lhs: UnsafePointer<UInt8>, _ rhs: UnsafePointer<UInt8>, _ output: UnsafeMutablePointer<UInt8>, count: Int,
        smallIsRight: Bool, period: Int, _ elementwise: (UnsafePointer<UInt8>, UnsafePointer<UInt8>, UnsafeMutablePointer<UInt8>, Int) -> Void
    ) {
        guard period > 0 else { return }
        let chunk = 16 &* period
        let small = smallIsRight ? rhs : lhs, large = smallIsRight ? lhs : rhs
        let pattern = UnsafeMutablePointer<UInt8>.allocate(capacity: chunk)
        defer { pattern.deallocate() }
        for copy in 0..<16 { (pattern + copy &* period).initialize(from: small, count: period) }
        var start = 0
        while start < count {
            let n = min(chunk, count &- start)
            if smallIsRight {
                elementwise(large + start, pattern, output + start, n)
            } else {
                elementwise(pattern, large + start, output + start, n)
            }
            start &+= chunk
        }
    }
}
