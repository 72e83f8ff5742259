import Testing
@_spi(Testing) @testable import TinyGraph

/// Conv2D (+ epilogue) streamed into the MaxPool that reads it: the fused kernel
/// against the unfused kernels and the reference kernels, the rewrite's conditions,
/// and what it does to the real export's arena.
@Suite struct PoolFusionTests {
    typealias Dice = SIMDConvolutionTests.Dice

    /// A random convolution (odd sizes, strides 1–3, dilations, padding, 1–70
    /// channels) and a random max pool over its output (windows 1–4, strides 1–3,
    /// VALID or SAME-like padding, windows taller or shorter than the stride).
    private func randomCase(_ dice: inout Dice) -> (ConvolutionGeometry, PoolingGeometry) {
        let kernelHeight = dice.roll(1...4), kernelWidth = dice.roll(1...4)
        let dilationH = dice.roll(1...2), dilationW = dice.roll(1...2)
        let strideH = dice.roll(1...3), strideW = dice.roll(1...3)
        let padTop = dice.roll(0...2), padLeft = dice.roll(0...2)
        let inHeight = (kernelHeight - 1) * dilationH + 1 + dice.roll(0...14)
        let inWidth = (kernelWidth - 1) * dilationW + 1 + dice.roll(0...14)
        let outHeight = (inHeight + padTop + dice.roll(0...2) - ((kernelHeight - 1) * dilationH + 1)) / strideH + 1
        let outWidth = (inWidth + padLeft + dice.roll(0...2) - ((kernelWidth - 1) * dilationW + 1)) / strideW + 1
        let conv = ConvolutionGeometry(
            batch: dice.roll(1...2), inHeight: inHeight, inWidth: inWidth, inChannels: dice.roll(1...19),
            kernelHeight: kernelHeight, kernelWidth: kernelWidth, outHeight: outHeight, outWidth: outWidth,
            outChannels: dice.roll(1...70), strideH: strideH, strideW: strideW,
            dilationH: dilationH, dilationW: dilationW, padTop: padTop, padLeft: padLeft)

        let windowHeight = dice.roll(1...min(4, outHeight)), windowWidth = dice.roll(1...min(4, outWidth))
        let poolStrideH = dice.roll(1...3), poolStrideW = dice.roll(1...3)
        let same = dice.roll(0...1) == 1
        func size(_ input: Int, _ window: Int, _ stride: Int) -> (size: Int, before: Int) {
            guard same else { return ((input - window) / stride + 1, 0) }
            let size = (input + stride - 1) / stride
            return (size, max((size - 1) * stride + window - input, 0) / 2)
        }
        let rows = size(outHeight, windowHeight, poolStrideH), cols = size(outWidth, windowWidth, poolStrideW)
        let pool = PoolingGeometry(
            batch: conv.batch, inHeight: outHeight, inWidth: outWidth, channels: conv.outChannels,
            windowHeight: windowHeight, windowWidth: windowWidth, outHeight: rows.size, outWidth: cols.size,
            strideH: poolStrideH, strideW: poolStrideW, padTop: rows.before, padLeft: cols.before)
        return (conv, pool)
    }

    @Test func fusedKernelMatchesConvolutionThenPool() {
        var dice = Dice(state: 97)
        let activations = SIMDConvolutionTests.activations
        for index in 0..<120 {
            let (g, p) = randomCase(&dice)
            let activation = activations[index % activations.count]
            let filterShape = [g.kernelHeight, g.kernelWidth, g.inChannels, g.outChannels]
            var input = OpTest.randomFloats(g.batch * g.inHeight * g.inWidth * g.inChannels, seed: 500 &+ UInt64(index)).map { $0 * 3 }
            var filter = OpTest.randomFloats(filterShape.reduce(1, *), seed: 1500 &+ UInt64(index))
            var bias = OpTest.randomFloats(g.outChannels, seed: 2500 &+ UInt64(index))
            let convCount = g.batch * g.outHeight * g.outWidth * g.outChannels
            let poolCount = p.batch * p.outHeight * p.outWidth * p.channels
            let ringCount = SIMDConvolution.ringRowCount(poolWindowHeight: p.windowHeight, convolutionHeight: g.outHeight)
                * g.outWidth * g.outChannels
            var reference = [Float](repeating: 0, count: convCount), referencePooled = [Float](repeating: 0, count: poolCount)
            var convolved = [Float](repeating: .nan, count: convCount), unfused = [Float](repeating: .nan, count: poolCount)
            var fused = [Float](repeating: .nan, count: poolCount), ring = [Float](repeating: .nan, count: ringCount)

            let packed = filter.withUnsafeBufferPointer { PackedConvolutionWeights.conv2D(filter: $0.baseAddress!, shape: filterShape) }
            bias.withUnsafeMutableBufferPointer { packed.addBias($0.baseAddress!) }
            input.withUnsafeMutableBufferPointer { i in
                filter.withUnsafeMutableBufferPointer { f in
                    reference.withUnsafeMutableBufferPointer { ReferenceConvolution.conv2D(input: i.baseAddress!, filter: f.baseAddress!, output: $0.baseAddress!, geometry: g) }
                }
                convolved.withUnsafeMutableBufferPointer { c in
                    SIMDConvolution.conv2D(input: i.baseAddress!, weights: packed, output: c.baseAddress!, geometry: g, activation: activation)
                    unfused.withUnsafeMutableBufferPointer { SIMDPooling.maxPool(input: c.baseAddress!, output: $0.baseAddress!, geometry: p) }
                }
                fused.withUnsafeMutableBufferPointer { o in
                    ring.withUnsafeMutableBufferPointer { r in
                        SIMDConvolution.conv2DMaxPool(input: i.baseAddress!, weights: packed, output: o.baseAddress!, ring: r.baseAddress!,
                                                      geometry: g, activation: activation, pool: p)
                    }
                }
            }
            // Same arithmetic per output and the same window order: identical to the two steps.
            #expect(fused == unfused, "case \(index): \(g) \(p) \(activation)")

            // And within the SIMD kernels' tolerance of the plain reference kernels.
            var activated = reference.indices.map { ReferenceConvolution.activate(reference[$0] + bias[$0 % bias.count], activation) }
            activated.withUnsafeMutableBufferPointer { a in
                referencePooled.withUnsafeMutableBufferPointer { ReferencePooling.maxPool(input: a.baseAddress!, output: $0.baseAddress!, geometry: p) }
            }
            let tolerance = 1e-5 * max(1, activated.reduce(0) { max($0, abs($1)) })
            let error = OpTest.compare(fused, referencePooled)
            #expect(error <= tolerance, "case \(index): \(g) \(p) \(activation): \(error)")
        }
    }

    /// Placeholder → Conv2D → BiasAdd → activation → MaxPool, as TensorFlow writes it.
    private func graph(input: [Int], filter: [Int], convStride: Int, convPadding: String, activation: String,
                       ksize: Int, poolStride: Int, poolPadding: String, poolOp: String = "MaxPool") -> GraphBuilder {
        var graph = GraphBuilder()
        graph.placeholder(shape: input.map { Int64($0) })
        graph.const("filter", .floats(OpTest.randomFloats(filter.reduce(1, *), seed: 7), filter.map { Int64($0) }))
        graph.const("bias", .floats(OpTest.randomFloats(filter[3], seed: 8), [Int64(filter[3])]))
        graph.node("conv", "Conv2D", inputs: ["Placeholder", "filter"],
                   attrs: [("strides", .ints([1, Int64(convStride), Int64(convStride), 1])), ("padding", .string(convPadding))])
        graph.node("biased", "BiasAdd", inputs: ["conv", "bias"])
        graph.node("act", activation, inputs: ["biased"], attrs: activation == "LeakyRelu" ? [("alpha", .float(0.1))] : [])
        graph.node("pool", poolOp, inputs: ["act"],
                   attrs: [("ksize", .ints([1, Int64(ksize), Int64(ksize), 1])), ("strides", .ints([1, Int64(poolStride), Int64(poolStride), 1])),
                           ("padding", .string(poolPadding))])
        return graph
    }

    /// The same chain op by op, unfused.
    private func expected(_ values: [Float], input: [Int], filter: [Int], convStride: Int, convPadding: String, activation: String,
                          ksize: Int, poolStride: Int, poolPadding: String) throws -> [Float] {
        let conv = try OpTest.run("Conv2D", [OpTest.floats(values, input), OpTest.floats(OpTest.randomFloats(filter.reduce(1, *), seed: 7), filter)],
                                  ["strides": OpTest.ints([1, convStride, convStride, 1]), "padding": .string(convPadding)])[0]
        let biased = try OpTest.run("BiasAdd", [OpTest.floats(conv.floats, conv.shape), OpTest.floats(OpTest.randomFloats(filter[3], seed: 8), [filter[3]])])[0]
        let attributes: [String: AttrValue] = activation == "LeakyRelu" ? ["alpha": .float(0.1)] : [:]
        let activated = try OpTest.run(activation, [OpTest.floats(biased.floats, biased.shape)], attributes)[0]
        return try OpTest.run("MaxPool", [OpTest.floats(activated.floats, activated.shape)],
                              ["ksize": OpTest.ints([1, ksize, ksize, 1]), "strides": OpTest.ints([1, poolStride, poolStride, 1]),
                               "padding": .string(poolPadding)])[0].floats
    }

    @Test(arguments: [
        // SqueezeNet's conv1 → pool1 in small: 3×3 s2 VALID into 3×3 s2 VALID, 64 channels.
        ("Relu", [1, 23, 19, 3], [3, 3, 3, 64], 2, "VALID", 3, 2, "VALID"),
        // Tiny-YOLO: 3×3 SAME into 2×2 s2 SAME, odd sizes, channels not a multiple of 16.
        ("LeakyRelu", [1, 13, 11, 5], [3, 3, 5, 21], 1, "SAME", 2, 2, "SAME"),
        ("Relu6", [2, 9, 10, 4], [2, 2, 4, 37], 1, "VALID", 3, 1, "SAME"),
        ("Relu", [1, 12, 15, 7], [1, 1, 7, 33], 1, "SAME", 2, 3, "VALID"),
    ])
    func fusesConvolutionAndMaxPoolIntoOneStep(_ activation: String, _ input: [Int], _ filter: [Int], _ convStride: Int,
                                               _ convPadding: String, _ ksize: Int, _ poolStride: Int, _ poolPadding: String) throws {
        let model = try Model(bytes: graph(input: input, filter: filter, convStride: convStride, convPadding: convPadding, activation: activation,
                                           ksize: ksize, poolStride: poolStride, poolPadding: poolPadding).bytes)
        #expect(model.summary.runtimeOpCounts == ["Conv2D+MaxPool": 1])
        #expect(model.steps.map(\.name) == ["conv+pool"])
        let values = OpTest.randomFloats(input.reduce(1, *), seed: 9).map { $0 * 4 }
        let output = try model.run(values)[0]
        #expect(output.name == "pool")
        let want = try expected(values, input: input, filter: filter, convStride: convStride, convPadding: convPadding, activation: activation,
                                ksize: ksize, poolStride: poolStride, poolPadding: poolPadding)
        #expect(output.shape == model.outputs[0].shape)
        #expect(OpTest.compare(output.values, want) <= 1e-5 * max(1, want.reduce(0) { max($0, abs($1)) }))
    }

    @Test func theArenaHoldsOnlyTheRingNotTheConvolutionOutput() throws {
        let model = try Model(bytes: graph(input: [1, 41, 41, 3], filter: [3, 3, 3, 64], convStride: 2, convPadding: "VALID", activation: "Relu",
                                           ksize: 3, poolStride: 2, poolPadding: "VALID").bytes)
        // Input 41×41×3, pool output 9×9×64 and a ring of 3 rows of 20×64: no 20×20×64 tensor.
        let lifetimes = MemoryPlanner.lifetimes(model.graph)
        #expect(lifetimes.map(\.byteCount).sorted() == [3 * 20 * 64 * 4, 9 * 9 * 64 * 4, 41 * 41 * 3 * 4].map(MemoryPlanner.align).sorted())
        #expect(model.summary.multiplyAdds == 20 * 20 * 64 * 27)  // every convolution output is still computed
    }

    @Test func leavesAvgPoolAndSharedOrOutputIntermediatesAlone() throws {
        let average = try Model(bytes: graph(input: [1, 9, 9, 3], filter: [3, 3, 3, 8], convStride: 1, convPadding: "SAME", activation: "Relu",
                                             ksize: 2, poolStride: 2, poolPadding: "VALID", poolOp: "AvgPool").bytes)
        #expect(average.summary.runtimeOpCounts == ["Conv2D": 1, "AvgPool": 1])

        let maxGraph = graph(input: [1, 9, 9, 3], filter: [3, 3, 3, 8], convStride: 1, convPadding: "SAME", activation: "Relu",
                             ksize: 2, poolStride: 2, poolPadding: "VALID")
        let asOutput = try Model(bytes: maxGraph.bytes, options: LoadOptions(outputNames: ["act", "pool"]))
        #expect(asOutput.summary.runtimeOpCounts == ["Conv2D": 1, "MaxPool": 1])

        var shared = maxGraph
        shared.node("other", "Neg", inputs: ["act"])
        let twoReaders = try Model(bytes: shared.bytes, options: LoadOptions(outputNames: ["pool", "other"]))
        #expect(twoReaders.summary.runtimeOpCounts == ["Conv2D": 1, "MaxPool": 1, "Neg": 1])
    }

    /// The real export: conv1 (3×3 s2 VALID, 64 channels) streams into pool1, so its
    /// 113×113×64 output (3.27 MB) is gone from the arena, which was 3.88 MiB.
    @Test func realExportStreamsConv1IntoPool1() throws {
        let model = try Model(contentsOf: Fixtures.realExport + "/model.pb")
        let fused = model.steps.filter { $0.opType == "Conv2D+MaxPool" }
        #expect(fused.map(\.name) == ["conv1/Conv2D+pool1"])
        #expect(fused.first?.outputShape == [1, 56, 56, 64])
        #expect(MemoryPlanner.lifetimes(model.graph).allSatisfy { $0.byteCount < 113 * 113 * 64 * 4 })
        #expect(model.summary.arenaByteCount < 3_500_000)
        #expect(model.summary.multiplyAdds == 287_397_568)
    }

    /// SqueezeNet- and Tiny-YOLO-style fixtures fuse where the pattern occurs (their
    /// outputs against TensorFlow are checked by ModelFixtureTests).
    @Test(arguments: [("squeezenet-databn", 1), ("tinyyolo-block", 3), ("shufflenet-block", 1)])
    func fixturesFuse(_ name: String, _ count: Int) throws {
        let fixture = try Fixtures.load(name)
        let model = try Model(contentsOf: fixture.directory + "/model.pb", options: LoadOptions(outputNames: fixture.outputs.map(\.name)))
        #expect(model.summary.runtimeOpCounts["Conv2D+MaxPool"] == count)
    }
}
