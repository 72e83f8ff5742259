import CJPEGShim

/// One libjpeg decompressor over bytes in memory, freed when it goes away.
/// Every call that can fail goes through the shim and throws an `ImageError`.
struct Decompressor: ~Copyable {
    private let handle: OpaquePointer
    /// libjpeg's struct, to read the header and set decompression parameters.
    let info: UnsafeMutablePointer<jpeg_decompress_struct>

    /// `data` must stay valid for the decompressor's whole life.
    init(_ data: UnsafeBufferPointer<UInt8>) throws(ImageError) {
        guard let base = data.baseAddress, let handle = cjpeg_decoder_create(base, UInt(data.count)) else {
            throw ImageError(.tooLarge, "out of memory starting libjpeg")
        }
        self.handle = handle
        self.info = cjpeg_decoder_info(handle)
    }

    deinit { cjpeg_decoder_destroy(handle) }

    func readHeader() throws(ImageError) { try check(cjpeg_read_header(handle)) }
    func start() throws(ImageError) { try check(cjpeg_start(handle)) }

    /// Crops the columns libjpeg decodes to `x ..< x + width` of the output
    /// image; returns the column it really starts at (an iMCU boundary at or
    /// left of `x`) and the width it will deliver (through `x + width`).
    func cropColumns(x: Int, width: Int) throws(ImageError) -> (x: Int, width: Int) {
        var offset = JDIMENSION(x), count = JDIMENSION(width)
        try check(cjpeg_crop_scanline(handle, &offset, &count))
        return (Int(offset), Int(count))
    }

    func skipRows(_ rows: Int) throws(ImageError) { try check(cjpeg_skip_scanlines(handle, JDIMENSION(rows))) }

    /// Reads the next output row into `row` (output_width × output_components bytes).
    func readRow(into row: UnsafeMutablePointer<UInt8>) throws(ImageError) { try check(cjpeg_read_scanline(handle, row)) }

    func finish() throws(ImageError) { try check(cjpeg_finish(handle)) }

    /// Stops decoding early; libjpeg frees the image's buffers.
    func abort() { cjpeg_abort(handle) }

    private func check(_ status: cjpeg_status) throws(ImageError) {
        guard status != CJPEG_OK else { return }
        let message = "JPEG: " + String(cString: cjpeg_decoder_message(handle))
        switch status {
        case CJPEG_TRUNCATED: throw ImageError(.truncated, message)
        case CJPEG_UNSUPPORTED: throw ImageError(.unsupported, message)
        case CJPEG_NO_MEMORY: throw ImageError(.tooLarge, message)
        default: throw ImageError(.corrupt, message)
        }
    }
}
