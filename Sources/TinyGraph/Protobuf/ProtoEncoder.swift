/// Protobuf wire-format output: the few encodings that rewriting a GraphDef's
/// constants needs (varints, tags, length-delimited fields, raw copies).
struct ProtoEncoder {
    private(set) var bytes: [UInt8] = []

    /// Room for `count` bytes, so that a large output is allocated once, not doubled as it grows.
    mutating func reserve(_ count: Int) {
        bytes.reserveCapacity(count)
    }

    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }

    mutating func tag(_ field: Int, _ wireType: WireType) {
        varint(UInt64(field) << 3 | UInt64(wireType.rawValue))
    }

    /// A varint field (int32, int64, enum, bool). Negative values take ten bytes, as in protobuf.
    mutating func varintField(_ field: Int, _ value: Int64) {
        tag(field, .varint)
        varint(UInt64(bitPattern: value))
    }

    mutating func lengthDelimited(_ field: Int, _ payload: [UInt8]) {
        tag(field, .lengthDelimited)
        varint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    mutating func string(_ field: Int, _ text: String) {
        lengthDelimited(field, Array(text.utf8))
    }

    /// Copies bytes of the source file unchanged.
    mutating func copy(_ range: ByteRange, from file: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: file[range.start..<range.end]))
    }

    mutating func append(_ other: [UInt8]) {
        bytes.append(contentsOf: other)
    }
}
