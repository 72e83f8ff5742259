/// An 8-bit RGB image: `pixels` holds R, G, B for each pixel, row after row,
/// with no padding (`width * height * 3` bytes).
public struct RGBImage: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public let pixels: [UInt8]

    /// `pixels.count` must be `width * height * 3`; anything else is a programming error.
    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(width >= 0 && height >= 0 && pixels.count == width * height * 3,
                     "RGBImage: \(pixels.count) bytes for \(width)×\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The red, green and blue values at column `x`, row `y`.
    public subscript(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        let i = (y * width + x) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }

    /// A copy of the pixels inside `rect`; `.invalidCrop` if it is not inside the image.
    public func cropped(to rect: PixelRect) throws(ImageError) -> RGBImage {
        guard rect.fits(width: width, height: height) else {
            throw ImageError(.invalidCrop, "crop \(rect) lies outside the \(width)×\(height) image")
        }
        var out = [UInt8]()
        out.reserveCapacity(rect.width * rect.height * 3)
        for row in rect.y ..< rect.y + rect.height {
            let start = (row * width + rect.x) * 3
            out.append(contentsOf: pixels[start ..< start + rect.width * 3])
        }
        return RGBImage(width: rect.width, height: rect.height, pixels: out)
    }
}
