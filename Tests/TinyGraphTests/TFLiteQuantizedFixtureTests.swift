import Foundation
import Testing
@_spi(Testing) @testable import TinyGraph

/// The quantized TFLite fixtures (int8 and legacy uint8; Tests/Fixtures/tflite/int8-*,
/// int8io-*, uint8-*, uint8io-*): outputs of LiteRT's reference kernels
/// (OpResolverType.BUILTIN_REF) and of XNNPACK. `TFLiteFixtureTests.matchesLiteRT`
/// compares the SIMD kernels with the reference outputs in quantization steps.
@Suite struct TFLiteQuantizedFixtureTests {
    static func quantizedNames() -> [String] {
        TFLiteFixtures.names { ["int8", "uint8"].contains($0.weights) && !$0.outputs.isEmpty }
    }

    /// TinyGraph's reference kernels compute exactly what LiteRT's do: every output
    /// of every quantized fixture, bit for bit (0 steps apart).
    @Test(arguments: quantizedNames())
    func referenceKernelsEqualLiteRTsReferenceKernels(_ name: String) throws {
        let fixture = try TFLiteFixtures.load(name)
        var options = LoadOptions()
        options.quantizedReferenceKernels = true
        let outputs = try Model(contentsOf: fixture.model, options: options).run(fixture.input32)
        for (output, expected) in zip(outputs, fixture.outputs) {
            let step = try #require(expected.quantizationStep)
            let error = OpTest.compareQuantized(output.values, expected.values, step: step)
            #expect(error <= 0.0, "\(name) \(expected.name): \(error) (steps of \(step))")
        }
    }

    /// The SIMD kernels (packed weights, folded zero points, vector requantization)
    /// give the same bits as the reference kernels on every fixture.
    @Test(arguments: quantizedNames())
    func simdKernelsEqualTheReferenceKernels(_ name: String) throws {
        let fixture = try TFLiteFixtures.load(name)
        var options = LoadOptions()
        options.quantizedReferenceKernels = true
        let reference = try Model(contentsOf: fixture.model, options: options).run(fixture.input32)
        let simd = try Model(contentsOf: fixture.model).run(fixture.input32)
        #expect(simd.map(\.values) == reference.map(\.values), "\(name)")
    }

    @Test func theFixturesCoverEveryQuantizedOpAndBothForms() throws {
        var covered = Set<String>()
        var forms = Set<String>()
        for name in Self.quantizedNames() {
            let fixture = try TFLiteFixtures.load(name)
            covered.formUnion(fixture.ops)
            forms.insert(fixture.weights)
        }
        let missing = TFLiteGraphBuilder.quantizedOps.map(\.name).filter { !covered.contains($0) }
        #expect(missing.isEmpty, "quantized TFLite ops without a fixture: \(missing)")
        #expect(forms == ["int8", "uint8"])
        #expect(Self.quantizedNames().count >= 20)
    }

    /// The converter's default (float input and output around an int8 body) and
    /// integer edges (int8, uint8) are quantized and dequantized with the model's own
    /// parameters; `inputs`/`outputs` give the file's types and quantization.
    @Test func integerEdgesReportTheirTypeAndQuantization() throws {
        let floatEdges = try Model(contentsOf: TFLiteFixtures.root + "/int8-squeezenet-databn/model.tflite")
        #expect(floatEdges.inputs[0].dtype == .float32 && floatEdges.inputs[0].quantization == nil)
        #expect(floatEdges.outputs[0].dtype == .float32)

        let int8Edges = try Model(contentsOf: TFLiteFixtures.root + "/int8io-squeezenet-databn/model.tflite")
        let fixture = try TFLiteFixtures.load("int8io-squeezenet-databn")
        #expect(int8Edges.inputs[0].dtype == .int8)
        #expect(int8Edges.inputs[0].quantization?.zeroPoints == [-128])
        #expect(int8Edges.outputs[0].dtype == .int8)
        #expect(int8Edges.outputs[0].quantization == Quantization(scales: [1.0 / 256], zeroPoints: [-128]))

        let uint8Edges = try Model(contentsOf: TFLiteFixtures.root + "/uint8io-squeezenet-databn/model.tflite")
        #expect(uint8Edges.inputs[0].dtype == .uint8 && uint8Edges.outputs[0].dtype == .uint8)
        #expect(uint8Edges.outputs[0].quantization?.zeroPoints == [0])
        // Quantized and dequantized at the edges: the same probabilities either way.
        let a = try int8Edges.run(fixture.input32)[0].values
        let b = try uint8Edges.run(fixture.input32)[0].values
        #expect(OpTest.compareQuantized(a, b, step: 1.0 / 256) <= 0.0)
    }

    /// XNNPACK's outputs are recorded for information; they must at least be the
    /// right length and finite, and the real export's class must agree.
    @Test func xnnpackOutputsAreRecorded() throws {
        for name in Self.quantizedNames() {
            for output in try TFLiteFixtures.load(name).outputs {
                let xnnpack = try #require(output.xnnpackValues, "\(name) \(output.name)")
                #expect(xnnpack.count == output.values.count && xnnpack.allSatisfy(\.isFinite), "\(name) \(output.name)")
            }
        }
        let export = try TFLiteFixtures.load("int8-customvision-fruits").outputs[0]
        #expect(OpTest.top1(export.xnnpackValues!) == OpTest.top1(export.values))
    }

    /// The real Custom Vision export in int8: the float export's class (Banana), and
    /// fewer weight bytes than the float export: int8 panels (VNNI builds) a quarter
    /// of them, int16 panels (every other build) half, plus the requantization tables.
    @Test func theInt8ExportKeepsTheFloatExportsAnswer() throws {
        let int8 = try Model(contentsOf: TFLiteFixtures.root + "/int8-customvision-fruits/model.tflite")
        let float = try Model(contentsOf: TFLiteFixtures.root + "/customvision-fruits/model.tflite")
        let input = try TFLiteFixtures.load("int8-customvision-fruits").input32
        let labels = try String(contentsOfFile: TFLiteFixtures.root + "/customvision-fruits/labels.txt", encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let int8Top = try #require(OpTest.top1(try int8.run(input)[0].values))
        let floatTop = try #require(OpTest.top1(try float.run(input)[0].values))
        #expect(int8Top == floatTop && labels[int8Top] == "Banana")
        #if TINYGRAPH_VNNI
        let fraction = 4
        #else
        let fraction = 2
        #endif
        // The requantization tables (32 bytes per output channel) come on top, as said
        // above: the packed filters and biases are what compares with the float ones.
        var tables = 0
        for node in int8.graph.nodes {
            guard case .quantized(.convolution(let op)) = node.operation, let packed = op.packed else { continue }
            tables += packed.requantizationTable.storage.byteCount + (packed.doubleScales?.byteCount ?? 0)
        }
        #expect(tables > 0 && tables < int8.summary.weightByteCount / 8)
        #expect((int8.summary.weightByteCount - tables) * fraction <= float.summary.weightByteCount * 11 / 10,
                "int8 \(int8.summary.weightByteCount) bytes (\(tables) of tables), float \(float.summary.weightByteCount)")
    }
}
