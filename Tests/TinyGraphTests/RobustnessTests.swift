import Testing
@_spi(Testing) @testable import TinyGraph

/// Hostile and damaged files: every one must give a TinyGraphError, never a crash.
@Suite struct RobustnessTests {
    static let realModel: [UInt8] = (try? Fixtures.bytes(Fixtures.realExport + "/model.pb")) ?? []

    /// Loads, and runs when the load succeeds (a damaged file that still parses must run safely).
    private func loadOrFail(_ bytes: [UInt8], run: Bool = false) -> TinyGraphError? {
        do {
            let model = try Model(bytes: bytes)
            if run { _ = try model.run(inputs: model.inputs.map { [Float](repeating: 0.5, count: $0.elementCount) }) }
            return nil
        } catch {
            return error
        }
    }

    @Test func truncationsAtManyOffsets() throws {
        let bytes = Self.realModel
        try #require(bytes.count > 1_000_000)
        var offsets = Array(0..<64)
        var offset = 64
        while offset < bytes.count {
            offsets.append(offset)
            offset += bytes.count / 150 + 7
        }
        offsets.append(bytes.count - 1)
        var failures = 0
        for end in offsets {
            if loadOrFail(Array(bytes[0..<end])) != nil { failures += 1 }
        }
        // A cut can land on a message boundary and leave a smaller valid graph whose
        // outputs are missing; all but a handful of cuts must be reported as errors.
        #expect(failures >= offsets.count - 3, "\(failures) of \(offsets.count) truncations failed")
    }

    @Test func randomBitFlipsNeverCrash() throws {
        var bytes = Self.realModel
        try #require(!bytes.isEmpty)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return Int(state % UInt64(Int.max))
        }
        // Flips in the structure (the first 64 KiB holds the node definitions before
        // the big weight payloads) matter most; a few anywhere.
        var errors = 0
        for trial in 0..<120 {
            let position = trial < 100 ? next() % min(bytes.count, 65_536) : next() % bytes.count
            let bit = UInt8(1 << (next() % 8))
            bytes[position] ^= bit
            if loadOrFail(bytes) != nil { errors += 1 }
            bytes[position] ^= bit
        }
        #expect(errors > 0)
    }

    @Test func absurdAndNegativePlaceholderDims() {
        for dims: [Int64] in [[1 << 40, 3], [-7, 3], [1, 1 << 20, 1 << 20, 3]] {
            var graph = GraphBuilder()
            graph.placeholder(shape: dims)
            graph.node("r", "Relu", inputs: ["Placeholder"])
            #expect(loadOrFail(graph.bytes) != nil, "dims \(dims)")
        }
    }

    @Test func tensorContentOfTheWrongSizeInAGraph() {
        var graph = GraphBuilder()
        graph.placeholder(shape: [1, 3])
        var spec = GraphBuilder.TensorSpec.floats([1, 2], [3])
        spec.shape = [3]
        graph.const("bias", spec)
        graph.node("add", "AddV2", inputs: ["Placeholder", "bias"])
        let error = loadOrFail(graph.bytes)
        #expect(error?.node == "bias")
        #expect(error?.field == "value.tensor_content")
    }

    @Test func garbageAndEmptyInputs() {
        #expect(loadOrFail([]) != nil)
        #expect(loadOrFail(Array("not a protobuf at all, just text\n".utf8)) != nil)
        #expect(loadOrFail([UInt8](repeating: 0xFF, count: 64)) != nil)
        // A valid GraphDef with only a constant: no output computable from an input.
        var graph = GraphBuilder()
        graph.const("c", .floats([1], [1]))
        #expect(loadOrFail(graph.bytes) != nil)
    }

    @Test func deeplyNestedLengthsStayBounded() {
        // 10,000 nested empty messages in field 1: rejected (not a NodeDef), no stack overflow.
        var payload: [UInt8] = []
        for _ in 0..<10_000 {
            var writer = ProtoWriter()
            writer.bytes(1, payload)
            payload = writer.bytes
            if payload.count > 100_000 { break }
        }
        #expect(loadOrFail(payload) != nil)
    }
}

@Suite struct MemoryLimitTests {
    @Test func aHugeRepeatedConstantIsRefusedBeforeAllocating() {
        // One float_val repeated over 2^31 elements would be 8 GiB.
        var graph = GraphBuilder()
        graph.placeholder(shape: [1, 2])
        graph.const("huge", GraphBuilder.TensorSpec(dtype: 1, shape: [1 << 30, 2], floatValues: [1]))
        graph.node("add", "AddV2", inputs: ["Placeholder", "huge"])
        #expect { try Model(bytes: graph.bytes) } throws: { error in
            let error = error as? TinyGraphError
            return error?.node == "huge" && error?.message.contains("memory limit") == true
        }
    }

    @Test func theArenaIsHeldToTheLimit() throws {
        var graph = GraphBuilder()
        graph.placeholder(shape: [1, 1024])
        graph.node("r", "Relu", inputs: ["Placeholder"])
        #expect(throws: TinyGraphError.self) { try Model(bytes: graph.bytes, options: LoadOptions(memoryLimit: 4096)) }
        _ = try Model(bytes: graph.bytes, options: LoadOptions(memoryLimit: 65536))
    }
}

@Suite struct PackingLimitTests {
    /// A 1-output-channel filter packs 32 times larger: the limit applies before packing.
    @Test func packedWeightsAreHeldToTheMemoryLimit() throws {
        var graph = GraphBuilder()
        graph.placeholder(shape: [1, 4, 4, 64])
        graph.const("filter", .floats(OpTest.randomFloats(3 * 3 * 64, seed: 1), [3, 3, 64, 1]))
        graph.node("conv", "Conv2D", inputs: ["Placeholder", "filter"], attrs: [("strides", .ints([1, 1, 1, 1])), ("padding", .string("SAME"))])
        // The filter is 2,304 bytes; packed, 32 × (1 + 576) floats = 73,856 bytes.
        #expect { try Model(bytes: graph.bytes, options: LoadOptions(memoryLimit: 50_000)) } throws: { error in
            (error as? TinyGraphError)?.message.contains("packing the filter") == true
        }
        _ = try Model(bytes: graph.bytes, options: LoadOptions(memoryLimit: 200_000))
    }
}
