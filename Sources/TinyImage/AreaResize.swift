extension RGBImage {
    /// Area (box) resize for shrinking: each output pixel is the average of
    /// the input area it covers, partly covered pixels weighted by the part
    /// covered. This is OpenCV's INTER_AREA when shrinking; for whole-number
    /// factors it equals PIL's BOX (plain block averages). Rounded to the
    /// nearest byte, halves up. Enlarging works but only blends neighbours at
    /// cell edges; use `resizedBilinear` for that.
    public func resizedArea(width newWidth: Int, height newHeight: Int) -> RGBImage {
        precondition(newWidth > 0 && newHeight > 0 && width > 0 && height > 0, "resize to or from an empty image")
        let xs = AreaTaps(input: width, output: newWidth)
        let ys = AreaTaps(input: height, output: newHeight)
        // Rows first: each input row shrunk to newWidth, in Float.
        var rows = [Float](repeating: 0, count: newWidth * height * 3)
        pixels.withUnsafeBufferPointer { source in
            rows.withUnsafeMutableBufferPointer { rows in
                for y in 0 ..< height {
                    for x in 0 ..< newWidth {
                        var sum: (Float, Float, Float) = (0, 0, 0)
                        for (i, weight) in xs.taps(x) {
                            let s = (y * width + i) * 3
                            sum.0 += Float(source[s]) * weight
                            sum.1 += Float(source[s + 1]) * weight
                            sum.2 += Float(source[s + 2]) * weight
                        }
                        let d = (y * newWidth + x) * 3
                        (rows[d], rows[d + 1], rows[d + 2]) = sum
                    }
                }
            }
        }
        var out = [UInt8](repeating: 0, count: newWidth * newHeight * 3)
        rows.withUnsafeBufferPointer { rows in
            out.withUnsafeMutableBufferPointer { out in
                for y in 0 ..< newHeight {
                    let taps = ys.taps(y)
                    for i in 0 ..< newWidth * 3 {
                        var sum: Float = 0
                        for (row, weight) in taps { sum += rows[row * newWidth * 3 + i] * weight }
                        out[y * newWidth * 3 + i] = roundedByte(sum)
                    }
                }
            }
        }
        return RGBImage(width: newWidth, height: newHeight, pixels: out)
    }
}

/// For each output pixel along one axis, the input pixels its cell
/// [i · s, (i + 1) · s) overlaps (s = input / output) and the fraction of the
/// cell each covers; the fractions add up to 1.
struct AreaTaps {
    private var first: [Int] = []
    private var weights: [[Float]] = []

    init(input: Int, output: Int) {
        let scale = Double(input) / Double(output)
        for i in 0 ..< output {
            let start = Double(i) * scale, end = min(Double(i + 1) * scale, Double(input))
            let low = Int(start.rounded(.down)), high = min(Int(end.rounded(.up)), input)
            first.append(low)
            weights.append((low ..< high).map { j in
                Float((min(end, Double(j + 1)) - max(start, Double(j))) / scale)
            })
        }
    }

    func taps(_ i: Int) -> some Sequence<(Int, Float)> {
        weights[i].enumerated().lazy.map { (first[i] + $0.offset, $0.element) }
    }
}
