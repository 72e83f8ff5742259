/// Reductions over axes (Sum, Mean, Max), ArgMax and Softmax.
enum ReductionOp {
    /// Sum/Mean/Max over `axes` (normalised to 0..<rank, sorted, unique; empty means
    /// a copy). float32, int32, int64. Input: x (the axes are folded in).
    case reduce(ReductionKind, axes: [Int], keepDims: Bool)
    /// Index of the largest element along `axis` (first on ties), as `outputType`
    /// (int32 or int64). Input: x.
    case argMax(axis: Int, outputType: DType)
    /// Softmax over the last axis (float32). Input: logits.
    case softmax

    static func resolve(_ context: NodeContext) throws(TinyGraphError) -> ResolvedNode {
        switch context.opType {
        case "Sum": return try resolveReduce(context, .sum)
        case "Mean": return try resolveReduce(context, .mean)
        case "Max": return try resolveReduce(context, .max)
        case "ArgMax": return try resolveArgMax(context)
        case "Softmax": return try resolveSoftmax(context)
        default:
            throw context.error(.unsupportedOps, "op type \(context.opType) is not a reduction op")
        }
    }

    private static func resolveReduce(_ context: NodeContext, _ kind: ReductionKind) throws(TinyGraphError) -> ResolvedNode {
        try context.requireInputCount(2)
        try context.requireDType(0, [.float32, .int32, .int64])
        let shape = context.shape(0)
        let rank = shape.count
        guard context.shape(1).count <= 1 else {
            throw context.shapeError(field: "reduction_indices", "has shape \(TensorType.describe(context.shape(1))), expected a scalar or a vector")
        }
        // Like TensorFlow, an axis may be given more than once (it is reduced once).
        var axes: [Int] = []
        for axis in try context.constantInts(1, field: "reduction_indices") {
            guard axis >= -rank, axis < rank else {
                throw context.error(field: "reduction_indices", "axis \(axis) is out of range for input of rank \(rank)")
            }
            let normalized = axis < 0 ? axis + rank : axis
            if !axes.contains(normalized) { axes.append(normalized) }
        }
        axes.sort()
        let keepDims = try context.bool("keep_dims", default: false)
        var outputShape: [Int] = []
        for axis in 0..<rank {
            if !axes.contains(axis) {
                outputShape.append(shape[axis])
            } else {
                if shape[axis] == 0, kind != .sum {
                    throw context.shapeError(field: "reduction_indices", "cannot take the \(kind == .mean ? "mean" : "max") over axis \(axis) of size 0 in \(TensorType.describe(shape))")
                }
                if keepDims { outputShape.append(1) }
            }
        }
        return ResolvedNode(operation: .reduction(.reduce(kind, axes: axes, keepDims: keepDims)), runtimeInputs: [0],
                            outputTypes: [try context.makeType(context.type(0).dtype, outputShape)])
    }

    private static func resolveArgMax(_ context: NodeContext) throws(TinyGraphError) -> ResolvedNode {
        try context.requireInputCount(2)
        try context.requireDType(0, [.float32, .int32, .int64])
        let shape = context.shape(0)
        guard context.shape(1).isEmpty else {
            throw context.shapeError(field: "dimension", "has shape \(TensorType.describe(context.shape(1))), expected a scalar")
        }
        let dimension = try context.constantInt(1, field: "dimension")
        guard !shape.isEmpty, dimension >= -shape.count, dimension < shape.count else {
            throw context.error(field: "dimension", "axis \(dimension) is out of range for input of rank \(shape.count)")
        }
        let axis = dimension < 0 ? dimension + shape.count : dimension
        guard shape[axis] > 0 else {
            throw context.shapeError(field: "dimension", "axis \(axis) of \(TensorType.describe(shape)) is empty")
        }
        let outputType = try context.dtype("output_type", default: .int64)
        guard outputType == .int32 || outputType == .int64 else {
            throw context.error(field: "output_type", "is \(outputType.name), expected int32 or int64")
        }
        var outputShape = shape
        outputShape.remove(at: axis)
        return ResolvedNode(operation: .reduction(.argMax(axis: axis, outputType: outputType)), runtimeInputs: [0],
                            outputTypes: [try context.makeType(outputType, outputShape)])
    }

    private static func resolveSoftmax(_ context: NodeContext) throws(TinyGraphError) -> ResolvedNode {
        try context.requireInputCount(1)
        try context.requireFloat(0)
        let shape = context.shape(0)
        guard !shape.isEmpty else {
            throw context.shapeError(field: "input 0", "'\(context.inputs[0].name)' is a scalar, expected rank 1 or more")
        }
        return ResolvedNode(operation: .reduction(.softmax), runtimeInputs: [0],
                            outputTypes: [try context.makeType(.float32, shape)])
    }

    /// Runs the step. With `threads`, Softmax splits its rows (each row is computed
    /// by one thread in one order: the same bits); the reductions run on the calling thread.
    func execute(inputs: [TensorView], outputs: [TensorView], threads: ThreadPool? = nil) {
        let input = inputs[0]
        let output = outputs[0]
        switch self {
        case .reduce(let kind, let axes, _):
            if input.dtype == .float32, kind != .max, let blocks = SIMDReduction.blocks(shape: input.shape, axes: axes) {
                SIMDReduction.sum(input.floats, to: output.floats, blocks, mean: kind == .mean)
                return
            }
            let layout = ReferenceReduction.Layout(shape: input.shape, reducedAxes: axes)
            switch input.dtype {
            case .float32: ReferenceReduction.reduce(kind, input.floats, output.floats, layout)
            case .int32: ReferenceReduction.reduce(kind, input.elements(as: Int32.self), output.elements(as: Int32.self), layout)
            case .int64: ReferenceReduction.reduce(kind, input.elements(as: Int64.self), output.elements(as: Int64.self), layout)
            case .bool, .int8, .uint8: break  // rejected by the resolver
            }
        case .argMax(let axis, let outputType):
            let shape = input.shape
            var outer = 1
            for dim in shape[..<axis] { outer *= dim }
            var inner = 1
            for dim in shape[(axis + 1)...] { inner *= dim }
            let count = shape[axis]
            switch (input.dtype, outputType) {
            case (.float32, .int32):
                ReferenceReduction.argMax(input.floats, output.elements(as: Int32.self), outer: outer, count: count, inner: inner)
            case (.float32, _):
                ReferenceReduction.argMax(input.floats, output.elements(as: Int64.self), outer: outer, count: count, inner: inner)
            case (.int32, .int32):
                ReferenceReduction.argMax(input.elements(as: Int32.self), output.elements(as: Int32.self), outer: outer, count: count, inner: inner)
            case (.int32, _):
                ReferenceReduction.argMax(input.elements(as: Int32.self), output.elements(as: Int64.self), outer: outer, count: count, inner: inner)
            case (.int64, .int32):
                ReferenceReduction.argMax(input.elements(as: Int64.self), output.elements(as: Int32.self), outer: outer, count: count, inner: inner)
            case (.int64, _):
                ReferenceReduction.argMax(input.elements(as: Int64.self), output.elements(as: Int64.self), outer: outer, count: count, inner: inner)
            case (.bool, _), (.int8, _), (.uint8, _):
                break  // rejected by the resolver
            }
        case .softmax:
            let count = input.shape[input.shape.count - 1]
            let rows = count == 0 ? 0 : input.elementCount / count
            let x = input.floats, y = output.floats
            let tasks = WorkSplit.taskCount(threads, units: rows, work: rows &* count &* 8, minimum: WorkSplit.minimumParallelBytes)
            guard tasks > 1, let threads else {
                SIMDMath.softmax(x, y, rows: 0..<rows, count: count)
                return
            }
            threads.forEach(tasks) { task in SIMDMath.softmax(x, y, rows: WorkSplit.range(task, of: tasks, count: rows), count: count) }
        }
    }
}

enum ReductionKind: Equatable {
    case sum
    case mean
    case max
}
