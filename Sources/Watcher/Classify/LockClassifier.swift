import TinyGraph
import TinyImage

/// How the classifier turns a crop into the model's input.
public enum PixelPreset: String, Sendable, CaseIterable {
    /// Custom Vision compact exports: BGR 0–255; the mean (B 105, G 117, R 124) is
    /// subtracted here only when the graph has no `data_bn` doing it itself.
    case customVision = "custom-vision"
    case rgb255
    /// RGB scaled to 0…1 (Keras `rescale=1/255`, Teachable Machine style).
    case rgb01
    /// RGB scaled to −1…1 (MobileNet's `preprocess_input`).
    case rgbSigned = "rgb-1-1"
}

/// A loaded model, its labels and its input convention: JPEG in, probabilities out.
public final class LockClassifier {
    public let model: Model
    public let labels: [String]
    public let inputWidth: Int
    public let inputHeight: Int
    public let convention: PixelConvention

    public convenience init(modelPath: String, labelsPath: String? = nil, preset: PixelPreset = .customVision)
        throws(WatcherError)
    {
        try self.init(model: .file(modelPath), labelsPath: labelsPath, preset: preset)
    }

    /// Loads the model, then its labels (`labelsPath`, else `labels.txt` beside a
    /// model file, else the built-in model's). A model that cannot be loaded is a
    /// `.model` error; labels that are missing or do not fit it are `.usage`.
    /// `threads` is the engine's `LoadOptions.threads` (1: the calling thread alone).
    public init(model source: ModelSource, labelsPath: String? = nil, preset: PixelPreset = .customVision,
                threads: Int = 1) throws(WatcherError)
    {
        let modelPath = source.description
        let options = LoadOptions(threads: threads)
        do {
            switch source {
            case .file(let path): model = try Model(contentsOf: path, options: options)
            case .builtIn: model = try Model(bytes: BuiltInModel.modelBytes(), options: options)
            }
        } catch {
            throw WatcherError(.model, "cannot load \(modelPath): \(error)")
        }
        labels = try source.labels(labelsPath: labelsPath)
        guard model.inputs.count == 1, model.inputs[0].shape.count == 4, model.inputs[0].shape[0] == 1,
            model.inputs[0].shape[3] == 3
        else {
            throw WatcherError(.model, "\(modelPath): expected one NHWC image input [1, H, W, 3], found "
                + model.inputs.map { "\($0.name) \($0.shape)" }.joined(separator: ", "))
        }
        inputHeight = model.inputs[0].shape[1]
        inputWidth = model.inputs[0].shape[2]
        guard let output = model.outputs.first, output.elementCount == labels.count else {
            throw WatcherError(.usage, "\(modelPath) has \(model.outputs.first?.elementCount ?? 0) outputs but "
                + "\(labels.count) labels; the labels file must list one label per output, in order")
        }
        convention = ModelInput.convention(preset, model: model)
    }

    /// Decodes the crop of a JPEG still (only that region), resizes it to the
    /// model's input and classifies it. Returns the crop too, for archive and notifiers.
    public func classify(jpeg: [UInt8], crop: CropGeometry?) throws(WatcherError) -> (Classification, RGBImage) {
        let image = try Self.decode(jpeg, crop: crop, minimumWidth: inputWidth, minimumHeight: inputHeight)
        return (try classify(image: image), image)
    }

    /// The crop as the model sees it: resized to its input (area averaging when
    /// shrinking, bilinear when enlarging).
    public func inputImage(from image: RGBImage) -> RGBImage {
        ModelInput.fitted(image, width: inputWidth, height: inputHeight)
    }

    /// Classifies an already decoded crop.
    public func classify(image: RGBImage) throws(WatcherError) -> Classification {
        let resized = inputImage(from: image)
        let outputs: [Model.Tensor]
        let convention = self.convention
        do { outputs = try model.run(fillingInput: { resized.writeTensor(convention, into: $0) }) } catch {
            throw WatcherError(.model, "inference failed: \(error)")
        }
        return Classification(labels: labels, probabilities: outputs[0].values.map { Double($0) })
    }

    static func decode(_ jpeg: [UInt8], crop: CropGeometry?, minimumWidth: Int, minimumHeight: Int)
        throws(WatcherError) -> RGBImage
    {
        do {
            return try JPEGDecoder.decode(
                jpeg, crop: crop.map { PixelRect(x: $0.x, y: $0.y, width: $0.width, height: $0.height) },
                minimumSize: (minimumWidth, minimumHeight))
        } catch {
            throw WatcherError(.image, "\(error)", cause: error.kind == .invalidCrop ? .cropOutsideStill : .unusableStill)
        }
    }
}
