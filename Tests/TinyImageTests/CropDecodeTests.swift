import Testing
@testable import TinyImage

/// A crop decode (skipped rows, cropped iMCU columns, early stop) must give
/// exactly the pixels of the full decode, for every chroma layout.
@Suite struct CropDecodeTests {
    enum Layout: String, CaseIterable {
        case yuv444, yuv422, yuv420, grayscale, progressive420

        func encode(_ image: RGBImage) throws -> [UInt8] {
            switch self {
            case .yuv444: try encode(image, sampling: (1, 1))
            case .yuv422: try encode(image, sampling: (2, 1))
            case .yuv420: try encode(image, sampling: (2, 2))
            case .progressive420:
                try JPEGEncoder.encode(samples: image.pixels, width: image.width, height: image.height, layout: .rgb,
                                       quality: 90, progressive: true)
            case .grayscale:
                try JPEGEncoder.encode(samples: stride(from: 0, to: image.pixels.count, by: 3).map { image.pixels[$0 + 1] },
                                       width: image.width, height: image.height, layout: .grayscale, quality: 90)
            }
        }

        private func encode(_ image: RGBImage, sampling: (Int, Int)) throws -> [UInt8] {
            try JPEGEncoder.encode(samples: image.pixels, width: image.width, height: image.height, layout: .rgb,
                                   quality: 90, lumaSampling: sampling)
        }
    }

    /// Edges at and around iMCU boundaries, 1-pixel crops, crops touching
    /// every image edge, and random ones.
    static func rects(width: Int, height: Int) -> [PixelRect] {
        var rects: [PixelRect] = []
        for x in [0, 1, 7, 8, 15, 16, 17, 31, 33, width - 17, width - 1] {
            for y in [0, 1, 7, 8, 15, 16, 17, 33, height - 9, height - 1] {
                for (w, h) in [(1, 1), (2, 3), (16, 16), (17, 9), (width - x, height - y)] {
                    let rect = PixelRect(x: x, y: y, width: w, height: h)
                    if rect.fits(width: width, height: height) { rects.append(rect) }
                }
            }
        }
        var random = SeededRandom(seed: 7)
        for _ in 0 ..< 40 {
            let x = random.int(in: 0 ... width - 1), y = random.int(in: 0 ... height - 1)
            rects.append(PixelRect(x: x, y: y, width: random.int(in: 1 ... width - x), height: random.int(in: 1 ... height - y)))
        }
        return rects
    }

    @Test(arguments: Layout.allCases)
    func cropEqualsFullDecodeCropped(layout: Layout) throws {
        let jpeg = try layout.encode(TestImages.gradient(width: 301, height: 203))
        let full = try JPEGDecoder.decode(jpeg)
        for rect in Self.rects(width: 301, height: 203) {
            let crop = try JPEGDecoder.decode(jpeg, crop: rect)
            #expect(crop == (try full.cropped(to: rect)), "\(layout) crop \(rect)")
        }
    }

    /// The watcher's case: the lock region of a 1920×1080 camera still.
    @Test func lockRegionOfACameraStill() throws {
        let crop = try JPEGDecoder.decode(TestImages.cameraStill, crop: TestImages.lockRegion)
        #expect(crop == (try JPEGDecoder.decode(TestImages.cameraStill).cropped(to: TestImages.lockRegion)))
    }

    /// At every DCT scale, the crop equals the full decode at that scale, cropped
    /// to the planned region.
    @Test(arguments: [Layout.yuv420, .yuv444, .progressive420])
    func scaledCropEqualsScaledFullDecodeCropped(layout: Layout) throws {
        let jpeg = try layout.encode(TestImages.gradient(width: 301, height: 203))
        let info = try JPEGDecoder.info(jpeg)
        let rect = PixelRect(x: 45, y: 37, width: 150, height: 120)
        for scale in 1 ... 7 {
            let full = DecodePlan.scaledSize(301, by: scale), fullHeight = DecodePlan.scaledSize(203, by: scale)
            let wholeImage = try JPEGDecoder.decode(jpeg, minimumSize: (full, fullHeight))
            #expect(wholeImage.width == full && wholeImage.height == fullHeight)
            let minimum = (rect.width * scale / 8, rect.height * scale / 8)
            let report = try JPEGDecoder.decodeReport(jpeg, crop: rect, minimumSize: minimum)
            let plan = try DecodePlan(info: info, crop: rect, minimumSize: minimum)
            #expect(report.plan == plan && plan.scale == scale)
            #expect(report.image == (try wholeImage.cropped(to: plan.region)), "\(layout) at \(scale)/8")
        }
    }
}
