import TinyImage

/// 1920×1080 JPEG stills like a SoraCam's, with the lock box of the seed
/// (128×128 at 650,378) painted one colour: red reads as `open`, blue as
/// `close` and grey as unsure to the colour-lock fixture model.
enum TestStills {
    static let crop = "128x128+650+378"
    static let model = WatcherProcess.repositoryRoot + "/Tests/Fixtures/watcher/colour-lock/model.pb"

    static let red = still(r: 230, g: 20, b: 20)
    static let blue = still(r: 20, g: 20, b: 230)
    static let grey = still(r: 128, g: 128, b: 128)

    static func still(r: UInt8, g: UInt8, b: UInt8) -> [UInt8] {
        let width = 1920, height = 1080
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let inBox = (650..<778).contains(x) && (378..<506).contains(y)
                let index = (y * width + x) * 3
                if inBox {
                    pixels[index] = r; pixels[index + 1] = g; pixels[index + 2] = b
                } else {  // a door-ish gradient with texture
                    pixels[index] = UInt8(120 + (x / 16) % 40); pixels[index + 1] = UInt8(100 + (y / 9) % 50)
                    pixels[index + 2] = UInt8(80 + ((x ^ y) & 31))
                }
            }
        }
        return try! JPEGEncoder.encode(RGBImage(width: width, height: height, pixels: pixels), quality: 90)
    }
}

/// Reads a JPEG's size with the real decoder (for what receivers got).
enum TinyImageProbe {
    static func size(_ jpeg: [UInt8]) throws -> (Int, Int) {
        let image = try JPEGDecoder.decode(jpeg)
        return (image.width, image.height)
    }
}
