/// Reads FlatBuffers in place: the model file's bytes are never copied, and every
/// offset, vtable, length and index is checked against the end of the file before
/// it is followed. Arithmetic on values from the file reports overflow instead of
/// trapping (32-bit targets included). Errors are `malformedFile` and name the
/// table, the field and the byte offset.
///
/// Layout (flatbuffers.dev, "Internals"): the file starts with a `uoffset` (u32) to
/// the root table and, for TFLite, the identifier "TFL3" at bytes 4..<8. A table
/// starts with an `soffset` (i32): its vtable is at `table - soffset`. A vtable is
/// u16 vtable size in bytes, u16 table size in bytes, then one u16 per field id:
/// the field's offset from the table start, 0 when the field is absent (it then
/// has its default). Tables, vectors and strings are referenced by a `uoffset`
/// relative to the referencing field's own position; a vector or string is a u32
/// element count followed by the elements (a string's bytes then a 0). A union is
/// two fields: a u8 type (id n) and an offset to the table (id n + 1).
struct FlatBuffer {
    let bytes: UnsafeRawBufferPointer

    var count: Int { bytes.count }

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    func error(_ table: String, _ field: String, _ message: String) -> TinyGraphError {
        TinyGraphError(.malformedFile, field: field.isEmpty ? table : table + "." + field, message)
    }

    /// Whether `size` bytes at `position` lie inside the file.
    func contains(_ position: Int, _ size: Int) -> Bool {
        position >= 0 && size >= 0 && position <= count && size <= count - position
    }

    // Unchecked little-endian loads: callers check the range first.
    func u8(_ position: Int) -> UInt8 { bytes[position] }
    func u16(_ position: Int) -> UInt16 { UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt16.self)) }
    func u32(_ position: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self)) }
    func u64(_ position: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)) }

    /// The 4-byte file identifier at bytes 4..<8, if the file is long enough.
    static func hasIdentifier(_ bytes: UnsafeRawBufferPointer, _ identifier: StaticString) -> Bool {
        guard bytes.count >= 8, identifier.utf8CodeUnitCount == 4 else { return false }
        let expected = identifier.utf8Start
        for index in 0..<4 where bytes[4 + index] != expected[index] { return false }
        return true
    }

    /// The root table (the `uoffset` at byte 0).
    func root(_ type: String) throws(TinyGraphError) -> FlatTable {
        guard contains(0, 8) else {
            throw error(type, "", "the file has \(count) bytes, too short for a FlatBuffer (root offset and identifier)")
        }
        guard let position = Int(exactly: u32(0)) else {
            throw error(type, "", "root offset \(u32(0)) at byte 0 is out of range")
        }
        return try table(at: position, type, referencedBy: "root offset")
    }

    /// The position a `uoffset` at `position` refers to (`position` must be checked to hold 4 bytes).
    func target(ofOffsetAt position: Int, _ table: String, _ field: String) throws(TinyGraphError) -> Int {
        let raw = u32(position)
        guard let distance = Int(exactly: raw), case (let target, false) = position.addingReportingOverflow(distance),
              target < count else {
            throw error(table, field, "offset \(raw) at byte \(position) points past the end of the file (\(count) bytes)")
        }
        return target
    }

    /// A table of schema type `type` at `position`, with its vtable checked.
    /// `reference` names the field that points to it ("SubGraph.tensors[3]"), for errors.
    func table(at position: Int, _ type: String, referencedBy reference: String) throws(TinyGraphError) -> FlatTable {
        func fail(_ message: String) -> TinyGraphError {
            TinyGraphError(.malformedFile, field: reference, type + " table at byte \(position): " + message)
        }
        guard contains(position, 4) else { throw fail("lies outside the file (\(count) bytes)") }
        let soffset = Int(Int32(bitPattern: u32(position)))
        guard case (let vtable, false) = position.subtractingReportingOverflow(soffset), contains(vtable, 4) else {
            throw fail("vtable offset \(soffset) points outside the file (\(count) bytes)")
        }
        let vtableSize = Int(u16(vtable))
        let tableSize = Int(u16(vtable + 2))
        guard vtableSize >= 4, vtableSize % 2 == 0, contains(vtable, vtableSize) else {
            throw fail("its vtable at byte \(vtable) has an invalid size \(vtableSize)")
        }
        guard tableSize >= 4, contains(position, tableSize) else {
            throw fail("its vtable at byte \(vtable) gives an invalid table size \(tableSize)")
        }
        return FlatTable(buffer: self, position: position, vtable: vtable, vtableSize: vtableSize, tableSize: tableSize, type: type)
    }
}

/// A vector's elements in the file: `count` elements of `elementSize` bytes from `start`.
struct FlatVector {
    let start: Int
    let count: Int
    let elementSize: Int

    var byteRange: ByteRange { ByteRange(start: start, count: count * elementSize) }
}

/// One table of a FlatBuffer: its position and checked vtable. `type` is the schema's
/// table name, for errors.
struct FlatTable {
    let buffer: FlatBuffer
    let position: Int
    let vtable: Int
    let vtableSize: Int
    let tableSize: Int
    let type: String

    func error(_ field: String, _ message: String) -> TinyGraphError {
        buffer.error(type, field, message)
    }

    /// Absolute position of field `id` holding `size` bytes, or nil when the field is
    /// absent. Throws when the vtable puts the field outside the table.
    func fieldPosition(_ id: Int, size: Int, _ field: String) throws(TinyGraphError) -> Int? {
        let slot = 4 + 2 * id
        guard slot + 2 <= vtableSize else { return nil }
        let offset = Int(buffer.u16(vtable + slot))
        guard offset != 0 else { return nil }
        guard offset >= 4, offset <= tableSize - size else {
            throw error(field, "field offset \(offset) in the vtable at byte \(vtable) lies outside the \(tableSize)-byte table at byte \(position)")
        }
        return position + offset
    }

    // MARK: Scalars (absent: the schema default)

    func uint8(_ id: Int, _ field: String, default defaultValue: UInt8 = 0) throws(TinyGraphError) -> UInt8 {
        guard let at = try fieldPosition(id, size: 1, field) else { return defaultValue }
        return buffer.u8(at)
    }

    func int8(_ id: Int, _ field: String, default defaultValue: Int8 = 0) throws(TinyGraphError) -> Int8 {
        Int8(bitPattern: try uint8(id, field, default: UInt8(bitPattern: defaultValue)))
    }

    func bool(_ id: Int, _ field: String, default defaultValue: Bool = false) throws(TinyGraphError) -> Bool {
        try uint8(id, field, default: defaultValue ? 1 : 0) != 0
    }

    func uint32(_ id: Int, _ field: String, default defaultValue: UInt32 = 0) throws(TinyGraphError) -> UInt32 {
        guard let at = try fieldPosition(id, size: 4, field) else { return defaultValue }
        return buffer.u32(at)
    }

    func int32(_ id: Int, _ field: String, default defaultValue: Int32 = 0) throws(TinyGraphError) -> Int32 {
        Int32(bitPattern: try uint32(id, field, default: UInt32(bitPattern: defaultValue)))
    }

    func float32(_ id: Int, _ field: String, default defaultValue: Float = 0) throws(TinyGraphError) -> Float {
        Float(bitPattern: try uint32(id, field, default: defaultValue.bitPattern))
    }

    func uint64(_ id: Int, _ field: String, default defaultValue: UInt64 = 0) throws(TinyGraphError) -> UInt64 {
        guard let at = try fieldPosition(id, size: 8, field) else { return defaultValue }
        return buffer.u64(at)
    }

    // MARK: References

    /// Where the `uoffset` field `id` points, or nil when absent.
    private func reference(_ id: Int, _ field: String) throws(TinyGraphError) -> (origin: Int, target: Int)? {
        guard let at = try fieldPosition(id, size: 4, field) else { return nil }
        return (at, try buffer.target(ofOffsetAt: at, type, field))
    }

    /// A sub-table, or nil when absent.
    func table(_ id: Int, _ field: String, type: String) throws(TinyGraphError) -> FlatTable? {
        guard let (_, target) = try reference(id, field) else { return nil }
        return try buffer.table(at: target, type, referencedBy: self.type + "." + field)
    }

    /// A vector of `elementSize`-byte elements, or nil when absent.
    func vector(_ id: Int, _ field: String, elementSize: Int) throws(TinyGraphError) -> FlatVector? {
        guard let (_, target) = try reference(id, field) else { return nil }
        return try vector(at: target, field, elementSize: elementSize)
    }

    private func vector(at target: Int, _ field: String, elementSize: Int) throws(TinyGraphError) -> FlatVector {
        guard buffer.contains(target, 4) else {
            throw error(field, "vector length at byte \(target) runs past the end of the file (\(buffer.count) bytes)")
        }
        let raw = buffer.u32(target)
        let available = buffer.count - target - 4
        guard let length = Int(exactly: raw), length <= available / elementSize else {
            throw error(field, "vector of \(raw) elements of \(elementSize) bytes at byte \(target) runs past the end of the file (\(available) bytes left)")
        }
        return FlatVector(start: target + 4, count: length, elementSize: elementSize)
    }

    /// A string field (UTF-8; invalid sequences become U+FFFD), or nil when absent.
    func string(_ id: Int, _ field: String) throws(TinyGraphError) -> String? {
        guard let characters = try vector(id, field, elementSize: 1) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: buffer.bytes[characters.start..<characters.start + characters.count]),
                      as: UTF8.self)
    }

    /// A vector of int32 (shapes, tensor indices), copied: these are small.
    func int32s(_ id: Int, _ field: String) throws(TinyGraphError) -> [Int32]? {
        guard let elements = try vector(id, field, elementSize: 4) else { return nil }
        var result: [Int32] = []
        result.reserveCapacity(elements.count)
        for index in 0..<elements.count { result.append(Int32(bitPattern: buffer.u32(elements.start + 4 * index))) }
        return result
    }

    /// A vector of float32 (quantization scales), copied.
    func floats(_ id: Int, _ field: String) throws(TinyGraphError) -> [Float]? {
        guard let elements = try vector(id, field, elementSize: 4) else { return nil }
        var result: [Float] = []
        result.reserveCapacity(elements.count)
        for index in 0..<elements.count { result.append(Float(bitPattern: buffer.u32(elements.start + 4 * index))) }
        return result
    }

    /// A vector of int64 (quantization zero points), copied.
    func int64s(_ id: Int, _ field: String) throws(TinyGraphError) -> [Int64]? {
        guard let elements = try vector(id, field, elementSize: 8) else { return nil }
        var result: [Int64] = []
        result.reserveCapacity(elements.count)
        for index in 0..<elements.count { result.append(Int64(bitPattern: buffer.u64(elements.start + 8 * index))) }
        return result
    }

    /// A vector of tables, each checked; empty when absent.
    func tables(_ id: Int, _ field: String, type elementType: String) throws(TinyGraphError) -> [FlatTable] {
        guard let elements = try vector(id, field, elementSize: 4) else { return [] }
        var result: [FlatTable] = []
        result.reserveCapacity(elements.count)
        for index in 0..<elements.count {
            let origin = elements.start + 4 * index
            let target = try buffer.target(ofOffsetAt: origin, type, field + "[\(index)]")
            result.append(try buffer.table(at: target, elementType, referencedBy: type + "." + field + "[\(index)]"))
        }
        return result
    }

    /// A union: its type code (field `id`) and table (field `id + 1`, of the schema
    /// type `typeName(code)`); nil table for NONE (code 0) or an absent table.
    func union(_ id: Int, _ field: String, typeName: (UInt8) -> String) throws(TinyGraphError) -> (code: UInt8, table: FlatTable?) {
        let code = try uint8(id, field + "_type")
        guard code != 0 else { return (0, nil) }
        return (code, try table(id + 1, field, type: typeName(code)))
    }
}
