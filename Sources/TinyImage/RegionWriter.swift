/// Collects decoded scanlines of a region into an upright image: takes the
/// region's columns out of each (iMCU-aligned) scanline and writes each pixel
/// where the EXIF orientation displays it, so no second image is needed.
struct RegionWriter {
    private var pixels: [UInt8]
    private let width: Int
    private let firstColumn: Int
    private let displayedWidth: Int
    private let displayedHeight: Int
    private let placement: (origin: Int, xStep: Int, yStep: Int)
    private var row = 0

    /// `firstColumn` is where the region's first column sits in each scanline.
    init(region: PixelRect, firstColumn: Int, orientation: Orientation) {
        width = region.width
        self.firstColumn = firstColumn
        (displayedWidth, displayedHeight) = orientation.displayedSize(storedWidth: region.width, storedHeight: region.height)
        placement = orientation.placement(storedWidth: region.width, storedHeight: region.height)
        pixels = [UInt8](repeating: 0, count: region.width * region.height * 3)
    }

    var image: RGBImage { RGBImage(width: displayedWidth, height: displayedHeight, pixels: pixels) }

    /// Adds the next row from an RGB scanline.
    mutating func appendRGB(_ scanline: [UInt8]) {
        let start = placement.origin + row * placement.yStep
        scanline.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { out in
                if placement.xStep == 1 {
                    // Upright or flipped top–bottom: the row is one run.
                    (out.baseAddress! + start * 3).update(from: source.baseAddress! + firstColumn * 3, count: width * 3)
                    return
                }
                for x in 0 ..< width {
                    let s = (firstColumn + x) * 3, d = (start + x * placement.xStep) * 3
                    out[d] = source[s]
                    out[d + 1] = source[s + 1]
                    out[d + 2] = source[s + 2]
                }
            }
        }
        row += 1
    }

    /// Adds the next row from a CMYK scanline. `inverted` (Adobe) files store
    /// 255 − ink, so R = C·K/255; otherwise R = (255 − C)(255 − K)/255.
    mutating func appendCMYK(_ scanline: [UInt8], inverted: Bool) {
        let start = placement.origin + row * placement.yStep
        scanline.withUnsafeBufferPointer { source in
            pixels.withUnsafeMutableBufferPointer { out in
                for x in 0 ..< width {
                    let s = (firstColumn + x) * 4, d = (start + x * placement.xStep) * 3
                    var k = Int(source[s + 3])
                    if !inverted { k = 255 - k }
                    for c in 0 ..< 3 {
                        let ink = inverted ? Int(source[s + c]) : 255 - Int(source[s + c])
                        out[d + c] = UInt8((ink * k + 127) / 255)
                    }
                }
            }
        }
        row += 1
    }
}
