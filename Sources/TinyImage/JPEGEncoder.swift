import CJPEGShim

/// Encodes images as baseline JPEG (4:2:0, libjpeg-turbo's defaults) in memory.
public enum JPEGEncoder {
    /// `quality` is libjpeg's 1…100 scale; values outside it are clamped.
    public static func encode(_ image: RGBImage, quality: Int = 90) throws(ImageError) -> [UInt8] {
        try encode(samples: image.pixels, width: image.width, height: image.height, layout: .rgb, quality: quality)
    }

    /// The sample layouts the encoder accepts: RGB for images, the others so
    /// tests can write grayscale, CMYK and YCCK files.
    enum Layout {
        case rgb, grayscale, cmyk, ycck

        var components: Int32 {
            switch self {
            case .rgb: 3
            case .grayscale: 1
            case .cmyk, .ycck: 4
            }
        }
    }

    /// libjpeg refuses larger sides (JPEG_MAX_DIMENSION).
    static let maximumSide = 65_500

    /// `samples` hold `layout.components` bytes per pixel, row after row.
    /// `lumaSampling` is the luma sampling factor (2×2 = 4:2:0, 1×1 = 4:4:4);
    /// nil keeps libjpeg's default.
    static func encode(
        samples: [UInt8], width: Int, height: Int, layout: Layout, quality: Int,
        lumaSampling: (h: Int, v: Int)? = nil, progressive: Bool = false
    ) throws(ImageError) -> [UInt8] {
        guard width > 0, height > 0 else {
            throw ImageError(.unsupported, "cannot encode an empty \(width)×\(height) image")
        }
        guard width <= maximumSide, height <= maximumSide else {
            throw ImageError(.tooLarge, "cannot encode \(width)×\(height): JPEG sides are at most \(maximumSide)")
        }
        precondition(samples.count == width * height * Int(layout.components))
        let (inSpace, fileSpace): (J_COLOR_SPACE, J_COLOR_SPACE) = switch layout {
        case .rgb: (JCS_RGB, JCS_UNKNOWN)
        case .grayscale: (JCS_GRAYSCALE, JCS_UNKNOWN)
        case .cmyk: (JCS_CMYK, JCS_CMYK)
        case .ycck: (JCS_CMYK, JCS_YCCK)
        }
        var output: UnsafeMutablePointer<UInt8>?
        var outputSize: UInt = 0
        var message = [CChar](repeating: 0, count: Int(JMSG_LENGTH_MAX))
        let status = samples.withUnsafeBufferPointer { buffer in
            var request = cjpeg_encode_request(
                samples: buffer.baseAddress, width: JDIMENSION(width), height: JDIMENSION(height),
                components: layout.components, in_color_space: inSpace, jpeg_color_space: fileSpace,
                quality: Int32(min(max(quality, 1), 100)),
                luma_h_samp_factor: Int32(lumaSampling?.h ?? 0), luma_v_samp_factor: Int32(lumaSampling?.v ?? 0),
                progressive: progressive ? 1 : 0)
            return cjpeg_encode(&request, &output, &outputSize, &message)
        }
        guard status == CJPEG_OK, let output else {
            let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw ImageError(status == CJPEG_NO_MEMORY ? .tooLarge : .unsupported, "JPEG encoding failed: " + text)
        }
        defer { cjpeg_free(output) }
        return Array(UnsafeBufferPointer(start: output, count: Int(outputSize)))
    }
}
