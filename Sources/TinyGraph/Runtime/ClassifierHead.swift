/// The last layer of an image classifier: a dense layer (`MatMul`, or a 1×1
/// `Conv2D`; TFLite `FULLY_CONNECTED` or `CONV_2D`) with a bias, then `Softmax` or
/// `Sigmoid`. Find it in a model file, compute embeddings by cutting the model at
/// ``embeddingName``, train new weights on them, and write a copy of the file with
/// the new head: the way to teach a classifier new examples, or new labels, without
/// retraining the network.
///
/// ```swift
/// let bytes: [UInt8] = …                                   // model.pb or model.tflite
/// let head = try ClassifierHead(model: bytes)
/// let backbone = try Model(bytes: bytes, options: LoadOptions(outputNames: [head.embeddingName]))
/// let embedding = try backbone.run(pixels)[0].values       // head.embeddingSize values
/// // … train weights (classes × embeddingSize, class-major) and bias (classes) …
/// let retrained: [UInt8] = try head.writing(weights: weights, bias: bias, into: bytes)
/// ```
///
/// A frozen GraphDef is copied byte for byte except the weight and bias `Const`
/// nodes (and a `Reshape` shape that names the class count); a TFLite file keeps its
/// structure, with the new weights in new buffers when their size changes. The head
/// is found through `Identity`, `Reshape` and `Squeeze` chains, including Custom
/// Vision's `loss` → `model_outputs`.
public struct ClassifierHead: Sendable, Equatable {
    public enum Activation: String, Sendable {
        /// Probabilities that sum to 1 (multinomial).
        case softmax
        /// One independent probability per class (Custom Vision's usual `loss`).
        case sigmoid
    }

    public enum Format: Sendable {
        case graphDef
        case tflite
    }

    public let format: Format
    /// The output the head computes (the probabilities).
    public let outputName: String
    /// The tensor the head reads: pass it in ``LoadOptions/outputNames`` to compute embeddings.
    public let embeddingName: String
    public let activation: Activation
    /// `MatMul`, `Conv2D`, `FULLY_CONNECTED` or `CONV_2D`.
    public let layerOp: String
    /// The nodes (GraphDef) or tensors (TFLite) holding the weights and the bias.
    public let weightsName: String
    public let biasName: String
    /// Values in one embedding (the layer's input channels).
    public let embeddingSize: Int
    /// Outputs of the head: one per label.
    public let classCount: Int
    /// `classCount × embeddingSize`, class-major: `weights[k * embeddingSize + c]`.
    public let weights: [Float]
    public let bias: [Float]

    /// Finds the head that computes `outputName` (by default a GraphDef's `model_outputs`,
    /// else `loss`, else its only output; a TFLite model's only output).
    public init(model bytes: UnsafeRawBufferPointer, outputName: String? = nil) throws(TinyGraphError) {
        let found: FoundHead
        if TFLiteImporter.isTFLite(bytes) {
            format = .tflite
            found = try TFLiteHead.find(bytes, outputName: outputName).found
        } else {
            format = .graphDef
            found = try GraphDefHead.find(bytes, try GraphDefLayout.scan(bytes), outputName: outputName).found
        }
        self.outputName = found.outputName
        embeddingName = found.embeddingName
        activation = found.activation
        layerOp = found.layerOp
        weightsName = found.weightsName
        biasName = found.biasName
        embeddingSize = found.embeddingSize
        classCount = found.classCount
        weights = found.weights
        bias = found.bias
    }

    public init(model bytes: [UInt8], outputName: String? = nil) throws(TinyGraphError) {
        let result: Result<ClassifierHead, TinyGraphError> = bytes.withUnsafeBytes { buffer in
            do throws(TinyGraphError) { return .success(try ClassifierHead(model: buffer, outputName: outputName)) } catch {
                return .failure(error)
            }
        }
        self = try result.get()
    }

    /// Weights · embedding + bias, one logit per class.
    public func logits(_ embedding: [Float]) -> [Float] {
        Self.logits(embedding, weights: weights, bias: bias)
    }

    /// What the model outputs for this embedding: the head's activation of its logits.
    public func probabilities(_ embedding: [Float]) -> [Float] {
        Self.activate(logits(embedding), activation)
    }

    /// A copy of `model` (the file this head was found in, or another copy of it) with
    /// new `weights` (`classes × embeddingSize`, class-major) and `bias` (`classes`).
    /// The class count may differ from ``classCount``: shapes follow.
    public func writing(weights newWeights: [Float], bias newBias: [Float], into model: [UInt8]) throws(TinyGraphError) -> [UInt8] {
        guard !newBias.isEmpty, newWeights.count == newBias.count * embeddingSize else {
            throw TinyGraphError(.invalidArgument, field: "weights",
                                 "\(newWeights.count) weights and \(newBias.count) biases do not make a head of \(embeddingSize) inputs")
        }
        let result: Result<[UInt8], TinyGraphError> = model.withUnsafeBytes { file in
            do throws(TinyGraphError) {
                if TFLiteImporter.isTFLite(file) {
                    let head = try TFLiteHead.find(file, outputName: outputName)
                    try check(head.found)
                    return .success(try head.write(file, weights: newWeights, bias: newBias))
                }
                let layout = try GraphDefLayout.scan(file)
                let head = try GraphDefHead.find(file, layout, outputName: outputName)
                try check(head.found)
                return .success(try head.write(file, layout, weights: newWeights, bias: newBias))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    private func check(_ found: FoundHead) throws(TinyGraphError) {
        guard found.embeddingSize == embeddingSize, found.embeddingName == embeddingName else {
            throw TinyGraphError(.invalidArgument, field: "model",
                                 "the model's head reads '\(found.embeddingName)' (\(found.embeddingSize) values), not '\(embeddingName)' (\(embeddingSize)): another model")
        }
    }

    /// Weights · embedding + bias for any head of this shape.
    public static func logits(_ embedding: [Float], weights: [Float], bias: [Float]) -> [Float] {
        let inputs = embedding.count
        precondition(weights.count == bias.count * inputs, "weights, bias and embedding sizes disagree")
        var result = bias
        for k in bias.indices {
            var sum: Float = 0
            for c in 0..<inputs { sum += weights[k * inputs + c] * embedding[c] }
            result[k] += sum
        }
        return result
    }

    /// Softmax or sigmoid of logits, computed as TinyGraph's kernels compute them.
    public static func activate(_ logits: [Float], _ activation: Activation) -> [Float] {
        switch activation {
        case .sigmoid:
            return logits.map { 1 / (1 + FloatMath.exp(-$0)) }
        case .softmax:
            var largest = -Float.infinity
            for value in logits where value > largest { largest = value }
            let exponentials = logits.map { FloatMath.exp($0 - largest) }
            var sum: Float = 0
            for value in exponentials { sum += value }
            return exponentials.map { $0 / sum }
        }
    }
}

/// What a head search found, whatever the file format.
struct FoundHead {
    var outputName: String
    var embeddingName: String
    var activation: ClassifierHead.Activation
    var layerOp: String
    var weightsName: String
    var biasName: String
    var embeddingSize: Int
    var classCount: Int
    var weights: [Float]
    var bias: [Float]
}
