import Testing
@testable import TinyImage

@Suite struct ColorSpaceTests {
    @Test func grayscaleComesOutAsEqualChannels() throws {
        let width = 37, height = 21
        let gray = (0 ..< width * height).map { UInt8(($0 % width) * 255 / (width - 1)) }
        let jpeg = try JPEGEncoder.encode(samples: gray, width: width, height: height, layout: .grayscale, quality: 95)
        let info = try JPEGDecoder.info(jpeg)
        #expect(info.colorSpace == .grayscale && info.components == 1)
        let image = try JPEGDecoder.decode(jpeg)
        var worst = 0
        for (i, value) in gray.enumerated() {
            let (r, g, b) = (image.pixels[i * 3], image.pixels[i * 3 + 1], image.pixels[i * 3 + 2])
            #expect(r == g && g == b)
            worst = max(worst, abs(Int(r) - Int(value)))
        }
        #expect(worst <= 4)
    }

    /// Four flat CMYK quadrants (flat, so JPEG keeps them within a level or two).
    static func quadrants(_ colors: [[UInt8]], size: Int = 16) -> [UInt8] {
        var samples: [UInt8] = []
        for y in 0 ..< size {
            for x in 0 ..< size { samples += colors[(y < size / 2 ? 0 : 2) + (x < size / 2 ? 0 : 1)] }
        }
        return samples
    }

    /// Ink amounts (0 none, 255 full) and the RGB they should make.
    static let inks: [[UInt8]] = [[0, 0, 0, 0], [255, 0, 0, 0], [0, 128, 255, 0], [0, 0, 0, 191]]
    static let expected: [(UInt8, UInt8, UInt8)] = [(255, 255, 255), (0, 255, 255), (255, 127, 0), (64, 64, 64)]

    /// Adobe CMYK and YCCK files store 255 − ink (Photoshop's convention); the
    /// Adobe marker libjpeg writes says so.
    @Test(arguments: [JPEGEncoder.Layout.cmyk, .ycck])
    func adobeCMYKIsInverted(layout: JPEGEncoder.Layout) throws {
        let stored = Self.quadrants(Self.inks.map { $0.map { 255 - $0 } })
        let jpeg = try JPEGEncoder.encode(samples: stored, width: 16, height: 16, layout: layout, quality: 100)
        let info = try JPEGDecoder.info(jpeg)
        #expect(info.colorSpace == (layout == .cmyk ? .cmyk : .ycck) && info.components == 4)
        try expectQuadrants(try JPEGDecoder.decode(jpeg))
        // And cropped: one pixel from each quadrant.
        #expect(try JPEGDecoder.decode(jpeg, crop: PixelRect(x: 12, y: 12, width: 1, height: 1))
            == (try JPEGDecoder.decode(jpeg).cropped(to: PixelRect(x: 12, y: 12, width: 1, height: 1))))
    }

    /// Without an Adobe marker, samples are plain ink amounts.
    @Test func plainCMYKIsNotInverted() throws {
        let adobe = try JPEGEncoder.encode(samples: Self.quadrants(Self.inks), width: 16, height: 16, layout: .cmyk, quality: 100)
        let plain = JPEGBytes.removingSegment(0xEE, from: adobe)
        #expect(plain.count < adobe.count)
        #expect(try JPEGDecoder.info(plain).colorSpace == .cmyk)
        try expectQuadrants(try JPEGDecoder.decode(plain))
    }

    func expectQuadrants(_ image: RGBImage) throws {
        for (i, (x, y)) in [(4, 4), (12, 4), (4, 12), (12, 12)].enumerated() {
            let pixel = image[x, y], want = Self.expected[i]
            #expect(abs(Int(pixel.r) - Int(want.0)) <= 3 && abs(Int(pixel.g) - Int(want.1)) <= 3
                && abs(Int(pixel.b) - Int(want.2)) <= 3, "quadrant \(i): \(pixel) expected \(want)")
        }
    }
}
