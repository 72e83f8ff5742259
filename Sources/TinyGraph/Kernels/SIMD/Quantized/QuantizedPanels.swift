/// What the convolution micro-kernels read of `PackedQuantizedWeights` and the
/// epilogue: raw pointers and sizes, no class reference, so no reference counting
/// runs in their loops.
struct QuantizedPanels {
    let base: UnsafeRawPointer
    let panelStride: Int
    let panelCount: Int
    let depth: Int
    let outChannels: Int
    let multipliers: UnsafePointer<Int32>
    let leftShifts: UnsafePointer<Int32>
    let rightShifts: UnsafePointer<Int32>
    /// FULLY_CONNECTED's double-precision requantization, else nil.
    let doubleScales: UnsafePointer<Double>?
    let zeroPoint: Int32
    let minimum: Int32
    let maximum: Int32

    init(_ weights: PackedQuantizedWeights, _ epilogue: QuantizedOutput) {
        base = UnsafeRawPointer(weights.bytes)
        panelStride = weights.panelStride
        panelCount = weights.panelCount
        depth = weights.depth
        outChannels = weights.outChannels
        multipliers = weights.multipliers
        leftShifts = weights.leftShifts
        rightShifts = weights.rightShifts
        doubleScales = weights.doubleScales.map { UnsafePointer($0.bytes.assumingMemoryBound(to: Double.self)) }
        zeroPoint = epilogue.zeroPoint
        minimum = epilogue.minimum
        maximum = epilogue.maximum
    }

    /// Panel `index`: its 16 biases, then its weights.
    @_transparent
    func panel(_ index: Int) -> UnsafeRawPointer { base + index &* panelStride }

    @_transparent
    func requantizer(channel: Int) -> QuantizedRequantizer {
        QuantizedRequantizer(multipliers: multipliers + channel, leftShifts: leftShifts + channel, rightShifts: rightShifts + channel,
                             zeroPoint: zeroPoint, minimum: minimum, maximum: maximum)
    }

    /// Channels `channel ..< channel + count` of one pixel (count ≤ 16).
    @_transparent
    func store(_ accumulator: QuantizedVector, _ requantizer: QuantizedRequantizer, channel: Int, count: Int,
               _ output: UnsafeMutablePointer<UInt8>) {
        if let doubleScales {
            storeDouble(accumulator, doubleScales + channel, count: count, output)
            return
        }
        storeBytes(narrowToBytes(requantizer.apply(accumulator)), output, count: count)
    }

    /// round(acc × scale) in double precision, lane by lane (FULLY_CONNECTED; its
    /// outputs are few).
    @inline(never)
    func storeDouble(_ accumulator: QuantizedVector, _ scales: UnsafePointer<Double>, count: Int, _ output: UnsafeMutablePointer<UInt8>) {
        for lane in 0..<count {
            var value = QuantizedRequantization.roundToInt32(Double(accumulator[lane]) * scales[lane]) &+ zeroPoint
            if value < minimum { value = minimum }
            if value > maximum { value = maximum }
            output[lane] = UInt8(truncatingIfNeeded: value)
        }
    }
}
