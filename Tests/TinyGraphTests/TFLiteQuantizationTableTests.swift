import Foundation
import Testing
@_spi(Testing) @testable import TinyGraph

/// Quantization tables are never trusted: absurd, zero, NaN, infinite, subnormal or
/// negative scales, zero points outside their type, per-channel tables of the wrong
/// length or on the wrong dimension, and missing tables each give a TinyGraphError
/// naming the tensor (field Tensor.quantization), never a trap. Built on
/// `TFLiteTestModel.quantizedConv()`, which loads and runs as written.
@Suite struct TFLiteQuantizationTableTests {
    private func loadAndRun(_ model: TFLiteTestModel) -> TinyGraphError? {
        do {
            let loaded = try Model(bytes: model.bytes, options: LoadOptions(memoryLimit: 64 << 20))
            _ = try loaded.run(inputs: loaded.inputs.map { [Float](repeating: 0.5, count: $0.elementCount) })
            return nil
        } catch {
            return error
        }
    }

    private func expectRefused(_ model: TFLiteTestModel, mentioning texts: String..., sourceLocation: SourceLocation = #_sourceLocation) {
        let error = loadAndRun(model)
        #expect(error?.field == "Tensor.quantization", "\(String(describing: error))", sourceLocation: sourceLocation)
        for text in texts {
            #expect(error?.message.contains(text) == true, "\(String(describing: error))", sourceLocation: sourceLocation)
        }
    }

    private static let input = 0, filter = 1, bias = 2, output = 3

    private func with(_ tensor: Int, _ change: (inout TFLiteTestModel.Quantization?) -> Void) -> TFLiteTestModel {
        var model = TFLiteTestModel.quantizedConv()
        change(&model.subgraphs[0].tensors[tensor].quantization)
        return model
    }

    @Test func theUndamagedModelLoadsAndRuns() throws {
        #expect(loadAndRun(TFLiteTestModel.quantizedConv()) == nil)
        let model = try Model(bytes: TFLiteTestModel.quantizedConv().bytes)
        #expect(model.inputs[0].dtype == .int8 && model.inputs[0].quantization == Quantization(scales: [0.5], zeroPoints: [-1]))
        #expect(model.summary.fileTensors.map(\.type) == ["int8", "int8", "int32", "int8"])
    }

    @Test(arguments: [Float.nan, -.nan, 0, -0.0, -0.02, .infinity, -.infinity, .leastNonzeroMagnitude, 1e-39, -.greatestFiniteMagnitude])
    func aFilterScaleThatIsNotAFinitePositiveNormalNumberIsRefused(_ scale: Float) {
        expectRefused(with(Self.filter) { $0!.scales[1] = scale }, mentioning: "tensor 'filter'", "is not a finite positive number")
    }

    @Test(arguments: [Float.nan, 0, -0.5, .infinity, 1e-40])
    func anActivationScaleThatIsNotAFinitePositiveNormalNumberIsRefused(_ scale: Float) {
        expectRefused(with(Self.input) { $0!.scales[0] = scale }, mentioning: "tensor 'input'", "is not a finite positive number")
        expectRefused(with(Self.output) { $0!.scales[0] = scale }, mentioning: "tensor 'output'", "is not a finite positive number")
    }

    /// Finite positive scales whose ratio TFLite's fixed point cannot hold (2^30 and more).
    @Test func absurdScaleRatiosAreRefused() {
        expectRefused(with(Self.input) { $0!.scales[0] = 1e38 }, mentioning: "too large to requantize")
        expectRefused(with(Self.output) { $0!.scales[0] = 1e-37 }, mentioning: "too large to requantize")
    }

    @Test func perChannelTablesOfTheWrongLengthOrDimensionAreRefused() {
        expectRefused(with(Self.filter) { $0!.scales.removeLast(); $0!.zeroPoints.removeLast() },
                      mentioning: "tensor 'filter'", "2 scales on dimension 0 for 3 output channels")
        expectRefused(with(Self.filter) { $0!.scales += [0.04]; $0!.zeroPoints += [0] }, mentioning: "4 scales")
        expectRefused(with(Self.filter) { $0!.dimension = 3 }, mentioning: "3 scales on dimension 3")
        expectRefused(with(Self.filter) { $0!.dimension = -1 }, mentioning: "3 scales on dimension -1")
        expectRefused(with(Self.filter) { $0!.zeroPoints.removeLast() }, mentioning: "3 scales but 2 zero points")
        expectRefused(with(Self.filter) { $0!.scales = []; $0!.zeroPoints = [0] }, mentioning: "tensor 'filter'")
        expectRefused(with(Self.input) { $0!.scales += [0.5]; $0!.zeroPoints += [-1] }, mentioning: "one scale and one zero point, found 2 and 2")
        expectRefused(with(Self.output) { $0!.zeroPoints = [] }, mentioning: "one scale and one zero point, found 1 and 0")
    }

    @Test func zeroPointsOutsideTheirTypeAreRefused() {
        expectRefused(with(Self.input) { $0!.zeroPoints[0] = 128 }, mentioning: "zero point 128 is outside INT8's range -128...127")
        expectRefused(with(Self.output) { $0!.zeroPoints[0] = .min }, mentioning: "zero point \(Int64.min) is outside")
        expectRefused(with(Self.input) { $0!.zeroPoints[0] = .max }, mentioning: "zero point \(Int64.max) is outside")
        expectRefused(with(Self.filter) { $0!.zeroPoints[2] = 3 }, mentioning: "int8 filters must be symmetric (zero point 0), found 3")
    }

    @Test func missingTablesAreRefused() {
        expectRefused(with(Self.input) { $0 = nil }, mentioning: "tensor 'input'", "no quantization parameters")
        expectRefused(with(Self.filter) { $0 = nil }, mentioning: "tensor 'filter'", "needs quantization parameters")
    }

    /// The TFLite fuzzer's seeds (Fuzz/seeds/tflite-quantization-*, tools/make_fuzz_seeds.py:
    /// a real int8 model with one table made absurd) are each refused for their table.
    @Test func theFuzzersQuantizationSeedsAreRefusedForTheirTables() throws {
        let directory = URL(fileURLWithPath: TFLiteFixtures.fixturesRoot).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Fuzz/seeds").path
        let seeds = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasPrefix("tflite-quantization-") }.sorted()
        #expect(seeds.count >= 20)
        for seed in seeds {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/" + seed)))
            var error: TinyGraphError? = nil
            do {
                _ = try Model(bytes: bytes, options: LoadOptions(memoryLimit: 64 << 20))
            } catch let caught {
                error = caught
            }
            #expect(error?.field == "Tensor.quantization", "\(seed): \(String(describing: error))")
        }
    }
}
