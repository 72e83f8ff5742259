/// Data movement, reductions and image resizing: each TFLite op has a TensorFlow op
/// with the same inputs, or nearly (SPLIT takes the axis first like TensorFlow's
/// Split; STRIDED_SLICE's `offset` makes end relative to begin), and its options
/// become the TensorFlow op's attributes.
extension TFLiteGraphBuilder {
    /// An op whose inputs are the TensorFlow op's, in order, with no options to read.
    mutating func importSimple(_ op: Operator, _ tfOp: String, inputs count: Int) throws(TinyGraphError) {
        var inputs: [Int] = []
        for position in 0..<count { inputs.append(try input(op, position)) }
        try bind(op, output: 0, to: try emit1(tfOp, inputs))
    }

    /// CONCATENATION: the values, then ConcatenationOptions' axis as a constant.
    mutating func importConcatenation(_ op: Operator) throws(TinyGraphError) {
        let options = try TFLiteConcatenationOptions(op.options(.concatenation, op: opName, node: nodeName))
        var inputs: [Int] = []
        for position in op.inputs.indices { inputs.append(try input(op, position)) }
        guard !inputs.isEmpty else { throw error(field: "inputs", "CONCATENATION has no inputs") }
        inputs.append(int32s([Int(options.axis)], shape: []))
        var output = try emit1("ConcatV2", inputs)
        output = try applyActivation(options.activation, to: output)
        try bind(op, output: 0, to: output)
    }

    /// RESHAPE: the shape input when it holds values, else ReshapeOptions.new_shape (0).
    mutating func importReshape(_ op: Operator) throws(TinyGraphError) {
        let x = try input(op, 0)
        var shape: [Int]? = nil
        if hasInput(op, 1) {
            let shapeID = try input(op, 1)
            let shapeValue = graph.values[shapeID]
            guard shapeValue.isConstant else {
                throw error(field: "inputs", "the shape '\(shapeValue.name)' must be a constant known at load time")
            }
            if shapeValue.type.elementCount > 0 || shapeValue.type.rank > 0 {
                shape = try NodeContext(name: nodeName, opType: opName, attributes: [:], inputs: [shapeValue])
                    .constantInts(0, field: "shape")
            }
        }
        if shape == nil || shape!.isEmpty,
           let newShape = try op.options(.reshape, op: opName, node: nodeName)?.int32s(0, "new_shape") {
            shape = newShape.map { Int($0) }
        }
        let sizes = shape ?? []
        try bind(op, output: 0, to: try emit1("Reshape", [x, int32s(sizes)]))
    }

    /// SqueezeOptions: squeeze_dims (0, [int]; empty squeezes every dim of size 1).
    mutating func importSqueeze(_ op: Operator) throws(TinyGraphError) {
        let dims = try op.options(.squeeze, op: opName, node: nodeName)?.int32s(0, "squeeze_dims") ?? []
        try bind(op, output: 0, to: try emit1("Squeeze", [try input(op, 0)],
                                              ["squeeze_dims": .list(AttrList(ints: dims.map { Int64($0) }))]))
    }

    /// MirrorPadOptions: mode (0, REFLECT = 0, SYMMETRIC = 1).
    mutating func importMirrorPad(_ op: Operator) throws(TinyGraphError) {
        let mode = try op.options(.mirrorPad, op: opName, node: nodeName)?.int8(0, "mode") ?? 0
        guard mode == 0 || mode == 1 else { throw error(field: "mode", "mirror pad mode \(mode) is not REFLECT (0) or SYMMETRIC (1)") }
        try bind(op, output: 0, to: try emit1("MirrorPad", [try input(op, 0), try input(op, 1)],
                                              ["mode": .string(mode == 0 ? "REFLECT" : "SYMMETRIC")]))
    }

    mutating func importStridedSlice(_ op: Operator) throws(TinyGraphError) {
        let options = try TFLiteStridedSliceOptions(op.options(.stridedSlice, op: opName, node: nodeName))
        let x = try input(op, 0)
        let begin = try input(op, 1)
        var end = try input(op, 2)
        let strides = try input(op, 3)
        if options.offset {
            // end = begin + end, computed like any constant step.
            end = try emit1("AddV2", [begin, end], step: "end")
        }
        let attributes: [String: AttrValue] = [
            "begin_mask": .int(Int64(options.beginMask)), "end_mask": .int(Int64(options.endMask)),
            "ellipsis_mask": .int(Int64(options.ellipsisMask)), "new_axis_mask": .int(Int64(options.newAxisMask)),
            "shrink_axis_mask": .int(Int64(options.shrinkAxisMask)),
        ]
        try bind(op, output: 0, to: try emit1("StridedSlice", [x, begin, end, strides], attributes))
    }

    /// SPLIT: inputs axis, value; SplitOptions.num_splits (0).
    mutating func importSplit(_ op: Operator) throws(TinyGraphError) {
        let pieces = try op.options(.split, op: opName, node: nodeName)?.int32(0, "num_splits") ?? 0
        let outputs = try emit("Split", [try input(op, 0), try input(op, 1)], ["num_split": .int(Int64(pieces))])
        try bindAll(op, outputs)
    }

    /// SPLIT_V: inputs value, size_splits, axis; SplitVOptions.num_splits (0).
    mutating func importSplitV(_ op: Operator) throws(TinyGraphError) {
        let pieces = try op.options(.splitV, op: opName, node: nodeName)?.int32(0, "num_splits") ?? 0
        let outputs = try emit("SplitV", [try input(op, 0), try input(op, 1), try input(op, 2)], ["num_split": .int(Int64(pieces))])
        try bindAll(op, outputs)
    }

    private mutating func bindAll(_ op: Operator, _ outputs: [Int]) throws(TinyGraphError) {
        guard outputs.count == op.outputs.count else {
            throw error(field: "outputs", "the operator lists \(op.outputs.count) outputs for \(outputs.count) pieces")
        }
        for (position, id) in outputs.enumerated() { try bind(op, output: position, to: id) }
    }

    mutating func importPack(_ op: Operator) throws(TinyGraphError) {
        let options = try TFLitePackOptions(op.options(.pack, op: opName, node: nodeName))
        var inputs: [Int] = []
        for position in op.inputs.indices { inputs.append(try input(op, position)) }
        guard !inputs.isEmpty, options.valuesCount == 0 || Int(options.valuesCount) == inputs.count else {
            throw error(field: "values_count", "values_count is \(options.valuesCount); the operator has \(inputs.count) inputs")
        }
        try bind(op, output: 0, to: try emit1("Pack", inputs, ["axis": .int(Int64(options.axis)), "N": .int(Int64(inputs.count))]))
    }

    /// MEAN, SUM, REDUCE_MAX: inputs value, axes; ReducerOptions.keep_dims (0).
    mutating func importReduction(_ op: Operator, _ tfOp: String) throws(TinyGraphError) {
        let keepDims = try op.options(.reducer, op: opName, node: nodeName)?.bool(0, "keep_dims") ?? false
        try bind(op, output: 0, to: try emit1(tfOp, [try input(op, 0), try input(op, 1)], ["keep_dims": .bool(keepDims)]))
    }

    /// ArgMaxOptions: output_type (0, TensorType; INT64 by default).
    mutating func importArgMax(_ op: Operator) throws(TinyGraphError) {
        let code = try op.options(.argMax, op: opName, node: nodeName)?.int8(0, "output_type") ?? TFLiteTensorType.int64.rawValue
        let dtype = try engineType(code, field: "output_type")
        try bind(op, output: 0, to: try emit1("ArgMax", [try input(op, 0), try input(op, 1)], ["output_type": .type(dtype.tensorFlowCode)]))
    }

    /// CAST to the output tensor's type (CastOptions may be absent).
    mutating func importCast(_ op: Operator) throws(TinyGraphError) {
        guard let output = op.outputs.first else { throw error(field: "outputs", "CAST has no output") }
        let dtype = try engineType(tensor(output).typeCode, field: "Tensor.type")
        try bind(op, output: 0, to: try emit1("Cast", [try input(op, 0)], ["DstT": .type(dtype.tensorFlowCode)]))
    }

    /// ShapeOptions: out_type (0, TensorType; INT32 by default).
    mutating func importShape(_ op: Operator) throws(TinyGraphError) {
        let code = try op.options(.shape, op: opName, node: nodeName)?.int8(0, "out_type") ?? TFLiteTensorType.int32.rawValue
        let dtype = try engineType(code, field: "out_type")
        try bind(op, output: 0, to: try emit1("Shape", [try input(op, 0)], ["out_type": .type(dtype.tensorFlowCode)]))
    }

    /// RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR: inputs image, size.
    mutating func importResize(_ op: Operator, _ tfOp: String) throws(TinyGraphError) {
        let options = tfOp == "ResizeBilinear"
            ? try TFLiteResizeOptions(bilinear: op.options(.resizeBilinear, op: opName, node: nodeName))
            : try TFLiteResizeOptions(nearest: op.options(.resizeNearestNeighbor, op: opName, node: nodeName))
        try bind(op, output: 0, to: try emit1(tfOp, [try input(op, 0), try input(op, 1)],
                                              ["align_corners": .bool(options.alignCorners), "half_pixel_centers": .bool(options.halfPixelCenters)]))
    }

    private func engineType(_ code: Int8, field: String) throws(TinyGraphError) -> DType {
        guard let dtype = TFLiteTensorType(rawValue: code)?.dtype else {
            throw error(field: field, "type \(TFLiteSchema.tensorTypeName(code)) is not supported")
        }
        return dtype
    }
}

extension DType {
    /// TensorFlow's `DataType` code, for the attributes of the steps a TFLite op becomes.
    var tensorFlowCode: Int {
        switch self {
        case .float32: return 1
        case .int32: return 3
        case .int64: return 9
        case .bool: return 10
        case .int8: return 6
        case .uint8: return 4
        }
    }
}
