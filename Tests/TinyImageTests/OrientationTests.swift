import Testing
@testable import TinyImage

/// EXIF orientation, checked against a reference written here from the EXIF
/// definitions (flips and quarter turns), independent of `Orientation`.
@Suite struct OrientationTests {
    /// Turned 90° clockwise: the output's top row is the input's left column, read upwards.
    static func rotatedClockwise(_ image: RGBImage) -> RGBImage {
        remap(image, width: image.height, height: image.width) { x, y in (y, image.height - 1 - x) }
    }

    static func rotatedAnticlockwise(_ image: RGBImage) -> RGBImage {
        remap(image, width: image.height, height: image.width) { x, y in (image.width - 1 - y, x) }
    }

    static func mirrored(_ image: RGBImage) -> RGBImage {
        remap(image, width: image.width, height: image.height) { x, y in (image.width - 1 - x, y) }
    }

    /// How a viewer shows stored pixels with EXIF orientation `value`.
    static func displayed(_ image: RGBImage, orientation value: Int) -> RGBImage {
        switch value {
        case 2: mirrored(image)
        case 3: rotatedClockwise(rotatedClockwise(image))
        case 4: rotatedClockwise(rotatedClockwise(mirrored(image)))
        case 5: rotatedAnticlockwise(mirrored(image))   // mirror, then 270° clockwise
        case 6: rotatedClockwise(image)
        case 7: rotatedClockwise(mirrored(image))       // mirror, then 90° clockwise
        case 8: rotatedAnticlockwise(image)
        default: image
        }
    }

    static func remap(_ image: RGBImage, width: Int, height: Int, from source: (Int, Int) -> (Int, Int)) -> RGBImage {
        var pixels: [UInt8] = []
        for y in 0 ..< height {
            for x in 0 ..< width {
                let (sx, sy) = source(x, y)
                let p = image[sx, sy]
                pixels += [p.r, p.g, p.b]
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// 45×30 with 4:2:0: sizes that are not whole iMCUs catch edge mistakes.
    static let stored = try! JPEGEncoder.encode(TestImages.gradient(width: 45, height: 30), quality: 92)
    static let upright = try! JPEGDecoder.decode(stored)

    static let cases: [(Int, Bool)] = (1 ... 8).flatMap { [($0, true), ($0, false)] }

    @Test(arguments: cases)
    func wholeImageIsTurnedForDisplay(orientation: Int, littleEndian: Bool) throws {
        let jpeg = JPEGBytes.inserting(JPEGBytes.exifSegment(orientation: orientation, littleEndian: littleEndian), into: Self.stored)
        let info = try JPEGDecoder.info(jpeg)
        #expect(info.orientation == orientation)
        #expect((info.width, info.height) == (orientation >= 5 ? (30, 45) : (45, 30)))
        #expect((info.storedWidth, info.storedHeight) == (45, 30))
        #expect(try JPEGDecoder.decode(jpeg) == Self.displayed(Self.upright, orientation: orientation))
    }

    @Test(arguments: cases)
    func cropIsInDisplayedCoordinates(orientation: Int, littleEndian: Bool) throws {
        let jpeg = JPEGBytes.inserting(JPEGBytes.exifSegment(orientation: orientation, littleEndian: littleEndian), into: Self.stored)
        let shown = Self.displayed(Self.upright, orientation: orientation)
        var random = SeededRandom(seed: UInt64(orientation))
        let rects = [PixelRect(x: 0, y: 0, width: 1, height: 1), PixelRect(x: shown.width - 3, y: shown.height - 2, width: 3, height: 2)]
            + (0 ..< 12).map { _ in
                let w = random.int(in: 1 ... shown.width), h = random.int(in: 1 ... shown.height)
                return PixelRect(x: random.int(in: 0 ... shown.width - w), y: random.int(in: 0 ... shown.height - h), width: w, height: h)
            }
        for rect in rects {
            #expect(try JPEGDecoder.decode(jpeg, crop: rect) == (try shown.cropped(to: rect)), "orientation \(orientation) crop \(rect)")
        }
        // Outside the displayed size (but inside the stored one when turned) is refused.
        let outside = PixelRect(x: 0, y: shown.height - 5, width: 10, height: 10)
        #expect(throws: ImageError.self) { try JPEGDecoder.decode(jpeg, crop: outside) }
    }

    /// A hand check of the reference: with orientation 6 (turned clockwise),
    /// the displayed top-left pixel is the stored bottom-left one.
    @Test func orientationSixShowsTheBottomLeftFirst() throws {
        let jpeg = JPEGBytes.inserting(JPEGBytes.exifSegment(orientation: 6, littleEndian: false), into: Self.stored)
        let image = try JPEGDecoder.decode(jpeg)
        #expect(image[0, 0] == Self.upright[0, 29])
        #expect(image[29, 0] == Self.upright[0, 0])
        #expect(image[29, 44] == Self.upright[44, 0])
        #expect(image[0, 44] == Self.upright[44, 29])
    }

    /// A bad EXIF block is ignored (orientation 1), never an error.
    @Test(arguments: [
        ("orientation 9", JPEGBytes.exifSegment(orientation: 9, littleEndian: true)),
        ("orientation 0", JPEGBytes.exifSegment(orientation: 0, littleEndian: false)),
        ("bad byte order", JPEGBytes.app1(Array("Exif".utf8) + [0, 0, 0x49, 0x4D, 42, 0, 8, 0, 0, 0])),
        ("IFD past the end", JPEGBytes.app1(Array("Exif".utf8) + [0, 0, 0x49, 0x49, 42, 0, 0xFF, 0xFF, 0, 0])),
        ("entries past the end", JPEGBytes.app1(Array("Exif".utf8) + [0, 0, 0x4D, 0x4D, 0, 42, 0, 0, 0, 8, 0x7F, 0xFF])),
        ("only the header", JPEGBytes.app1(Array("Exif".utf8) + [0, 0])),
        ("wrong type", JPEGBytes.app1(Array("Exif".utf8) + [0, 0, 0x49, 0x49, 42, 0, 8, 0, 0, 0,
                                                            1, 0, 0x12, 0x01, 4, 0, 1, 0, 0, 0, 6, 0, 0, 0])),
    ])
    func badEXIFMeansUpright(name: String, segment: [UInt8]) throws {
        let jpeg = JPEGBytes.inserting(segment, into: Self.stored)
        #expect(try JPEGDecoder.info(jpeg).orientation == 1, "\(name)")
        #expect(try JPEGDecoder.decode(jpeg) == Self.upright, "\(name)")
    }

    /// XMP also lives in APP1; the EXIF one after it still counts.
    @Test func exifAfterAnotherAPP1Segment() throws {
        let xmp = JPEGBytes.app1(Array("http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>".utf8))
        let jpeg = JPEGBytes.inserting(xmp + JPEGBytes.exifSegment(orientation: 8, littleEndian: true), into: Self.stored)
        #expect(try JPEGDecoder.info(jpeg).orientation == 8)
    }

    @Test func placementMatchesThePointMap() {
        for value in 1 ... 8 {
            let orientation = Orientation(value)
            let (w, h) = (5, 3)
            let shownWidth = orientation.displayedSize(storedWidth: w, storedHeight: h).width
            let placement = orientation.placement(storedWidth: w, storedHeight: h)
            for y in 0 ..< h {
                for x in 0 ..< w {
                    let p = orientation.displayedPoint(storedX: x, storedY: y, storedWidth: w, storedHeight: h)
                    #expect(placement.origin + x * placement.xStep + y * placement.yStep == p.y * shownWidth + p.x)
                    let back = orientation.storedPoint(displayedX: p.x, displayedY: p.y, storedWidth: w, storedHeight: h)
                    #expect(back == (x, y), "orientation \(value)")
                }
            }
        }
    }
}
