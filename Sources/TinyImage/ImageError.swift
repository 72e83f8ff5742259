/// Why an image could not be read, written or cropped: a `kind` a program can
/// branch on, and a `message` a person can act on.
public struct ImageError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The data is not a JPEG at all (empty, a PNG, an HTML error page…).
        case notJPEG
        /// The JPEG ends before its image does.
        case truncated
        /// The JPEG is damaged: libjpeg reported an error or a corrupt-data warning.
        case corrupt
        /// The crop box does not lie inside the image.
        case invalidCrop
        /// A valid JPEG this library cannot decode, or an image it cannot encode.
        case unsupported
        /// The image has more pixels than `JPEGDecoder.maximumPixelCount`.
        case tooLarge
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
