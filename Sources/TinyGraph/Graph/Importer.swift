/// GraphDef → `Graph`: resolves names, keeps only what the outputs need, orders the
/// nodes, infers every shape, and folds everything computable at load.
struct Importer {
    let nodes: [NodeDef]
    let options: LoadOptions
    let file: UnsafeRawBufferPointer

    /// Node name → index in `nodes`.
    private var indexByName: [String: Int] = [:]
    /// Parsed inputs of each node.
    private var references: [[TensorReference]] = []

    /// Imports a frozen GraphDef, or a TFLite model (recognised by its "TFL3" identifier).
    static func importGraph(file: UnsafeRawBufferPointer, options: LoadOptions) throws(TinyGraphError) -> Graph {
        if TFLiteImporter.isTFLite(file) { return try TFLiteImporter.importGraph(file: file, options: options) }
        let graphDef = try GraphDef.decode(file: file)
        var importer = Importer(nodes: graphDef.nodes, options: options, file: file)
        return try importer.run()
    }

    private init(nodes: [NodeDef], options: LoadOptions, file: UnsafeRawBufferPointer) {
        self.nodes = nodes
        self.options = options
        self.file = file
    }

    private mutating func run() throws(TinyGraphError) -> Graph {
        guard !nodes.isEmpty else { throw TinyGraphError(.invalidGraph, "the graph has no nodes") }
        try indexNodes()
        try checkInputShapeNames()
        let outputs = try outputReferences()
        let order = try executionOrder(from: outputs)
        try checkSupported(order)
        return try build(order, outputs: outputs)
    }

    // MARK: Names

    private mutating func indexNodes() throws(TinyGraphError) {
        for (index, node) in nodes.enumerated() {
            guard !node.name.isEmpty else {
                throw TinyGraphError(.invalidGraph, op: node.op, field: "name", "node \(index) has an empty name")
            }
            guard indexByName.updateValue(index, forKey: node.name) == nil else {
                throw TinyGraphError(.invalidGraph, node: node.name, op: node.op, field: "name", "two nodes have this name")
            }
        }
        references.reserveCapacity(nodes.count)
        for node in nodes {
            var parsed: [TensorReference] = []
            for input in node.inputs {
                guard let reference = TensorReference(parsing: input) else {
                    throw TinyGraphError(.invalidGraph, node: node.name, op: node.op, field: "input", "'\(input)' is not a valid input name")
                }
                guard indexByName[reference.node] != nil else {
                    throw TinyGraphError(.invalidGraph, node: node.name, op: node.op, field: "input", "input '\(input)' names no node in the graph")
                }
                parsed.append(reference)
            }
            references.append(parsed)
        }
    }

    /// The caller's outputs, else `model_outputs`, else `loss`, else the sinks.
    private func outputReferences() throws(TinyGraphError) -> [TensorReference] {
        if !options.outputNames.isEmpty {
            var result: [TensorReference] = []
            for name in options.outputNames {
                guard let reference = TensorReference(parsing: name), !reference.isControl, indexByName[reference.node] != nil else {
                    throw TinyGraphError(.invalidArgument, field: "outputNames", "no node named '\(name)' in the graph")
                }
                result.append(reference)
            }
            return result
        }
        for name in ["model_outputs", "loss"] where indexByName[name] != nil {
            return [TensorReference(node: name, output: 0, isControl: false)]
        }
        var consumed = [Bool](repeating: false, count: nodes.count)
        for inputs in references {
            for reference in inputs where !reference.isControl { consumed[indexByName[reference.node]!] = true }
        }
        var sinks: [TensorReference] = []
        for (index, node) in nodes.enumerated() where !consumed[index] {
            if node.op == "NoOp" || node.op == "Const" || node.op == "Placeholder" { continue }
            sinks.append(TensorReference(node: node.name, output: 0, isControl: false))
        }
        guard !sinks.isEmpty else { throw TinyGraphError(.invalidGraph, "the graph has no output: no node consumes a placeholder") }
        return sinks
    }

    // MARK: Order

    /// The nodes the outputs depend on (data and control edges), inputs before users.
    private func executionOrder(from outputs: [TensorReference]) throws(TinyGraphError) -> [Int] {
        // Depth-first post-order with an explicit stack: 0 = unseen, 1 = on the path, 2 = done.
        var state = [UInt8](repeating: 0, count: nodes.count)
        var order: [Int] = []
        var stack: [(node: Int, nextInput: Int)] = []
        for output in outputs {
            let root = indexByName[output.node]!
            guard state[root] == 0 else { continue }
            stack.append((root, 0))
            state[root] = 1
            while !stack.isEmpty {
                let (current, nextInput) = stack[stack.count - 1]
                let inputs = references[current]
                if nextInput < inputs.count {
                    stack[stack.count - 1].nextInput += 1
                    let producer = indexByName[inputs[nextInput].node]!
                    if state[producer] == 1 {
                        throw TinyGraphError(.invalidGraph, node: nodes[producer].name, op: nodes[producer].op, field: "input",
                                             "the graph has a cycle through this node and '\(nodes[current].name)'")
                    }
                    if state[producer] == 0 {
                        state[producer] = 1
                        stack.append((producer, 0))
                    }
                } else {
                    state[current] = 2
                    order.append(current)
                    stack.removeLast()
                }
            }
        }
        return order
    }

    /// One error listing every unsupported op and the nodes that use it.
    private func checkSupported(_ order: [Int]) throws(TinyGraphError) {
        var unsupported: [String] = []
        var users: [String: [String]] = [:]
        for index in order where !OperatorRegistry.isSupported(nodes[index].op) {
            let op = nodes[index].op
            if users[op] == nil { unsupported.append(op) }
            users[op, default: []].append(nodes[index].name)
        }
        guard !unsupported.isEmpty else { return }
        throw TinyGraphError.unsupportedOps(unsupported, usedBy: users)
    }

    // MARK: Build

    private func build(_ order: [Int], outputs: [TensorReference]) throws(TinyGraphError) -> Graph {
        var graph = Graph()
        // Value indices of each node's outputs, filled as nodes are processed.
        var produced = [[Int]](repeating: [], count: nodes.count)
        // Bytes of constants and folded tensors so far, held against options.memoryLimit.
        var constantBytes = 0
        var placeholderCount = 0
        for index in order where nodes[index].op == "Placeholder" { placeholderCount += 1 }
        // Consumers not yet imported, per value: a constant is released as soon as the
        // last one has been resolved (e.g. a filter once packed), unless a run-time node
        // reads it, so that weights are not held twice while loading.
        let uses = useCounts(order, outputs: outputs)
        var remainingUses: [Int] = []
        var readAtRunTime: [Bool] = []
        func addValue(_ value: Value, node: Int, output: Int) -> Int {
            graph.values.append(value)
            remainingUses.append(uses[OutputKey(node: node, output: output)] ?? 0)
            readAtRunTime.append(false)
            return graph.values.count - 1
        }
        // Copies a constant still in the file into a buffer of its own, for a kernel
        // to read as a tensor (at run time or while folding).
        func materialize(_ id: Int) throws(TinyGraphError) {
            guard graph.values[id].constant == nil, let source = graph.values[id].fileContent else { return }
            let type = graph.values[id].type
            constantBytes += type.byteCount
            guard constantBytes <= options.memoryLimit else {
                throw TinyGraphError(.invalidShape, node: graph.values[id].name, field: "value", "constants exceed the memory limit")
            }
            let buffer = TensorBuffer(byteCount: type.byteCount)
            buffer.bytes.copyMemory(from: source, byteCount: type.byteCount)
            graph.values[id].constant = buffer
            graph.values[id].fileContent = nil
            graph.bytesCopiedFromFile += type.byteCount
        }

        for index in order {
            let node = nodes[index]
            graph.fileOpCounts[node.op, default: 0] += 1
            graph.fileScopes.insert(String(node.name.prefix { $0 != "/" }))
            var inputValues: [Value] = []
            var inputIDs: [Int] = []
            for reference in references[index] where !reference.isControl {
                let producer = indexByName[reference.node]!
                guard reference.output < produced[producer].count else {
                    throw TinyGraphError(.invalidGraph, node: node.name, op: node.op, field: "input",
                                         "input '\(reference.valueName)': node '\(reference.node)' has no output \(reference.output)")
                }
                let id = produced[producer][reference.output]
                inputIDs.append(id)
                inputValues.append(graph.values[id])
            }

            switch node.op {
            case "Placeholder":
                let type = try placeholderType(node, isOnlyInput: placeholderCount == 1)
                let id = addValue(Value(name: node.name, type: type, constant: nil), node: index, output: 0)
                graph.inputs.append(id)
                produced[index] = [id]
            case "Const":
                guard case .tensor(let tensor)? = node.attributes["value"] else {
                    throw TinyGraphError(.invalidGraph, node: node.name, op: node.op, field: "value", "missing or not a tensor")
                }
                let type = try tensor.tensorType(node: node.name, op: node.op, byteLimit: options.memoryLimit - constantBytes)
                var value = Value(name: node.name, type: type, constant: nil)
                if let content = try tensor.content(in: file, type: type, node: node.name, op: node.op) {
                    value.fileContent = content  // copied later only if a kernel reads it as a tensor
                } else {
                    value.constant = try tensor.makeBuffer(file: file, node: node.name, op: node.op).1
                    constantBytes += type.byteCount
                }
                produced[index] = [addValue(value, node: index, output: 0)]
            case "Identity":
                guard inputIDs.count == 1 else {
                    throw TinyGraphError(.invalidGraph, node: node.name, op: node.op, field: "input", "expects 1 input, has \(inputIDs.count)")
                }
                // The Identity's consumers become its input's consumers.
                remainingUses[inputIDs[0]] += (uses[OutputKey(node: index, output: 0)] ?? 0) - 1
                produced[index] = inputIDs
                continue
            case "NoOp":
                produced[index] = []
            default:
                var context = NodeContext(name: node.name, opType: node.op, attributes: node.attributes, inputs: inputValues)
                context.memoryLimit = options.memoryLimit
                let resolved = try OperatorRegistry.resolve(context)
                for input in resolved.runtimeInputs {
                    try materialize(inputIDs[input])
                    inputValues[input] = graph.values[inputIDs[input]]
                }
                var outputIDs: [Int] = []
                if ConstantFolding.canFold(resolved, inputs: inputValues) {
                    for type in resolved.outputTypes { constantBytes += type.byteCount }
                    guard constantBytes <= options.memoryLimit else {
                        throw context.shapeError("folding this node's outputs exceeds the memory limit")
                    }
                    let buffers = ConstantFolding.evaluate(resolved, inputs: inputValues)
                    for (output, type) in resolved.outputTypes.enumerated() {
                        let value = Value(name: Self.valueName(node.name, output), type: type, constant: buffers[output])
                        outputIDs.append(addValue(value, node: index, output: output))
                    }
                } else {
                    for (output, type) in resolved.outputTypes.enumerated() {
                        let value = Value(name: Self.valueName(node.name, output), type: type, constant: nil)
                        outputIDs.append(addValue(value, node: index, output: output))
                    }
                    let runtimeInputs = resolved.runtimeInputs.map { inputIDs[$0] }
                    for id in runtimeInputs { readAtRunTime[id] = true }
                    graph.nodes.append(Node(name: node.name, opType: node.op, operation: resolved.operation,
                                            inputs: runtimeInputs, outputs: outputIDs))
                }
                produced[index] = outputIDs
            }
            for id in inputIDs {
                remainingUses[id] -= 1
                if remainingUses[id] == 0 && !readAtRunTime[id] {
                    graph.values[id].constant = nil
                    graph.values[id].fileContent = nil
                }
            }
        }

        for reference in outputs {
            let producer = indexByName[reference.node]!
            guard reference.output < produced[producer].count else {
                throw TinyGraphError(.invalidArgument, node: reference.node, op: nodes[producer].op, field: "outputNames",
                                     "node has no output \(reference.output)")
            }
            let id = produced[producer][reference.output]
            try materialize(id)  // a constant output outlives the file
            graph.outputs.append(id)
            graph.outputNames.append(reference.valueName)
        }
        GraphRewrites.apply(to: &graph)
        Self.releaseUnusedConstants(&graph)
        graph.memoryLimit = options.memoryLimit
        return graph
    }

    /// A node output, as a dictionary key.
    private struct OutputKey: Hashable {
        var node: Int
        var output: Int
    }

    /// How many times each node output is read: by the nodes in `order` and as a model output.
    /// A dictionary, so that a hostile "name:999999" costs one entry, not a million.
    private func useCounts(_ order: [Int], outputs: [TensorReference]) -> [OutputKey: Int] {
        var uses: [OutputKey: Int] = [:]
        func count(_ reference: TensorReference) {
            uses[OutputKey(node: indexByName[reference.node]!, output: reference.output), default: 0] += 1
        }
        for index in order {
            for reference in references[index] where !reference.isControl { count(reference) }
        }
        for reference in outputs { count(reference) }
        return uses
    }

    private static func valueName(_ node: String, _ output: Int) -> String {
        output == 0 ? node : node + ":\(output)"
    }

    /// The placeholder's type: its `shape` attribute with a `-1` batch replaced,
    /// unless the caller gave the shape.
    private func placeholderType(_ node: NodeDef, isOnlyInput: Bool) throws(TinyGraphError) -> TensorType {
        func fail(_ field: String, _ message: String) -> TinyGraphError {
            TinyGraphError(.invalidGraph, node: node.name, op: node.op, field: field, message)
        }
        let dtype: DType
        if case .type(let code)? = node.attributes["dtype"] {
            guard DType(tensorFlowCode: code) == .float32 else {
                throw fail("dtype", "input type \(DType.tensorFlowName(code: code)) is not supported; inputs must be float32")
            }
            dtype = .float32
        } else {
            throw fail("dtype", "missing or not a type")
        }

        var given = options.inputShapes[node.name]
        if given == nil, isOnlyInput { given = options.inputShape }
        if let given {
            guard TensorType.checkedElementCount(given) != nil, !given.contains(0) else {
                throw TinyGraphError(.invalidArgument, node: node.name, op: node.op, field: "inputShape",
                                     "shape \(TensorType.describe(given)) is invalid")
            }
            return TensorType(dtype, given)
        }

        guard case .shape(let shape)? = node.attributes["shape"], !shape.unknownRank else {
            throw fail("shape", "the input's rank is unknown; give its shape (LoadOptions.inputShape, --input-shape)")
        }
        var dims: [Int] = []
        for (axis, dim) in shape.dims.enumerated() {
            if dim == -1 && axis == 0 {
                guard options.batchSize >= 1 else {
                    throw TinyGraphError(.invalidArgument, field: "batchSize", "batch size must be at least 1")
                }
                dims.append(options.batchSize)
            } else if dim < 0 {
                throw fail("shape", "dimension \(axis) is unknown; give the input's shape (LoadOptions.inputShape, --input-shape)")
            } else {
                guard dim <= Int64(TensorType.maxElementCount) else { throw fail("shape", "dimension \(dim) is too large") }
                dims.append(Int(dim))
            }
        }
        guard TensorType.checkedElementCount(dims) != nil else {
            throw fail("shape", "shape \(TensorType.describe(dims)) is too large")
        }
        return TensorType(dtype, dims)
    }

    /// A shape given for an input that does not exist is a caller mistake, not a no-op.
    private func checkInputShapeNames() throws(TinyGraphError) {
        for name in options.inputShapes.keys {
            guard let index = indexByName[name], nodes[index].op == "Placeholder" else {
                throw TinyGraphError(.invalidArgument, field: "inputShapes", "the model has no input named '\(name)'")
            }
        }
    }

    /// Drops constants that only fed folded nodes (e.g. `data_bn`'s variance before Rsqrt).
    private static func releaseUnusedConstants(_ graph: inout Graph) {
        var used = [Bool](repeating: false, count: graph.values.count)
        for node in graph.nodes { for id in node.inputs { used[id] = true } }
        for id in graph.outputs { used[id] = true }
        for id in graph.values.indices where !used[id] {
            graph.values[id].constant = nil
            graph.values[id].fileContent = nil
        }
    }
}
