import Testing
@_spi(Testing) @testable import TinyGraph

/// Damaged and hostile TFLite files: every one gives a TinyGraphError, never a crash.
@Suite struct TFLiteRobustnessTests {
    static let realModel: [UInt8] = (try? Fixtures.bytes(TFLiteFixtures.root + "/squeezenet-databn/model.tflite")) ?? []
    static var conv: TFLiteTestModel { TFLiteTestModel.conv(filter: OpTest.randomFloats(24, seed: 1), bias: [0, 0, 0]) }

    /// Loads, and runs when the load succeeds (a damaged file that still loads must run safely).
    private func loadOrFail(_ bytes: [UInt8]) -> TinyGraphError? {
        do {
            let model = try Model(bytes: bytes, options: LoadOptions(memoryLimit: 256 << 20))
            _ = try model.run(inputs: model.inputs.map { [Float](repeating: 0.5, count: $0.elementCount) })
            return nil
        } catch {
            return error
        }
    }

    private func expectError(_ bytes: [UInt8], _ kind: TinyGraphError.Kind, field: String?, mentioning text: String,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        let error = loadOrFail(bytes)
        #expect(error?.kind == kind, "\(String(describing: error))", sourceLocation: sourceLocation)
        #expect(error?.field == field, "\(String(describing: error))", sourceLocation: sourceLocation)
        #expect(error?.message.contains(text) == true, "\(String(describing: error))", sourceLocation: sourceLocation)
    }

    // MARK: Converter output, damaged

    @Test func truncationsAtManyOffsets() throws {
        let bytes = Self.realModel
        try #require(bytes.count > 10_000)
        var offsets = Array(0..<64)
        var offset = 64
        while offset < bytes.count {
            offsets.append(offset)
            offset += bytes.count / 300 + 3
        }
        offsets.append(bytes.count - 1)
        var failures = 0
        for end in offsets where loadOrFail(Array(bytes[0..<end])) != nil { failures += 1 }
        // The converter writes the FlatBuffer back to front: the root table is near the
        // start and the weights run to the end, so every cut leaves a broken reference.
        #expect(failures == offsets.count, "\(failures) of \(offsets.count) truncations failed")
    }

    @Test func randomBitFlipsNeverCrash() throws {
        var bytes = Self.realModel
        try #require(!bytes.isEmpty)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(Int.max))
        }
        var errors = 0
        for _ in 0..<400 {
            let position = next() % bytes.count
            let bit = UInt8(1 << (next() % 8))
            bytes[position] ^= bit
            if loadOrFail(bytes) != nil { errors += 1 }
            bytes[position] ^= bit
        }
        #expect(errors > 0)
    }

    @Test func randomByteRunsNeverCrash() {
        var state: UInt64 = 42
        for trial in 0..<300 {
            var bytes = Self.conv.bytes
            for _ in 0..<(1 + trial % 6) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                let position = Int(state >> 33) % bytes.count
                bytes[position] = UInt8(truncatingIfNeeded: state >> 17)
            }
            _ = loadOrFail(bytes)
        }
    }

    // MARK: Structure

    @Test func tooShortAndGarbage() {
        expectError(Array("\0\0\0\0TFL3".utf8), .malformedFile, field: "root offset", mentioning: "Model table at byte 0")
        expectError([0xFF, 0xFF, 0xFF, 0x7F] + Array("TFL3".utf8) + [UInt8](repeating: 0, count: 8),
                    .malformedFile, field: "root offset", mentioning: "outside the file")
    }

    /// Positions inside the test model, found with the reader itself.
    private func rootTable(_ bytes: [UInt8]) throws -> (table: Int, vtable: Int) {
        try bytes.withUnsafeBytes { raw in
            let root = try FlatBuffer(raw).root("Model")
            return (root.position, root.vtable)
        }
    }

    private func patch16(_ bytes: inout [UInt8], _ position: Int, _ value: UInt16) {
        bytes[position] = UInt8(value & 0xFF)
        bytes[position + 1] = UInt8(value >> 8)
    }

    private func patch32(_ bytes: inout [UInt8], _ position: Int, _ value: UInt32) {
        for index in 0..<4 { bytes[position + index] = UInt8(truncatingIfNeeded: value >> UInt32(8 * index)) }
    }

    @Test func badVtables() throws {
        let good = Self.conv.bytes
        let (table, vtable) = try rootTable(good)
        var bytes = good
        patch32(&bytes, table, UInt32(bitPattern: Int32(table + 1_000_000)))  // vtable before the file
        expectError(bytes, .malformedFile, field: "root offset", mentioning: "vtable offset")
        bytes = good
        patch32(&bytes, table, UInt32(bitPattern: Int32(-1_000_000)))  // vtable past the end
        expectError(bytes, .malformedFile, field: "root offset", mentioning: "vtable offset")
        bytes = good
        patch16(&bytes, vtable, 5)  // odd vtable size
        expectError(bytes, .malformedFile, field: "root offset", mentioning: "invalid size 5")
        bytes = good
        patch16(&bytes, vtable + 2, 0xFFF0)  // table larger than the file
        expectError(bytes, .malformedFile, field: "root offset", mentioning: "invalid table size")
        bytes = good
        patch16(&bytes, vtable + 4, 0x7FF0)  // Model.version outside its table
        expectError(bytes, .malformedFile, field: "Model.version", mentioning: "lies outside")
    }

    @Test func badOffsetsAndLengths() throws {
        let good = Self.conv.bytes
        let (table, vtable) = try rootTable(good)
        // Model.operator_codes (field 1): its uoffset, then the vector it points to.
        let field = table + Int(UInt16(good[vtable + 6]) | UInt16(good[vtable + 7]) << 8)
        let vector = field + Int(UInt32(good[field]) | UInt32(good[field + 1]) << 8 | UInt32(good[field + 2]) << 16 | UInt32(good[field + 3]) << 24)
        var bytes = good
        patch32(&bytes, field, 0xFFFF_FF00)
        expectError(bytes, .malformedFile, field: "Model.operator_codes", mentioning: "points past the end")
        bytes = good
        patch32(&bytes, vector, 0x3FFF_FFFF)
        expectError(bytes, .malformedFile, field: "Model.operator_codes", mentioning: "runs past the end")
        bytes = good
        patch32(&bytes, vector + 4, 0x7FFF_FFF0)  // the first OperatorCode's uoffset
        expectError(bytes, .malformedFile, field: "Model.operator_codes[0]", mentioning: "points past the end")
    }

    // MARK: Indices

    @Test func outOfRangeIndices() {
        var model = Self.conv
        model.subgraphs[0].tensors[1].buffer = 9
        expectError(model.bytes, .malformedFile, field: "Tensor.buffer", mentioning: "refers to buffer 9")
        model = Self.conv
        model.subgraphs[0].operators[0].inputs = [0, 7, 2]
        expectError(model.bytes, .malformedFile, field: "Operator.inputs", mentioning: "reads tensor 7")
        model = Self.conv
        model.subgraphs[0].operators[0].outputs = [-1]
        expectError(model.bytes, .malformedFile, field: "Operator.outputs", mentioning: "writes tensor -1")
        model = Self.conv
        model.subgraphs[0].operators[0].opcode = 4
        expectError(model.bytes, .malformedFile, field: "Operator.opcode_index", mentioning: "operator code 4")
        model = Self.conv
        model.subgraphs[0].outputs = [12]
        expectError(model.bytes, .malformedFile, field: "SubGraph.outputs", mentioning: "tensor 12")
    }

    @Test func buffersStoredAfterTheFlatBufferAreBoundsChecked() {
        let model = Self.conv
        var object = model.flatObject
        guard case .table(var fields) = object else { return }
        // Replace Model.buffers: buffer 1 now claims 96 bytes at an offset past the end.
        fields.removeAll { $0.0 == 4 }
        fields.append((4, .offset(.tables([
            .table([]), .table([(1, .uint64(1 << 40)), (2, .uint64(96))]),
            .table([(0, .offset(.bytes(TFLiteTestModel.floatBytes([0, 0, 0]))))]),
        ]))))
        object = .table(fields)
        expectError(FlatBufferWriter.file(object), .malformedFile, field: "Buffer.offset", mentioning: "lie outside the file")
    }

    @Test func wrongSchemaVersion() {
        var model = Self.conv
        model.version = 2
        expectError(model.bytes, .malformedFile, field: "Model.version", mentioning: "schema version 2")
    }

    // MARK: Subgraph references

    private func controlFlowModel(_ operators: [[TFLiteTestModel.Operator]]) -> [UInt8] {
        let subgraphs = operators.map { ops in
            TFLiteTestModel.SubGraph(tensors: [.init(name: "x", shape: [1]), .init(name: "y", shape: [1])], inputs: [0], outputs: [1],
                                     operators: ops)
        }
        return TFLiteTestModel(codes: [.init(deprecated: 119, builtin: 119), .init(deprecated: 127, builtin: 129)],
                               subgraphs: subgraphs, buffers: []).bytes
    }

    @Test func cyclesOfSubgraphReferences() {
        let whileSelf = TFLiteTestModel.Operator(opcode: 0, inputs: [0], outputs: [1], optionsType: 93,
                                                 options: [(0, .int32(0)), (1, .int32(0))])
        expectError(controlFlowModel([[whileSelf]]), .invalidGraph, field: "SubGraph", mentioning: "cycle: 0 → 0")

        let whileCallsOne = TFLiteTestModel.Operator(opcode: 0, inputs: [0], outputs: [1], optionsType: 93,
                                                     options: [(0, .int32(1)), (1, .int32(2))])
        let callOnceZero = TFLiteTestModel.Operator(opcode: 1, inputs: [0], outputs: [1], optionsType: 103, options: [(0, .int32(0))])
        let identity: [TFLiteTestModel.Operator] = []
        expectError(controlFlowModel([[whileCallsOne], [callOnceZero], identity]), .invalidGraph, field: "SubGraph",
                    mentioning: "cycle: 0 → 1 → 0")

        let outOfRange = TFLiteTestModel.Operator(opcode: 0, inputs: [0], outputs: [1], optionsType: 93,
                                                  options: [(0, .int32(0)), (1, .int32(5))])
        expectError(controlFlowModel([[outOfRange]]), .malformedFile, field: "WhileOptions.body_subgraph_index",
                    mentioning: "subgraph 5")

        // Without a cycle, the loop is simply an op TinyGraph does not run.
        let whileOK = TFLiteTestModel.Operator(opcode: 0, inputs: [0], outputs: [1], optionsType: 93,
                                               options: [(0, .int32(1)), (1, .int32(1))])
        expectError(controlFlowModel([[whileOK], identity]), .unsupportedOps, field: nil, mentioning: "WHILE")
    }

    // MARK: Graph

    @Test func semanticErrorsNameTheOperator() throws {
        // Options of the wrong table type.
        var model = Self.conv
        model.subgraphs[0].operators[0].optionsType = 5
        var error = loadOrFail(model.bytes)
        #expect(error?.op == "CONV_2D" && error?.node == "output" && error?.field == "builtin_options", "\(String(describing: error))")

        // A constant whose buffer has the wrong size.
        model = Self.conv
        model.buffers[0] = TFLiteTestModel.floatBytes([1, 2, 3])  // the filter (buffer 1)
        error = loadOrFail(model.bytes)
        #expect(error?.field == "Buffer.data" && error?.message.contains("needs 96") == true, "\(String(describing: error))")

        // A float16 filter read without DEQUANTIZE.
        model = Self.conv
        model.subgraphs[0].tensors[1].type = 1
        error = loadOrFail(model.bytes)
        #expect(error?.message.contains("DEQUANTIZE") == true, "\(String(describing: error))")

        // A fused TANH, which LiteRT's float kernels would ignore.
        model = Self.conv
        model.subgraphs[0].operators[0].options[3] = (3, .int8(4))
        error = loadOrFail(model.bytes)
        #expect(error?.kind == .unsupportedOps && error?.message.contains("TANH") == true, "\(String(describing: error))")

        // A shape that contradicts the file.
        model = Self.conv
        model.subgraphs[0].tensors[3].shape = [1, 3, 3, 4]
        error = loadOrFail(model.bytes)
        #expect(error?.kind == .invalidShape && error?.field == "Tensor.shape", "\(String(describing: error))")

        // An integer input.
        model = Self.conv
        model.subgraphs[0].tensors[0].type = 2
        error = loadOrFail(model.bytes)
        #expect(error?.message.contains("inputs must be float32") == true, "\(String(describing: error))")
    }

    @Test func operatorsOutOfOrderOrWritingTwice() {
        // RELU then CONV_2D, where RELU reads the convolution's output.
        var model = Self.conv
        model.codes.append(.init(deprecated: 19, builtin: 19))
        model.subgraphs[0].tensors.append(.init(name: "relu", shape: [1, 3, 3, 3]))
        model.subgraphs[0].outputs = [4]
        model.subgraphs[0].operators.insert(.init(opcode: 1, inputs: [3], outputs: [4]), at: 0)
        expectError(model.bytes, .invalidGraph, field: "Operator.inputs", mentioning: "execution order")

        model = Self.conv
        model.subgraphs[0].operators[0].outputs = [1]  // writes the filter constant
        model.subgraphs[0].outputs = [1]
        expectError(model.bytes, .invalidGraph, field: "Operator.outputs", mentioning: "already an input, a constant")
    }

    @Test func unsupportedOpsAreListedTogether() {
        var model = Self.conv
        model.codes += [.init(deprecated: 66, builtin: 66), .init(deprecated: 32, builtin: 32, custom: "MyOp")]
        model.subgraphs[0].tensors += [.init(name: "sin", shape: [1, 3, 3, 3]), .init(name: "custom", shape: [1, 3, 3, 3])]
        model.subgraphs[0].operators += [.init(opcode: 1, inputs: [3], outputs: [4]), .init(opcode: 2, inputs: [4], outputs: [5])]
        model.subgraphs[0].outputs = [5]
        expectError(model.bytes, .unsupportedOps, field: nil, mentioning: "2 op types are not supported: SIN (used by 'sin'); CUSTOM 'MyOp' (used by 'custom')")
    }

    @Test func aQuantizedTensorIsNamed() {
        var model = Self.conv
        model.subgraphs[0].tensors[1].type = 9  // INT8 filter
        model.buffers[0] = [UInt8](repeating: 1, count: 24)
        // An int8 filter on a float32 CONV_2D (dynamic-range quantization) is refused by name.
        expectError(model.bytes, .unsupportedOps, field: "Tensor.type", mentioning: "constant 'filter' is INT8 in a float32 operator (dynamic-range quantization)")
    }

    @Test func absurdShapesAreRefusedBeforeAllocating() {
        var model = Self.conv
        model.subgraphs[0].tensors[0].shape = [1, 1 << 20, 1 << 20, 2]
        let error = loadOrFail(model.bytes)
        #expect(error != nil)
        model = Self.conv
        model.subgraphs[0].tensors[0].shape = [1, 4000, 4000, 2]
        model.subgraphs[0].tensors[3].shape = [1, 3999, 3999, 3]
        #expect { try Model(bytes: model.bytes, options: LoadOptions(memoryLimit: 1 << 20)) } throws: { error in
            (error as? TinyGraphError)?.message.contains("memory limit") == true
        }
    }
}
