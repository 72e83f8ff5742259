/// Hand edits to encoded JPEG files: EXIF segments, marker surgery.
enum JPEGBytes {
    /// An APP1 "Exif" segment whose IFD0 has a Make tag and then the
    /// orientation, in little-endian ("II") or big-endian ("MM") TIFF.
    static func exifSegment(orientation: Int, littleEndian: Bool) -> [UInt8] {
        var tiff: [UInt8] = littleEndian ? [0x49, 0x49] : [0x4D, 0x4D]
        func u16(_ v: Int) { tiff += littleEndian ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)] }
        func u32(_ v: Int) {
            if littleEndian { u16(v & 0xFFFF); u16(v >> 16) } else { u16(v >> 16); u16(v & 0xFFFF) }
        }
        u16(42)
        u32(8)  // IFD0 right after the header
        u16(2)  // two entries
        u16(0x010F); u16(2); u32(4); tiff += Array("Cam\0".utf8)   // Make, ASCII, inline
        u16(0x0112); u16(3); u32(1); u16(orientation); u16(0)       // Orientation, SHORT
        u32(0)  // no IFD1
        return app1(Array("Exif".utf8) + [0, 0] + tiff)
    }

    /// An APP1 segment (FF E1, big-endian length including itself) around `payload`.
    static func app1(_ payload: [UInt8]) -> [UInt8] {
        let length = payload.count + 2
        return [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }

    /// `jpeg` with `segments` inserted right after SOI.
    static func inserting(_ segments: [UInt8], into jpeg: [UInt8]) -> [UInt8] {
        Array(jpeg[0 ..< 2]) + segments + Array(jpeg[2...])
    }

    /// The offset of the first marker segment FF `marker` before the scan data.
    static func segmentOffset(_ marker: UInt8, in jpeg: [UInt8]) -> Int? {
        var at = 2
        while at + 4 <= jpeg.count, jpeg[at] == 0xFF {
            if jpeg[at + 1] == marker { return at }
            if jpeg[at + 1] == 0xDA { return nil }   // start of scan: headers are over
            at += 2 + (Int(jpeg[at + 2]) << 8 | Int(jpeg[at + 3]))
        }
        return nil
    }

    /// `jpeg` without its first FF `marker` segment.
    static func removingSegment(_ marker: UInt8, from jpeg: [UInt8]) -> [UInt8] {
        guard let at = segmentOffset(marker, in: jpeg) else { return jpeg }
        let length = Int(jpeg[at + 2]) << 8 | Int(jpeg[at + 3])
        return Array(jpeg[..<at]) + Array(jpeg[(at + 2 + length)...])
    }

    /// Where the entropy-coded data starts (after the SOS header).
    static func scanDataOffset(_ jpeg: [UInt8]) -> Int {
        let sos = segmentOffset(0xDA, in: jpeg) ?? { fatalError("no SOS") }()
        return sos + 2 + (Int(jpeg[sos + 2]) << 8 | Int(jpeg[sos + 3]))
    }
}
