import CJPEGShim

/// What decoding needs from a JPEG's header: the public `JPEGInfo`, plus
/// whether CMYK samples are stored inverted.
struct JPEGHeader {
    var info: JPEGInfo
    /// An Adobe APP14 marker is present: CMYK samples are stored inverted.
    var adobe: Bool

    /// Reads the header (and the EXIF orientation); `.tooLarge` past
    /// `JPEGDecoder.maximumPixelCount`.
    init(_ decompressor: borrowing Decompressor) throws(ImageError) {
        try decompressor.readHeader()
        let header = decompressor.info.pointee
        let storedWidth = Int(header.image_width), storedHeight = Int(header.image_height)
        guard storedWidth * storedHeight <= JPEGDecoder.maximumPixelCount else {
            throw ImageError(.tooLarge, "JPEG is \(storedWidth)×\(storedHeight), more than \(JPEGDecoder.maximumPixelCount) pixels")
        }
        let orientation = Orientation(Self.exifOrientation(decompressor.info) ?? 1)
        let displayed = orientation.displayedSize(storedWidth: storedWidth, storedHeight: storedHeight)
        info = JPEGInfo(
            width: displayed.width, height: displayed.height,
            storedWidth: storedWidth, storedHeight: storedHeight,
            components: Int(header.num_components), colorSpace: Self.colorSpace(header.jpeg_color_space),
            orientation: orientation.value, isProgressive: header.progressive_mode != 0)
        adobe = header.saw_Adobe_marker != 0
    }

    /// The orientation in the first APP1 segment that is EXIF, if any.
    static func exifOrientation(_ info: UnsafeMutablePointer<jpeg_decompress_struct>) -> Int? {
        var marker = info.pointee.marker_list
        while let saved = marker {
            if saved.pointee.marker == JPEG_APP0 + 1, let data = saved.pointee.data,
               let value = EXIF.orientation(app1: UnsafeBufferPointer(start: data, count: Int(saved.pointee.data_length))) {
                return value
            }
            marker = saved.pointee.next
        }
        return nil
    }

    static func colorSpace(_ space: J_COLOR_SPACE) -> JPEGColorSpace {
        switch space {
        case JCS_GRAYSCALE: .grayscale
        case JCS_YCbCr: .yCbCr
        case JCS_RGB: .rgb
        case JCS_CMYK: .cmyk
        case JCS_YCCK: .ycck
        default: .unknown
        }
    }
}
