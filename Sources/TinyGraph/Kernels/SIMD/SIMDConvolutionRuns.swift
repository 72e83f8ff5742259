/// The run pointer table of `conv2DPixels`: for each pixel of a block, where each
/// run of inputs its window multiplies starts. Three ways to fill it, cheapest
/// first:
/// - merged: the block lies in one output row and every window inside the input
///   horizontally, so the KW × C inputs under a kernel row are contiguous in NHWC,
///   in the packed weights' order: one run per kernel row, pointers into the input;
/// - windows: otherwise (a block across a row end, or a window over the left or
///   right padding, as the last block of each row of a 'SAME' stem), still one run
///   per kernel row, each pixel's own; a row of a window that crosses the left or
///   right edge is copied into the table's `windows` scratch with zeros outside;
/// - taps: one run of C inputs per (ky, kx), where runs of C are long enough
///   (C ≥ `windowMaximumChannels`: the expand layers of the export measured no
///   faster by windows), where the windows would be large (over
///   `windowCopyBytes`), or where taps are not adjacent (dilation).
/// Kernel rows in the top or bottom padding read a row of zeros. Every way sums
/// each output's products in the same (ky, kx, c) order: the same bits.
extension SIMDConvolution {
    /// Scratch of one thread's table (`rowWorkspace`).
    struct RunTable {
        /// A kernel row's worth of zeros, for rows in the padding.
        let zeros: UnsafeMutablePointer<Float>
        /// rows[run * pixelBlock + m]: where run `run` of pixel `m` starts.
        let rows: UnsafeMutablePointer<UnsafePointer<Float>>
        /// One KW × C row per (pixel, kernel row), for windows over the side padding;
        /// nil where that would take over `windowCopyBytes` (the taps way then).
        let windows: UnsafeMutablePointer<Float>?
    }

    /// Most bytes of window copies per table.
    static let windowCopyBytes = 64 * 1024

    /// Input channels below which the windows way replaces the taps: a 3-channel
    /// stem's taps are runs of 3 values (its 'SAME' rows end in a block of taps:
    /// MobileNetV2's stem 0.340 → 0.325 ms by windows).
    static let windowMaximumChannels = 16

    /// Floats of `RunTable.windows` for `g`, 0 where the windows way does not apply.
    static func windowFloats(_ g: ConvolutionGeometry) -> Int {
        let floats = pixelBlock &* g.kernelHeight &* g.kernelWidth &* g.inChannels
        return g.dilationW == 1 && g.inChannels < windowMaximumChannels && 4 &* floats <= windowCopyBytes ? floats : 0
    }

    /// Bytes of `rowWorkspace`'s scratch.
    static func rowWorkspaceBytes(_ g: ConvolutionGeometry) -> Int {
        let zeroBytes = (4 &* max(g.kernelWidth &* g.inChannels, 1) &+ 63) / 64 &* 64
        let rowBytes = (MemoryLayout<UnsafePointer<Float>>.stride &* max(g.kernelHeight &* g.kernelWidth &* pixelBlock, 1) &+ 63) / 64 &* 64
        return zeroBytes &+ rowBytes &+ 4 &* windowFloats(g)
    }

    /// The table in `memory` (`rowWorkspaceBytes`, 64-byte aligned), its zeros written.
    static func rowWorkspace(_ g: ConvolutionGeometry, in memory: UnsafeMutableRawPointer) -> RunTable {
        let zeroCount = max(g.kernelWidth &* g.inChannels, 1)
        let zeros = memory.bindMemory(to: Float.self, capacity: zeroCount)
        zeros.update(repeating: 0, count: zeroCount)
        let zeroBytes = (4 &* zeroCount &+ 63) / 64 &* 64
        let rowCount = max(g.kernelHeight &* g.kernelWidth &* pixelBlock, 1)
        let rows = (memory + zeroBytes).bindMemory(to: UnsafePointer<Float>.self, capacity: rowCount)
        let windowCount = windowFloats(g)
        let rowBytes = (MemoryLayout<UnsafePointer<Float>>.stride &* rowCount &+ 63) / 64 &* 64
        let windows = windowCount > 0 ? (memory + zeroBytes + rowBytes).bindMemory(to: Float.self, capacity: windowCount) : nil
        return RunTable(zeros: zeros, rows: rows, windows: windows)
    }

    /// Fills `table.rows` for the block of output pixels `first..<first + valid`
    /// (flat indices oy × outWidth + ox) of image `n`; a short block repeats its
    /// last pixel. Returns the runs per pixel and their length.
    @inline(__always)
    static func fillRuns(
        _ table: RunTable, input: UnsafePointer<Float>, geometry g: ConvolutionGeometry, batch n: Int, first: Int, valid: Int
    ) -> (runs: Int, runLength: Int) {
        let block = pixelBlock
        let rows = table.rows
        let zeros = UnsafePointer(table.zeros)
        let inChannels = g.inChannels
        let oy = first / g.outWidth, firstX = first &- oy &* g.outWidth
        let leftmost = firstX &* g.strideW &- g.padLeft
        let rightmost = (firstX &+ valid &- 1) &* g.strideW &- g.padLeft &+ g.kernelWidth &- 1
        if g.dilationW == 1 && firstX &+ valid <= g.outWidth && leftmost >= 0 && rightmost < g.inWidth {
            // Merged: the row's base plus the pixel's column.
            let pixelStep = g.strideW &* inChannels
            for ky in 0..<g.kernelHeight {
                let iy = oy &* g.strideH &- g.padTop &+ ky &* g.dilationH
                let entries = rows + ky &* block
                guard iy >= 0 && iy < g.inHeight else {
                    for m in 0..<block { entries[m] = zeros }
                    continue
                }
                let base = input + ((n &* g.inHeight &+ iy) &* g.inWidth &+ leftmost) &* inChannels
                for m in 0..<block { entries[m] = base + min(m, valid &- 1) &* pixelStep }
            }
            return (g.kernelHeight, g.kernelWidth &* inChannels)
        }
        var pixelY = oy, pixelX = firstX
        if let windows = table.windows {
            let rowLength = g.kernelWidth &* inChannels
            for m in 0..<block {
                let ix0 = pixelX &* g.strideW &- g.padLeft
                let inside = ix0 >= 0 && ix0 &+ g.kernelWidth <= g.inWidth
                for ky in 0..<g.kernelHeight {
                    let iy = pixelY &* g.strideH &- g.padTop &+ ky &* g.dilationH
                    let entry = ky &* block &+ m
                    guard iy >= 0 && iy < g.inHeight else {
                        rows[entry] = zeros
                        continue
                    }
                    let inputRow = input + (n &* g.inHeight &+ iy) &* g.inWidth &* inChannels
                    if inside {
                        rows[entry] = inputRow + ix0 &* inChannels
                        continue
                    }
                    // Columns ix0..<ix0 + KW: zeros, the part inside lo..<hi (one copy), zeros.
                    // A window wholly in the padding (padding wider than the kernel) is all zeros.
                    let copy = windows + entry &* rowLength
                    let lo = max(ix0, 0), hi = min(ix0 &+ g.kernelWidth, g.inWidth)
                    if hi <= lo {
                        rows[entry] = zeros
                        continue
                    }
                    let before = (lo &- ix0) &* inChannels, count = (hi &- lo) &* inChannels
                    copy.update(repeating: 0, count: before)
                    (copy + before).update(from: inputRow + lo &* inChannels, count: count)
                    (copy + (before &+ count)).update(repeating: 0, count: rowLength &- before &- count)
                    rows[entry] = UnsafePointer(copy)
                }
                if m &+ 1 < valid {
                    pixelX &+= 1
                    if pixelX == g.outWidth { pixelX = 0; pixelY &+= 1 }
                }
            }
            return (g.kernelHeight, rowLength)
        }
        for m in 0..<block {
            for ky in 0..<g.kernelHeight {
                let iy = pixelY &* g.strideH &- g.padTop &+ ky &* g.dilationH
                let rowInside = iy >= 0 && iy < g.inHeight
                for kx in 0..<g.kernelWidth {
                    let ix = pixelX &* g.strideW &- g.padLeft &+ kx &* g.dilationW
                    let tap = ky &* g.kernelWidth &+ kx
                    if rowInside && ix >= 0 && ix < g.inWidth {
                        rows[tap &* block &+ m] = input + ((n &* g.inHeight &+ iy) &* g.inWidth &+ ix) &* inChannels
                    } else {
                        rows[tap &* block &+ m] = zeros
                    }
                }
            }
            if m &+ 1 < valid {
                pixelX &+= 1
                if pixelX == g.outWidth { pixelX = 0; pixelY &+= 1 }
            }
        }
        return (g.kernelHeight &* g.kernelWidth, inChannels)
    }
}
