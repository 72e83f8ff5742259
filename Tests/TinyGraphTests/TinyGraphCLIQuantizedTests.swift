import Foundation
import Testing
@_spi(Testing) @testable import TinyGraph

/// The `tinygraph` CLI on quantized TFLite models: `run` takes and gives float32
/// whatever the model's edges are; `inspect` shows each tensor's type and quantization.
@Suite struct TinyGraphCLIQuantizedTests {
    private func floatFile(_ values: [Float], in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("input.f32").path
        var data = Data()
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// int8 input and output: the float32 input is quantized with the model's own
    /// parameters and the output dequantized; the result is LiteRT's reference output.
    @Test(arguments: ["int8io-squeezenet-databn", "uint8io-squeezenet-databn", "int8-customvision-fruits"])
    func runQuantizesAndDequantizesAtTheEdges(_ name: String) throws {
        let fixture = try TFLiteFixtures.load(name)
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = try floatFile(fixture.input32, in: directory)
        let output = directory.appendingPathComponent("out.f32").path
        let expected = fixture.outputs[0]
        let result = try CommandRunner.tinygraph(["run", fixture.model, "--input", input, "--output", output,
                                                  "--output-node", expected.name])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let edge = name.hasPrefix("int8io") ? "int8 (dequantized to float32)" : name.hasPrefix("uint8io") ? "uint8 (dequantized to float32)" : "float32 →"
        #expect(result.stdout.hasPrefix("output \(expected.name) \(TensorType.describe(expected.shape)) \(edge)"), "\(result.stdout)")
        let written = try Fixtures.floats(output)
        let step = try #require(expected.quantizationStep)
        #expect(OpTest.compareQuantized(written, expected.values, step: step) <= 0.0)
    }

    @Test func inspectShowsTheEdgesQuantization() throws {
        let model = TFLiteFixtures.root + "/int8io-squeezenet-databn/model.tflite"
        let result = try CommandRunner.tinygraph(["inspect", model])
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let input = try #require(lines.first { $0.hasPrefix("input  ") })
        #expect(input.contains(" int8 scale ") && input.contains(" zero point ") && input.contains("(run takes and gives float32)"), "\(input)")
        let output = try #require(lines.first { $0.hasPrefix("output ") })
        #expect(output.contains(" int8 scale 0.00390625 zero point -128"), "\(output)")
        let tensors = try #require(lines.first { $0.hasPrefix("tensors ") })
        #expect(tensors.contains("int8 ") && tensors.contains("int32 ") && tensors.contains("quantized per channel"), "\(tensors)")
    }

    /// --tensors lists every tensor with its type and quantization: the int8 export's
    /// per-channel filters, int32 biases and per-tensor int8 activations, and its
    /// float32 edges around them.
    @Test func inspectTensorsListsEachTensorsTypeAndQuantization() throws {
        let model = TFLiteFixtures.root + "/int8-customvision-fruits/model.tflite"
        let text = try CommandRunner.tinygraph(["inspect", model, "--tensors"])
        #expect(text.status == 0, "stderr: \(text.stderr)")
        #expect(text.stdout.contains("tensors (file order of first use):"))
        let listed = text.stdout.split(separator: "\n").drop { !$0.hasPrefix("tensors (") }.dropFirst()
        #expect(listed.contains { $0.contains(" int8 per-channel on dim 0: ") && $0.hasSuffix("(constant)") })
        #expect(listed.contains { $0.contains(" int8 scale ") && !$0.hasSuffix("(constant)") })
        #expect(listed.contains { $0.contains(" int32 per-channel on dim 0: ") || $0.contains(" int32 scale ") })

        let json = try CommandRunner.tinygraph(["inspect", model, "--json"])
        #expect(json.status == 0, "stderr: \(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let inputs = try #require(object["inputs"] as? [[String: Any]])
        #expect(inputs.first?["dtype"] as? String == "float32" && inputs.first?["quantization"] is NSNull)
        let tensors = try #require(object["tensors"] as? [[String: Any]])
        let loaded = try Model(contentsOf: model)
        #expect(tensors.count == loaded.summary.fileTensors.count && tensors.count > 60)
        let filter = try #require(tensors.first { ($0["quantization"] as? [String: Any])?["scales"].map { ($0 as? [Double])?.count ?? 0 > 1 } == true })
        #expect(filter["type"] as? String == "int8" && filter["constant"] as? Bool == true)
        let quantization = try #require(filter["quantization"] as? [String: Any])
        let scales = try #require(quantization["scales"] as? [Double])
        #expect((quantization["zero_points"] as? [Int])?.count == scales.count && scales.allSatisfy { $0 > 0 })
        let shape = try #require(filter["shape"] as? [Int])
        #expect(shape[quantization["dimension"] as? Int ?? -1] == scales.count)
    }

    /// A GraphDef has no per-tensor table: the list is empty and says so.
    @Test func inspectTensorsOnAGraphDefSaysThereAreNone() throws {
        let result = try CommandRunner.tinygraph(["inspect", Fixtures.realExport + "/model.pb", "--tensors"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("tensors: none listed"))
        #expect(!result.stdout.contains("tensors        "))
    }
}
