extension RGBImage {
    /// Bilinear resize with half-pixel centres and no antialiasing, as
    /// TensorFlow's `tf.image.resize(method: "bilinear")` (ResizeBilinear with
    /// half_pixel_centers=True): output pixel x samples the input at
    /// (x + 0.5) · inWidth / width − 0.5, clamped to the edge pixels. Values are
    /// computed in Float as TensorFlow does, then rounded to the nearest byte.
    /// Shrinking by more than 2× skips pixels; use `resizedArea` for that.
    public func resizedBilinear(width newWidth: Int, height newHeight: Int) -> RGBImage {
        precondition(newWidth > 0 && newHeight > 0 && width > 0 && height > 0, "resize to or from an empty image")
        let xs = BilinearTaps(input: width, output: newWidth)
        let ys = BilinearTaps(input: height, output: newHeight)
        var out = [UInt8](repeating: 0, count: newWidth * newHeight * 3)
        pixels.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { out in
                for y in 0 ..< newHeight {
                    let top = ys.lower[y] * width * 3, bottom = ys.upper[y] * width * 3, yLerp = ys.lerp[y]
                    for x in 0 ..< newWidth {
                        let left = xs.lower[x] * 3, right = xs.upper[x] * 3, xLerp = xs.lerp[x]
                        for c in 0 ..< 3 {
                            let topLeft = Float(source[top + left + c]), topRight = Float(source[top + right + c])
                            let bottomLeft = Float(source[bottom + left + c]), bottomRight = Float(source[bottom + right + c])
                            let upper = topLeft + (topRight - topLeft) * xLerp
                            let lower = bottomLeft + (bottomRight - bottomLeft) * xLerp
                            out[(y * newWidth + x) * 3 + c] = roundedByte(upper + (lower - upper) * yLerp)
                        }
                    }
                }
            }
        }
        return RGBImage(width: newWidth, height: newHeight, pixels: out)
    }
}

/// TensorFlow's compute_interpolation_weights with its HalfPixelScaler.
struct BilinearTaps {
    var lower: [Int] = []
    var upper: [Int] = []
    var lerp: [Float] = []

    init(input: Int, output: Int) {
        let scale = Float(input) / Float(output)
        for i in 0 ..< output {
            let position = (Float(i) + 0.5) * scale - 0.5
            let floor = position.rounded(.down)
            lower.append(max(Int(floor), 0))
            upper.append(min(Int(position.rounded(.up)), input - 1))
            lerp.append(position - floor)
        }
    }
}

/// The nearest byte to `value`, halves rounded up, clamped to 0…255.
@inline(__always)
func roundedByte(_ value: Float) -> UInt8 {
    UInt8(min(max((value + 0.5).rounded(.down), 0), 255))
}
