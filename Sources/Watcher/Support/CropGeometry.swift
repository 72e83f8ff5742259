/// A crop box in ImageMagick geometry, as the seed article wrote it:
/// `128x128+650+378` is 128×128 pixels whose top-left corner is at (650, 378).
public struct CropGeometry: Sendable, Equatable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    public var x: Int
    public var y: Int

    public init(width: Int, height: Int, x: Int, y: Int) {
        self.width = width
        self.height = height
        self.x = x
        self.y = y
    }

    public init(parsing text: String) throws(WatcherError) {
        let invalid = WatcherError(.usage, "crop '\(text)' is not WxH+X+Y (e.g. 128x128+650+378)")
        let parts = text.trimmingSpaces.split(separator: "+", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw invalid }
        let size = parts[0].split(separator: "x", omittingEmptySubsequences: false)
        guard size.count == 2, let width = Int(size[0]), let height = Int(size[1]), let x = Int(parts[1]),
            let y = Int(parts[2])
        else { throw invalid }
        guard width > 0, height > 0, x >= 0, y >= 0 else {
            throw WatcherError(.usage, "crop '\(text)' needs a positive size and a non-negative offset")
        }
        self.init(width: width, height: height, x: x, y: y)
    }

    public var description: String { "\(width)x\(height)+\(x)+\(y)" }
}
