/// Reads the orientation from an APP1 "Exif" segment: the TIFF header (either
/// byte order), IFD0, tag 0x0112. Anything malformed means orientation 1:
/// a bad EXIF block must never stop the image from decoding.
enum EXIF {
    static func orientation(app1 segment: UnsafeBufferPointer<UInt8>) -> Int? {
        let exifHeader: [UInt8] = [0x45, 0x78, 0x69, 0x66, 0, 0]   // "Exif\0\0"
        guard segment.count >= 6, segment.prefix(6).elementsEqual(exifHeader) else { return nil }
        let tiff = UnsafeBufferPointer(rebasing: segment[6...])
        return orientation(tiff: tiff) ?? 1
    }

    /// `tiff` starts at the TIFF header ("II*\0" or "MM\0*").
    static func orientation(tiff: UnsafeBufferPointer<UInt8>) -> Int? {
        guard tiff.count >= 8 else { return nil }
        let littleEndian: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): littleEndian = true
        case (0x4D, 0x4D): littleEndian = false
        default: return nil
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at + 2 <= tiff.count else { return nil }
            let a = Int(tiff[at]), b = Int(tiff[at + 1])
            return littleEndian ? a | b << 8 : a << 8 | b
        }
        func u32(_ at: Int) -> Int? {
            guard let low = u16(littleEndian ? at : at + 2), let high = u16(littleEndian ? at + 2 : at) else { return nil }
            return high << 16 | low
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return nil }
        for entry in 0 ..< count {
            let at = ifd + 2 + entry * 12
            guard let tag = u16(at) else { return nil }
            guard tag == 0x0112 else { continue }
            // A SHORT, count 1: the value sits in the first two bytes of the value field.
            guard u16(at + 2) == 3, u32(at + 4) == 1, let value = u16(at + 8) else { return nil }
            return (1 ... 8).contains(value) ? value : nil
        }
        return nil
    }
}
