import Testing
@testable import TinyImage

@Suite struct EncodeDecodeTests {
    @Test func roundTripKeepsSizeAndPixels() throws {
        let image = TestImages.gradient(width: 67, height: 45, noise: 0)
        let jpeg = try JPEGEncoder.encode(image, quality: 95)
        #expect(jpeg.starts(with: [0xFF, 0xD8]))
        #expect(jpeg.suffix(2) == [0xFF, 0xD9])
        let decoded = try JPEGDecoder.decode(jpeg)
        #expect(decoded.width == 67 && decoded.height == 45)
        // A smooth gradient at quality 95 comes back within a few levels.
        #expect(TestImages.meanDifference(decoded, image) < 1.5)
        #expect(TestImages.maxDifference(decoded, image) <= 12)
    }

    @Test func qualityTradesSizeForError() throws {
        let image = TestImages.gradient(width: 128, height: 96)
        let low = try JPEGEncoder.encode(image, quality: 30), high = try JPEGEncoder.encode(image, quality: 95)
        #expect(low.count < high.count)
        let lowError = TestImages.meanDifference(try JPEGDecoder.decode(low), image)
        let highError = TestImages.meanDifference(try JPEGDecoder.decode(high), image)
        #expect(highError < lowError)
    }

    @Test func infoReadsTheHeader() throws {
        let image = TestImages.gradient(width: 40, height: 24)
        let info = try JPEGDecoder.info(try JPEGEncoder.encode(image))
        #expect(info == JPEGInfo(width: 40, height: 24, storedWidth: 40, storedHeight: 24, components: 3,
                                 colorSpace: .yCbCr, orientation: 1, isProgressive: false))
        let progressive = try JPEGEncoder.encode(samples: image.pixels, width: 40, height: 24, layout: .rgb,
                                                 quality: 90, progressive: true)
        #expect(try JPEGDecoder.info(progressive).isProgressive)
    }

    @Test func encodingAnEmptyImageIsAnError() {
        let empty = RGBImage(width: 0, height: 5, pixels: [])
        #expect(throws: ImageError(.unsupported, "cannot encode an empty 0×5 image")) { try JPEGEncoder.encode(empty) }
    }

    @Test func croppedCopiesTheRectangle() throws {
        let image = TestImages.blocks(width: 10, height: 6, block: 1)
        let crop = try image.cropped(to: PixelRect(x: 3, y: 2, width: 4, height: 3))
        #expect(crop.width == 4 && crop.height == 3)
        for y in 0 ..< 3 {
            for x in 0 ..< 4 { #expect(crop[x, y] == image[x + 3, y + 2]) }
        }
        #expect(throws: ImageError.self) { try image.cropped(to: PixelRect(x: 8, y: 0, width: 3, height: 1)) }
    }
}
