/// Finds a frozen GraphDef's classifier head and writes a copy of the file with new
/// head weights.
///
/// The head is the last dense layer: `MatMul` (or a 1×1 `Conv2D`) → `BiasAdd` or
/// `Add`/`AddV2` with a constant bias → `Softmax` or `Sigmoid`, with any chain of
/// `Identity`, `Reshape` and `Squeeze` between them and after the activation (Custom
/// Vision's `loss` → `model_outputs`). The weights and the bias are `Const` nodes,
/// possibly read through `Identity` (`fc/weights/read`).
struct GraphDefHead {
    enum WeightsLayout {
        /// MatMul weights `[C, N]`.
        case inputsByClasses
        /// MatMul with `transpose_b`: `[N, C]`.
        case classesByInputs
        /// 1×1 Conv2D filter `[1, 1, C, N]`.
        case convolution
    }

    /// A constant `Reshape` shape after the layer whose last element is the class count.
    struct ClassCountShape {
        var entry: Int
        var dtypeCode: Int
        var values: [Int64]
    }

    var found: FoundHead
    var weightsEntry: Int
    var weightsLayout: WeightsLayout
    var biasEntry: Int
    var biasShape: [Int]
    var classCountShapes: [ClassCountShape] = []
    /// Reshapes after the layer whose shape is computed, not constant: the class count cannot change.
    var computedReshapes: [String] = []

    private static let passThrough: Set<String> = ["Identity", "Reshape", "Squeeze"]

    static func find(_ file: UnsafeRawBufferPointer, _ layout: GraphDefLayout, outputName: String?) throws(TinyGraphError) -> GraphDefHead {
        let graph = try HeadGraph(layout)
        let outputIndex = try graph.outputNode(outputName)
        let output = graph.nodes[outputIndex].name

        // Output ← (Identity | Reshape | Squeeze)* ← Softmax | Sigmoid
        var after: [Int] = []
        var current = outputIndex
        while passThrough.contains(graph.nodes[current].op) {
            after.append(current)
            current = try graph.input(0, of: current)
        }
        let activation: ClassifierHead.Activation
        switch graph.nodes[current].op {
        case "Softmax": activation = .softmax
        case "Sigmoid": activation = .sigmoid
        default:
            throw graph.noHead(output, "it is computed by \(graph.nodes[current].op) '\(graph.nodes[current].name)', where a classifier ends in Softmax or Sigmoid")
        }

        // ← (Identity | Reshape | Squeeze)* ← BiasAdd | Add | AddV2 (constant bias)
        current = try graph.input(0, of: current)
        while passThrough.contains(graph.nodes[current].op) {
            after.append(current)
            current = try graph.input(0, of: current)
        }
        let biasAdd = current
        guard ["BiasAdd", "Add", "AddV2"].contains(graph.nodes[biasAdd].op), graph.nodes[biasAdd].inputs.count >= 2 else {
            throw graph.noHead(output, "the activation reads \(graph.nodes[biasAdd].op) '\(graph.nodes[biasAdd].name)', where a head adds a constant bias to a MatMul or 1×1 Conv2D")
        }
        var productInput = 0
        if graph.nodes[biasAdd].op != "BiasAdd", try graph.constant(throughIdentities: graph.input(0, of: biasAdd)) != nil {
            productInput = 1
        }
        guard let biasConst = try graph.constant(throughIdentities: graph.input(1 - productInput, of: biasAdd)) else {
            throw graph.noHead(output, "the bias of \(graph.nodes[biasAdd].op) '\(graph.nodes[biasAdd].name)' is not a constant")
        }
        var product = try graph.input(productInput, of: biasAdd)
        while graph.nodes[product].op == "Identity" { product = try graph.input(0, of: product) }

        // ← MatMul | Conv2D 1×1 with constant weights
        let layer = graph.nodes[product]
        guard layer.op == "MatMul" || layer.op == "Conv2D", layer.inputs.count >= 2 else {
            throw graph.noHead(output, "the bias is added to \(layer.op) '\(layer.name)', where a head has a MatMul or a 1×1 Conv2D")
        }
        guard let weightsConst = try graph.constant(throughIdentities: graph.input(1, of: product)) else {
            throw graph.noHead(output, "the weights of \(layer.op) '\(layer.name)' are not a constant")
        }
        try graph.checkOnlyUse(weightsConst, by: product, output)
        try graph.checkOnlyUse(biasConst, by: biasAdd, output)

        let (weightsType, weightsBuffer) = try graph.value(weightsConst, file)
        let (biasType, biasBuffer) = try graph.value(biasConst, file)
        guard weightsType.dtype == .float32, biasType.dtype == .float32 else {
            throw graph.noHead(output, "its weights or bias are not float32")
        }
        let dims = weightsType.shape
        let weightsLayout: WeightsLayout
        let embeddingSize: Int
        let classCount: Int
        if layer.op == "MatMul" {
            guard !layer.boolAttribute("transpose_a"), dims.count == 2 else {
                throw graph.noHead(output, "MatMul '\(layer.name)' has transpose_a or weights of rank \(dims.count)")
            }
            weightsLayout = layer.boolAttribute("transpose_b") ? .classesByInputs : .inputsByClasses
            (embeddingSize, classCount) = weightsLayout == .classesByInputs ? (dims[1], dims[0]) : (dims[0], dims[1])
        } else {
            guard dims.count == 4, dims[0] == 1, dims[1] == 1, layer.hasUnitStrides, layer.stringAttribute("data_format") ?? "NHWC" == "NHWC" else {
                throw graph.noHead(output, "Conv2D '\(layer.name)' is not a 1×1, stride 1, NHWC convolution")
            }
            weightsLayout = .convolution
            (embeddingSize, classCount) = (dims[2], dims[3])
        }
        guard embeddingSize > 0, classCount > 0, biasType.elementCount == classCount, biasType.shape.last == classCount else {
            throw graph.noHead(output, "its bias has shape \(TensorType.describe(biasType.shape)) for \(classCount) classes")
        }

        var weights = [Float](repeating: 0, count: classCount * embeddingSize)
        let stored = weightsBuffer.bytes.assumingMemoryBound(to: Float.self)
        for k in 0..<classCount {
            for c in 0..<embeddingSize {
                weights[k * embeddingSize + c] = weightsLayout == .classesByInputs ? stored[k * embeddingSize + c] : stored[c * classCount + k]
            }
        }
        let bias = Array(UnsafeBufferPointer(start: biasBuffer.bytes.assumingMemoryBound(to: Float.self), count: classCount))
        let embedding = graph.nodes[product].inputs[0]

        var head = GraphDefHead(
            found: FoundHead(
                outputName: output, embeddingName: embedding, activation: activation, layerOp: layer.op,
                weightsName: graph.nodes[weightsConst].name, biasName: graph.nodes[biasConst].name,
                embeddingSize: embeddingSize, classCount: classCount, weights: weights, bias: bias),
            weightsEntry: weightsConst, weightsLayout: weightsLayout, biasEntry: biasConst, biasShape: biasType.shape)
        for index in after where graph.nodes[index].op == "Reshape" {
            guard let shapeConst = try graph.constant(throughIdentities: graph.input(1, of: index)) else {
                head.computedReshapes.append(graph.nodes[index].name)
                continue
            }
            let (shapeType, shapeBuffer) = try graph.value(shapeConst, file)
            var values: [Int64] = []
            for element in 0..<shapeType.elementCount {
                switch shapeType.dtype {
                case .int32: values.append(Int64(shapeBuffer.bytes.load(fromByteOffset: 4 * element, as: Int32.self)))
                case .int64: values.append(shapeBuffer.bytes.load(fromByteOffset: 8 * element, as: Int64.self))
                default: break
                }
            }
            if values.last == Int64(classCount) {
                try graph.checkOnlyUse(shapeConst, by: index, output)
                head.classCountShapes.append(ClassCountShape(entry: shapeConst, dtypeCode: shapeType.dtype == .int64 ? 9 : 3, values: values))
            }
        }
        return head
    }

    /// The file with the new weights (class-major, `classes × embeddingSize`) and bias.
    func write(_ file: UnsafeRawBufferPointer, _ layout: GraphDefLayout, weights: [Float], bias: [Float]) throws(TinyGraphError) -> [UInt8] {
        let inputs = found.embeddingSize
        let classes = bias.count
        var stored = [Float](repeating: 0, count: weights.count)
        for k in 0..<classes {
            for c in 0..<inputs {
                let value = weights[k * inputs + c]
                if weightsLayout == .classesByInputs { stored[k * inputs + c] = value } else { stored[c * classes + k] = value }
            }
        }
        let weightsShape: [Int]
        switch weightsLayout {
        case .inputsByClasses: weightsShape = [inputs, classes]
        case .classesByInputs: weightsShape = [classes, inputs]
        case .convolution: weightsShape = [1, 1, inputs, classes]
        }
        var replacements = [
            ConstantReplacement(entry: weightsEntry, dtypeCode: 1, shape: weightsShape, content: littleEndianBytes(stored)),
            ConstantReplacement(entry: biasEntry, dtypeCode: 1, shape: biasShape.dropLast() + [classes], content: littleEndianBytes(bias)),
        ]
        if classes != found.classCount {
            if let reshape = computedReshapes.first {
                throw TinyGraphError(.invalidArgument, node: reshape, op: "Reshape", field: "shape",
                                     "the shape after the head is computed in the graph, so the number of classes cannot change from \(found.classCount)")
            }
            for shape in classCountShapes {
                var values = shape.values
                values[values.count - 1] = Int64(classes)
                let content = shape.dtypeCode == 9 ? littleEndianBytes(values) : littleEndianBytes(values.map { Int32(truncatingIfNeeded: $0) })
                replacements.append(ConstantReplacement(entry: shape.entry, dtypeCode: shape.dtypeCode, shape: [values.count], content: content))
            }
        }
        return try GraphDefWriter.write(file, layout: layout, replacing: replacements)
    }
}

/// The nodes of a GraphDef with their producers resolved, for walking back from an output.
private struct HeadGraph {
    let nodes: [NodeDef]
    var indexByName: [String: Int] = [:]
    /// How many data inputs of other nodes read each node.
    var readers: [Int]

    init(_ layout: GraphDefLayout) throws(TinyGraphError) {
        nodes = layout.entries.map { $0.node }
        readers = [Int](repeating: 0, count: nodes.count)
        for (index, node) in nodes.enumerated() where indexByName[node.name] == nil { indexByName[node.name] = index }
        for node in nodes {
            for text in node.inputs {
                guard let reference = TensorReference(parsing: text), !reference.isControl, let producer = indexByName[reference.node] else { continue }
                readers[producer] += 1
            }
        }
    }

    func noHead(_ output: String, _ reason: String) -> TinyGraphError {
        TinyGraphError(.invalidGraph, node: output, "no classifier head TinyGraph can retrain at this output: " + reason)
    }

    /// The output named, else `model_outputs`, else `loss`, else the graph's only sink.
    func outputNode(_ name: String?) throws(TinyGraphError) -> Int {
        if let name {
            guard let reference = TensorReference(parsing: name), !reference.isControl, reference.output == 0,
                  let index = indexByName[reference.node] else {
                throw TinyGraphError(.invalidArgument, field: "outputName", "no node named '\(name)' in the graph")
            }
            return index
        }
        for preferred in ["model_outputs", "loss"] { if let index = indexByName[preferred] { return index } }
        let sinks = nodes.indices.filter { readers[$0] == 0 && !["Const", "NoOp", "Placeholder"].contains(nodes[$0].op) }
        guard sinks.count == 1 else {
            throw TinyGraphError(.invalidArgument, field: "outputName",
                                 "the graph has \(sinks.count) outputs and none is named model_outputs or loss; name the classifier's output")
        }
        return sinks[0]
    }

    /// The node that produces data input `position` of node `index` (output 0 only).
    func input(_ position: Int, of index: Int) throws(TinyGraphError) -> Int {
        let node = nodes[index]
        let data = node.inputs.filter { !$0.hasPrefix("^") }
        guard position < data.count, let reference = TensorReference(parsing: data[position]),
              let producer = indexByName[reference.node] else {
            throw TinyGraphError(.invalidGraph, node: node.name, op: node.op, field: "input", "input \(position) is missing or names no node")
        }
        guard reference.output == 0 else {
            throw TinyGraphError(.invalidGraph, node: node.name, op: node.op, field: "input",
                                 "input '\(data[position])' is output \(reference.output) of its node; a classifier head reads first outputs")
        }
        return producer
    }

    /// The Const node behind `index` and any Identity nodes in front of it, or nil.
    func constant(throughIdentities index: Int) throws(TinyGraphError) -> Int? {
        var current = index
        while nodes[current].op == "Identity" { current = try input(0, of: current) }
        return nodes[current].op == "Const" ? current : nil
    }

    /// A constant read by another node too cannot change without changing that node.
    func checkOnlyUse(_ constant: Int, by user: Int, _ output: String) throws(TinyGraphError) {
        var current = constant
        while true {
            guard readers[current] == 1 else {
                throw noHead(output, "the constant '\(nodes[constant].name)' of '\(nodes[user].name)' is also read by other nodes")
            }
            guard let next = nodes.indices.first(where: { candidate in
                nodes[candidate].inputs.contains { TensorReference(parsing: $0).map { !$0.isControl && $0.node == nodes[current].name } ?? false }
            }), next != user else { return }
            guard nodes[next].op == "Identity" else {
                throw noHead(output, "the constant '\(nodes[constant].name)' reaches '\(nodes[user].name)' through \(nodes[next].op) '\(nodes[next].name)'")
            }
            current = next
        }
    }

    func value(_ index: Int, _ file: UnsafeRawBufferPointer) throws(TinyGraphError) -> (TensorType, TensorBuffer) {
        let node = nodes[index]
        guard case .tensor(let tensor)? = node.attributes["value"] else {
            throw TinyGraphError(.invalidGraph, node: node.name, op: node.op, field: "value", "missing or not a tensor")
        }
        return try tensor.makeBuffer(file: file, node: node.name, op: node.op)
    }
}

private extension NodeDef {
    func boolAttribute(_ name: String) -> Bool {
        if case .bool(let value)? = attributes[name] { return value }
        return false
    }

    func stringAttribute(_ name: String) -> String? {
        if case .string(let value)? = attributes[name] { return value }
        return nil
    }

    var hasUnitStrides: Bool {
        guard case .list(let list)? = attributes["strides"] else { return true }
        return list.ints.allSatisfy { $0 == 1 }
    }
}

/// Little-endian bytes of fixed-width values (every TinyGraph target is little-endian).
func littleEndianBytes<T: BitwiseCopyable>(_ values: [T]) -> [UInt8] {
    values.withUnsafeBytes { Array($0) }
}
