/// An EXIF orientation (tag 0x0112): how the stored pixels are turned for display.
///
/// 1 as stored, 2 mirrored left–right, 3 turned 180°, 4 mirrored top–bottom,
/// 5 transposed (stored rows become displayed columns), 6 turned 90° clockwise,
/// 7 transversed, 8 turned 90° anticlockwise. 5 to 8 swap width and height.
struct Orientation: Equatable, Sendable {
    let value: Int

    /// `value` outside 1…8 (a bad EXIF) means 1.
    init(_ value: Int) {
        self.value = (1 ... 8).contains(value) ? value : 1
    }

    var swapsAxes: Bool { value >= 5 }

    /// The displayed size of a stored `width` × `height` image.
    func displayedSize(storedWidth width: Int, storedHeight height: Int) -> (width: Int, height: Int) {
        swapsAxes ? (height, width) : (width, height)
    }

    /// Where the stored pixel (x, y) of a `width` × `height` image is displayed.
    func displayedPoint(storedX x: Int, storedY y: Int, storedWidth width: Int, storedHeight height: Int) -> (x: Int, y: Int) {
        switch value {
        case 2: (width - 1 - x, y)
        case 3: (width - 1 - x, height - 1 - y)
        case 4: (x, height - 1 - y)
        case 5: (y, x)
        case 6: (height - 1 - y, x)
        case 7: (height - 1 - y, width - 1 - x)
        case 8: (y, width - 1 - x)
        default: (x, y)
        }
    }

    /// The stored pixel shown at displayed (x, y), for a stored `width` × `height` image.
    func storedPoint(displayedX x: Int, displayedY y: Int, storedWidth width: Int, storedHeight height: Int) -> (x: Int, y: Int) {
        switch value {
        case 2: (width - 1 - x, y)
        case 3: (width - 1 - x, height - 1 - y)
        case 4: (x, height - 1 - y)
        case 5: (y, x)
        case 6: (y, height - 1 - x)
        case 7: (width - 1 - y, height - 1 - x)
        case 8: (width - 1 - y, x)
        default: (x, y)
        }
    }

    /// The stored rectangle holding the displayed rectangle `rect` (which must
    /// fit the displayed image): the box around its two mapped corners.
    func storedRect(_ rect: PixelRect, storedWidth width: Int, storedHeight height: Int) -> PixelRect {
        let a = storedPoint(displayedX: rect.x, displayedY: rect.y, storedWidth: width, storedHeight: height)
        let b = storedPoint(displayedX: rect.x + rect.width - 1, displayedY: rect.y + rect.height - 1,
                            storedWidth: width, storedHeight: height)
        return PixelRect(x: min(a.x, b.x), y: min(a.y, b.y),
                         width: abs(a.x - b.x) + 1, height: abs(a.y - b.y) + 1)
    }

    /// Where stored pixels of a `width` × `height` region land in the displayed
    /// region, as an affine map on pixel indices:
    /// index(x, y) = origin + x * xStep + y * yStep.
    func placement(storedWidth width: Int, storedHeight height: Int) -> (origin: Int, xStep: Int, yStep: Int) {
        let displayedWidth = displayedSize(storedWidth: width, storedHeight: height).width
        func index(_ x: Int, _ y: Int) -> Int {
            let p = displayedPoint(storedX: x, storedY: y, storedWidth: width, storedHeight: height)
            return p.y * displayedWidth + p.x
        }
        let origin = index(0, 0)
        return (origin, index(1, 0) - origin, index(0, 1) - origin)
    }
}
