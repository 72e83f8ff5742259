import Foundation
import Testing
@_spi(Testing) @testable import TinyGraph

/// Finding a classifier's head, cutting the model at its input, and what is refused.
@Suite struct ClassifierHeadTests {
    struct Expected: Sendable, CustomStringConvertible {
        var path: String
        var outputName: String?
        var output: String
        var embedding: String
        var embeddingSize: Int
        var classes: Int
        var activation: ClassifierHead.Activation
        var layer: String
        var description: String { path }
    }

    static let models = TFLiteFixtures.fixturesRoot
    static let cases: [Expected] = [
        Expected(path: HeadFixtures.repository + "/Models/lock-demo/model.pb", output: "loss", embedding: "pool/Mean",
                 embeddingSize: 128, classes: 2, activation: .softmax, layer: "MatMul"),
        Expected(path: models + "/models/customvision-fruits/model.pb", output: "loss", embedding: "fc/Reshape",
                 embeddingSize: 512, classes: 4, activation: .sigmoid, layer: "MatMul"),
        Expected(path: models + "/tflite/customvision-fruits/model.tflite", output: "loss", embedding: "pool10",
                 embeddingSize: 512, classes: 4, activation: .sigmoid, layer: "FULLY_CONNECTED"),
        Expected(path: models + "/models/squeezenet-databn/model.pb", output: "model_outputs", embedding: "fc/Reshape",
                 embeddingSize: 24, classes: 5, activation: .sigmoid, layer: "MatMul"),
        Expected(path: models + "/models/mobilenetv2-035/model.pb", outputName: "mobilenetv2_0.35_96_1/predictions_1/Softmax",
                 output: "mobilenetv2_0.35_96_1/predictions_1/Softmax", embedding: "mobilenetv2_0.35_96_1/global_average_pooling2d_1/Mean",
                 embeddingSize: 1280, classes: 10, activation: .softmax, layer: "MatMul"),
        Expected(path: models + "/heads/conv-head-pb-5-classes/base.pb", output: "Identity", embedding: "pool",
                 embeddingSize: 12, classes: 4, activation: .softmax, layer: "Conv2D"),
        Expected(path: models + "/heads/conv-head-tflite-5-classes/base.tflite", output: "probabilities", embedding: "pool",
                 embeddingSize: 12, classes: 4, activation: .softmax, layer: "CONV_2D"),
    ]

    /// The head applied to the embedding that the model cut at `embeddingName`
    /// computes is what the whole model outputs.
    @Test(arguments: cases)
    func findsTheHeadAndItsEmbedding(_ expected: Expected) throws {
        let bytes = try Fixtures.bytes(expected.path)
        let head = try ClassifierHead(model: bytes, outputName: expected.outputName)
        #expect(head.outputName == expected.output)
        #expect(head.embeddingName == expected.embedding)
        #expect(head.embeddingSize == expected.embeddingSize)
        #expect(head.classCount == expected.classes)
        #expect(head.activation == expected.activation)
        #expect(head.layerOp == expected.layer)
        #expect(head.weights.count == expected.classes * expected.embeddingSize)

        let model = try Model(bytes: bytes, options: LoadOptions(outputNames: [head.embeddingName, head.outputName]))
        let input = OpTest.randomFloats(model.inputs[0].elementCount, seed: 3).map { $0 * 100 + 100 }
        let outputs = try model.run(input)
        #expect(outputs[0].values.count == head.embeddingSize)
        let comparison = OpTest.compare(head.probabilities(outputs[0].values), outputs[1].values)
        #expect(comparison <= 1e-5, "\(comparison)")
    }

    @Test func refusesAModelWithoutAClassifierHead() throws {
        let bytes = try Fixtures.bytes(Fixtures.root + "/tinyyolo-block/model.pb")
        #expect {
            _ = try ClassifierHead(model: bytes)
        } throws: { error in
            let error = error as! TinyGraphError
            return error.kind == .invalidGraph && error.message.contains("no classifier head") && error.message.contains("Softmax or Sigmoid")
        }
    }

    /// Float16 weights behind DEQUANTIZE (int8 ones likewise) are not float32 constants.
    @Test func refusesHeadsThatAreNotFloat32Constants() throws {
        let bytes = try Fixtures.bytes(Self.models + "/tflite/mobilenetv2-035-fp16/model.tflite")
        #expect {
            _ = try ClassifierHead(model: bytes, outputName: "mobilenetv2_0.35_96_1/predictions_1/Softmax")
        } throws: { error in
            (error as! TinyGraphError).message.contains("are not float32 constants")
        }
    }

    @Test func refusesWeightsOfTheWrongSizeAndAnotherModel() throws {
        let lock = try Fixtures.bytes(HeadFixtures.repository + "/Models/lock-demo/model.pb")
        let head = try ClassifierHead(model: lock)
        #expect(throws: TinyGraphError.self) {
            _ = try head.writing(weights: [Float](repeating: 0, count: 128 * 2 - 1), bias: [0, 0], into: lock)
        }
        #expect(throws: TinyGraphError.self) {
            _ = try head.writing(weights: [], bias: [], into: lock)
        }
        let fruits = try Fixtures.bytes(Fixtures.realExport + "/model.pb")
        #expect {
            _ = try head.writing(weights: head.weights, bias: head.bias, into: fruits)
        } throws: { error in
            (error as! TinyGraphError).kind == .invalidArgument && (error as! TinyGraphError).message.contains("another model")
        }
    }

    /// Placeholder [1, 4] → MatMul → BiasAdd → (Reshape) → Softmax, weights in `float_val`.
    private func smallGraph(sharedWeights: Bool = false, computedReshape: Bool = false) -> GraphBuilder {
        var graph = GraphBuilder()
        graph.placeholder(shape: [1, 4])
        var weights = GraphBuilder.TensorSpec(shape: [4, 2])
        weights.floatValues = [0.5, -1, 2, 0.25, -0.75, 1.5, 1, -2]
        graph.const("w", weights)
        graph.node("w/read", "Identity", inputs: ["w"])
        graph.const("b", .floats([0.1, -0.2], [2]))
        graph.node("mm", "MatMul", inputs: ["Placeholder", "w/read"])
        graph.node("logits", "BiasAdd", inputs: ["mm", "b"])
        var last = "logits"
        if computedReshape {
            graph.node("shape", "Shape", inputs: ["logits"], attrs: [("out_type", .type(3))])
            graph.node("reshaped", "Reshape", inputs: ["logits", "shape"])
            last = "reshaped"
        }
        graph.node("loss", "Softmax", inputs: [last])
        if sharedWeights { graph.node("other", "MatMul", inputs: ["Placeholder", "w"]) }
        return graph
    }

    @Test func rewritesWeightsStoredAsFloatValues() throws {
        let bytes = smallGraph().bytes
        let head = try ClassifierHead(model: bytes)
        #expect(head.weights == [0.5, 2, -0.75, 1, -1, 0.25, 1.5, -2])  // class-major from [C, N]
        let weights: [Float] = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1]
        let bias: [Float] = [0, 0.5, -0.5]
        let written = try head.writing(weights: weights, bias: bias, into: bytes)
        let model = try Model(bytes: written)
        let input: [Float] = [0.3, -0.2, 0.9, 0.4]
        let expected = ClassifierHead.activate(ClassifierHead.logits(input, weights: weights, bias: bias), .softmax)
        #expect(OpTest.compare(try model.run(input)[0].values, expected) <= 1e-6)
    }

    @Test func refusesWeightsThatAnotherNodeReads() throws {
        #expect {
            _ = try ClassifierHead(model: smallGraph(sharedWeights: true).bytes, outputName: "loss")
        } throws: { error in
            (error as! TinyGraphError).message.contains("also read by other nodes")
        }
    }

    @Test func aComputedReshapeKeepsTheClassCount() throws {
        let bytes = smallGraph(computedReshape: true).bytes
        let head = try ClassifierHead(model: bytes)
        _ = try head.writing(weights: head.weights.map { -$0 }, bias: head.bias, into: bytes)
        #expect {
            _ = try head.writing(weights: [Float](repeating: 0, count: 12), bias: [0, 0, 0], into: bytes)
        } throws: { error in
            (error as! TinyGraphError).message.contains("number of classes cannot change")
        }
    }
}
