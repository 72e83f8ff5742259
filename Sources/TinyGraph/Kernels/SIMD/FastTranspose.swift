/// Transpose without per-element bookkeeping: dims of size 1 are dropped, output
/// dims that stay contiguous in the source are merged, and the two innermost
/// dims are copied with tight loops (a memcpy where the source is contiguous).
/// A channel shuffle ([N, H, W, G, C/G] → [N, H, W, C/G, G]) becomes, per pixel,
/// G contiguous source runs interleaved into one output run: with 4-byte elements
/// and G = 2...4 that is done with vector shuffles, else with scalar loops.
/// Exact: the same bytes as `LayoutReference.gather`.
enum FastTranspose {
    static func transpose(
        from source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer, elementSize: Int,
        inputShape: [Int], perm: [Int]
    ) {
        let inputStrides = TensorType.strides(of: inputShape)
        // Output dims with their source strides, size-1 dims dropped, contiguous runs merged.
        var shape: [Int] = []
        var strides: [Int] = []
        for axis in perm {
            let size = inputShape[axis]
            if size == 0 { return }
            if size == 1 { continue }
            if let lastSize = shape.last, let lastStride = strides.last, lastStride == inputStrides[axis] &* size {
                shape[shape.count - 1] = lastSize &* size
                strides[strides.count - 1] = inputStrides[axis]
            } else {
                shape.append(size)
                strides.append(inputStrides[axis])
            }
        }
        if shape.count <= 1 {  // a plain copy
            let count = shape.first ?? 1
            destination.copyMemory(from: source, byteCount: count &* elementSize)
            return
        }
        let rank = shape.count
        let rows = shape[rank - 2], rowStride = strides[rank - 2]
        let columns = shape[rank - 1], columnStride = strides[rank - 1]
        let interleaves = elementSize == 4 && rowStride == 1 && columns >= 2 && columns <= 4
        var index = [Int](repeating: 0, count: rank - 2)
        var outerOffset = 0
        var output = destination
        while true {
            let input = source + outerOffset &* elementSize
            if interleaves {
                switch columns {
                case 2: interleave2(input, columnStride: columnStride, rows: rows, to: output)
                case 3: interleave3(input, columnStride: columnStride, rows: rows, to: output)
                default: interleave4(input, columnStride: columnStride, rows: rows, to: output)
                }
            } else {
                copyRows(input, rows: rows, rowStride: rowStride, columns: columns, columnStride: columnStride,
                         elementSize: elementSize, to: output)
            }
            output += rows &* columns &* elementSize
            // Odometer over the outer dims.
            var dim = rank - 3
            while dim >= 0 {
                index[dim] &+= 1
                outerOffset &+= strides[dim]
                if index[dim] < shape[dim] { break }
                outerOffset &-= strides[dim] &* shape[dim]
                index[dim] = 0
                dim -= 1
            }
            if dim < 0 { return }
        }
    }

    /// One rows × columns matrix, element by element (a memcpy per row when the
    /// columns are contiguous).
    private static func copyRows(
        _ input: UnsafeRawPointer, rows: Int, rowStride: Int, columns: Int, columnStride: Int, elementSize: Int,
        to destination: UnsafeMutableRawPointer
    ) {
        var output = destination
        for row in 0..<rows {
            let rowStart = input + row &* rowStride &* elementSize
            if columnStride == 1 {
                output.copyMemory(from: rowStart, byteCount: columns &* elementSize)
                output += columns &* elementSize
            } else if elementSize == 4 {
                for column in 0..<columns {
                    let value = rowStart.loadUnaligned(fromByteOffset: column &* columnStride &* 4, as: UInt32.self)
                    output.storeBytes(of: value, toByteOffset: column &* 4, as: UInt32.self)
                }
                output += columns &* 4
            } else {
                for column in 0..<columns {
                    LayoutReference.copyElement(to: output, from: rowStart + column &* columnStride &* elementSize, elementSize: elementSize)
                    output += elementSize
                }
            }
        }
    }
}

// MARK: Vector interleaves of 4-byte elements

/// Output element `r * G + g` is source element `g * columnStride + r`, for r < rows.
/// Blocks of 16 rows (4 when rows < 16) are loaded as one vector per column and
/// shuffled: `SIMD32.evenHalf`/`oddHalf` setters compile to one `vpermi2d` pair
/// with AVX-512 and `unpcklps`/`unpckhps` with SSE (checked with objdump). The
/// last block overlaps the previous one instead of a scalar tail: it rewrites the
/// same values, which is safe because the output never aliases the input.
extension FastTranspose {
    typealias Lanes16 = SIMD16<UInt32>
    typealias Lanes4 = SIMD4<UInt32>

    @inline(__always)
    private static func zip(_ a: Lanes16, _ b: Lanes16) -> SIMD32<UInt32> {
        var result = SIMD32<UInt32>()
        result.evenHalf = a
        result.oddHalf = b
        return result
    }

    @inline(__always)
    private static func zip(_ a: Lanes4, _ b: Lanes4) -> SIMD8<UInt32> {
        var result = SIMD8<UInt32>()
        result.evenHalf = a
        result.oddHalf = b
        return result
    }

    /// Calls `block` with the first row of each vector block covering 0..<rows
    /// (the last block shifted back to end at `rows`), or returns false when rows < width.
    @inline(__always)
    private static func forEachBlock(rows: Int, width: Int, _ block: (Int) -> Void) -> Bool {
        guard rows >= width else { return false }
        var row = 0
        while row &+ width <= rows {
            block(row)
            row &+= width
        }
        if row < rows { block(rows &- width) }
        return true
    }

    /// The scalar form, for fewer rows than a vector holds.
    @inline(__always)
    private static func interleaveScalar(_ input: UnsafeRawPointer, columns: Int, columnStride: Int, rows: Int, to output: UnsafeMutableRawPointer) {
        for row in 0..<rows {
            for column in 0..<columns {
                let value = input.loadUnaligned(fromByteOffset: (column &* columnStride &+ row) &* 4, as: UInt32.self)
                output.storeBytes(of: value, toByteOffset: (row &* columns &+ column) &* 4, as: UInt32.self)
            }
        }
    }

    static func interleave2(_ input: UnsafeRawPointer, columnStride: Int, rows: Int, to output: UnsafeMutableRawPointer) {
        let second = input + columnStride &* 4
        if forEachBlock(rows: rows, width: 16, { row in
            let a = input.loadUnaligned(fromByteOffset: row &* 4, as: Lanes16.self)
            let b = second.loadUnaligned(fromByteOffset: row &* 4, as: Lanes16.self)
            output.storeBytes(of: zip(a, b), toByteOffset: row &* 8, as: SIMD32<UInt32>.self)
        }) { return }
        if forEachBlock(rows: rows, width: 4, { row in
            let a = input.loadUnaligned(fromByteOffset: row &* 4, as: Lanes4.self)
            let b = second.loadUnaligned(fromByteOffset: row &* 4, as: Lanes4.self)
            output.storeBytes(of: zip(a, b), toByteOffset: row &* 8, as: SIMD8<UInt32>.self)
        }) { return }
        interleaveScalar(input, columns: 2, columnStride: columnStride, rows: rows, to: output)
    }

    /// Four columns as two rounds of two: zip(zip(a, c), zip(b, d)) is a, b, c, d per row.
    static func interleave4(_ input: UnsafeRawPointer, columnStride: Int, rows: Int, to output: UnsafeMutableRawPointer) {
        let stride = columnStride &* 4
        if forEachBlock(rows: rows, width: 16, { row in
            let offset = row &* 4
            let a = input.loadUnaligned(fromByteOffset: offset, as: Lanes16.self)
            let b = input.loadUnaligned(fromByteOffset: offset &+ stride, as: Lanes16.self)
            let c = input.loadUnaligned(fromByteOffset: offset &+ 2 &* stride, as: Lanes16.self)
            let d = input.loadUnaligned(fromByteOffset: offset &+ 3 &* stride, as: Lanes16.self)
            let ac = zip(a, c), bd = zip(b, d)
            output.storeBytes(of: zip(ac.lowHalf, bd.lowHalf), toByteOffset: row &* 16, as: SIMD32<UInt32>.self)
            output.storeBytes(of: zip(ac.highHalf, bd.highHalf), toByteOffset: row &* 16 &+ 128, as: SIMD32<UInt32>.self)
        }) { return }
        if forEachBlock(rows: rows, width: 4, { row in
            let offset = row &* 4
            let a = input.loadUnaligned(fromByteOffset: offset, as: Lanes4.self)
            let b = input.loadUnaligned(fromByteOffset: offset &+ stride, as: Lanes4.self)
            let c = input.loadUnaligned(fromByteOffset: offset &+ 2 &* stride, as: Lanes4.self)
            let d = input.loadUnaligned(fromByteOffset: offset &+ 3 &* stride, as: Lanes4.self)
            let ac = zip(a, c), bd = zip(b, d)
            output.storeBytes(of: zip(ac.lowHalf, bd.lowHalf), toByteOffset: row &* 16, as: SIMD8<UInt32>.self)
            output.storeBytes(of: zip(ac.highHalf, bd.highHalf), toByteOffset: row &* 16 &+ 32, as: SIMD8<UInt32>.self)
        }) { return }
        interleaveScalar(input, columns: 4, columnStride: columnStride, rows: rows, to: output)
    }

    /// Three columns have no power-of-two zip; 4 rows at a time, the 12 lanes are
    /// written out by name, which LLVM turns into unpack/blend/permute shuffles.
    static func interleave3(_ input: UnsafeRawPointer, columnStride: Int, rows: Int, to output: UnsafeMutableRawPointer) {
        let stride = columnStride &* 4
        if forEachBlock(rows: rows, width: 4, { row in
            let offset = row &* 4
            let a = input.loadUnaligned(fromByteOffset: offset, as: Lanes4.self)
            let b = input.loadUnaligned(fromByteOffset: offset &+ stride, as: Lanes4.self)
            let c = input.loadUnaligned(fromByteOffset: offset &+ 2 &* stride, as: Lanes4.self)
            let first = Lanes4(a[0], b[0], c[0], a[1]), second = Lanes4(b[1], c[1], a[2], b[2]), third = Lanes4(c[2], a[3], b[3], c[3])
            output.storeBytes(of: first, toByteOffset: row &* 12, as: Lanes4.self)
            output.storeBytes(of: second, toByteOffset: row &* 12 &+ 16, as: Lanes4.self)
            output.storeBytes(of: third, toByteOffset: row &* 12 &+ 32, as: Lanes4.self)
        }) { return }
        interleaveScalar(input, columns: 3, columnStride: columnStride, rows: rows, to: output)
    }
}

// MARK: Channel shuffle into a split

extension FastTranspose {
    /// A channel shuffle of `groups` groups whose result is split on channels:
    /// per pixel, shuffled channel `r * groups + g` is source channel `g * (channels / groups) + r`,
    /// and output k takes the next `parts[k]` shuffled channels (a multiple of `groups`),
    /// which are rows `first..<first + parts[k] / groups` of the interleave. 4-byte
    /// elements, groups in 2...4; writes each output once instead of shuffling then
    /// copying. Only the pixels `pixels` (a thread's share).
    static func shuffleSplit(
        from source: UnsafeRawPointer, to destinations: [UnsafeMutableRawPointer], pixels: Range<Int>, channels: Int, groups: Int,
        parts: [Int]
    ) {
        let columnStride = channels / groups
        for pixel in pixels {
            let input = source + pixel &* channels &* 4
            var firstRow = 0
            for (index, part) in parts.enumerated() {
                let rows = part / groups
                let from = input + firstRow &* 4
                let to = destinations[index] + pixel &* part &* 4
                switch groups {
                case 2: interleave2(from, columnStride: columnStride, rows: rows, to: to)
                case 3: interleave3(from, columnStride: columnStride, rows: rows, to: to)
                default: interleave4(from, columnStride: columnStride, rows: rows, to: to)
                }
                firstRow &+= rows
            }
        }
    }
}
