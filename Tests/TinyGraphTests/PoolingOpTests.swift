import Testing
@_spi(Testing) @testable import TinyGraph

@Suite struct PoolingOpTests {
    static func attributes(ksize: [Int], strides: [Int], padding: String) -> [String: AttrValue] {
        ["ksize": OpTest.ints(ksize), "strides": OpTest.ints(strides), "padding": OpTest.string(padding)]
    }

    /// Naive pooling: for each output, visits every window position and skips the
    /// ones outside the image (padding given explicitly).
    static func naive(
        _ input: [Float], _ shape: [Int], window: (Int, Int), stride: (Int, Int), pads: (top: Int, left: Int), outSize: (Int, Int), average: Bool
    ) -> [Float] {
        let (n, h, w, c) = (shape[0], shape[1], shape[2], shape[3])
        var out: [Float] = []
        for b in 0..<n { for oy in 0..<outSize.0 { for ox in 0..<outSize.1 { for ch in 0..<c {
            var values: [Float] = []
            for ky in 0..<window.0 { for kx in 0..<window.1 {
                let y = oy * stride.0 - pads.top + ky
                let x = ox * stride.1 - pads.left + kx
                if y >= 0, y < h, x >= 0, x < w { values.append(input[((b * h + y) * w + x) * c + ch]) }
            } }
            out.append(average ? values.reduce(0, +) / Float(values.count) : values.max()!)
        } } } }
        return out
    }

    static func poolingOp(_ resolved: ResolvedNode) -> PoolingOp? {
        if case .pooling(let op) = resolved.operation { return op }
        return nil
    }

    // MARK: Hand-computed

    @Test func maxPoolValidOdd() throws {
        // 5x5 image 0...24, 2x2 windows, stride 2, VALID: last row/column dropped.
        let image = (0..<25).map { Float($0) }
        let output = try OpTest.run(
            "MaxPool", [OpTest.floats(image, [1, 5, 5, 1])], Self.attributes(ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1], padding: "VALID"))
        #expect(output[0].shape == [1, 2, 2, 1])
        #expect(output[0].floats == [6, 8, 16, 18])
    }

    @Test func maxPoolSameIgnoresPadding() throws {
        // Negative 5x5 image: padding on the bottom/right must not act as a 0.
        let image = (0..<25).map { -Float($0) - 1 }
        let output = try OpTest.run(
            "MaxPool", [OpTest.floats(image, [1, 5, 5, 1])], Self.attributes(ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1], padding: "SAME"))
        #expect(output[0].shape == [1, 3, 3, 1])
        #expect(output[0].floats == [-1, -3, -5, -11, -13, -15, -21, -23, -25])
        let op = try #require(Self.poolingOp(try OpTest.resolve(
            "MaxPool", [OpTest.floats(image, [1, 5, 5, 1])], Self.attributes(ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1], padding: "SAME"))))
        #expect(op.kind == .max && op.padTop == 0 && op.padBottom == 1 && op.padLeft == 0 && op.padRight == 1)
    }

    @Test func avgPoolSameCountsValidElements() throws {
        // 3x3 image 1...9, 3x3 window, stride 1, SAME (pad 1 everywhere).
        // Corner (0,0): (1+2+4+5)/4 = 3; edge (0,1): (1+2+3+4+5+6)/6 = 3.5; centre 45/9 = 5.
        let image = (1...9).map { Float($0) }
        let output = try OpTest.run(
            "AvgPool", [OpTest.floats(image, [1, 3, 3, 1])], Self.attributes(ksize: [1, 3, 3, 1], strides: [1, 1, 1, 1], padding: "SAME"))
        #expect(output[0].shape == [1, 3, 3, 1])
        #expect(output[0].floats == [3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7])
    }

    @Test func avgPoolValidHandComputed() throws {
        // Two channels, 2x3 image, 2x2 window stride 1.
        let image: [Float] = [1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60]
        let output = try OpTest.run(
            "AvgPool", [OpTest.floats(image, [1, 2, 3, 2])], Self.attributes(ksize: [1, 2, 2, 1], strides: [1, 1, 1, 1], padding: "VALID"))
        #expect(output[0].shape == [1, 1, 2, 2])
        #expect(output[0].floats == [3, 30, 4, 40])
    }

    // MARK: Against the naive implementation

    @Test func poolsSameAndValidOddSizes() throws {
        // window (3, 2) larger than stride (2, 1) in height; odd sizes.
        let shape = [2, 7, 5, 3]
        let image = OpTest.randomFloats(shape.reduce(1, *), seed: 5)
        for (opType, average) in [("MaxPool", false), ("AvgPool", true)] {
            // SAME: H 7 -> 4, total pad (3*2+3-7)=2 -> 1/1; W 5 -> 5, total 1 -> 0/1.
            let same = try OpTest.run(
                opType, [OpTest.floats(image, shape)], Self.attributes(ksize: [1, 3, 2, 1], strides: [1, 2, 1, 1], padding: "SAME"))
            #expect(same[0].shape == [2, 4, 5, 3])
            let expectedSame = Self.naive(image, shape, window: (3, 2), stride: (2, 1), pads: (1, 0), outSize: (4, 5), average: average)
            #expect(OpTest.compare(same[0].floats, expectedSame) < 1e-6)
            // VALID: H (7-3)/2+1 = 3, W (5-2)/1+1 = 4.
            let valid = try OpTest.run(
                opType, [OpTest.floats(image, shape)], Self.attributes(ksize: [1, 3, 2, 1], strides: [1, 2, 1, 1], padding: "VALID"))
            #expect(valid[0].shape == [2, 3, 4, 3])
            let expectedValid = Self.naive(image, shape, window: (3, 2), stride: (2, 1), pads: (0, 0), outSize: (3, 4), average: average)
            #expect(OpTest.compare(valid[0].floats, expectedValid) < 1e-6)
        }
    }

    @Test func sameStride2Window3() throws {
        // The common 3x3/2 SAME pool on an odd image: 9 -> 5, total pad 2 -> 1/1.
        let shape = [1, 9, 9, 4]
        let image = OpTest.randomFloats(shape.reduce(1, *), seed: 6)
        for (opType, average) in [("MaxPool", false), ("AvgPool", true)] {
            let output = try OpTest.run(
                opType, [OpTest.floats(image, shape)], Self.attributes(ksize: [1, 3, 3, 1], strides: [1, 2, 2, 1], padding: "SAME"))
            #expect(output[0].shape == [1, 5, 5, 4])
            let expected = Self.naive(image, shape, window: (3, 3), stride: (2, 2), pads: (1, 1), outSize: (5, 5), average: average)
            #expect(OpTest.compare(output[0].floats, expected) < 1e-6)
        }
    }

    @Test func globalAveragePool14x14() throws {
        let shape = [1, 14, 14, 5]
        let image = OpTest.randomFloats(shape.reduce(1, *), seed: 7)
        let output = try OpTest.run(
            "AvgPool", [OpTest.floats(image, shape)], Self.attributes(ksize: [1, 14, 14, 1], strides: [1, 1, 1, 1], padding: "VALID"))
        #expect(output[0].shape == [1, 1, 1, 5])
        for channel in 0..<5 {
            var sum: Double = 0
            for pixel in 0..<196 { sum += Double(image[pixel * 5 + channel]) }
            #expect(abs(Double(output[0].floats[channel]) - sum / 196) < 1e-5)
        }
    }

    // MARK: Errors

    static func expectError(op opType: String = "MaxPool", input: [Int] = [1, 5, 5, 3], _ attributes: [String: AttrValue]) {
        #expect(throws: TinyGraphError.self) {
            try OpTest.resolve(opType, [OpTest.activation(input)], attributes)
        }
    }

    @Test func attributeErrors() {
        for op in ["MaxPool", "AvgPool"] {
            Self.expectError(op: op, Self.attributes(ksize: [1, 2, 2], strides: [1, 1, 1, 1], padding: "SAME"))
            Self.expectError(op: op, Self.attributes(ksize: [1, 2, 2, 1], strides: [1, 1, 1], padding: "SAME"))
            Self.expectError(op: op, Self.attributes(ksize: [2, 2, 2, 1], strides: [1, 1, 1, 1], padding: "SAME"))
            Self.expectError(op: op, Self.attributes(ksize: [1, 2, 2, 2], strides: [1, 1, 1, 1], padding: "SAME"))
            Self.expectError(op: op, Self.attributes(ksize: [1, 2, 2, 1], strides: [2, 1, 1, 1], padding: "SAME"))
            Self.expectError(op: op, Self.attributes(ksize: [1, 2, 2, 1], strides: [1, 1, 1, 2], padding: "SAME"))
            Self.expectError(op: op, Self.attributes(ksize: [1, 0, 2, 1], strides: [1, 1, 1, 1], padding: "SAME"))
            Self.expectError(op: op, Self.attributes(ksize: [1, 2, 2, 1], strides: [1, 1, 0, 1], padding: "SAME"))
            Self.expectError(op: op, Self.attributes(ksize: [1, 2, 2, 1], strides: [1, 1, 1, 1], padding: "EXPLICIT"))
            Self.expectError(op: op, ["ksize": OpTest.ints([1, 2, 2, 1]), "padding": OpTest.string("SAME")])
            var nchw = Self.attributes(ksize: [1, 2, 2, 1], strides: [1, 1, 1, 1], padding: "SAME")
            nchw["data_format"] = OpTest.string("NCHW")
            Self.expectError(op: op, nchw)
        }
    }

    @Test func shapeErrors() {
        let valid = Self.attributes(ksize: [1, 3, 3, 1], strides: [1, 1, 1, 1], padding: "VALID")
        Self.expectError(input: [5, 5, 3], valid)  // rank 3
        Self.expectError(input: [1, 2, 5, 3], valid)  // window taller than the image
        Self.expectError(op: "AvgPool", input: [1, 5, 2, 3], valid)
        #expect(throws: TinyGraphError.self) {
            try OpTest.resolve("MaxPool", [OpTest.activation([1, 5, 5, 3], .int32)], valid)
        }
        #expect(throws: TinyGraphError.self) {
            try OpTest.resolve("AvgPool", [OpTest.activation([1, 5, 5, 3]), OpTest.activation([1, 5, 5, 3])], valid)
        }
    }
}
