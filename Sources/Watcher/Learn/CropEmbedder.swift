import TinyGraph
import TinyImage

/// The model cut at its classifier head's input: for each crop, the embedding the
/// head reads and the probabilities the whole model (the current head) gives. One
/// model with two outputs, so that a crop is run once; crops are decoded and fed
/// exactly as a check feeds them (`ModelInput`).
public final class CropEmbedder {
    public let head: ClassifierHead
    public let labels: [String]
    public let inputWidth: Int
    public let inputHeight: Int
    let model: Model
    let convention: PixelConvention

    public init(model source: ModelSource, labels: [String], preset: PixelPreset) throws(WatcherError) {
        head = try Self.findHead(source)
        guard labels.count == head.classCount else {
            throw WatcherError(.model, "\(source.name) has \(head.classCount) outputs but \(labels.count) labels; "
                + "the labels file must list one label per output, in order")
        }
        self.labels = labels
        model = try source.load(LoadOptions(outputNames: [head.embeddingName, head.outputName]))
        guard model.inputs.count == 1, model.inputs[0].shape.count == 4, model.inputs[0].shape[0] == 1, model.inputs[0].shape[3] == 3 else {
            throw WatcherError(.model, "\(source.name): expected one NHWC image input [1, H, W, 3], found "
                + model.inputs.map { "\($0.name) \($0.shape)" }.joined(separator: ", "))
        }
        guard model.outputs[0].elementCount == head.embeddingSize, model.outputs[1].elementCount == head.classCount else {
            throw WatcherError(.model, "\(source.name): the head's input '\(head.embeddingName)' has \(model.outputs[0].elementCount) values "
                + "per image, not \(head.embeddingSize): only a batch of one is supported")
        }
        inputHeight = model.inputs[0].shape[1]
        inputWidth = model.inputs[0].shape[2]
        convention = ModelInput.convention(preset, model: model)
    }

    /// Reads the file only to find the head; its bytes are released before the model loads.
    static func findHead(_ source: ModelSource) throws(WatcherError) -> ClassifierHead {
        let bytes = try source.readBytes()
        do { return try ClassifierHead(model: bytes) } catch {
            throw WatcherError(.model, "\(source.name): \(error)")
        }
    }

    /// How crops become this model's input, without the model.
    public var inputFormat: CropInputFormat {
        CropInputFormat(width: inputWidth, height: inputHeight, convention: convention)
    }

    /// The embedding of one crop and the current head's probabilities for it.
    public func embed(jpeg: [UInt8]) throws(WatcherError) -> (embedding: [Float], probabilities: [Float]) {
        let image = try inputFormat.image(jpeg: jpeg)
        let convention = self.convention
        let outputs: [Model.Tensor]
        do { outputs = try model.run(fillingInput: { image.writeTensor(convention, into: $0) }) } catch {
            throw WatcherError(.model, "inference failed: \(error)")
        }
        return (outputs[0].values, outputs[1].values)
    }
}

/// A model's input size and pixel convention: how an archived crop is fed to it.
public struct CropInputFormat: Sendable {
    public var width: Int
    public var height: Int
    public var convention: PixelConvention

    /// A crop's JPEG (an archive file) → the model's input image, as a check makes it.
    public func image(jpeg: [UInt8]) throws(WatcherError) -> RGBImage {
        let image = try LockClassifier.decode(jpeg, crop: nil, minimumWidth: width, minimumHeight: height)
        return ModelInput.fitted(image, width: width, height: height)
    }
}
