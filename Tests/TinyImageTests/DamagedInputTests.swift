import Testing
@testable import TinyImage

/// Damaged, hostile or wrong input gives a typed error, never a crash or a grey image.
@Suite struct DamagedInputTests {
    static let image = TestImages.gradient(width: 96, height: 64)
    static let jpeg = try! JPEGEncoder.encode(image, quality: 90)
    static let progressive = try! JPEGEncoder.encode(samples: image.pixels, width: 96, height: 64, layout: .rgb,
                                                     quality: 90, progressive: true)

    /// The kind of error `body` throws; nil when it succeeds.
    func kind(_ body: () throws -> Void) -> ImageError.Kind? {
        do { try body() } catch let error as ImageError { return error.kind } catch { Issue.record("untyped \(error)") }
        return nil
    }

    @Test func emptyIsNotAJPEG() {
        #expect(throws: ImageError(.notJPEG, "not a JPEG: no data")) { try JPEGDecoder.decode([]) }
        #expect(throws: ImageError(.notJPEG, "not a JPEG: no data")) { try JPEGDecoder.info([]) }
    }

    @Test func otherFormatsAreNamed() {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]
        #expect(throws: ImageError(.notJPEG, "not a JPEG: starts with 89 50 4E 47 0D 0A 1A 0A, which looks like PNG")) {
            try JPEGDecoder.decode(png)
        }
        let html = Array("<html><body>502 Bad Gateway</body></html>".utf8)
        #expect(kind { _ = try JPEGDecoder.decode(html) } == .notJPEG)
        #expect(kind { _ = try JPEGDecoder.decode([0xFF]) } == .notJPEG)
    }

    @Test func randomBytesAreRefused() {
        var random = SeededRandom(seed: 3)
        for round in 0 ..< 200 {
            var bytes = (0 ..< random.int(in: 0 ... 3000)).map { _ in random.byte() }
            if round % 2 == 1 { bytes = [0xFF, 0xD8] + bytes + [0xFF, 0xD9] }   // past the framing checks, into libjpeg
            #expect(kind { _ = try JPEGDecoder.decode(bytes) } != nil, "round \(round)")
            #expect(kind { _ = try JPEGDecoder.decode(bytes, crop: PixelRect(x: 0, y: 0, width: 1, height: 1)) } != nil)
        }
    }

    /// Every cut is an error, also when the crop lies above the cut (libjpeg
    /// would stop reading before it notices).
    @Test(arguments: [false, true])
    func truncatedAnywhereIsTruncated(progressive: Bool) {
        let jpeg = progressive ? Self.progressive : Self.jpeg
        let topRow = PixelRect(x: 0, y: 0, width: 96, height: 1)
        for length in Array(0 ..< 700) + Array(stride(from: 700, to: jpeg.count, by: 37)) + [jpeg.count - 1] {
            let cut = Array(jpeg.prefix(length))
            let expected: ImageError.Kind = length < 2 ? .notJPEG : .truncated
            #expect(kind { _ = try JPEGDecoder.decode(cut) } == expected, "cut at \(length)")
            #expect(kind { _ = try JPEGDecoder.decode(cut, crop: topRow) } == expected, "cut at \(length)")
        }
    }

    /// Cut and then closed with EOI, libjpeg itself meets the end of the data:
    /// its "premature end" / "corrupt data" warnings must be errors. The only
    /// success allowed is a cut so close to the end that nothing was lost.
    @Test(arguments: [false, true])
    func truncatedThenClosedIsCaughtByLibjpeg(progressive: Bool) throws {
        let jpeg = progressive ? Self.progressive : Self.jpeg
        let whole = try JPEGDecoder.decode(jpeg)
        var errors = 0
        for length in 2 ..< jpeg.count - 2 {
            let closed = Array(jpeg.prefix(length)) + [0xFF, 0xD9]
            do {
                let image = try JPEGDecoder.decode(closed)
                #expect(image == whole, "cut at \(length) of \(jpeg.count) decoded to a different image")
            } catch {
                #expect([.truncated, .corrupt, .unsupported].contains(error.kind), "cut at \(length): \(error)")
                errors += 1
            }
        }
        #expect(errors > 0)
    }

    /// A cut in the headers reaches libjpeg's end-of-data warning through `info`.
    @Test func truncatedHeaderIsPrematureEnd() throws {
        let cut = Array(Self.jpeg.prefix(JPEGBytes.scanDataOffset(Self.jpeg) - 40))
        let error = try #require(throws: ImageError.self) { try JPEGDecoder.info(cut) }
        #expect(error.kind == .truncated)
        #expect(error.message.contains("Premature end of JPEG file"))
    }

    /// Flipped bytes in the scan data: an error or some image, never a crash.
    @Test func flippedScanBytesNeverCrash() {
        var random = SeededRandom(seed: 5)
        let start = JPEGBytes.scanDataOffset(Self.jpeg)
        var errors = 0
        for _ in 0 ..< 200 {
            var bytes = Self.jpeg
            for _ in 0 ..< 4 { bytes[random.int(in: start ... bytes.count - 3)] ^= random.byte() | 1 }
            if kind({ _ = try JPEGDecoder.decode(bytes) }) != nil { errors += 1 }
        }
        #expect(errors > 0)
    }

    @Test func cropOutsideTheImageNamesBothSizes() {
        for rect in [PixelRect(x: 90, y: 0, width: 10, height: 10), PixelRect(x: 0, y: 60, width: 5, height: 5),
                     PixelRect(x: -1, y: 0, width: 5, height: 5), PixelRect(x: 0, y: 0, width: 0, height: 5),
                     PixelRect(x: 0, y: 0, width: 97, height: 1), PixelRect(x: Int.max, y: 0, width: Int.max, height: 1)] {
            #expect(throws: ImageError(.invalidCrop, "crop \(rect) lies outside the 96×64 image")) {
                try JPEGDecoder.decode(Self.jpeg, crop: rect)
            }
        }
    }

    /// Patches the SOF0 header: (height, width) or the sample precision.
    func patchedFrame(height: Int? = nil, width: Int? = nil, precision: UInt8? = nil, marker: UInt8? = nil) -> [UInt8] {
        var bytes = Self.jpeg
        let sof = JPEGBytes.segmentOffset(0xC0, in: bytes)!
        if let marker { bytes[sof + 1] = marker }
        if let precision { bytes[sof + 4] = precision }
        if let height { (bytes[sof + 5], bytes[sof + 6]) = (UInt8(height >> 8), UInt8(height & 0xFF)) }
        if let width { (bytes[sof + 7], bytes[sof + 8]) = (UInt8(width >> 8), UInt8(width & 0xFF)) }
        return bytes
    }

    @Test func hugeDimensionsAreTooLarge() {
        let huge = patchedFrame(height: 9000, width: 9000)   // 81 M pixels
        #expect(throws: ImageError(.tooLarge, "JPEG is 9000×9000, more than 67108864 pixels")) { try JPEGDecoder.info(huge) }
        #expect(kind { _ = try JPEGDecoder.decode(huge, crop: PixelRect(x: 0, y: 0, width: 8, height: 8)) } == .tooLarge)
    }

    @Test func unsupportedProcessesAreUnsupported() {
        #expect(kind { _ = try JPEGDecoder.decode(patchedFrame(precision: 12)) } == .unsupported)
        #expect(kind { _ = try JPEGDecoder.decode(patchedFrame(marker: 0xC3)) } == .unsupported)   // lossless
    }

    @Test func zeroHeightIsCorrupt() {
        #expect(kind { _ = try JPEGDecoder.decode(patchedFrame(height: 0)) } == .corrupt)
    }
}
