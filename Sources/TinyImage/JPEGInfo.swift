/// The colour space a JPEG's samples are stored in (libjpeg's `jpeg_color_space`).
public enum JPEGColorSpace: String, Sendable {
    case grayscale, yCbCr, rgb, cmyk, ycck, unknown
}

/// What a JPEG's header says, read without decoding any pixels.
public struct JPEGInfo: Equatable, Sendable {
    /// The size as displayed, after the EXIF orientation is applied: crop
    /// boxes are in these coordinates.
    public var width: Int
    public var height: Int
    /// The size of the pixels as stored; swapped with `width` and `height`
    /// for orientations 5 to 8.
    public var storedWidth: Int
    public var storedHeight: Int
    public var components: Int
    public var colorSpace: JPEGColorSpace
    /// The EXIF orientation, 1 to 8; 1 when there is no EXIF or it is unreadable.
    public var orientation: Int
    /// Progressive JPEGs make libjpeg buffer the whole image's coefficients,
    /// so a crop saves time but not memory.
    public var isProgressive: Bool

    public init(width: Int, height: Int, storedWidth: Int, storedHeight: Int, components: Int,
                colorSpace: JPEGColorSpace, orientation: Int, isProgressive: Bool) {
        self.width = width
        self.height = height
        self.storedWidth = storedWidth
        self.storedHeight = storedHeight
        self.components = components
        self.colorSpace = colorSpace
        self.orientation = orientation
        self.isProgressive = isProgressive
    }
}
