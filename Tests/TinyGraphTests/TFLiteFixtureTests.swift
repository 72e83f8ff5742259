import Foundation
import Testing
@_spi(Testing) @testable import TinyGraph

/// The committed TFLite fixtures (Tests/Fixtures/tflite/*), made by tools/make_tflite_fixtures.py
/// from the TensorFlow fixtures, with LiteRT's outputs.
enum TFLiteFixtures {
    static let root: String = {
        var url = URL(fileURLWithPath: Fixtures.root)
        url.deleteLastPathComponent()  // models
        return url.appendingPathComponent("tflite").path
    }()

    static let fixturesRoot: String = URL(fileURLWithPath: Fixtures.root).deletingLastPathComponent().path

    struct Output {
        var name: String
        /// The same output's node in the .pb fixture, if there is one.
        var pbName: String?
        var shape: [Int]
        var isProbability: Bool
        var values: [Float]
        /// Outputs of quantized models: the output's quantization step, how many steps
        /// TinyGraph may differ from LiteRT's reference kernels, whether the top-1 class
        /// must agree, and XNNPACK's outputs (for information).
        var quantizationStep: Float? = nil
        var toleranceSteps: Double? = nil
        var top1 = false
        var xnnpackValues: [Float]? = nil
    }

    struct Case {
        var name: String
        var directory: String
        var model: String { directory + "/model.tflite" }
        /// The .pb fixture this one was converted from (e.g. "models/op-conv").
        var source: String?
        var input: String
        var inputShape: [Int]
        var input32: [Float]
        var weights: String
        var outputs: [Output]
        var ops: [String]
    }

    /// The index's fixtures (see FixtureIndex) that `include` accepts; by default those
    /// with outputs (quantized-int8 has none: it must be refused). A fixture that no
    /// longer loads is kept, so that its test fails instead of disappearing.
    static func names(where include: (Case) -> Bool = { !$0.outputs.isEmpty }) -> [String] {
        FixtureIndex.names(in: root).filter { name in (try? load(name)).map(include) ?? true }
    }

    static func load(_ name: String) throws -> Case {
        let directory = root + "/" + name
        let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/meta.json"))) as! [String: Any]
        var outputs: [Output] = []
        for entry in meta["outputs"] as! [[String: Any]] {
            let shape = entry["shape"] as! [Int]
            var output = Output(name: entry["name"] as! String, pbName: entry["pb_name"] as? String, shape: shape,
                                isProbability: (entry["kind"] as! String) == "probabilities",
                                values: try Fixtures.floats(directory + "/" + (entry["file"] as! String), shape: shape))
            if let steps = entry["tolerance_steps"] as? Double {
                let quantization = entry["quantization"] as! [String: Any]
                output.quantizationStep = Float((quantization["scale"] as! NSNumber).doubleValue)
                output.toleranceSteps = steps
                output.top1 = entry["top1"] as! Bool
                output.xnnpackValues = try Fixtures.floats(directory + "/" + (entry["xnnpack_file"] as! String), shape: shape)
            }
            outputs.append(output)
        }
        return Case(name: name, directory: directory, source: meta["source"] as? String, input: meta["input"] as! String,
                    inputShape: meta["input_shape"] as! [Int],
                    input32: try Fixtures.floats(fixturesRoot + "/" + (meta["input_file"] as! String)),
                    weights: meta["weights"] as! String, outputs: outputs, ops: meta["ops"] as? [String] ?? [])
    }

    static func tolerance(_ output: Output) -> Float {
        Fixtures.tolerance(Fixtures.Output(name: output.name, shape: output.shape, isProbability: output.isProbability, values: output.values))
    }

    /// Whether `values` agree with the fixture's output: within the engine's tolerance
    /// (float outputs), or within `toleranceSteps` quantization steps with the same
    /// top-1 class (outputs of quantized models). The message says how far apart.
    static func check(_ values: [Float], against expected: Output) -> (passed: Bool, message: String) {
        guard let step = expected.quantizationStep, let steps = expected.toleranceSteps else {
            let error = OpTest.compare(values, expected.values)
            let tolerance = tolerance(expected)
            return (error <= tolerance, "\(error); tolerance \(tolerance)")
        }
        let error = OpTest.compareQuantized(values, expected.values, step: step)
        let sameTop1 = !expected.top1 || OpTest.top1(values) == OpTest.top1(expected.values)
        return (error <= steps && sameTop1,
                "in steps of \(step): \(error); tolerance \(steps) steps; top-1 \(OpTest.top1(values).map(String.init) ?? "none"), LiteRT's \(OpTest.top1(expected.values).map(String.init) ?? "none")")
    }
}

/// Every TFLite fixture against LiteRT's own outputs, and against TinyGraph's result
/// for the .pb model it was converted from.
@Suite struct TFLiteFixtureTests {
    @Test(arguments: TFLiteFixtures.names())
    func matchesLiteRT(_ name: String) throws {
        let fixture = try TFLiteFixtures.load(name)
        let model = try Model(contentsOf: fixture.model)
        #expect(model.inputs.map(\.name) == [fixture.input])
        #expect(model.inputs[0].shape == fixture.inputShape)
        #expect(model.outputs.map(\.name) == fixture.outputs.map(\.name))
        let outputs = try model.run(fixture.input32)
        #expect(outputs.count == fixture.outputs.count)
        for (output, expected) in zip(outputs, fixture.outputs) {
            #expect(output.shape == expected.shape, "\(name) \(expected.name)")
            let (passed, message) = TFLiteFixtures.check(output.values, against: expected)
            #expect(passed, "\(name) \(expected.name): \(message)")
        }
    }

    /// The same model as .pb and as .tflite (float32 weights): TinyGraph's outputs agree within 1e-5.
    @Test(arguments: TFLiteFixtures.names { $0.source != nil && $0.weights == "float32" && !$0.outputs.isEmpty })
    func agreesWithTheProtobufModel(_ name: String) throws {
        let fixture = try TFLiteFixtures.load(name)
        let pbNames = fixture.outputs.compactMap(\.pbName)
        try #require(pbNames.count == fixture.outputs.count)
        let pb = try Model(contentsOf: TFLiteFixtures.fixturesRoot + "/" + fixture.source! + "/model.pb",
                           options: LoadOptions(outputNames: pbNames))
        let tflite = try Model(contentsOf: fixture.model)
        let expected = try pb.run(fixture.input32)
        let outputs = try tflite.run(fixture.input32)
        for (output, reference) in zip(outputs, expected) {
            #expect(output.shape == reference.shape, "\(name) \(output.name)")
            let error = OpTest.compare(output.values, reference.values)
            #expect(error <= 1e-5, "\(name) \(output.name) vs .pb \(reference.name): \(error)")
        }
    }

    @Test func everySupportedOpHasAFixture() throws {
        var covered = Set<String>()
        for name in TFLiteFixtures.names(where: { $0.weights == "float32" || $0.weights == "float16" }) {
            covered.formUnion(try TFLiteFixtures.load(name).ops)
        }
        let missing = TFLiteImporter.supportedOps.map(\.name).filter { !covered.contains($0) }
        #expect(missing.isEmpty, "TFLite ops without a fixture: \(missing)")
    }

    /// op-shape keeps the .pb's -1 batch (shape_signature): with another batch size,
    /// SHAPE → STRIDED_SLICE → PACK → RESHAPE computes the new shapes, as in the .pb.
    /// (Outputs that only hold for batch 1, such as a squeeze of axis 0, fail in both.)
    @Test func aDynamicBatchTakesTheBatchSize() throws {
        let fixture = try TFLiteFixtures.load("op-shape")
        let pbPath = TFLiteFixtures.fixturesRoot + "/" + fixture.source! + "/model.pb"
        let input = OpTest.randomFloats(3 * fixture.input32.count, seed: 11)
        var compared: [String] = []
        for output in fixture.outputs {
            guard let pb = try? Model(contentsOf: pbPath, options: LoadOptions(batchSize: 3, outputNames: [output.pbName!])) else { continue }
            let tflite = try Model(contentsOf: fixture.model, options: LoadOptions(batchSize: 3, outputNames: [output.name]))
            #expect(tflite.inputs[0].shape == [3] + fixture.inputShape.dropFirst())
            let result = try tflite.run(input)[0]
            let reference = try pb.run(input)[0]
            #expect(result.shape == reference.shape, "\(output.name)")
            #expect(OpTest.compare(result.values, reference.values) <= 1e-5, "\(output.name)")
            compared.append(output.name)
        }
        #expect(compared.contains("reshape_dynamic") && compared.contains("reshape_dynamic_flat") && compared.count >= 6, "\(compared)")
    }

    /// Buffers stored after the FlatBuffer (offset/size, the layout of files over 2 GB) read like inline ones.
    @Test func buffersAfterTheFlatBufferMatchInlineOnes() throws {
        let offsets = try TFLiteFixtures.load("op-conv-buffer-offset")
        let inline = try TFLiteFixtures.load("op-conv")
        let a = try Model(contentsOf: offsets.model).run(offsets.input32)
        let b = try Model(contentsOf: inline.model).run(inline.input32)
        #expect(a.map(\.values) == b.map(\.values))
    }

    /// The float16 variant: DEQUANTIZE is folded at load, so no DEQUANTIZE step runs.
    @Test func float16WeightsAreWidenedAtLoad() throws {
        let fixture = try TFLiteFixtures.load("mobilenetv2-035-fp16")
        #expect(fixture.ops.contains("DEQUANTIZE"))
        let model = try Model(contentsOf: fixture.model)
        #expect(model.summary.fileOpCounts["DEQUANTIZE", default: 0] > 50)
        #expect(model.summary.runtimeOpCounts["DEQUANTIZE"] == nil)
        #expect(model.summary.runtimeOpCounts["CONV_2D"] == 35)
    }

    /// Quantization TinyGraph does not run (int16 activations) is refused at load,
    /// naming the tensors.
    @Test func anInt16QuantizedModelIsRefusedNamingItsTensors() throws {
        let fixture = try TFLiteFixtures.load("quantized-int16")
        #expect { try Model(contentsOf: fixture.model) } throws: { error in
            guard let error = error as? TinyGraphError else { return false }
            return error.kind == .unsupportedOps && error.message.contains("int8 or uint8")
                && error.message.contains("'Placeholder' INT16") && error.message.contains("'maxpool_3x3_s2_same' INT16")
        }
    }
}

/// The real Custom Vision export as TFLite: same results as the .pb, labels beside it,
/// weights copied once, and the same run-time steps.
@Suite struct TFLiteCustomVisionTests {
    static let directory = TFLiteFixtures.root + "/customvision-fruits"

    @Test func weightsAreCopiedOnce() throws {
        let model = try Model(contentsOf: Self.directory + "/model.tflite")
        let fileBytes = try Fixtures.bytes(Self.directory + "/model.tflite").count
        var packedFilterBytes = 0
        for node in model.graph.nodes {
            if case .convolution(let op) = node.operation, let packed = op.packedWeights {
                packedFilterBytes += packed.kernelHeight * packed.kernelWidth * packed.inChannels * packed.outChannels * 4
            }
        }
        #expect(packedFilterBytes + model.graph.bytesCopiedFromFile <= fileBytes)
        #expect(model.graph.bytesCopiedFromFile < fileBytes / 10)
    }

    /// The .tflite runs the same kernels as the .pb: 25 packed convolutions (data_bn
    /// folded into the first, biases and ReLUs into all), the classifier as a packed
    /// 1×1 convolution, the pools and concatenations.
    @Test func runsTheSameStepsAsTheProtobufModel() throws {
        let tflite = try Model(contentsOf: Self.directory + "/model.tflite")
        let pb = try Model(contentsOf: Fixtures.realExport + "/model.pb")
        func kinds(_ model: Model) -> [String] {
            model.graph.nodes.map { node in
                switch node.operation {
                case .convolution(let op): return op.packedWeights == nil ? "conv(reference)" : "conv(\(op.activation))"
                case .pooling(let op): return "pool(\(op.kind))"
                case .layout(let op): if case .concat = op.kind { return "concat" } else { return "layout" }
                case .elementwise: return "elementwise"
                default: return "other"
                }
            }
        }
        #expect(tflite.summary.runtimeOpCounts["CONV_2D"] == 8)  // the squeezes
        #expect(tflite.summary.runtimeOpCounts["CONV_2D+CONCATENATION"] == 8)  // the expands, inside each fire concatenation
        #expect(tflite.summary.runtimeOpCounts["CONV_2D+MAX_POOL_2D"] == 1)  // conv1 streamed into pool1
        #expect(kinds(tflite).filter { $0 != "layout" } == kinds(pb).filter { $0 != "layout" })
        #expect(tflite.summary.multiplyAdds == pb.summary.multiplyAdds)
        #expect(tflite.summary.parameterCount == pb.summary.parameterCount)
    }

    /// Callers recognise the Custom Vision convention (the mean subtracted inside the
    /// graph) by the `data_bn` scope, in the .tflite as in the .pb.
    @Test func fileScopesNameDataBN() throws {
        let tflite = try Model(contentsOf: Self.directory + "/model.tflite")
        #expect(tflite.summary.fileScopes.contains("data_bn"))
        #expect(tflite.summary.fileScopes.isSubset(of: try Model(contentsOf: Fixtures.realExport + "/model.pb").summary.fileScopes))
    }

    @Test func runPrintsLabelsFromBesideTheModel() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("out.f32").path
        let result = try CommandRunner.tinygraph(["run", Self.directory + "/model.tflite", "--input", Fixtures.realExport + "/input.f32",
                                                  "--output", output])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        #expect(result.stdout.contains("output loss [1, 4] float32"))
        #expect(result.stdout.split(separator: "\n").dropFirst().first?.contains("Banana") == true)
        let written = try Fixtures.floats(output)
        let golden = try Fixtures.floats(Fixtures.realExport + "/output_0.f32")
        #expect(written.count == 4)
        for (a, b) in zip(written, golden) { #expect(abs(a - b) <= 1e-5) }
    }

    @Test func inspectAndBenchTakeATFLiteFile() throws {
        let inspect = try CommandRunner.tinygraph(["inspect", Self.directory + "/model.tflite", "--json"])
        #expect(inspect.status == 0, "stderr: \(inspect.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(inspect.stdout.utf8)) as? [String: Any])
        #expect(json["multiply_adds"] as? Int == 287_397_568)
        #expect((json["file_op_counts"] as? [String: Int])?["CONV_2D"] == 25)
        let bench = try CommandRunner.tinygraph(["bench", Self.directory + "/model.tflite", "--runs", "1", "--warmup", "0"])
        #expect(bench.status == 0, "stderr: \(bench.stderr)")
        #expect(bench.stdout.contains("CONV_2D"))
    }
}
