import Foundation
import Testing
@_spi(Testing) @testable import TinyGraph

/// The FlatBuffers reader and the importer on hand-made TFLite models, independent of
/// TensorFlow's converter.
@Suite struct TFLiteReaderTests {
    static let filter = OpTest.randomFloats(3 * 2 * 2 * 2, seed: 21)
    static let bias: [Float] = [0.1, -0.2, 0.3]
    static let input = OpTest.randomFloats(1 * 4 * 4 * 2, seed: 22)

    /// CONV_2D's OHWI filter, VALID, stride 1, fused RELU, computed directly.
    static var expected: [Float] {
        var result: [Float] = []
        for y in 0..<3 {
            for x in 0..<3 {
                for o in 0..<3 {
                    var sum = bias[o]
                    for ky in 0..<2 {
                        for kx in 0..<2 {
                            for i in 0..<2 {
                                sum += input[((y + ky) * 4 + (x + kx)) * 2 + i] * filter[((o * 2 + ky) * 2 + kx) * 2 + i]
                            }
                        }
                    }
                    result.append(max(sum, 0))
                }
            }
        }
        return result
    }

    @Test func convolutionWithAnOHWIFilterAndFusedRelu() throws {
        let model = try Model(bytes: TFLiteTestModel.conv(filter: Self.filter, bias: Self.bias).bytes)
        #expect(model.inputs.map(\.name) == ["input"])
        #expect(model.outputs.map(\.name) == ["output"])
        let output = try model.run(Self.input)[0]
        #expect(output.shape == [1, 3, 3, 3])
        #expect(OpTest.compare(output.values, Self.expected) <= 1e-6)
        // Bias and ReLU are folded into the packed convolution: one step.
        #expect(model.steps.map(\.opType) == ["CONV_2D"])
        #expect(model.summary.fileOpCounts == ["CONV_2D": 1])
    }

    /// Old files set only deprecated_builtin_code, newer ones both, codes over 127 only builtin_code.
    @Test(arguments: [
        TFLiteTestModel.Code(deprecated: 3, builtin: nil),
        TFLiteTestModel.Code(deprecated: nil, builtin: 3),
        TFLiteTestModel.Code(deprecated: 3, builtin: 3),
    ])
    func eitherOperatorCodeFieldNamesTheOperator(_ code: TFLiteTestModel.Code) throws {
        let model = try Model(bytes: TFLiteTestModel.conv(filter: Self.filter, bias: Self.bias, codes: [code]).bytes)
        #expect(OpTest.compare(try model.run(Self.input)[0].values, Self.expected) <= 1e-6)
    }

    /// The "TFL3" identifier decides, not the file name.
    @Test func aTFLiteFileIsRecognisedByItsIdentifier() throws {
        let directory = try CommandRunner.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("model.pb").path
        try Data(TFLiteTestModel.conv(filter: Self.filter, bias: Self.bias).bytes).write(to: URL(fileURLWithPath: path))
        let model = try Model(contentsOf: path)
        #expect(OpTest.compare(try model.run(Self.input)[0].values, Self.expected) <= 1e-6)
    }

    @Test func tableFieldsReadTheirDefaultsWhenAbsent() throws {
        // version present, the rest absent: empty lists, nil strings.
        let bytes = FlatBufferWriter.file(.table([(0, .uint32(3))]))
        try bytes.withUnsafeBytes { raw in
            let root = try FlatBuffer(raw).root("Model")
            #expect(try root.uint32(0, "version") == 3)
            #expect(try root.tables(1, "operator_codes", type: "OperatorCode").isEmpty)
            #expect(try root.string(3, "description") == nil)
            #expect(try root.int32(9, "absent", default: 7) == 7)
        }
        // …and the importer says what is missing.
        #expect { try Model(bytes: bytes) } throws: { error in
            (error as? TinyGraphError)?.field == "Model.subgraphs" && (error as? TinyGraphError)?.kind == .malformedFile
        }
    }

    @Test func float16HalvesWidenExactly() {
        #expect(TFLiteGraphBuilder.float(fromHalf: 0x3C00) == 1)
        #expect(TFLiteGraphBuilder.float(fromHalf: 0xC000) == -2)
        #expect(TFLiteGraphBuilder.float(fromHalf: 0x7BFF) == 65504)
        #expect(TFLiteGraphBuilder.float(fromHalf: 0x0001) == Float(1) / 16_777_216)  // smallest subnormal
        #expect(TFLiteGraphBuilder.float(fromHalf: 0x8000).sign == .minus)
        #expect(TFLiteGraphBuilder.float(fromHalf: 0x7C00) == .infinity)
        #expect(TFLiteGraphBuilder.float(fromHalf: 0x7E00).isNaN)
        #expect(TFLiteGraphBuilder.float(fromHalf: 0x3555) == 0.333251953125)
    }

    /// DEQUANTIZE of a float16 filter gives the same result as float32 weights of the same values.
    @Test func dequantizedFloat16Filter() throws {
        // Values exact in float16.
        let filter: [Float] = (0..<24).map { Float($0 % 7 - 3) * 0.25 }
        var halves: [UInt8] = []
        for value in filter {
            // |value| ≤ 0.75, multiples of 0.25: exponent and mantissa by hand.
            var bits: UInt16 = value < 0 ? 0x8000 : 0
            let magnitude = abs(value)
            if magnitude == 0.25 { bits |= 0x3400 } else if magnitude == 0.5 { bits |= 0x3800 } else if magnitude == 0.75 { bits |= 0x3A00 }
            halves += [UInt8(bits & 0xFF), UInt8(bits >> 8)]
        }
        var model = TFLiteTestModel.conv(filter: filter, bias: Self.bias,
                                         codes: [.init(deprecated: 3, builtin: 3), .init(deprecated: 6, builtin: 6)])
        model.subgraphs[0].tensors.append(.init(name: "filter_fp16", shape: [3, 2, 2, 2], type: 1, buffer: 3))
        model.subgraphs[0].tensors[1].buffer = 0
        model.subgraphs[0].operators.insert(.init(opcode: 1, inputs: [4], outputs: [1]), at: 0)
        model.buffers.append(halves)
        let reference = try Model(bytes: TFLiteTestModel.conv(filter: filter, bias: Self.bias).bytes).run(Self.input)[0]
        let loaded = try Model(bytes: model.bytes)
        #expect(try loaded.run(Self.input)[0].values == reference.values)
        #expect(loaded.steps.map(\.opType) == ["CONV_2D"])
    }
}
