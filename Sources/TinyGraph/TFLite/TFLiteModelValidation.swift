/// Index checks of a decoded TFLite model, done once after decoding so that the
/// importer can follow every index without checking it again: tensor → buffer,
/// operator → operator code and tensors, subgraph inputs and outputs, and the
/// subgraphs that control-flow operators call (in range, and no cycle).
extension TFLiteModel {
    func validateIndices(_ file: FlatBuffer) throws(TinyGraphError) {
        guard !subgraphs.isEmpty else { throw file.error("Model", "subgraphs", "the model has no subgraph") }
        for (subgraphIndex, subgraph) in subgraphs.enumerated() {
            let tensorCount = subgraph.tensors.count
            for (index, tensor) in subgraph.tensors.enumerated() where Int(tensor.buffer) >= buffers.count {
                throw file.error("Tensor", "buffer", "tensor \(index) '\(tensor.name)' of subgraph \(subgraphIndex) refers to buffer \(tensor.buffer); the model has \(buffers.count) buffers")
            }
            for (field, list) in [("inputs", subgraph.inputs), ("outputs", subgraph.outputs)] {
                for index in list where index < 0 || Int(index) >= tensorCount {
                    throw file.error("SubGraph", field, "subgraph \(subgraphIndex) lists tensor \(index); it has \(tensorCount) tensors")
                }
            }
            for (opIndex, op) in subgraph.operators.enumerated() {
                guard Int(op.opcodeIndex) < operatorCodes.count else {
                    throw file.error("Operator", "opcode_index", "operator \(opIndex) of subgraph \(subgraphIndex) uses operator code \(op.opcodeIndex); the model has \(operatorCodes.count)")
                }
                for index in op.inputs where index < -1 || Int(index) >= tensorCount {
                    throw file.error("Operator", "inputs", "operator \(opIndex) of subgraph \(subgraphIndex) reads tensor \(index); the subgraph has \(tensorCount) tensors")
                }
                for index in op.outputs where index < 0 || Int(index) >= tensorCount {
                    throw file.error("Operator", "outputs", "operator \(opIndex) of subgraph \(subgraphIndex) writes tensor \(index); the subgraph has \(tensorCount) tensors")
                }
            }
        }
        try checkSubgraphReferences(file)
    }

    /// The subgraphs an operator runs: CALL (CallOptions.subgraph, id 0), IF
    /// (IfOptions then/else, ids 0 and 1), WHILE (WhileOptions cond/body, ids 0 and
    /// 1), CALL_ONCE (CallOnceOptions.init_subgraph_index, id 0).
    func calledSubgraphs(_ op: Operator) throws(TinyGraphError) -> [Int] {
        guard let options = op.options else { return [] }
        var fields: [(Int, String)] = []
        switch TFLiteOptionsType(rawValue: op.optionsType) {
        case .call?: fields = [(0, "subgraph")]
        case .ifThenElse?: fields = [(0, "then_subgraph_index"), (1, "else_subgraph_index")]
        case .whileLoop?: fields = [(0, "cond_subgraph_index"), (1, "body_subgraph_index")]
        case .callOnce?: fields = [(0, "init_subgraph_index")]
        default: return []
        }
        var result: [Int] = []
        for (id, name) in fields {
            let index = Int(try options.int32(id, name))
            guard index >= 0, index < subgraphs.count else {
                throw options.error(name, "refers to subgraph \(index); the model has \(subgraphs.count)")
            }
            result.append(index)
        }
        return result
    }

    /// Subgraph references must form no cycle (a subgraph that runs itself, directly
    /// or through others, could never finish). Depth-first with an explicit stack.
    private func checkSubgraphReferences(_ file: FlatBuffer) throws(TinyGraphError) {
        var edges: [[Int]] = []
        for subgraph in subgraphs {
            var called: [Int] = []
            for op in subgraph.operators { called += try calledSubgraphs(op) }
            edges.append(called)
        }
        // 0 = unseen, 1 = on the current path, 2 = done.
        var state = [UInt8](repeating: 0, count: subgraphs.count)
        for start in subgraphs.indices where state[start] == 0 {
            var stack: [(node: Int, next: Int)] = [(start, 0)]
            state[start] = 1
            while let (node, next) = stack.last {
                if next < edges[node].count {
                    stack[stack.count - 1].next += 1
                    let callee = edges[node][next]
                    if state[callee] == 1 {
                        var path = ""
                        for entry in stack where entry.node == callee || !path.isEmpty { path += "\(entry.node) → " }
                        throw TinyGraphError(.invalidGraph, field: "SubGraph",
                                             "subgraph references form a cycle: \(path)\(callee)")
                    }
                    if state[callee] == 0 {
                        state[callee] = 1
                        stack.append((callee, 0))
                    }
                } else {
                    state[node] = 2
                    stack.removeLast()
                }
            }
        }
    }
}
