import CJPEGShim

/// Decodes JPEGs with libjpeg-turbo, decoding only the rows and columns a crop needs.
public enum JPEGDecoder {
    /// Images with more stored pixels than this are refused with `.tooLarge`
    /// before anything is decoded (64 Mi pixels, about 8K × 8K).
    public static let maximumPixelCount = 64 * 1024 * 1024

    /// The header's description of the image; reads no pixel data, so it does
    /// not notice a truncated file (`decode` does).
    public static func info(_ bytes: [UInt8]) throws(ImageError) -> JPEGInfo {
        try JPEGFraming.checkStart(bytes)
        return try withDecompressor(bytes) { decompressor throws(ImageError) in
            try JPEGHeader(decompressor).info
        }
    }

    /// Decodes `crop` (displayed coordinates, after EXIF orientation; nil for
    /// the whole image) into an upright RGB image.
    ///
    /// Only the crop is decoded: rows above it are skipped, decoding stops
    /// after its last row, and libjpeg decodes only the iMCU columns that hold
    /// it. Besides libjpeg's own buffers, memory is one scanline of those
    /// columns and the result.
    ///
    /// With `minimumSize`, libjpeg scales while decoding (scale/8, via the DCT)
    /// by the smallest factor that keeps the decoded crop at least that large
    /// in both dimensions, so the result is between `minimumSize` and the crop's
    /// full size; resize it to the exact size you need. Crop edges are mapped
    /// to the nearest scaled pixel edge (see `DecodePlan.scaled`).
    ///
    /// Grayscale comes out with gray in all three channels; CMYK and YCCK are
    /// converted to RGB (inverted when the file has an Adobe marker, as
    /// Photoshop writes them).
    public static func decode(
        _ bytes: [UInt8], crop: PixelRect? = nil, minimumSize: (width: Int, height: Int)? = nil
    ) throws(ImageError) -> RGBImage {
        try decodeReport(bytes, crop: crop, minimumSize: minimumSize).image
    }

    /// What a decode did, for tests of its memory use.
    struct DecodeReport {
        var image: RGBImage
        var plan: DecodePlan
        /// The columns libjpeg decoded (iMCU-aligned start), in the scaled stored image.
        var columns: (x: Int, width: Int)
        /// The one scanline buffer's size.
        var scanlineBytes: Int
    }

    static func decodeReport(
        _ bytes: [UInt8], crop: PixelRect?, minimumSize: (width: Int, height: Int)?
    ) throws(ImageError) -> DecodeReport {
        try JPEGFraming.checkStart(bytes)
        // libjpeg stops reading after the crop, so check here that the file is whole.
        try JPEGFraming.checkEnd(bytes)
        return try withDecompressor(bytes) { decompressor throws(ImageError) in
            let header = try JPEGHeader(decompressor)
            let plan = try DecodePlan(info: header.info, crop: crop, minimumSize: minimumSize)
            return try RegionDecoder.decode(decompressor, header: header, plan: plan)
        }
    }

    static func withDecompressor<R>(
        _ bytes: [UInt8], _ body: (borrowing Decompressor) throws(ImageError) -> R
    ) throws(ImageError) -> R {
        try bytes.withUnsafeBufferPointer { buffer throws(ImageError) -> R in
            let decompressor = try Decompressor(buffer)
            return try body(decompressor)
        }
    }
}
