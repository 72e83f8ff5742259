/// Builds the engine's `Graph` from a TFLite subgraph, one operator at a time. Each
/// operator becomes one or more steps that go through the same op resolvers,
/// constant folding and rewrites as a frozen GraphDef (`emit`): CONV_2D is a
/// Conv2D, then a BiasAdd, then its fused activation, which `EpilogueFusion` folds
/// back into the packed convolution. Tensors become values; a constant tensor's
/// bytes stay in the file until a kernel needs them, as `Value.fileContent`.
struct TFLiteGraphBuilder {
    typealias Operator = TFLiteModel.Operator

    let file: UnsafeRawBufferPointer
    let model: TFLiteModel
    let subgraph: TFLiteModel.SubGraph
    let options: LoadOptions
    var graph = Graph()

    /// The value of each tensor, once made (constants on their first read).
    var tensorValues: [Int?]
    /// Reads of each tensor still to import (operators, and model outputs, which never end).
    var tensorUses: [Int]
    /// Reads still to import of each value, over the tensors bound to it.
    var valueUses: [Int] = []
    /// Whether a run-time step reads the value (its constant must then be kept).
    var readAtRunTime: [Bool] = []
    /// Whether the value is bound to a tensor (else it belongs to the current operator).
    var boundToTensor: [Bool] = []
    /// Bytes of constants copied or computed so far, held against `options.memoryLimit`.
    var constantBytes = 0
    /// False once an input is given another shape than the file's: the file's tensor
    /// shapes then no longer apply, so they are not checked.
    var checkShapes = true

    /// The operator being imported: its name ("CONV_2D") and its first output tensor's name.
    var opName = ""
    var nodeName = ""
    /// The operators being imported (indices into the subgraph's, in file order).
    var neededOperatorIndices: [Int] = []
    /// Scratch memory for CONV_2D filters in HWIO order (`transposeScratch`), freed by `build`.
    var transposeBuffer: UnsafeMutableRawPointer? = nil
    var transposeCapacity = 0
    /// Values made for the current operator (weights in the engine's layout, constants
    /// for axes, intermediate steps), released after it unless bound or read at run time.
    var scratchValues: [Int] = []

    init(file: UnsafeRawBufferPointer, model: TFLiteModel, options: LoadOptions) {
        self.file = file
        self.model = model
        self.subgraph = model.subgraphs[0]
        self.options = options
        tensorValues = [Int?](repeating: nil, count: subgraph.tensors.count)
        tensorUses = [Int](repeating: 0, count: subgraph.tensors.count)
    }

    // MARK: Errors

    func error(_ kind: TinyGraphError.Kind = .invalidGraph, field: String? = nil, _ message: String) -> TinyGraphError {
        TinyGraphError(kind, node: nodeName, op: opName, field: field, message)
    }

    /// An error from a resolver, which knows the step by its TensorFlow op type: it is
    /// reported against the TFLite operator.
    func relabeled(_ error: TinyGraphError, step: String) -> TinyGraphError {
        var result = error
        result.node = nodeName
        result.op = opName
        if step != opName, result.kind != .unsupportedOps { result.message += " (in its \(step) step)" }
        return result
    }

    // MARK: Tensors and values

    func tensor(_ index: Int32) -> TFLiteModel.Tensor { subgraph.tensors[Int(index)] }

    /// A tensor's shape as the file gives it, checked.
    func fileShape(_ tensor: TFLiteModel.Tensor) throws(TinyGraphError) -> [Int] {
        var dims: [Int] = []
        for dim in tensor.shape {
            guard dim >= 0 else {
                throw error(.invalidShape, field: "Tensor.shape", "tensor '\(tensor.name)' has an unknown or negative dimension \(dim)")
            }
            dims.append(Int(dim))
        }
        guard TensorType.checkedElementCount(dims) != nil else {
            throw error(.invalidShape, field: "Tensor.shape", "tensor '\(tensor.name)' has shape \(TensorType.describe(dims)), too large")
        }
        return dims
    }

    mutating func addValue(_ value: Value) -> Int {
        graph.values.append(value)
        valueUses.append(0)
        readAtRunTime.append(false)
        boundToTensor.append(false)
        return graph.values.count - 1
    }

    /// A value for the current operator only.
    mutating func addScratch(_ value: Value) -> Int {
        let id = addValue(value)
        scratchValues.append(id)
        return id
    }

    mutating func scalarFloat(_ value: Float) -> Int {
        let buffer = TensorBuffer(byteCount: 4)
        buffer.bytes.storeBytes(of: value, as: Float.self)
        return addScratch(Value(name: nodeName + "/const", type: TensorType(.float32, []), constant: buffer))
    }

    mutating func int32s(_ values: [Int], shape: [Int]? = nil) -> Int {
        let type = TensorType(.int32, shape ?? [values.count])
        let buffer = TensorBuffer(byteCount: type.byteCount)
        for (index, value) in values.enumerated() {
            buffer.bytes.storeBytes(of: Int32(truncatingIfNeeded: value), toByteOffset: 4 * index, as: Int32.self)
        }
        return addScratch(Value(name: nodeName + "/const", type: type, constant: buffer))
    }

    /// The value of input `position` of `op`, making a constant tensor's value on its
    /// first read. Fails when the input is absent (-1) or never written.
    mutating func input(_ op: Operator, _ position: Int) throws(TinyGraphError) -> Int {
        guard position < op.inputs.count, op.inputs[position] >= 0 else {
            throw error(field: "inputs", "input \(position) is missing; the operator has \(op.inputs.count) inputs")
        }
        return try value(ofTensor: Int(op.inputs[position]))
    }

    /// Whether `op` has input `position` (optional inputs are -1 or left out).
    func hasInput(_ op: Operator, _ position: Int) -> Bool {
        position < op.inputs.count && op.inputs[position] >= 0
    }

    /// The bytes of a tensor's buffer in the file, nil for a tensor without data.
    func constantData(ofTensor index: Int) -> ByteRange? {
        let data = model.buffers[Int(subgraph.tensors[index].buffer)].data
        return data.count > 0 ? data : nil
    }

    mutating func value(ofTensor index: Int) throws(TinyGraphError) -> Int {
        if let id = tensorValues[index] { return id }
        let tensor = subgraph.tensors[index]
        guard let data = constantData(ofTensor: index) else {
            throw error(field: "inputs", "tensor \(index) '\(tensor.name)' is read before any operator writes it, and it is neither a model input nor a constant")
        }
        guard let dtype = tensor.type?.dtype else {
            if Self.isQuantizedInteger(tensor.type) {
                // int8 weights read by a float operator: dynamic-range ("hybrid") quantization.
                throw error(.unsupportedOps, field: "Tensor.type",
                            "constant '\(tensor.name)' is \(tensor.typeName) in a float32 operator (dynamic-range quantization); TinyGraph runs float32 models and full integer int8/uint8 ones: convert with a representative dataset, or without quantization")
            }
            let hint = tensor.type == .float16 ? "; float16 weights must go through DEQUANTIZE" : ""
            throw error(field: "Tensor.type", "constant '\(tensor.name)' is \(tensor.typeName), which TinyGraph does not compute with\(hint)")
        }
        let type = TensorType(dtype, try fileShape(tensor))
        guard data.count == type.byteCount else {
            throw error(field: "Buffer.data", "constant '\(tensor.name)': buffer \(tensor.buffer) has \(data.count) bytes; shape \(TensorType.describe(type.shape)) of \(dtype.name) needs \(type.byteCount)")
        }
        var value = Value(name: tensor.name, type: type, constant: nil)
        value.fileContent = file.baseAddress! + data.start  // copied only if a kernel reads it as a tensor
        let id = addValue(value)
        tensorValues[index] = id
        boundToTensor[id] = true
        valueUses[id] = tensorUses[index]
        return id
    }

    /// Copies a constant still in the file into a buffer of its own, for a kernel to
    /// read as a tensor (at run time or while folding).
    mutating func materialize(_ id: Int) throws(TinyGraphError) {
        guard graph.values[id].constant == nil, let source = graph.values[id].fileContent else { return }
        let type = graph.values[id].type
        constantBytes += type.byteCount
        guard constantBytes <= options.memoryLimit else {
            throw error(.invalidShape, field: "Buffer.data", "constants exceed the memory limit")
        }
        let buffer = TensorBuffer(byteCount: type.byteCount)
        buffer.bytes.copyMemory(from: source, byteCount: type.byteCount)
        graph.values[id].constant = buffer
        graph.values[id].fileContent = nil
        graph.bytesCopiedFromFile += type.byteCount
    }

    // MARK: Steps

    /// One step of the current operator, as the TensorFlow op `tfOp` with these
    /// attributes: resolved by the op family, folded when its inputs are constants,
    /// else appended to the graph. Returns the step's output values.
    mutating func emit(_ tfOp: String, _ inputs: [Int], _ attributes: [String: AttrValue] = [:], step: String? = nil) throws(TinyGraphError) -> [Int] {
        let name = step.map { nodeName + "/" + $0 } ?? nodeName
        var inputValues: [Value] = []
        for id in inputs { inputValues.append(graph.values[id]) }
        var context = NodeContext(name: name, opType: tfOp, attributes: attributes, inputs: inputValues)
        context.memoryLimit = options.memoryLimit
        let resolved: ResolvedNode
        do {
            resolved = try OperatorRegistry.resolve(context)
        } catch {
            throw relabeled(error, step: tfOp)
        }
        for input in resolved.runtimeInputs {
            try materialize(inputs[input])
            inputValues[input] = graph.values[inputs[input]]
        }
        var outputIDs: [Int] = []
        if ConstantFolding.canFold(resolved, inputs: inputValues) {
            for type in resolved.outputTypes { constantBytes += type.byteCount }
            guard constantBytes <= options.memoryLimit else {
                throw error(.invalidShape, "folding this operator's outputs exceeds the memory limit")
            }
            let buffers = ConstantFolding.evaluate(resolved, inputs: inputValues)
            for (output, type) in resolved.outputTypes.enumerated() {
                outputIDs.append(addScratch(Value(name: Self.valueName(name, output), type: type, constant: buffers[output])))
            }
        } else {
            for (output, type) in resolved.outputTypes.enumerated() {
                outputIDs.append(addScratch(Value(name: Self.valueName(name, output), type: type, constant: nil)))
            }
            var runtimeIDs: [Int] = []
            for input in resolved.runtimeInputs {
                runtimeIDs.append(inputs[input])
                readAtRunTime[inputs[input]] = true
            }
            graph.nodes.append(Node(name: name, opType: opName, operation: resolved.operation, inputs: runtimeIDs, outputs: outputIDs))
        }
        return outputIDs
    }

    /// `emit` for a step with one output.
    mutating func emit1(_ tfOp: String, _ inputs: [Int], _ attributes: [String: AttrValue] = [:], step: String? = nil) throws(TinyGraphError) -> Int {
        try emit(tfOp, inputs, attributes, step: step)[0]
    }

    static func valueName(_ node: String, _ output: Int) -> String {
        output == 0 ? node : node + ":\(output)"
    }

    /// Makes `id` the value of output `position` of `op`, after checking it against
    /// the tensor's type and (unless an input shape was changed) its shape in the file.
    mutating func bind(_ op: Operator, output position: Int, to id: Int) throws(TinyGraphError) {
        guard position < op.outputs.count else {
            throw error(field: "outputs", "the operator has \(op.outputs.count) outputs, its import makes output \(position)")
        }
        let index = Int(op.outputs[position])
        let tensor = subgraph.tensors[index]
        let type = graph.values[id].type
        // int8 and uint8 tensors are stored unsigned (`ActivationQuantization`).
        let isQuantized = Self.isQuantizedInteger(tensor.type)
        guard (isQuantized ? .uint8 : tensor.type?.dtype) == type.dtype else {
            throw error(field: "Tensor.type", "output '\(tensor.name)' is \(tensor.typeName) in the file; the operator computes \(type.dtype.name)")
        }
        if isQuantized, graph.values[id].quantization == nil {
            // Data movement (RESHAPE, SQUEEZE, PAD, CONCATENATION) keeps the bytes; TFLite
            // reads them with the output tensor's own parameters.
            graph.values[id].quantization = try activationQuantization(ofTensor: index)
        }
        // A dynamic tensor's `shape` holds 1 where its shape_signature has -1 (unknown
        // when the file was written), and [] when even its rank was unknown.
        if checkShapes, !tensor.shape.isEmpty {
            let expected = tensor.shapeSignature ?? tensor.shape
            var matches = expected.count == type.rank
            for (axis, dim) in expected.enumerated() where matches && dim >= 0 { matches = Int(dim) == type.shape[axis] }
            guard matches else {
                throw error(.invalidShape, field: "Tensor.shape", "output '\(tensor.name)' has shape \(TensorType.describe(expected.map { Int($0) })) in the file; the operator computes \(TensorType.describe(type.shape))")
            }
        }
        if !boundToTensor[id] {
            graph.values[id].name = tensor.name
            boundToTensor[id] = true
        }
        tensorValues[index] = id
        valueUses[id] += tensorUses[index]
    }

    /// Ends the current operator: its inputs lose a reader, and constants nothing
    /// will read any more are released (weights are not held twice while loading).
    mutating func finishOperator(_ op: Operator) {
        for index in op.inputs where index >= 0 {
            guard let id = tensorValues[Int(index)] else { continue }
            valueUses[id] -= 1
            if valueUses[id] <= 0 { releaseIfUnread(id) }
        }
        for id in scratchValues where !boundToTensor[id] { releaseIfUnread(id) }
        scratchValues.removeAll()
    }

    mutating func releaseIfUnread(_ id: Int) {
        guard !readAtRunTime[id] else { return }
        graph.values[id].constant = nil
        graph.values[id].fileContent = nil
    }
}
