import Testing
@_spi(Testing) @testable import TinyGraph

/// How loading treats the model file's bytes.
@Suite struct LoadingTests {
    /// Filters are packed straight from the mapped file; only the tensors kernels read
    /// as tensors (biases, the classifier's weights, data_bn) get a copy of their own.
    @Test func weightsAreCopiedOnceOnTheRealExport() throws {
        let model = try Model(contentsOf: Fixtures.realExport + "/model.pb")
        let fileBytes = try Fixtures.bytes(Fixtures.realExport + "/model.pb").count
        var packedFilterBytes = 0
        for node in model.graph.nodes {
            for op in node.operation.convolutions {
                guard let packed = op.packedWeights else { continue }
                packedFilterBytes += packed.kernelHeight * packed.kernelWidth * packed.inChannels * packed.outChannels * 4
            }
        }
        print("copied from file: \(model.graph.bytesCopiedFromFile) bytes; packed filters: \(packedFilterBytes) bytes; file: \(fileBytes) bytes")
        // 25 convolutions, all packed (conv1 runs with pool1 as one step, each fire
        // module's two expands inside its concatenation).
        #expect(model.summary.runtimeOpCounts["Conv2D"] == 8)
        #expect(model.summary.runtimeOpCounts["Conv2D+ConcatV2"] == 8)
        // The 25 plus the classifier's MatMul, which runs as a 1×1 convolution.
        #expect(model.graph.nodes.reduce(0) { $0 + $1.operation.convolutions.count } == 26)
        #expect(model.summary.runtimeOpCounts["Conv2D+MaxPool"] == 1)
        #expect(model.graph.nodes.allSatisfy { node in
            node.operation.convolutions.allSatisfy { $0.packedWeights != nil }
        })
        // Filter bytes plus copied bytes fit in the file once: nothing was copied twice.
        #expect(packedFilterBytes + model.graph.bytesCopiedFromFile <= fileBytes)
        #expect(model.graph.bytesCopiedFromFile < fileBytes / 10)
    }

    @Test func constantsAreMaterializedOnlyWhereKernelsReadThem() throws {
        // Placeholder → Conv2D(const filter) → BiasAdd(const bias): the filter is packed
        // from the file, the bias (read at run time) is copied, nothing else.
        var graph = GraphBuilder()
        graph.placeholder(shape: [1, 4, 4, 2])
        graph.const("filter", .floats(OpTest.randomFloats(2 * 2 * 2 * 3, seed: 3), [2, 2, 2, 3]))
        graph.const("bias", .floats([1, 2, 3], [3]))
        graph.node("conv", "Conv2D", inputs: ["Placeholder", "filter"],
                   attrs: [("strides", .ints([1, 1, 1, 1])), ("padding", .string("VALID"))])
        graph.node("out", "BiasAdd", inputs: ["conv", "bias"])
        let model = try Model(bytes: graph.bytes)
        #expect(model.graph.bytesCopiedFromFile == 12)
        let filterValue = model.graph.values.first { $0.name == "filter" }
        #expect(filterValue?.constant == nil && filterValue?.fileContent == nil)
    }

    @Test func summaryNamesTheFileScopesSoCallersRecogniseDataBN() throws {
        let export = try Model(contentsOf: Fixtures.realExport + "/model.pb")
        #expect(export.summary.fileScopes.contains("data_bn"))
        var graph = GraphBuilder()
        graph.placeholder(shape: [1, 2, 2, 1])
        graph.node("head/out", "Relu", inputs: ["Placeholder"])
        #expect(try Model(bytes: graph.bytes).summary.fileScopes == ["Placeholder", "head"])
    }
}
