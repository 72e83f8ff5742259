import Testing
@_spi(Testing) @testable import TinyGraph

@Suite struct ConvolutionOpTests {
    // MARK: Independent naive implementation

    /// TensorFlow's SAME padding for one axis, written out independently of the engine.
    static func samePadding(_ size: Int, kernel: Int, stride: Int, dilation: Int) -> (Int, Int) {
        let out = (size + stride - 1) / stride
        let effective = (kernel - 1) * dilation + 1
        let total = max((out - 1) * stride + effective - size, 0)
        return (total / 2, total - total / 2)
    }

    /// Pads the input with zeros explicitly, then accumulates every filter tap over a
    /// VALID window (scatter order: taps outer, output positions inner).
    /// `depthwise`: filter [KH, KW, C, M], output channel c*M+m.
    static func naive(
        _ input: [Float], _ inShape: [Int], _ filter: [Float], _ fShape: [Int],
        stride: (Int, Int), dilation: (Int, Int) = (1, 1), pads: (Int, Int, Int, Int), depthwise: Bool = false
    ) -> (shape: [Int], values: [Float]) {
        let (n, h, w, c) = (inShape[0], inShape[1], inShape[2], inShape[3])
        let (kh, kw, fo) = (fShape[0], fShape[1], fShape[3])
        let ph = h + pads.0 + pads.1
        let pw = w + pads.2 + pads.3
        var padded = [Float](repeating: 0, count: n * ph * pw * c)
        for b in 0..<n { for y in 0..<h { for x in 0..<w { for ch in 0..<c {
            padded[((b * ph + y + pads.0) * pw + x + pads.2) * c + ch] = input[((b * h + y) * w + x) * c + ch]
        } } } }
        let oh = (ph - ((kh - 1) * dilation.0 + 1)) / stride.0 + 1
        let ow = (pw - ((kw - 1) * dilation.1 + 1)) / stride.1 + 1
        let oc = depthwise ? c * fo : fo
        var out = [Float](repeating: 0, count: n * oh * ow * oc)
        for ky in 0..<kh { for kx in 0..<kw { for ch in 0..<c { for o in 0..<fo {
            let weight = filter[((ky * kw + kx) * c + ch) * fo + o]
            let outChannel = depthwise ? ch * fo + o : o
            for b in 0..<n { for oy in 0..<oh { for ox in 0..<ow {
                let value = padded[((b * ph + oy * stride.0 + ky * dilation.0) * pw + ox * stride.1 + kx * dilation.1) * c + ch]
                out[((b * oh + oy) * ow + ox) * oc + outChannel] += value * weight
            } } }
        } } } }
        return ([n, oh, ow, oc], out)
    }

    static func attributes(strides: [Int], padding: String, dilations: [Int]? = nil, explicit: [Int]? = nil) -> [String: AttrValue] {
        var attributes: [String: AttrValue] = ["strides": OpTest.ints(strides), "padding": OpTest.string(padding)]
        if let dilations { attributes["dilations"] = OpTest.ints(dilations) }
        if let explicit { attributes["explicit_paddings"] = OpTest.ints(explicit) }
        return attributes
    }

    static func convolutionOp(_ resolved: ResolvedNode) -> ConvolutionOp? {
        if case .convolution(let op) = resolved.operation { return op }
        return nil
    }

    /// Runs the op on random data and compares with `naive`.
    static func check(
        _ opType: String, inShape: [Int], fShape: [Int], attributes: [String: AttrValue],
        stride: (Int, Int), dilation: (Int, Int) = (1, 1), pads: (Int, Int, Int, Int), seed: UInt64
    ) throws {
        let input = OpTest.randomFloats(inShape.reduce(1, *), seed: seed)
        let filter = OpTest.randomFloats(fShape.reduce(1, *), seed: seed &+ 1)
        let resolved = try OpTest.resolve(opType, [OpTest.floats(input, inShape), OpTest.floats(filter, fShape, name: "w")], attributes)
        let op = try #require(convolutionOp(resolved))
        #expect(op.padTop == pads.0 && op.padBottom == pads.1 && op.padLeft == pads.2 && op.padRight == pads.3)
        #expect(op.strideH == stride.0 && op.strideW == stride.1 && op.dilationH == dilation.0 && op.dilationW == dilation.1)
        #expect(op.activation == .none)
        // A constant filter is packed at resolve time and the kernel then reads only the
        // input; depthwise with a multiplier above 1 keeps the reference kernel.
        let packs = opType == "Conv2D" || fShape[3] == 1
        #expect((op.packedWeights != nil) == packs)
        #expect(resolved.runtimeInputs == (packs ? [0] : [0, 1]))

        let output = try OpTest.run(opType, [OpTest.floats(input, inShape), OpTest.floats(filter, fShape, name: "w")], attributes)
        let expected = naive(input, inShape, filter, fShape, stride: stride, dilation: dilation, pads: pads, depthwise: opType != "Conv2D")
        #expect(output.count == 1)
        #expect(output[0].shape == expected.shape)
        #expect(output[0].type.dtype == .float32)
        #expect(OpTest.compare(output[0].floats, expected.values) < 1e-4)
    }

    // MARK: Conv2D values

    @Test func conv2DValidHandComputed() throws {
        // 3x3 image 1...9, 2x2 filter [[1, 2], [3, 4]].
        let output = try OpTest.run(
            "Conv2D",
            [OpTest.floats([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]), OpTest.floats([1, 2, 3, 4], [2, 2, 1, 1], name: "w")],
            Self.attributes(strides: [1, 1, 1, 1], padding: "VALID"))
        #expect(output[0].shape == [1, 2, 2, 1])
        #expect(output[0].floats == [37, 47, 67, 77])
    }

    @Test func conv2DSameHandComputedCorner() throws {
        // 3x3 ones image, 3x3 ones filter, SAME: each output counts its in-image taps.
        let output = try OpTest.run(
            "Conv2D",
            [OpTest.floats([Float](repeating: 1, count: 9), [1, 3, 3, 1]), OpTest.floats([Float](repeating: 1, count: 9), [3, 3, 1, 1], name: "w")],
            Self.attributes(strides: [1, 1, 1, 1], padding: "SAME"))
        #expect(output[0].floats == [4, 6, 4, 6, 9, 6, 4, 6, 4])
    }

    @Test func conv2DSameStride2OddSizes() throws {
        // H 7, W 5, kernel 4, stride 2: out 4x3, padding totals 3 (1 before, 2 after).
        try Self.check(
            "Conv2D", inShape: [2, 7, 5, 3], fShape: [4, 4, 3, 5],
            attributes: Self.attributes(strides: [1, 2, 2, 1], padding: "SAME"),
            stride: (2, 2), pads: (1, 2, 1, 2), seed: 11)
        // Kernel 3, stride 2 on 6x4: totals 1 -> all on the bottom/right.
        try Self.check(
            "Conv2D", inShape: [1, 6, 4, 7], fShape: [3, 3, 7, 3],
            attributes: Self.attributes(strides: [1, 2, 2, 1], padding: "SAME"),
            stride: (2, 2), pads: (0, 1, 0, 1), seed: 12)
    }

    @Test func conv2DValidChannels() throws {
        try Self.check(
            "Conv2D", inShape: [1, 6, 7, 7], fShape: [3, 2, 7, 3],
            attributes: Self.attributes(strides: [1, 2, 1, 1], padding: "VALID"),
            stride: (2, 1), pads: (0, 0, 0, 0), seed: 21)
        try Self.check(
            "Conv2D", inShape: [2, 5, 5, 5], fShape: [1, 1, 5, 7],
            attributes: Self.attributes(strides: [1, 1, 1, 1], padding: "VALID"),
            stride: (1, 1), pads: (0, 0, 0, 0), seed: 22)
    }

    @Test func conv2DExplicitPadding() throws {
        try Self.check(
            "Conv2D", inShape: [1, 5, 4, 2], fShape: [2, 3, 2, 3],
            attributes: Self.attributes(strides: [1, 1, 2, 1], padding: "EXPLICIT", explicit: [0, 0, 1, 2, 0, 3, 0, 0]),
            stride: (1, 2), pads: (1, 2, 0, 3), seed: 31)
    }

    @Test func conv2DDilation2() throws {
        try Self.check(
            "Conv2D", inShape: [1, 7, 7, 3], fShape: [3, 3, 3, 2],
            attributes: Self.attributes(strides: [1, 1, 1, 1], padding: "SAME", dilations: [1, 2, 2, 1]),
            stride: (1, 1), dilation: (2, 2), pads: (2, 2, 2, 2), seed: 41)
        try Self.check(
            "Conv2D", inShape: [1, 8, 7, 5], fShape: [3, 2, 5, 3],
            attributes: Self.attributes(strides: [1, 2, 2, 1], padding: "VALID", dilations: [1, 2, 3, 1]),
            stride: (2, 2), dilation: (2, 3), pads: (0, 0, 0, 0), seed: 42)
        let pads = Self.samePadding(9, kernel: 3, stride: 2, dilation: 2)
        try Self.check(
            "Conv2D", inShape: [1, 9, 9, 3], fShape: [3, 3, 3, 4],
            attributes: Self.attributes(strides: [1, 2, 2, 1], padding: "SAME", dilations: [1, 2, 2, 1]),
            stride: (2, 2), dilation: (2, 2), pads: (pads.0, pads.1, pads.0, pads.1), seed: 43)
    }

    @Test func conv2DFusedActivationField() throws {
        // The kernel applies the activation field (used by later fusion).
        let input = OpTest.randomFloats(1 * 4 * 4 * 3, seed: 51)
        let filter = OpTest.randomFloats(3 * 3 * 3 * 2, seed: 52)
        let resolved = try OpTest.resolve(
            "Conv2D", [OpTest.floats(input, [1, 4, 4, 3]), OpTest.floats(filter, [3, 3, 3, 2], name: "w")],
            Self.attributes(strides: [1, 1, 1, 1], padding: "SAME"))
        var op = try #require(Self.convolutionOp(resolved))
        let plain = Self.naive(input, [1, 4, 4, 3], filter, [3, 3, 3, 2], stride: (1, 1), pads: (1, 1, 1, 1)).values
        let cases: [(ConvolutionOp.Activation, (Float) -> Float)] = [(.relu, { max($0, 0) }), (.relu6, { min(max($0, 0), 6) })]
        for (activation, function) in cases {
            op.activation = activation
            let inputs = [OpTest.floats(input, [1, 4, 4, 3]), OpTest.floats(filter, [3, 3, 3, 2], name: "w")]
            let buffers = ConstantFolding.evaluate(
                ResolvedNode(operation: .convolution(op), runtimeInputs: [0, 1], outputTypes: resolved.outputTypes), inputs: inputs)
            // The buffer must outlive the read: an optimised build may release it right
            // after its last use, before the pointer is read.
            let values = withExtendedLifetime(buffers) {
                Array(UnsafeBufferPointer(start: buffers[0].bytes.assumingMemoryBound(to: Float.self), count: plain.count))
            }
            #expect(OpTest.compare(values, plain.map(function)) < 1e-4)
        }
    }

    // MARK: Depthwise values

    @Test func depthwiseMultiplier2Stride2() throws {
        // H 7 -> 4 (total pad 2: 1/1), W 6 -> 3 (total pad 1: 0/1).
        try Self.check(
            "DepthwiseConv2dNative", inShape: [2, 7, 6, 3], fShape: [3, 3, 3, 2],
            attributes: Self.attributes(strides: [1, 2, 2, 1], padding: "SAME"),
            stride: (2, 2), pads: (1, 1, 0, 1), seed: 61)
    }

    @Test func depthwiseHandComputed() throws {
        // Two channels, multiplier 2, 1x1 image with a 1x1 filter: out[c*2+m] = x[c] * w[c, m].
        let output = try OpTest.run(
            "DepthwiseConv2dNative",
            [OpTest.floats([2, 3], [1, 1, 1, 2]), OpTest.floats([10, 20, 30, 40], [1, 1, 2, 2], name: "w")],
            Self.attributes(strides: [1, 1, 1, 1], padding: "VALID"))
        #expect(output[0].shape == [1, 1, 1, 4])
        #expect(output[0].floats == [20, 40, 90, 120])
    }

    @Test func depthwiseValidExplicitAndDilation() throws {
        try Self.check(
            "DepthwiseConv2dNative", inShape: [1, 6, 5, 5], fShape: [2, 3, 5, 1],
            attributes: Self.attributes(strides: [1, 1, 1, 1], padding: "VALID"),
            stride: (1, 1), pads: (0, 0, 0, 0), seed: 71)
        try Self.check(
            "DepthwiseConv2dNative", inShape: [1, 5, 5, 3], fShape: [3, 3, 3, 3],
            attributes: Self.attributes(strides: [1, 2, 2, 1], padding: "EXPLICIT", explicit: [0, 0, 2, 1, 1, 0, 0, 0]),
            stride: (2, 2), pads: (2, 1, 1, 0), seed: 72)
        try Self.check(
            "DepthwiseConv2dNative", inShape: [1, 7, 7, 7], fShape: [3, 3, 7, 2],
            attributes: Self.attributes(strides: [1, 1, 1, 1], padding: "SAME", dilations: [1, 2, 2, 1]),
            stride: (1, 1), dilation: (2, 2), pads: (2, 2, 2, 2), seed: 73)
    }

    // MARK: Errors

    static func expectError(op opType: String = "Conv2D", input: [Int] = [1, 5, 5, 3], filter: [Int] = [3, 3, 3, 4], _ attributes: [String: AttrValue]) {
        #expect(throws: TinyGraphError.self) {
            try OpTest.resolve(opType, [OpTest.activation(input), OpTest.activation(filter, name: "w")], attributes)
        }
    }

    @Test func stridesErrors() {
        for op in ["Conv2D", "DepthwiseConv2dNative"] {
            Self.expectError(op: op, Self.attributes(strides: [1, 1, 1], padding: "SAME"))
            Self.expectError(op: op, Self.attributes(strides: [2, 1, 1, 1], padding: "SAME"))
            Self.expectError(op: op, Self.attributes(strides: [1, 1, 1, 2], padding: "SAME"))
            Self.expectError(op: op, Self.attributes(strides: [1, 0, 1, 1], padding: "SAME"))
            Self.expectError(op: op, ["padding": OpTest.string("SAME")])  // strides missing
            Self.expectError(op: op, Self.attributes(strides: [1, 1, 1, 1], padding: "SAME", dilations: [1, 1, 1]))
            Self.expectError(op: op, Self.attributes(strides: [1, 1, 1, 1], padding: "SAME", dilations: [2, 1, 1, 1]))
            Self.expectError(op: op, Self.attributes(strides: [1, 1, 1, 1], padding: "SAME", dilations: [1, 0, 1, 1]))
        }
        // TensorFlow's depthwise kernel needs equal row and column strides.
        Self.expectError(op: "DepthwiseConv2dNative", Self.attributes(strides: [1, 1, 2, 1], padding: "SAME"))
    }

    @Test func paddingErrors() {
        Self.expectError(Self.attributes(strides: [1, 1, 1, 1], padding: "FULL"))
        Self.expectError(["strides": OpTest.ints([1, 1, 1, 1])])  // padding missing
        Self.expectError(Self.attributes(strides: [1, 1, 1, 1], padding: "EXPLICIT"))  // explicit_paddings missing
        Self.expectError(Self.attributes(strides: [1, 1, 1, 1], padding: "EXPLICIT", explicit: [0, 0, 1, 1, 1, 1]))
        Self.expectError(Self.attributes(strides: [1, 1, 1, 1], padding: "EXPLICIT", explicit: [1, 0, 1, 1, 1, 1, 0, 0]))
        Self.expectError(Self.attributes(strides: [1, 1, 1, 1], padding: "EXPLICIT", explicit: [0, 0, 1, 1, 1, 1, 0, 1]))
        Self.expectError(Self.attributes(strides: [1, 1, 1, 1], padding: "EXPLICIT", explicit: [0, 0, -1, 1, 1, 1, 0, 0]))
        Self.expectError(Self.attributes(strides: [1, 1, 1, 1], padding: "SAME", explicit: [0, 0, 1, 1, 1, 1, 0, 0]))
        // VALID with a window larger than the image, also when dilated.
        Self.expectError(input: [1, 2, 5, 3], Self.attributes(strides: [1, 1, 1, 1], padding: "VALID"))
        Self.expectError(input: [1, 4, 5, 3], Self.attributes(strides: [1, 1, 1, 1], padding: "VALID", dilations: [1, 2, 1, 1]))
        Self.expectError(input: [1, 0, 5, 3], Self.attributes(strides: [1, 1, 1, 1], padding: "SAME"))
    }

    @Test func shapeAndTypeErrors() {
        let valid = Self.attributes(strides: [1, 1, 1, 1], padding: "SAME")
        for op in ["Conv2D", "DepthwiseConv2dNative"] {
            Self.expectError(op: op, input: [1, 5, 5, 4], valid)  // channels 4 vs filter 3
            Self.expectError(op: op, input: [5, 5, 3], valid)  // rank 3 input
            Self.expectError(op: op, filter: [3, 3, 3], valid)  // rank 3 filter
            Self.expectError(op: op, filter: [0, 3, 3, 4], valid)  // empty filter
            var nchw = valid
            nchw["data_format"] = OpTest.string("NCHW")
            Self.expectError(op: op, nchw)
            #expect(throws: TinyGraphError.self) {
                try OpTest.resolve(op, [OpTest.activation([1, 5, 5, 3], .int32), OpTest.activation([3, 3, 3, 4], name: "w")], valid)
            }
            #expect(throws: TinyGraphError.self) {
                try OpTest.resolve(op, [OpTest.activation([1, 5, 5, 3])], valid)
            }
        }
        // A grouped convolution (input channels a multiple of the filter's) is not supported.
        Self.expectError(input: [1, 5, 5, 6], valid)
    }

    @Test func resolvesWithActivationFilter() throws {
        // Non-constant filter is fine (runtime input), shape computed at resolve.
        let resolved = try OpTest.resolve(
            "Conv2D", [OpTest.activation([1, 224, 224, 3]), OpTest.activation([7, 7, 3, 64], name: "w")],
            Self.attributes(strides: [1, 2, 2, 1], padding: "SAME"))
        #expect(resolved.outputTypes == [TensorType(.float32, [1, 112, 112, 64])])
        let op = try #require(Self.convolutionOp(resolved))
        #expect(op.kind == .conv2D && op.padTop == 2 && op.padBottom == 3 && op.padLeft == 2 && op.padRight == 3)
    }
}
