import Testing
import TinyImage

@Suite struct PixelConventionTests {
    /// Two pixels: (R 10, G 20, B 30) and (R 255, G 0, B 128).
    static let image = RGBImage(width: 2, height: 1, pixels: [10, 20, 30, 255, 0, 128])

    func expectClose(_ values: [Float], _ expected: [Float]) {
        #expect(values.count == expected.count)
        for (value, want) in zip(values, expected) { #expect(abs(value - want) <= 1e-6, "\(values) vs \(expected)") }
    }

    @Test func customVisionIsBGRFrom0To255() {
        #expect(Self.image.tensor(.bgr255(mean: nil)) == [30, 20, 10, 128, 0, 255])
    }

    @Test func customVisionMeanIsSubtractedPerChannel() {
        let expected: [Float] = [30 - 105, 20 - 117, 10 - 124, 128 - 105, 0 - 117, 255 - 124]
        #expect(Self.image.tensor(.bgr255(mean: PixelConvention.customVisionMean)) == expected)
        #expect(Self.image.tensor(.bgr255(mean: (b: 1, g: 2, r: 3))) == [29, 18, 7, 127, -2, 252])
    }

    @Test func rgbConventions() {
        #expect(Self.image.tensor(.rgb255) == [10, 20, 30, 255, 0, 128])
        expectClose(Self.image.tensor(.rgbUnit), [10, 20, 30, 255, 0, 128].map { $0 / 255 })
        expectClose(Self.image.tensor(.rgbSigned), [10, 20, 30, 255, 0, 128].map { $0 / 127.5 - 1 })
        let signed = Self.image.tensor(.rgbSigned)
        #expect(signed[3] == 1 && signed[4] == -1)   // 255 and 0 land exactly on the ends
    }

    @Test func tensorIsNHWC() {
        let image = RGBImage(width: 3, height: 2, pixels: (0 ..< 18).map { UInt8($0) })
        let tensor = image.tensor(.rgb255)
        #expect(tensor.count == 1 * 2 * 3 * 3)
        // [0, y, x, c] sits at (y * width + x) * 3 + c.
        #expect(tensor[(1 * 3 + 2) * 3 + 1] == Float(image[2, 1].g))
    }

    @Test func namesParseAndPrint() {
        for name in PixelConvention.names {
            #expect(PixelConvention(name: name)?.description == name)
        }
        #expect(PixelConvention(name: "rgb01").map { Self.image.tensor($0) } == Self.image.tensor(.rgbUnit))
        #expect(PixelConvention(name: "custom-vision").map { Self.image.tensor($0) } == [30, 20, 10, 128, 0, 255])
        #expect(PixelConvention(name: "BGR") == nil)
        #expect(PixelConvention(name: "") == nil)
    }
}
