/// Finds a TFLite model's classifier head: `FULLY_CONNECTED` (or a 1×1, stride 1
/// `CONV_2D`) with constant float32 weights and bias and no fused activation →
/// `SOFTMAX` or `LOGISTIC`, with `RESHAPE` and `SQUEEZE` allowed between them and
/// after the activation. Weights are stored `[N, C]` (`[N, 1, 1, C]` for the
/// convolution): class-major already.
struct TFLiteHead {
    var found: FoundHead
    var weightsTensor: Int
    var biasTensor: Int
    /// Tensors after the layer whose last dimension is the class count (its output,
    /// the bias, the outputs of the reshapes, squeezes and activation).
    var classCountTensors: [Int]
    /// RESHAPE operators after the layer: their shape input and `new_shape` follow the class count.
    var reshapeOperators: [Int]

    static func find(_ file: UnsafeRawBufferPointer, outputName: String?) throws(TinyGraphError) -> TFLiteHead {
        let model = try TFLiteModel.decode(file)
        let subgraph = model.subgraphs[0]
        func noHead(_ output: String, _ reason: String) -> TinyGraphError {
            TinyGraphError(.invalidGraph, node: output, "no classifier head TinyGraph can retrain at this output: " + reason)
        }
        var producer = [Int?](repeating: nil, count: subgraph.tensors.count)
        for (index, op) in subgraph.operators.enumerated() {
            for output in op.outputs { producer[Int(output)] = index }
        }
        func code(_ op: Int) -> TFLiteBuiltinOp? {
            TFLiteBuiltinOp(rawValue: model.operatorCodes[Int(subgraph.operators[op].opcodeIndex)].code)
        }

        let outputTensor: Int
        if let outputName {
            guard let index = subgraph.tensors.firstIndex(where: { $0.name == outputName }) else {
                throw TinyGraphError(.invalidArgument, field: "outputName", "no tensor named '\(outputName)' in the model")
            }
            outputTensor = index
        } else {
            guard subgraph.outputs.count == 1 else {
                throw TinyGraphError(.invalidArgument, field: "outputName", "the model has \(subgraph.outputs.count) outputs; name the classifier's output")
            }
            outputTensor = Int(subgraph.outputs[0])
        }
        let output = subgraph.tensors[outputTensor].name

        // Walks back from a tensor through RESHAPE and SQUEEZE; returns the first other operator.
        var classCountTensors: [Int] = []
        var reshapeOperators: [Int] = []
        func operatorBehind(_ tensor: Int) throws(TinyGraphError) -> Int {
            var current = tensor
            while true {
                guard let op = producer[current] else {
                    throw noHead(output, "tensor '\(subgraph.tensors[current].name)' is not computed by an operator")
                }
                classCountTensors.append(current)
                guard code(op) == .reshape || code(op) == .squeeze else { return op }
                if code(op) == .reshape { reshapeOperators.append(op) }
                guard let input = subgraph.operators[op].inputs.first, input >= 0 else {
                    throw noHead(output, "operator \(op) has no input")
                }
                current = Int(input)
            }
        }

        let activationOp = try operatorBehind(outputTensor)
        let activation: ClassifierHead.Activation
        switch code(activationOp) {
        case .softmax?: activation = .softmax
        case .logistic?: activation = .sigmoid
        default:
            throw noHead(output, "it is computed by \(model.operatorCodes[Int(subgraph.operators[activationOp].opcodeIndex)].name), where a classifier ends in SOFTMAX or LOGISTIC")
        }
        guard let activationInput = subgraph.operators[activationOp].inputs.first, activationInput >= 0 else {
            throw noHead(output, "the activation has no input")
        }
        let layerOp = try operatorBehind(Int(activationInput))
        let layer = subgraph.operators[layerOp]
        let layerName = model.operatorCodes[Int(layer.opcodeIndex)].name
        guard code(layerOp) == .fullyConnected || code(layerOp) == .conv2D else {
            throw noHead(output, "the activation reads \(layerName), where a head has FULLY_CONNECTED or a 1×1 CONV_2D")
        }
        guard layer.inputs.count >= 3, layer.inputs[0] >= 0, layer.inputs[1] >= 0, layer.inputs[2] >= 0 else {
            throw noHead(output, "its \(layerName) has no bias")
        }
        // FullyConnectedOptions: fused_activation_function (0), weights_format (1).
        // Conv2DOptions: stride_w (1), stride_h (2), fused_activation_function (3).
        if code(layerOp) == .fullyConnected {
            guard try layer.options?.int8(0, "fused_activation_function") ?? 0 == 0, try layer.options?.int8(1, "weights_format") ?? 0 == 0 else {
                throw noHead(output, "its FULLY_CONNECTED has a fused activation or packed weights")
            }
        } else {
            guard let options = layer.options, try options.int32(1, "stride_w") == 1, try options.int32(2, "stride_h") == 1,
                  try options.int8(3, "fused_activation_function") == 0 else {
                throw noHead(output, "its CONV_2D has strides other than 1 or a fused activation")
            }
        }

        let embeddingTensor = Int(layer.inputs[0])
        let weightsTensor = Int(layer.inputs[1])
        let biasTensor = Int(layer.inputs[2])
        let weights = subgraph.tensors[weightsTensor]
        let bias = subgraph.tensors[biasTensor]
        let dims = weights.shape.map { Int($0) }
        let isConvolution = code(layerOp) == .conv2D
        guard isConvolution ? (dims.count == 4 && dims[1] == 1 && dims[2] == 1) : dims.count == 2 else {
            throw noHead(output, "its weights have shape \(TensorType.describe(dims))")
        }
        let classCount = dims[0]
        let embeddingSize = dims[dims.count - 1]
        guard classCount > 0, embeddingSize > 0, bias.shape.map({ Int($0) }) == [classCount] else {
            throw noHead(output, "its bias has shape \(TensorType.describe(bias.shape.map { Int($0) })) for \(classCount) classes")
        }
        for (tensor, role) in [(weightsTensor, "weights"), (biasTensor, "bias")] {
            let info = subgraph.tensors[tensor]
            guard info.type == .float32, !info.isQuantized, !info.isSparse, producer[tensor] == nil else {
                throw noHead(output, "its \(role) '\(info.name)' are not float32 constants (\(info.typeName)\(info.isQuantized ? ", quantized" : ""))")
            }
            let count = tensor == weightsTensor ? classCount * embeddingSize : classCount
            guard model.buffers[Int(info.buffer)].data.count == count * 4 else {
                throw noHead(output, "its \(role) '\(info.name)' have \(model.buffers[Int(info.buffer)].data.count) bytes of data for \(count) values")
            }
            var users = 0
            for other in model.subgraphs { for candidate in other.tensors where candidate.buffer == info.buffer { users += 1 } }
            guard users == 1 else { throw noHead(output, "the buffer of its \(role) '\(info.name)' is shared with other tensors") }
        }
        let embeddingName = subgraph.tensors[embeddingTensor].name
        guard subgraph.tensors.filter({ $0.name == embeddingName }).count == 1 else {
            throw noHead(output, "its input tensor's name '\(embeddingName)' is not unique, so the model cannot be cut there")
        }
        classCountTensors.append(biasTensor)

        return TFLiteHead(
            found: FoundHead(
                outputName: output, embeddingName: embeddingName, activation: activation, layerOp: layerName,
                weightsName: weights.name, biasName: bias.name, embeddingSize: embeddingSize, classCount: classCount,
                weights: floats(file, model.buffers[Int(weights.buffer)].data),
                bias: floats(file, model.buffers[Int(bias.buffer)].data)),
            weightsTensor: weightsTensor, biasTensor: biasTensor,
            classCountTensors: classCountTensors, reshapeOperators: reshapeOperators)
    }

    private static func floats(_ file: UnsafeRawBufferPointer, _ range: ByteRange) -> [Float] {
        (0..<range.count / 4).map { Float(bitPattern: UInt32(littleEndian: file.loadUnaligned(fromByteOffset: range.start + 4 * $0, as: UInt32.self))) }
    }
}
