/// CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, BATCH_MATMUL and the pools. Weights
/// are converted to the layouts the engine's convolution and MatMul expect:
/// CONV_2D's OHWI filter to HWIO, DEPTHWISE_CONV_2D's [1, KH, KW, C·M] relabelled as
/// [KH, KW, C, M] (the same bytes), FULLY_CONNECTED's [out, in] read as MatMul's
/// transposed B. Each then gets its bias and fused activation as separate steps,
/// which `EpilogueFusion` folds into the packed weights like a GraphDef's BiasAdd
/// and Relu.
extension TFLiteGraphBuilder {
    mutating func importConv2D(_ op: Operator) throws(TinyGraphError) {
        let options = try TFLiteConvolutionOptions(conv2D: op.options(.conv2D, op: opName, node: nodeName))
        let attributes = try windowAttributes(padding: options.padding, strideH: options.strideH, strideW: options.strideW,
                                              dilationH: options.dilationH, dilationW: options.dilationW)
        let x = try input(op, 0)
        let filterID = try input(op, 1)
        let filter = graph.values[filterID]
        guard filter.type.rank == 4, filter.type.dtype == .float32 else {
            throw error(.invalidShape, field: "inputs", "filter '\(filter.name)' is \(filter.type.dtype.name) \(TensorType.describe(filter.type.shape)), expected float32 [out, height, width, in]")
        }
        let (outC, kh, kw, inC) = (filter.type.shape[0], filter.type.shape[1], filter.type.shape[2], filter.type.shape[3])
        var output: Int
        if let bytes = filter.constantBytes {
            // OHWI → HWIO in scratch memory that the convolution packs from: the model
            // keeps only the packed copy.
            let count = filter.type.elementCount
            guard 4 * count <= self.options.memoryLimit else {
                throw error(.invalidShape, field: "inputs", "filter '\(filter.name)' exceeds the memory limit")
            }
            let scratch = transposeScratch(byteCount: 4 * count)
            let rows = kh * kw * inC
            for o in 0..<outC {
                for row in 0..<rows {
                    let value = bytes.loadUnaligned(fromByteOffset: 4 * (o * rows + row), as: Float.self)
                    scratch.storeBytes(of: value, toByteOffset: 4 * (row * outC + o), as: Float.self)
                }
            }
            var hwio = Value(name: filter.name, type: TensorType(.float32, [kh, kw, inC, outC]), constant: nil)
            hwio.fileContent = UnsafeRawPointer(scratch)
            let hwioID = addScratch(hwio)
            output = try emit1("Conv2D", [x, hwioID], attributes)
            // If a kernel reads the filter as a tensor, `materialize` copied it already.
            graph.values[hwioID].fileContent = nil
        } else {
            let hwio = try emit1("Transpose", [filterID, int32s([1, 2, 3, 0])], step: "filter")
            output = try emit1("Conv2D", [x, hwio], attributes)
        }
        output = try addBias(op, 2, to: output)
        output = try applyActivation(options.activation, to: output)
        try bind(op, output: 0, to: output)
    }

    mutating func importDepthwiseConv2D(_ op: Operator) throws(TinyGraphError) {
        let options = try TFLiteConvolutionOptions(depthwise: op.options(.depthwiseConv2D, op: opName, node: nodeName))
        let attributes = try windowAttributes(padding: options.padding, strideH: options.strideH, strideW: options.strideW,
                                              dilationH: options.dilationH, dilationW: options.dilationW)
        let x = try input(op, 0)
        let filterID = try input(op, 1)
        let filter = graph.values[filterID].type
        let inputShape = graph.values[x].type.shape
        guard filter.rank == 4, filter.shape[0] == 1, inputShape.count == 4 else {
            throw error(.invalidShape, field: "inputs", "filter \(TensorType.describe(filter.shape)) and input \(TensorType.describe(inputShape)): expected [1, height, width, channels × multiplier] and rank 4")
        }
        let channels = inputShape[3]
        let total = filter.shape[3]
        // depth_multiplier is redundant (schema.fbs): the filter's last dim gives it.
        guard channels > 0, total % channels == 0, total > 0 else {
            throw error(.invalidShape, field: "inputs", "filter depth \(total) is not a multiple of the input's \(channels) channels")
        }
        let multiplier = total / channels
        let shape = [filter.shape[1], filter.shape[2], channels, multiplier]
        var weights: Int
        let original = graph.values[filterID]
        if original.isConstant {
            var relabelled = Value(name: original.name, type: TensorType(filter.dtype, shape), constant: original.constant)
            relabelled.fileContent = original.fileContent
            weights = addScratch(relabelled)
        } else {
            weights = try emit1("Reshape", [filterID, int32s(shape)], step: "filter")
        }
        var output = try emit1("DepthwiseConv2dNative", [x, weights], attributes)
        output = try addBias(op, 2, to: output)
        output = try applyActivation(options.activation, to: output)
        try bind(op, output: 0, to: output)
    }

    /// y = x · Wᵀ + b over the last dim of x (any rank, flattened to [batch, in]);
    /// keep_num_dims keeps x's leading dims.
    mutating func importFullyConnected(_ op: Operator) throws(TinyGraphError) {
        let options = try TFLiteFullyConnectedOptions(op.options(.fullyConnected, op: opName, node: nodeName))
        guard options.weightsFormat == 0 else {
            throw error(.unsupportedOps, field: "weights_format", "weights format \(options.weightsFormat) is not supported (only DEFAULT)")
        }
        let x = try input(op, 0)
        let weights = try input(op, 1)
        let inputShape = graph.values[x].type.shape
        let weightShape = graph.values[weights].type.shape
        guard weightShape.count == 2, weightShape[1] > 0 else {
            throw error(.invalidShape, field: "inputs", "weights have shape \(TensorType.describe(weightShape)), expected [out, in]")
        }
        let depth = weightShape[1]
        let count = graph.values[x].type.elementCount
        guard count % depth == 0 else {
            throw error(.invalidShape, field: "inputs", "input \(TensorType.describe(inputShape)) does not split into rows of \(depth) values")
        }
        let batch = count / depth
        var rows = x
        if inputShape != [batch, depth] {
            rows = try emit1("Reshape", [x, int32s([batch, depth])], step: "flatten")
        }
        var output = try emit1("MatMul", [rows, weights], ["transpose_b": .bool(true)])
        output = try addBias(op, 2, to: output)
        output = try applyActivation(options.activation, to: output)
        if options.keepNumDims, inputShape.count != 2 {
            output = try emit1("Reshape", [output, int32s(inputShape.dropLast() + [weightShape[0]])], step: "reshape")
        }
        try bind(op, output: 0, to: output)
    }

    /// BATCH_MATMUL where every batch dim is 1 (a plain matrix product).
    mutating func importBatchMatMul(_ op: Operator) throws(TinyGraphError) {
        let options = try TFLiteBatchMatMulOptions(op.options(.batchMatMul, op: opName, node: nodeName))
        let a = try input(op, 0)
        let b = try input(op, 1)
        var matrices: [Int] = []
        var batchShape: [Int] = []
        for (position, id) in [a, b].enumerated() {
            let shape = graph.values[id].type.shape
            guard shape.count >= 2, shape.dropLast(2).allSatisfy({ $0 == 1 }) else {
                throw error(.unsupportedOps, field: "inputs", "input \(position) has shape \(TensorType.describe(shape)); only batch dims of 1 are supported")
            }
            if shape.count > batchShape.count + 2 { batchShape = Array(shape.dropLast(2)) }
            matrices.append(shape.count == 2 ? id : try emit1("Reshape", [id, int32s(Array(shape.suffix(2)))], step: "matrix\(position)"))
        }
        var output = try emit1("MatMul", matrices, ["transpose_a": .bool(options.adjointX), "transpose_b": .bool(options.adjointY)])
        if !batchShape.isEmpty {
            output = try emit1("Reshape", [output, int32s(batchShape + graph.values[output].type.shape)], step: "reshape")
        }
        try bind(op, output: 0, to: output)
    }

    mutating func importPool(_ op: Operator, _ tfOp: String) throws(TinyGraphError) {
        let options = try TFLitePoolOptions(op.options(.pool2D, op: opName, node: nodeName))
        var attributes = try windowAttributes(padding: options.padding, strideH: options.strideH, strideW: options.strideW,
                                              dilationH: 1, dilationW: 1)
        attributes["dilations"] = nil
        attributes["ksize"] = .list(AttrList(ints: [1, Int64(options.filterHeight), Int64(options.filterWidth), 1]))
        var output = try emit1(tfOp, [try input(op, 0)], attributes)
        output = try applyActivation(options.activation, to: output)
        try bind(op, output: 0, to: output)
    }

    // MARK: Shared

    /// Memory for one filter in HWIO order, shared by every CONV_2D of the model and
    /// freed when the import ends: sized once for the largest filter, so that loading
    /// allocates (and the allocator keeps) one block rather than one per layer.
    mutating func transposeScratch(byteCount: Int) -> UnsafeMutableRawPointer {
        if let scratch = transposeBuffer, transposeCapacity >= byteCount { return scratch }
        transposeBuffer?.deallocate()
        var capacity = max(byteCount, 4)
        for index in neededOperatorIndices {
            let op = subgraph.operators[index]
            guard model.operatorCodes[Int(op.opcodeIndex)].code == TFLiteBuiltinOp.conv2D.rawValue, hasInput(op, 1),
                  let shape = try? fileShape(tensor(op.inputs[1])) else { continue }
            let bytes = 4 * TensorType(.float32, shape).elementCount
            if bytes <= options.memoryLimit { capacity = max(capacity, bytes) }
        }
        transposeBuffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: TensorBuffer.alignment)
        transposeCapacity = capacity
        return transposeBuffer!
    }

    /// `strides`, `dilations` and `padding` attributes as a TensorFlow NHWC op has them.
    func windowAttributes(padding: Int8, strideH: Int32, strideW: Int32, dilationH: Int32, dilationW: Int32) throws(TinyGraphError) -> [String: AttrValue] {
        let paddingName: String
        switch TFLitePadding(rawValue: padding) {
        case .same?: paddingName = "SAME"
        case .valid?: paddingName = "VALID"
        case nil: throw error(field: "padding", "padding \(padding) is not SAME (0) or VALID (1)")
        }
        return [
            "padding": .string(paddingName),
            "strides": .list(AttrList(ints: [1, Int64(strideH), Int64(strideW), 1])),
            "dilations": .list(AttrList(ints: [1, Int64(dilationH), Int64(dilationW), 1])),
        ]
    }

    /// Adds input `position` as a bias over the last dim, when the operator has it.
    mutating func addBias(_ op: Operator, _ position: Int, to value: Int) throws(TinyGraphError) -> Int {
        guard hasInput(op, position) else { return value }
        return try emit1("BiasAdd", [value, try input(op, position)], step: "bias")
    }

    /// The fused activation of an operator's options (NONE, RELU, RELU_N1_TO_1,
    /// RELU6), as the step after it.
    mutating func applyActivation(_ code: Int8, to value: Int) throws(TinyGraphError) -> Int {
        switch TFLiteActivation(rawValue: code) {
        case .none?: return value
        case .relu?: return try emit1("Relu", [value], step: "relu")
        case .relu6?: return try emit1("Relu6", [value], step: "relu6")
        case .reluN1To1?: return try clamp(value, -1, 1)
        case .tanh?, .signBit?, nil:
            // LiteRT's float kernels clamp only to the RELU family's ranges and would
            // ignore TANH or SIGN_BIT: refused rather than guessed.
            let name = code == 4 ? "TANH" : code == 5 ? "SIGN_BIT" : "\(code)"
            throw error(.unsupportedOps, field: "fused_activation_function", "fused activation \(name) is not supported")
        }
    }

    /// min(max(x, low), high), as TFLite's RELU_N1_TO_1.
    mutating func clamp(_ value: Int, _ low: Float, _ high: Float) throws(TinyGraphError) -> Int {
        let lower = try emit1("Maximum", [value, scalarFloat(low)], step: "max")
        return try emit1("Minimum", [lower, scalarFloat(high)], step: "min")
    }
}
