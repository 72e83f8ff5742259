/// What to ask libjpeg for, decided from the header before any pixel is decoded:
/// the DCT scale and the region of the stored (scaled) image that holds the crop.
struct DecodePlan: Equatable {
    /// libjpeg decodes at `scale`/8 of full size (scale_num / scale_denom), 1…8.
    var scale: Int
    /// The stored image's size at that scale, as libjpeg computes it: ⌈size × scale / 8⌉.
    var scaledWidth: Int
    var scaledHeight: Int
    /// The region to decode, in the stored image at that scale.
    var region: PixelRect
    var orientation: Orientation

    /// `crop` is in displayed coordinates; nil means the whole image.
    /// `minimumSize` is the displayed size the decoded region must not fall below.
    init(info: JPEGInfo, crop: PixelRect?, minimumSize: (width: Int, height: Int)?) throws(ImageError) {
        let crop = crop ?? PixelRect(x: 0, y: 0, width: info.width, height: info.height)
        guard crop.fits(width: info.width, height: info.height) else {
            throw ImageError(.invalidCrop, "crop \(crop) lies outside the \(info.width)×\(info.height) image")
        }
        orientation = Orientation(info.orientation)
        let stored = orientation.storedRect(crop, storedWidth: info.storedWidth, storedHeight: info.storedHeight)
        // The minimum in stored axes; below 1 means 1.
        var minimum = (width: max(1, minimumSize?.width ?? Int.max), height: max(1, minimumSize?.height ?? Int.max))
        if orientation.swapsAxes { minimum = (minimum.height, minimum.width) }

        // The smallest scale whose region still covers the minimum; 8/8 if none
        // does (DCT scaling never enlarges).
        for scale in 1 ... 8 {
            let region = Self.scaled(stored, by: scale, storedWidth: info.storedWidth, storedHeight: info.storedHeight)
            if scale == 8 || (region.width >= minimum.width && region.height >= minimum.height) {
                self.scale = scale
                self.region = region
                scaledWidth = Self.scaledSize(info.storedWidth, by: scale)
                scaledHeight = Self.scaledSize(info.storedHeight, by: scale)
                return
            }
        }
        fatalError("unreachable: scale 8 always returns")
    }

    /// libjpeg's output size for `size` at `scale`/8 (jdiv_round_up).
    static func scaledSize(_ size: Int, by scale: Int) -> Int { (size * scale + 7) / 8 }

    /// Maps a full-size rectangle to `scale`/8: each edge goes to the nearest
    /// scaled pixel edge (halves round up), so the box stays centred and is
    /// at most half a scaled pixel larger or smaller on each side. An edge on
    /// the image's edge stays there (libjpeg rounds the scaled size up). The
    /// result is at least one pixel and lies inside the scaled image.
    static func scaled(_ rect: PixelRect, by scale: Int, storedWidth: Int, storedHeight: Int) -> PixelRect {
        func edges(_ start: Int, _ length: Int, _ size: Int) -> (Int, Int) {
            let limit = scaledSize(size, by: scale)
            var low = (start * scale + 4) / 8
            var high = start + length == size ? limit : min(((start + length) * scale + 4) / 8, limit)
            if high <= low {
                low = min(low, limit - 1)
                high = low + 1
            }
            return (low, high)
        }
        let (x0, x1) = edges(rect.x, rect.width, storedWidth)
        let (y0, y1) = edges(rect.y, rect.height, storedHeight)
        return PixelRect(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }
}
