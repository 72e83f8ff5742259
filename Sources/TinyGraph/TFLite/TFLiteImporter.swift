/// TFLite model → `Graph`: the first subgraph's operators that the outputs need, in
/// file order, each imported by its op family (TFLite*Import.swift), then the same
/// rewrites as a frozen GraphDef. A model is recognised by its "TFL3" identifier.
enum TFLiteImporter {
    /// Whether the bytes carry the TFLite FlatBuffer identifier (bytes 4..<8 "TFL3").
    static func isTFLite(_ file: UnsafeRawBufferPointer) -> Bool {
        FlatBuffer.hasIdentifier(file, TFLiteSchema.fileIdentifier)
    }

    static func importGraph(file: UnsafeRawBufferPointer, options: LoadOptions) throws(TinyGraphError) -> Graph {
        let model = try TFLiteModel.decode(file)
        var builder = TFLiteGraphBuilder(file: file, model: model, options: options)
        return try builder.build()
    }

    /// The operators TinyGraph imports.
    static let supportedOps: [TFLiteBuiltinOp] = [
        .add, .sub, .mul, .div, .maximum, .minimum,
        .averagePool2D, .maxPool2D, .conv2D, .depthwiseConv2D, .fullyConnected, .batchMatMul,
        .logistic, .tanh, .relu, .relu6, .reluN1To1, .leakyRelu, .hardSwish, .elu, .exp, .neg, .sqrt, .rsqrt, .square,
        .softmax, .mean, .sum, .reduceMax, .argMax,
        .concatenation, .reshape, .squeeze, .expandDims, .pad, .padV2, .mirrorPad, .transpose,
        .stridedSlice, .slice, .split, .splitV, .pack, .cast, .shape,
        .resizeBilinear, .resizeNearestNeighbor, .dequantize,
    ]
}

extension TFLiteGraphBuilder {
    mutating func build() throws(TinyGraphError) -> Graph {
        let outputs = try outputTensors()
        let order = try neededOperators(outputs)
        neededOperatorIndices = order
        defer {
            transposeBuffer?.deallocate()
            transposeBuffer = nil
        }
        try refuseUnsupportedQuantization(order, outputs: outputs)
        try checkSupported(order)
        graph.fileTensors = fileTensors(order, outputs: outputs)
        for index in order {
            for input in subgraph.operators[index].inputs where input >= 0 { tensorUses[Int(input)] += 1 }
        }
        for output in outputs { tensorUses[output] += 1 }
        try checkInputShapeNames()
        try makeInputs(order, outputs: outputs)

        for index in order {
            let op = subgraph.operators[index]
            let code = model.operatorCodes[Int(op.opcodeIndex)]
            opName = code.name
            nodeName = op.outputs.first.map { tensor($0).name } ?? opName
            if nodeName.isEmpty { nodeName = opName + "_\(index)" }
            graph.fileOpCounts[opName, default: 0] += 1
            for index in op.inputs + op.outputs where index >= 0 { recordScopes(tensor(index).name) }
            if isQuantizedOperator(op, code.code) {
                try importQuantized(op, TFLiteBuiltinOp(rawValue: code.code)!)
            } else {
                try importOperator(op, TFLiteBuiltinOp(rawValue: code.code)!)
            }
            for (position, output) in op.outputs.enumerated() where tensorValues[Int(output)] == nil {
                throw error(field: "outputs", "the import made no value for output \(position) '\(tensor(output).name)'")
            }
            finishOperator(op)
        }
        opName = ""
        nodeName = ""

        for output in outputs {
            let id = try value(ofTensor: output)  // made by an operator, or a constant (or an input)
            try materialize(id)  // a constant output outlives the file
            graph.outputs.append(id)
            graph.outputNames.append(subgraph.tensors[output].name)
        }
        GraphRewrites.apply(to: &graph)
        releaseUnusedConstants()
        graph.memoryLimit = options.memoryLimit
        return graph
    }

    private mutating func importOperator(_ op: Operator, _ code: TFLiteBuiltinOp) throws(TinyGraphError) {
        switch code {
        case .conv2D: try importConv2D(op)
        case .depthwiseConv2D: try importDepthwiseConv2D(op)
        case .fullyConnected: try importFullyConnected(op)
        case .batchMatMul: try importBatchMatMul(op)
        case .averagePool2D: try importPool(op, "AvgPool")
        case .maxPool2D: try importPool(op, "MaxPool")
        case .add: try importBinary(op, "AddV2", .add)
        case .sub: try importBinary(op, "Sub", .sub)
        case .mul: try importBinary(op, "Mul", .mul)
        case .div: try importBinary(op, "RealDiv", .div)
        case .maximum: try importBinary(op, "Maximum", nil)
        case .minimum: try importBinary(op, "Minimum", nil)
        case .logistic: try importUnary(op, "Sigmoid")
        case .tanh: try importUnary(op, "Tanh")
        case .relu: try importUnary(op, "Relu")
        case .relu6: try importUnary(op, "Relu6")
        case .elu: try importUnary(op, "Elu")
        case .exp: try importUnary(op, "Exp")
        case .neg: try importUnary(op, "Neg")
        case .sqrt: try importUnary(op, "Sqrt")
        case .rsqrt: try importUnary(op, "Rsqrt")
        case .square: try importUnary(op, "Square")
        case .reluN1To1: try importReluN1To1(op)
        case .leakyRelu: try importLeakyRelu(op)
        case .hardSwish: try importHardSwish(op)
        case .softmax: try importSoftmax(op)
        case .mean: try importReduction(op, "Mean")
        case .sum: try importReduction(op, "Sum")
        case .reduceMax: try importReduction(op, "Max")
        case .argMax: try importArgMax(op)
        case .concatenation: try importConcatenation(op)
        case .reshape: try importReshape(op)
        case .squeeze: try importSqueeze(op)
        case .expandDims: try importSimple(op, "ExpandDims", inputs: 2)
        case .pad: try importSimple(op, "Pad", inputs: 2)
        case .padV2: try importSimple(op, "PadV2", inputs: 3)
        case .mirrorPad: try importMirrorPad(op)
        case .transpose: try importSimple(op, "Transpose", inputs: 2)
        case .slice: try importSimple(op, "Slice", inputs: 3)
        case .stridedSlice: try importStridedSlice(op)
        case .split: try importSplit(op)
        case .splitV: try importSplitV(op)
        case .pack: try importPack(op)
        case .cast: try importCast(op)
        case .shape: try importShape(op)
        case .resizeBilinear: try importResize(op, "ResizeBilinear")
        case .resizeNearestNeighbor: try importResize(op, "ResizeNearestNeighbor")
        case .dequantize: try importDequantize(op)
        default:
            throw error(.unsupportedOps, "op \(opName) is not supported")
        }
    }

    /// The top-level name scopes of a tensor name (`data_bn` for `data_bn/data_bn/mul`;
    /// the converter joins the names of fused nodes with ";"), as the GraphDef
    /// importer records node scopes: callers recognise export conventions by them.
    private mutating func recordScopes(_ name: String) {
        for part in name.split(separator: ";") {
            graph.fileScopes.insert(String(part.prefix { $0 != "/" }))
        }
    }

    // MARK: Outputs and order

    /// The caller's outputs (tensor names), else the subgraph's outputs.
    private func outputTensors() throws(TinyGraphError) -> [Int] {
        if !options.outputNames.isEmpty {
            var result: [Int] = []
            for name in options.outputNames {
                guard let index = subgraph.tensors.firstIndex(where: { $0.name == name }) else {
                    throw TinyGraphError(.invalidArgument, field: "outputNames", "no tensor named '\(name)' in the model")
                }
                result.append(index)
            }
            return result
        }
        guard !subgraph.outputs.isEmpty else {
            throw TinyGraphError(.invalidGraph, field: "SubGraph.outputs", "the model's subgraph has no outputs")
        }
        return subgraph.outputs.map { Int($0) }
    }

    /// The operators the outputs depend on, in file order. Each tensor is written by
    /// at most one operator, and before any operator reads it.
    private func neededOperators(_ outputs: [Int]) throws(TinyGraphError) -> [Int] {
        var producer = [Int?](repeating: nil, count: subgraph.tensors.count)
        let isInput = Set(subgraph.inputs.map { Int($0) })
        for (index, op) in subgraph.operators.enumerated() {
            for output in op.outputs {
                let tensor = subgraph.tensors[Int(output)]
                guard producer[Int(output)] == nil, !isInput.contains(Int(output)), constantData(ofTensor: Int(output)) == nil else {
                    throw TinyGraphError(.invalidGraph, node: tensor.name, field: "Operator.outputs",
                                         "tensor \(output) is written by operator \(index) but is already an input, a constant or another operator's output")
                }
                producer[Int(output)] = index
            }
        }
        var needed = [Bool](repeating: false, count: subgraph.operators.count)
        var stack: [Int] = []
        for output in outputs { if let op = producer[output], !needed[op] { needed[op] = true; stack.append(op) } }
        while let index = stack.popLast() {
            for input in subgraph.operators[index].inputs where input >= 0 {
                guard let op = producer[Int(input)] else { continue }
                guard op < index else {
                    throw TinyGraphError(.invalidGraph, node: subgraph.tensors[Int(input)].name, field: "Operator.inputs",
                                         "operator \(index) reads tensor \(input), which operator \(op) writes later: operators must be in execution order")
                }
                if !needed[op] { needed[op] = true; stack.append(op) }
            }
        }
        return needed.indices.filter { needed[$0] }
    }

    /// Quantized tensors other than int8 and uint8 (int16 activations, int4 weights…),
    /// and custom quantization, are refused with the names of the tensors.
    private func refuseUnsupportedQuantization(_ order: [Int], outputs: [Int]) throws(TinyGraphError) {
        var seen = [Bool](repeating: false, count: subgraph.tensors.count)
        var names: [String] = []
        func visit(_ index: Int32) {
            guard index >= 0, !seen[Int(index)] else { return }
            seen[Int(index)] = true
            let tensor = subgraph.tensors[Int(index)]
            // float16 weights may carry quantization tables; int32 ones are quantized biases.
            let allowed = tensor.type == .float32 || tensor.type == .float16 || tensor.type == .int32 || Self.isQuantizedInteger(tensor.type)
            let quantizedInteger = tensor.type?.isQuantizedInteger == true || tensor.isQuantized
            if quantizedInteger && !allowed || tensor.quantization?.hasDetails == true {
                names.append("'\(tensor.name)' \(tensor.typeName)")
            }
        }
        for index in subgraph.inputs { visit(index) }
        for index in outputs { visit(Int32(index)) }
        for index in order {
            for input in subgraph.operators[index].inputs { visit(input) }
            for output in subgraph.operators[index].outputs { visit(output) }
        }
        guard !names.isEmpty else { return }
        var list = ""
        for (position, name) in names.prefix(8).enumerated() { list += (position > 0 ? ", " : "") + name }
        if names.count > 8 { list += " and \(names.count - 8) more" }
        throw TinyGraphError(
            .unsupportedOps, field: "Tensor.type",
            "\(names.count) tensor\(names.count == 1 ? " is" : "s are") quantized in a form TinyGraph does not run (\(list)). TinyGraph runs float32 TFLite models (float16 weights included) and int8 or uint8 quantized ones (per-tensor activations, per-channel int8 filters); export or convert the model that way")
    }

    /// One error listing every unsupported operator and the tensors it writes.
    private func checkSupported(_ order: [Int]) throws(TinyGraphError) {
        var unsupported: [String] = []
        var users: [String: [String]] = [:]
        for index in order {
            let op = subgraph.operators[index]
            let code = model.operatorCodes[Int(op.opcodeIndex)]
            var supported = false
            let quantized = isQuantizedOperator(op, code.code)
            if let builtin = TFLiteBuiltinOp(rawValue: code.code) {
                supported = quantized ? Self.quantizedOps.contains(builtin) : TFLiteImporter.supportedOps.contains(builtin)
            }
            guard !supported else { continue }
            let name = quantized ? code.name + " (quantized)" : code.name
            if users[name] == nil { unsupported.append(name) }
            let output = op.outputs.first.map { tensor($0).name } ?? "operator \(index)"
            users[name, default: []].append(output)
        }
        guard !unsupported.isEmpty else { return }
        throw TinyGraphError.unsupportedOps(unsupported, usedBy: users)
    }

    // MARK: Inputs

    private func checkInputShapeNames() throws(TinyGraphError) {
        for name in options.inputShapes.keys where !subgraph.inputs.contains(where: { tensor($0).name == name }) {
            throw TinyGraphError(.invalidArgument, field: "inputShapes", "the model has no input named '\(name)'")
        }
    }

    /// A value for each subgraph input the needed operators read (or that is an output).
    private mutating func makeInputs(_ order: [Int], outputs: [Int]) throws(TinyGraphError) {
        var read = [Bool](repeating: false, count: subgraph.tensors.count)
        for index in order { for input in subgraph.operators[index].inputs where input >= 0 { read[Int(input)] = true } }
        for output in outputs { read[output] = true }
        let used = subgraph.inputs.filter { read[Int($0)] }
        for index in used where tensorValues[Int(index)] == nil {
            let tensor = self.tensor(index)
            let type = try inputType(tensor, isOnlyInput: used.count == 1)
            var value = Value(name: tensor.name, type: type, constant: nil)
            if type.dtype == .uint8 { value.quantization = try activationQuantization(ofTensor: Int(index)) }
            let id = addValue(value)
            tensorValues[Int(index)] = id
            boundToTensor[id] = true
            valueUses[id] = tensorUses[Int(index)]
            graph.inputs.append(id)
            recordScopes(tensor.name)
        }
    }

    /// The input's shape: the caller's, else the file's with an unknown (-1 in
    /// shape_signature) batch replaced by `options.batchSize`.
    private mutating func inputType(_ tensor: TFLiteModel.Tensor, isOnlyInput: Bool) throws(TinyGraphError) -> TensorType {
        func fail(_ field: String, _ message: String) -> TinyGraphError {
            TinyGraphError(.invalidGraph, node: tensor.name, field: field, message)
        }
        // An int8/uint8 input is stored unsigned; the caller passes floats, quantized
        // at the edge with the input's own parameters.
        let dtype: DType = Self.isQuantizedInteger(tensor.type) ? .uint8 : .float32
        guard tensor.type == .float32 || dtype == .uint8 else {
            throw fail("Tensor.type", "input type \(tensor.typeName) is not supported; inputs must be float32, int8 or uint8")
        }
        var given = options.inputShapes[tensor.name]
        if given == nil, isOnlyInput { given = options.inputShape }
        if let given {
            guard TensorType.checkedElementCount(given) != nil, !given.contains(0) else {
                throw TinyGraphError(.invalidArgument, node: tensor.name, field: "inputShape", "shape \(TensorType.describe(given)) is invalid")
            }
            if given != tensor.shape.map({ Int($0) }) { checkShapes = false }
            return TensorType(dtype, given)
        }
        var dims: [Int] = []
        for (axis, dim) in tensor.shape.enumerated() {
            let signature = tensor.shapeSignature.flatMap { axis < $0.count ? $0[axis] : nil } ?? dim
            if signature == -1 && axis == 0 {
                guard options.batchSize >= 1 else {
                    throw TinyGraphError(.invalidArgument, field: "batchSize", "batch size must be at least 1")
                }
                if options.batchSize != Int(dim) { checkShapes = false }
                dims.append(options.batchSize)
            } else if dim < 0 || (signature < 0 && dim <= 0) {
                throw fail("Tensor.shape", "dimension \(axis) is unknown; give the input's shape (LoadOptions.inputShape, --input-shape)")
            } else {
                dims.append(Int(dim))
            }
        }
        guard TensorType.checkedElementCount(dims) != nil else {
            throw fail("Tensor.shape", "shape \(TensorType.describe(dims)) is too large")
        }
        return TensorType(dtype, dims)
    }

    /// Drops constants that only fed folded steps.
    private mutating func releaseUnusedConstants() {
        var used = [Bool](repeating: false, count: graph.values.count)
        for node in graph.nodes { for id in node.inputs { used[id] = true } }
        for id in graph.outputs { used[id] = true }
        for id in graph.values.indices where !used[id] {
            graph.values[id].constant = nil
            graph.values[id].fileContent = nil
        }
    }
}
