import Testing
@_spi(Testing) @testable import TinyGraph

@Suite struct ResizeOpTests {
    enum Mode { case legacy, alignCorners, halfPixel }

    static func attributes(_ mode: Mode) -> [String: AttrValue] {
        ["align_corners": .bool(mode == .alignCorners), "half_pixel_centers": .bool(mode == .halfPixel)]
    }

    static func run(_ op: String, _ values: [Float], _ shape: [Int], size: [Int], _ mode: Mode) throws -> OpTest.Output {
        try OpTest.run(op, [OpTest.floats(values, shape), OpTest.int32s(size, name: "size")], attributes(mode))[0]
    }

    // MARK: Bilinear, hand-computed

    @Test func bilinearUpsampleRow() throws {
        // [0, 10] -> 4 columns.
        // legacy: scale 0.5, sources 0, 0.5, 1, 1.5 (clamped to 1).
        #expect(try Self.run("ResizeBilinear", [0, 10], [1, 1, 2, 1], size: [1, 4], .legacy).floats == [0, 5, 10, 10])
        // half pixel: sources -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
        #expect(try Self.run("ResizeBilinear", [0, 10], [1, 1, 2, 1], size: [1, 4], .halfPixel).floats == [0, 2.5, 7.5, 10])
        // align corners: scale 1/3.
        let aligned = try Self.run("ResizeBilinear", [0, 10], [1, 1, 2, 1], size: [1, 4], .alignCorners)
        #expect(aligned.shape == [1, 1, 4, 1])
        #expect(OpTest.compare(aligned.floats, [0, 10.0 / 3, 20.0 / 3, 10]) < 1e-5)
    }

    @Test func bilinearUpsample2D() throws {
        // 2x2 [[0, 1], [2, 3]] -> 3x3 with align corners: sources 0, 0.5, 1 on both axes.
        let output = try Self.run("ResizeBilinear", [0, 1, 2, 3], [1, 2, 2, 1], size: [3, 3], .alignCorners)
        #expect(output.shape == [1, 3, 3, 1])
        #expect(output.floats == [0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3])
        // legacy 2x2 -> 4x4: sources 0, 0.5, 1, 1.5 (clamped) on both axes.
        let legacy = try Self.run("ResizeBilinear", [0, 1, 2, 3], [1, 2, 2, 1], size: [4, 4], .legacy)
        #expect(legacy.floats == [0, 0.5, 1, 1, 1, 1.5, 2, 2, 2, 2.5, 3, 3, 2, 2.5, 3, 3])
    }

    @Test func bilinearDownsample() throws {
        // [0, 1, 2, 3] -> 2 columns.
        #expect(try Self.run("ResizeBilinear", [0, 1, 2, 3], [1, 1, 4, 1], size: [1, 2], .legacy).floats == [0, 2])  // sources 0, 2
        #expect(try Self.run("ResizeBilinear", [0, 1, 2, 3], [1, 1, 4, 1], size: [1, 2], .halfPixel).floats == [0.5, 2.5])  // 0.5, 2.5
        #expect(try Self.run("ResizeBilinear", [0, 1, 2, 3], [1, 1, 4, 1], size: [1, 2], .alignCorners).floats == [0, 3])  // 0, 3
        // To one pixel: align corners with out 1 uses in/out (scale 4), source 0.
        #expect(try Self.run("ResizeBilinear", [0, 1, 2, 3], [1, 1, 4, 1], size: [1, 1], .alignCorners).floats == [0])
        // Half pixel to one pixel: source (0.5)*4 - 0.5 = 1.5.
        #expect(try Self.run("ResizeBilinear", [0, 1, 2, 3], [1, 1, 4, 1], size: [1, 1], .halfPixel).floats == [1.5])
    }

    @Test func bilinearSameSizeIsCopy() throws {
        let values = OpTest.randomFloats(2 * 3 * 4 * 2, seed: 9)
        for mode in [Mode.legacy, .alignCorners, .halfPixel] {
            #expect(try Self.run("ResizeBilinear", values, [2, 3, 4, 2], size: [3, 4], mode).floats == values)
        }
    }

    @Test func bilinearMultiChannelAgainstNaive() throws {
        // Independent Double evaluation of TensorFlow's formulas (Float scale as TF).
        let shape = [2, 5, 3, 3]
        let values = OpTest.randomFloats(shape.reduce(1, *), seed: 10)
        for mode in [Mode.legacy, .alignCorners, .halfPixel] {
            for size in [[8, 7], [2, 2], [5, 1]] {
                let output = try Self.run("ResizeBilinear", values, shape, size: size, mode)
                #expect(output.shape == [2, size[0], size[1], 3])
                func source(_ i: Int, _ inSize: Int, _ outSize: Int) -> (Int, Int, Double) {
                    let scale = mode == .alignCorners && outSize > 1 ? Float(inSize - 1) / Float(outSize - 1) : Float(inSize) / Float(outSize)
                    let s = mode == .halfPixel ? (Double(i) + 0.5) * Double(scale) - 0.5 : Double(i) * Double(scale)
                    let f = s.rounded(.down)
                    return (max(Int(f), 0), min(Int(s.rounded(.up)), inSize - 1), s - f)
                }
                var expected: [Float] = []
                for n in 0..<2 { for y in 0..<size[0] { for x in 0..<size[1] { for c in 0..<3 {
                    let (y0, y1, yl) = source(y, 5, size[0])
                    let (x0, x1, xl) = source(x, 3, size[1])
                    func at(_ yy: Int, _ xx: Int) -> Double { Double(values[((n * 5 + yy) * 3 + xx) * 3 + c]) }
                    let top = at(y0, x0) + (at(y0, x1) - at(y0, x0)) * xl
                    let bottom = at(y1, x0) + (at(y1, x1) - at(y1, x0)) * xl
                    expected.append(Float(top + (bottom - top) * yl))
                } } } }
                #expect(OpTest.compare(output.floats, expected) < 1e-5)
            }
        }
    }

    // MARK: Nearest, hand-computed

    @Test func nearestUpsample() throws {
        // [0, 10, 20] -> 5.
        // legacy: floor(x * 0.6) = 0, 0, 1, 1, 2.
        #expect(try Self.run("ResizeNearestNeighbor", [0, 10, 20], [1, 1, 3, 1], size: [1, 5], .legacy).floats == [0, 0, 10, 10, 20])
        // align corners: round(x * 0.5), halves away from zero = 0, 1, 1, 2, 2.
        #expect(try Self.run("ResizeNearestNeighbor", [0, 10, 20], [1, 1, 3, 1], size: [1, 5], .alignCorners).floats == [0, 10, 10, 20, 20])
        // half pixel: floor((x + 0.5) * 0.6) = 0, 0, 1, 2, 2.
        #expect(try Self.run("ResizeNearestNeighbor", [0, 10, 20], [1, 1, 3, 1], size: [1, 5], .halfPixel).floats == [0, 0, 10, 20, 20])
    }

    @Test func nearestDownsample2D() throws {
        // 5x5 image 0...24 -> 2x2: legacy floor(x * 2.5) = 0, 2; align round(x * 4) = 0, 4;
        // half pixel floor((x + 0.5) * 2.5) = 1, 3.
        let image = (0..<25).map { Float($0) }
        #expect(try Self.run("ResizeNearestNeighbor", image, [1, 5, 5, 1], size: [2, 2], .legacy).floats == [0, 2, 10, 12])
        #expect(try Self.run("ResizeNearestNeighbor", image, [1, 5, 5, 1], size: [2, 2], .alignCorners).floats == [0, 4, 20, 24])
        #expect(try Self.run("ResizeNearestNeighbor", image, [1, 5, 5, 1], size: [2, 2], .halfPixel).floats == [6, 8, 16, 18])
    }

    @Test func nearestCopiesAllChannelsAndIntegers() throws {
        // Two channels, int32 image [[1, 2], [3, 4]] per channel -> 1x4 legacy: columns 0, 0, 1, 1.
        let output = try OpTest.run(
            "ResizeNearestNeighbor",
            [OpTest.int32s([1, -1, 2, -2], [1, 1, 2, 2], name: "x"), OpTest.int32s([1, 4], name: "size")],
            Self.attributes(.legacy))[0]
        #expect(output.type == TensorType(.int32, [1, 1, 4, 2]))
        #expect(output.ints == [1, -1, 1, -1, 2, -2, 2, -2])
    }

    @Test func resolvedParameters() throws {
        let resolved = try OpTest.resolve(
            "ResizeBilinear", [OpTest.activation([1, 10, 20, 3]), OpTest.int32s([4, 41], name: "size")], Self.attributes(.alignCorners))
        #expect(resolved.runtimeInputs == [0])
        #expect(resolved.outputTypes == [TensorType(.float32, [1, 4, 41, 3])])
        guard case .resize(let op) = resolved.operation else { Issue.record("not a resize"); return }
        #expect(op.kind == .bilinear && op.alignCorners && !op.halfPixelCenters)
        #expect(op.heightScale == Float(9) / Float(3) && op.widthScale == Float(19) / Float(40))
    }

    // MARK: Errors

    @Test func errors() {
        for op in ["ResizeBilinear", "ResizeNearestNeighbor"] {
            func expectError(_ image: Value, _ size: Value, _ attributes: [String: AttrValue] = Self.attributes(.legacy)) {
                #expect(throws: TinyGraphError.self) { try OpTest.resolve(op, [image, size], attributes) }
            }
            let image = OpTest.activation([1, 4, 4, 3])
            let size = OpTest.int32s([8, 8], name: "size")
            expectError(image, size, ["align_corners": .bool(true), "half_pixel_centers": .bool(true)])
            expectError(image, OpTest.activation([2], .int32, name: "size"))  // not a constant
            expectError(image, OpTest.int32s([8, 8, 3], name: "size"))
            expectError(image, OpTest.int32s([8, 8], [1, 2], name: "size"))
            expectError(image, OpTest.int32s([0, 8], name: "size"))
            expectError(image, OpTest.int32s([8, -2], name: "size"))
            expectError(image, OpTest.int64s([8, 8], name: "size"))  // TensorFlow's size is int32
            expectError(OpTest.activation([4, 4, 3]), size)  // rank 3
            expectError(OpTest.activation([1, 0, 4, 3]), size)  // empty image
            expectError(OpTest.activation([1, 4, 4, 0]), size)  // no channel
            expectError(image, size, ["align_corners": .int(1)])
            #expect(throws: TinyGraphError.self) { try OpTest.resolve(op, [image]) }
        }
        #expect(throws: TinyGraphError.self) {
            try OpTest.resolve("ResizeBilinear", [OpTest.activation([1, 4, 4, 3], .int32), OpTest.int32s([8, 8], name: "size")])
        }
    }
}
