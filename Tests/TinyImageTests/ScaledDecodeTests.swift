import Testing
@testable import TinyImage

/// DCT scaling: libjpeg decodes at scale/8 when the caller only needs a smaller image.
@Suite struct ScaledDecodeTests {
    static let stillInfo = JPEGInfo(width: 1920, height: 1080, storedWidth: 1920, storedHeight: 1080, components: 3,
                                    colorSpace: .yCbCr, orientation: 1, isProgressive: false)
    static let lockRegion = TestImages.lockRegion

    @Test func picksTheSmallestScaleThatKeepsTheMinimum() throws {
        func scale(_ minimum: (Int, Int)?) throws -> Int {
            try DecodePlan(info: Self.stillInfo, crop: Self.lockRegion, minimumSize: minimum).scale
        }
        #expect(try scale(nil) == 8)
        #expect(try scale((227, 227)) == 8)   // larger than the crop: never enlarged
        #expect(try scale((128, 128)) == 8)
        #expect(try scale((127, 127)) == 8)   // 7/8 gives 112
        #expect(try scale((112, 112)) == 7)
        #expect(try scale((64, 64)) == 4)
        #expect(try scale((65, 10)) == 5)     // both dimensions must fit
        #expect(try scale((10, 65)) == 5)
        #expect(try scale((16, 16)) == 1)
        #expect(try scale((0, -3)) == 1)      // below 1 means 1
    }

    @Test func mapsTheCropToNearestScaledEdges() {
        // 650…778 at 3/8 is 243.75…291.75: edges round to 244 and 292.
        #expect(DecodePlan.scaled(Self.lockRegion, by: 3, storedWidth: 1920, storedHeight: 1080)
            == PixelRect(x: 244, y: 142, width: 48, height: 48))   // 378…506 → 141.75…189.75
        #expect(DecodePlan.scaled(Self.lockRegion, by: 4, storedWidth: 1920, storedHeight: 1080)
            == PixelRect(x: 325, y: 189, width: 64, height: 64))
        // Halves round up: 5…6 at 1/2 is 2.5…3 → 3…3, widened to one pixel.
        #expect(DecodePlan.scaled(PixelRect(x: 5, y: 0, width: 1, height: 1), by: 4, storedWidth: 100, storedHeight: 100)
            == PixelRect(x: 3, y: 0, width: 1, height: 1))
        // The image's right edge maps to libjpeg's rounded-up scaled size:
        // 301 at 5/8 is 188.125, libjpeg gives 189 columns.
        #expect(DecodePlan.scaled(PixelRect(x: 0, y: 0, width: 301, height: 8), by: 5, storedWidth: 301, storedHeight: 8)
            == PixelRect(x: 0, y: 0, width: 189, height: 5))
        // A one-pixel crop in the last column stays inside the scaled image.
        #expect(DecodePlan.scaled(PixelRect(x: 300, y: 7, width: 1, height: 1), by: 1, storedWidth: 301, storedHeight: 8)
            == PixelRect(x: 37, y: 0, width: 1, height: 1))
    }

    @Test func minimumIsInDisplayedAxes() throws {
        // Orientation 6 shows the 1080×1920 stored frame as 1920×1080: a 200×100
        // displayed crop is 100×200 stored, so (100, 50) needs a 1/2 scale.
        var info = Self.stillInfo
        (info.storedWidth, info.storedHeight, info.orientation) = (1080, 1920, 6)
        let plan = try DecodePlan(info: info, crop: PixelRect(x: 10, y: 20, width: 200, height: 100), minimumSize: (100, 50))
        #expect(plan.scale == 4)
        #expect(plan.region.width == 50 && plan.region.height == 100)
    }

    /// What DCT scaling gives is close to shrinking the full-size crop by area
    /// averaging (both are low-pass; the DCT truncation rings a little).
    @Test(arguments: [4, 2, 1])
    func scaledCropIsCloseToAreaResizedCrop(scale: Int) throws {
        let jpeg = TestImages.cameraStill
        let rect = PixelRect(x: 648, y: 376, width: 128, height: 128)   // on 8-pixel boundaries: scales exactly
        let size = 128 * scale / 8
        let scaled = try JPEGDecoder.decode(jpeg, crop: rect, minimumSize: (size, size))
        #expect(scaled.width == size && scaled.height == size)
        let reference = try JPEGDecoder.decode(jpeg, crop: rect).resizedArea(width: size, height: size)
        let mean = TestImages.meanDifference(scaled, reference), worst = TestImages.maxDifference(scaled, reference)
        #expect(mean < 1.0, "scale \(scale)/8: mean difference \(mean)")
        #expect(worst <= 8, "scale \(scale)/8: max difference \(worst)")
    }

    @Test func resultIsAtLeastTheMinimum() throws {
        let jpeg = try JPEGEncoder.encode(TestImages.gradient(width: 640, height: 480), quality: 85)
        var random = SeededRandom(seed: 11)
        for _ in 0 ..< 30 {
            let w = random.int(in: 1 ... 300), h = random.int(in: 1 ... 300)
            let rect = PixelRect(x: random.int(in: 0 ... 640 - w), y: random.int(in: 0 ... 480 - h), width: w, height: h)
            let minimum = (random.int(in: 1 ... 300), random.int(in: 1 ... 300))
            let image = try JPEGDecoder.decode(jpeg, crop: rect, minimumSize: minimum)
            #expect(image.width <= w && image.height <= h)
            #expect((image.width >= minimum.0 && image.height >= minimum.1) || (image.width == w && image.height == h),
                    "\(rect) minimum \(minimum) gave \(image.width)×\(image.height)")
        }
    }
}
