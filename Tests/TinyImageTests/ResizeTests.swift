import Testing
@testable import TinyImage

@Suite struct ResizeTests {
    /// An image whose red channel holds `rows` (green and blue zero).
    static func red(_ rows: [[UInt8]]) -> RGBImage {
        RGBImage(width: rows[0].count, height: rows.count, pixels: rows.flatMap { $0.flatMap { [$0, 0, 0] } })
    }

    static func redRows(_ image: RGBImage) -> [[UInt8]] {
        (0 ..< image.height).map { y in (0 ..< image.width).map { x in image[x, y].r } }
    }

    /// TensorFlow's tf.image.resize([[0, 100]], [1, 4]) gives [0, 25, 75, 100]:
    /// half-pixel centres sample at −0.25, 0.25, 0.75, 1.25 (clamped at the
    /// edges). The old align_corners=False rule would give [0, 50, 100, 100].
    @Test func enlargingUsesHalfPixelCentres() {
        #expect(Self.redRows(Self.red([[0, 100]]).resizedBilinear(width: 4, height: 1)) == [[0, 25, 75, 100]])
    }

    /// Shrinking 4 → 2 samples at 0.5 and 2.5: [20, 100] (legacy TF: [0, 80]).
    @Test func shrinkingUsesHalfPixelCentres() {
        #expect(Self.redRows(Self.red([[0, 40, 80, 120]]).resizedBilinear(width: 2, height: 1)) == [[20, 100]])
    }

    /// 2×2 → 3×3 samples at −1/6, 1/2, 7/6 in each axis.
    @Test func twoDimensionsByHand() {
        let image = Self.red([[0, 60], [120, 240]]).resizedBilinear(width: 3, height: 3)
        #expect(Self.redRows(image) == [[0, 30, 60], [60, 105, 150], [120, 180, 240]])
    }

    /// [0, 50] → 4 is [0, 12.5, 37.5, 50]: halves round up.
    @Test func bilinearRoundsHalvesUp() {
        #expect(Self.redRows(Self.red([[0, 50]]).resizedBilinear(width: 4, height: 1)) == [[0, 13, 38, 50]])
    }

    @Test func bilinearKeepsChannelsApartAndSameSizeIsIdentity() {
        let image = TestImages.gradient(width: 13, height: 7)
        #expect(image.resizedBilinear(width: 13, height: 7) == image)
        let flat = RGBImage(width: 2, height: 2, pixels: [10, 20, 30, 10, 20, 30, 10, 20, 30, 10, 20, 30])
        #expect(flat.resizedBilinear(width: 5, height: 3).pixels == Array(repeating: [10, 20, 30], count: 15).flatMap { $0 })
    }

    @Test func areaHalvingAveragesTwoByTwoBlocks() {
        let image = TestImages.gradient(width: 10, height: 6, noise: 40, seed: 9)
        let half = image.resizedArea(width: 5, height: 3)
        for y in 0 ..< 3 {
            for x in 0 ..< 5 {
                for c in 0 ..< 3 {
                    let sum = [(0, 0), (1, 0), (0, 1), (1, 1)].reduce(0) {
                        $0 + Int(image.pixels[((2 * y + $1.1) * 10 + 2 * x + $1.0) * 3 + c])
                    }
                    #expect(Int(half.pixels[(y * 5 + x) * 3 + c]) == (sum + 2) / 4, "(\(x), \(y)) channel \(c)")
                }
            }
        }
    }

    /// 3 → 2: cells [0, 1.5) and [1.5, 3): (0 + 30/2)/1.5 = 10 and (30/2 + 60)/1.5 = 50.
    @Test func areaWeightsPartlyCoveredPixels() {
        #expect(Self.redRows(Self.red([[0, 30, 60]]).resizedArea(width: 2, height: 1)) == [[10, 50]])
    }

    @Test func areaToOnePixelIsTheMean() {
        let image = Self.red([[0, 10, 20], [30, 40, 51]])
        #expect(Self.redRows(image.resizedArea(width: 1, height: 1)) == [[25]])   // 151 / 6 = 25.17
        #expect(image.resizedArea(width: 3, height: 2) == image)
    }
}
