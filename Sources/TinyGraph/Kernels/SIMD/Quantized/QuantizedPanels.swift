/// What the convolution micro-kernels read of `PackedQuantizedWeights` and the
/// epilogue: raw pointers and sizes, no class reference, so no reference counting
/// runs in their loops.
struct QuantizedPanels {
    let base: UnsafeRawPointer
    let panelStride: Int
    let panelCount: Int
    let depth: Int
    /// Weights in groups of 4 int8 rows (the VNNI kernel's), else int16 rows.
    let isInt8Groups: Bool
    let outChannels: Int
    let table: RequantizationTable.Pointer
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
        isInt8Groups = weights.isInt8Groups
        outChannels = weights.outChannels
        table = weights.requantizationTable.pointer
        doubleScales = weights.doubleScales.map { UnsafePointer($0.bytes.assumingMemoryBound(to: Double.self)) }
        zeroPoint = epilogue.zeroPoint
        minimum = epilogue.minimum
        maximum = epilogue.maximum
    }

    /// Panel `index`: its 16 biases, then its weights.
    @_transparent
    func panel(_ index: Int) -> UnsafeRawPointer { base + index &* panelStride }

    /// Panels `first ..< first + count` (count 1...4) for the one-row kernels; the
    /// missing ones repeat the last (their sums are computed, never stored).
    @_transparent
    func fourPanels(first: Int, count: Int) -> (UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer, UnsafeRawPointer) {
        let last = first &+ count &- 1
        return (panel(first), panel(min(first &+ 1, last)), panel(min(first &+ 2, last)), panel(last))
    }

    @_transparent
    func requantizer(channel: Int) -> QuantizedRequantizer {
        QuantizedRequantizer(table, group: channel, zeroPoint: zeroPoint, minimum: minimum, maximum: maximum)
    }

    /// Requantizes and stores one panel's channels of a block's `valid` pixels, whose
    /// accumulators the micro-kernel left in memory (one vector per pixel). Out of
    /// line and a loop: inlined in the micro-kernels, the unrolled epilogue's size made
    /// the optimizer stop inlining their loads (a call per load in the hot loop).
    @inline(never)
    func storeBlock(_ accumulators: UnsafePointer<QuantizedVector>, valid: Int, channel: Int,
                    _ output: UnsafeMutablePointer<UInt8>, pixelStride: Int) {
        let count = min(PackedQuantizedWeights.panelWidth, outChannels &- channel)
        let out = output + channel
        if let doubleScales {
            for pixel in 0..<valid { storeDouble(accumulators[pixel], doubleScales + channel, count: count, out + pixel &* pixelStride) }
            return
        }
        let requantizer = requantizer(channel: channel)
        // Convolution multipliers are below 1: no left shift; ReLU and ReLU6 need no
        // negative correction (constants per loop).
        if count == 16 && !requantizer.shiftsLeft && !requantizer.correctsNegative {
            for pixel in 0..<valid {
                UnsafeMutableRawPointer(out + pixel &* pixelStride).storeBytes(
                    of: requantizer.bytes(accumulators[pixel], shiftsLeft: false, correctsNegative: false), as: SIMD16<UInt8>.self)
            }
        } else if count == 16 && !requantizer.shiftsLeft {
            for pixel in 0..<valid {
                UnsafeMutableRawPointer(out + pixel &* pixelStride).storeBytes(
                    of: requantizer.bytes(accumulators[pixel], shiftsLeft: false, correctsNegative: true), as: SIMD16<UInt8>.self)
            }
        } else {
            for pixel in 0..<valid {
                storeBytes(requantizer.bytes(accumulators[pixel]), out + pixel &* pixelStride, count: count)
            }
        }
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
