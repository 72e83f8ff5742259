/// The quantized elementwise kernels the plan runs: 16 values at a time where the
/// arithmetic is TFLite's requantization (requantize, ADD, MUL), the reference
/// loop for the rest (edges, table lookups, HARD_SWISH), each over the tail too.
enum QuantizedElementwise {
    static func quantize(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<UInt8>, count: Int, _ q: ActivationQuantization) {
        ReferenceQuantizedElementwise.quantize(input, output, count: count, q)
    }

    static func dequantize(_ input: UnsafePointer<UInt8>, _ output: UnsafeMutablePointer<Float>, count: Int, _ q: ActivationQuantization) {
        ReferenceQuantizedElementwise.dequantize(input, output, count: count, q)
    }

    static func lookup(_ input: UnsafePointer<UInt8>, _ output: UnsafeMutablePointer<UInt8>, count: Int, table: LookupTable) {
        table.values.withUnsafeBufferPointer { values in
            for i in 0..<count { output[i] = values[Int(input[i])] }
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
            storeBytes(narrowToBytes(requantizer.apply(x)), output + i, count: 16)
            i &+= 16
        }
        ReferenceQuantizedElementwise.requantize(input + i, output + i, count: count &- i, p)
    }

    @inline(never)
    static func add(_ lhs: UnsafePointer<UInt8>, _ rhs: UnsafePointer<UInt8>, _ output: UnsafeMutablePointer<UInt8>, count: Int,
                    _ p: AddParameters) {
        typealias R = QuantizedRequantizer
        let (m1, m2) = (p.inputMultipliers.0, p.inputMultipliers.1)
        let multiplier1 = QuantizedVector(repeating: m1.value), right1 = QuantizedVector(repeating: Int32(max(-m1.shift, 0)))
        let left1 = QuantizedVector(repeating: Int32(max(m1.shift, 0)))
        let multiplier2 = QuantizedVector(repeating: m2.value), right2 = QuantizedVector(repeating: Int32(max(-m2.shift, 0)))
        let left2 = QuantizedVector(repeating: Int32(max(m2.shift, 0)))
        let zero1 = QuantizedVector(repeating: p.inputZeroPoints.0), zero2 = QuantizedVector(repeating: p.inputZeroPoints.1)
        let headroom = QuantizedVector(repeating: p.leftShift)
        let requantizer = QuantizedRequantizer(p.outputMultiplier, zeroPoint: p.outputZeroPoint, minimum: p.minimum, maximum: p.maximum)
        var i = 0
        while i &+ 16 <= count {
            let a = (loadWidened(bytes: lhs + i) &- zero1) &<< headroom
            let b = (loadWidened(bytes: rhs + i) &- zero2) &<< headroom
            let sum = R.multiply(a, multiplier1, leftShift: left1, rightShift: right1) &+ R.multiply(b, multiplier2, leftShift: left2, rightShift: right2)
            storeBytes(narrowToBytes(requantizer.apply(sum)), output + i, count: 16)
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
            storeBytes(narrowToBytes(requantizer.apply(product)), output + i, count: 16)
            i &+= 16
        }
        while i < count {
            output[i] = ReferenceQuantizedElementwise.mul(lhs[i], rhs[i], p)
            i &+= 1
        }
    }
}
