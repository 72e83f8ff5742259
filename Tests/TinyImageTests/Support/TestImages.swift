@testable import TinyImage

/// A small deterministic generator (SplitMix64), so every run tests the same images.
struct SeededRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next() >> 56) }

    /// Uniform in `range` (a tiny bias is fine for tests).
    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }
}

enum TestImages {
    /// A 1920×1080 SoraCam-sized still at quality 90 (about 490 KB), made once.
    static let cameraStill = try! JPEGEncoder.encode(gradient(width: 1920, height: 1080), quality: 90)

    /// The watcher's lock region in it.
    static let lockRegion = PixelRect(x: 650, y: 378, width: 128, height: 128)

    /// Smooth colour gradients plus a little noise: like a camera frame, so
    /// JPEG artefacts and chroma upsampling behave realistically.
    static func gradient(width: Int, height: Int, noise: Int = 12, seed: UInt64 = 1) -> RGBImage {
        var random = SeededRandom(seed: seed)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0 ..< height {
            for x in 0 ..< width {
                let base = [
                    255 * x / max(width - 1, 1),
                    255 * y / max(height - 1, 1),
                    255 * (x + y) / max(width + height - 2, 1),
                ]
                for c in 0 ..< 3 {
                    let jitter = noise == 0 ? 0 : random.int(in: -noise ... noise)
                    pixels[(y * width + x) * 3 + c] = UInt8(min(max(base[c] + jitter, 0), 255))
                }
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// Each pixel a different colour from its position, for checking where
    /// pixels end up (orientation, crops). Flat 8×8 blocks keep JPEG exact-ish.
    static func blocks(width: Int, height: Int, block: Int = 8) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0 ..< height {
            for x in 0 ..< width {
                let bx = x / block, by = y / block
                let i = (y * width + x) * 3
                pixels[i] = UInt8(truncatingIfNeeded: 40 + bx * 37)
                pixels[i + 1] = UInt8(truncatingIfNeeded: 40 + by * 53)
                pixels[i + 2] = UInt8(truncatingIfNeeded: 200 - (bx + by) * 11)
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)
    }

    /// The largest absolute difference between two same-sized images' bytes.
    static func maxDifference(_ a: RGBImage, _ b: RGBImage) -> Int {
        precondition(a.width == b.width && a.height == b.height, "\(a.width)×\(a.height) vs \(b.width)×\(b.height)")
        return zip(a.pixels, b.pixels).reduce(0) { max($0, abs(Int($1.0) - Int($1.1))) }
    }

    /// The mean absolute difference per byte.
    static func meanDifference(_ a: RGBImage, _ b: RGBImage) -> Double {
        precondition(a.width == b.width && a.height == b.height)
        let total = zip(a.pixels, b.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
        return Double(total) / Double(a.pixels.count)
    }
}
