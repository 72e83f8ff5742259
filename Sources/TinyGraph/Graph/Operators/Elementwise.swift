/// Elementwise ops: activations and other unary float functions, broadcasting
/// binary arithmetic, BiasAdd and Cast.
enum ElementwiseOp {
    /// Relu, Relu6, LeakyRelu, Elu, Sigmoid, Tanh, Rsqrt, Sqrt, Square, Neg, Exp (float32).
    case unary(UnaryFunction)
    /// Add/AddV2, Sub, Mul, RealDiv, Maximum, Minimum with NumPy broadcasting
    /// (float32, int32, int64; RealDiv float32 only). Inputs: lhs, rhs.
    case binary(BinaryFunction, BroadcastShapes)
    /// value [..., C] + bias [C] (NHWC). Inputs: value, bias.
    case biasAdd
    /// Cast between float32, int32, int64 and bool.
    case cast(from: DType, to: DType)

    static func resolve(_ context: NodeContext) throws(TinyGraphError) -> ResolvedNode {
        switch context.opType {
        case "Relu": return try resolveUnary(context, .relu)
        case "Relu6": return try resolveUnary(context, .relu6)
        case "LeakyRelu": return try resolveUnary(context, .leakyRelu(alpha: try context.float("alpha", default: 0.2)))
        case "Elu": return try resolveUnary(context, .elu)
        case "Sigmoid": return try resolveUnary(context, .sigmoid)
        case "Tanh": return try resolveUnary(context, .tanh)
        case "Rsqrt": return try resolveUnary(context, .rsqrt)
        case "Sqrt": return try resolveUnary(context, .sqrt)
        case "Square": return try resolveUnary(context, .square)
        case "Neg": return try resolveUnary(context, .neg)
        case "Exp": return try resolveUnary(context, .exp)
        case "Add", "AddV2": return try resolveBinary(context, .add)
        case "Sub": return try resolveBinary(context, .sub)
        case "Mul": return try resolveBinary(context, .mul)
        case "RealDiv": return try resolveBinary(context, .realDiv)
        case "Maximum": return try resolveBinary(context, .maximum)
        case "Minimum": return try resolveBinary(context, .minimum)
        case "BiasAdd": return try resolveBiasAdd(context)
        case "Cast": return try resolveCast(context)
        default:
            throw context.error(.unsupportedOps, "op type \(context.opType) is not an elementwise op")
        }
    }

    private static func resolveUnary(_ context: NodeContext, _ function: UnaryFunction) throws(TinyGraphError) -> ResolvedNode {
        try context.requireInputCount(1)
        try context.requireFloat(0)
        return ResolvedNode(operation: .elementwise(.unary(function)), runtimeInputs: [0],
                            outputTypes: [try context.makeType(.float32, context.shape(0))])
    }

    private static func resolveBinary(_ context: NodeContext, _ function: BinaryFunction) throws(TinyGraphError) -> ResolvedNode {
        try context.requireInputCount(2)
        if function == .realDiv {
            try context.requireFloat(0)
        } else {
            try context.requireDType(0, [.float32, .int32, .int64])
        }
        let dtype = context.type(0).dtype
        guard context.type(1).dtype == dtype else {
            throw context.error(field: "input 1", "'\(context.inputs[1].name)' is \(context.type(1).dtype.name), but input 0 '\(context.inputs[0].name)' is \(dtype.name)")
        }
        let lhs = context.shape(0)
        let rhs = context.shape(1)
        for input in 0..<2 where context.shape(input).count > Broadcast.maxRank {
            throw context.shapeError(field: "input \(input)", "'\(context.inputs[input].name)' has rank \(context.shape(input).count), at most \(Broadcast.maxRank) is supported")
        }
        guard let output = Broadcast.shape(lhs, rhs) else {
            throw context.shapeError(field: "input", "shapes \(TensorType.describe(lhs)) and \(TensorType.describe(rhs)) are not broadcast-compatible")
        }
        let shapes = BroadcastShapes(lhs: lhs, rhs: rhs, output: output)
        return ResolvedNode(operation: .elementwise(.binary(function, shapes)), runtimeInputs: [0, 1],
                            outputTypes: [try context.makeType(dtype, output)])
    }

    private static func resolveBiasAdd(_ context: NodeContext) throws(TinyGraphError) -> ResolvedNode {
        try context.requireInputCount(2)
        try context.requireNHWC()
        try context.requireFloat(0)
        try context.requireFloat(1)
        let shape = context.shape(0)
        guard shape.count >= 2 else {
            throw context.shapeError(field: "input 0", "'\(context.inputs[0].name)' has shape \(TensorType.describe(shape)), expected rank 2 or more")
        }
        try context.requireRank(1, 1)
        guard context.shape(1)[0] == shape[shape.count - 1] else {
            throw context.shapeError(field: "input 1", "bias has shape \(TensorType.describe(context.shape(1))), expected [\(shape[shape.count - 1])] to match the last dim of \(TensorType.describe(shape))")
        }
        return ResolvedNode(operation: .elementwise(.biasAdd), runtimeInputs: [0, 1],
                            outputTypes: [try context.makeType(.float32, shape)])
    }

    private static func resolveCast(_ context: NodeContext) throws(TinyGraphError) -> ResolvedNode {
        try context.requireInputCount(1)
        let source = context.type(0).dtype
        let declaredSource = try context.dtype("SrcT", default: source)
        guard declaredSource == source else {
            throw context.error(field: "SrcT", "is \(declaredSource.name), but input '\(context.inputs[0].name)' is \(source.name)")
        }
        let destination = try context.dtype("DstT")
        return ResolvedNode(operation: .elementwise(.cast(from: source, to: destination)), runtimeInputs: [0],
                            outputTypes: [try context.makeType(destination, context.shape(0))])
    }

    /// Runs the step. With `threads`, unary functions and same-shape float32
    /// binary ops split into ranges of elements (each element is computed alone:
    /// the same bits); broadcasting, BiasAdd and Cast run on the calling thread.
    func execute(inputs: [TensorView], outputs: [TensorView], threads: ThreadPool? = nil) {
        let output = outputs[0]
        switch self {
        case .unary(let function):
            let input = inputs[0].floats, result = output.floats
            forEachRange(count: output.elementCount, operands: 2, threads) { range in
                Self.unary(function, input + range.lowerBound, result + range.lowerBound, count: range.count)
            }
        case .binary(let function, let shapes):
            switch output.dtype {
            case .float32 where shapes.isElementwise:
                let lhs = inputs[0].floats, rhs = inputs[1].floats, result = output.floats
                let count = output.elementCount
                forEachRange(count: count, operands: 3, threads) { range in
                    let part = [range.count]
                    ReferenceElementwise.binary(function, lhs + range.lowerBound, rhs + range.lowerBound, result + range.lowerBound,
                                                BroadcastShapes(lhs: part, rhs: part, output: part))
                }
            case .float32:
                ReferenceElementwise.binary(function, inputs[0].floats, inputs[1].floats, output.floats, shapes)
            case .int32:
                ReferenceElementwise.binary(function, inputs[0].elements(as: Int32.self), inputs[1].elements(as: Int32.self),
                                            output.elements(as: Int32.self), shapes)
            case .int64:
                ReferenceElementwise.binary(function, inputs[0].elements(as: Int64.self), inputs[1].elements(as: Int64.self),
                                            output.elements(as: Int64.self), shapes)
            case .bool, .int8, .uint8:
                break  // rejected by the resolver
            }
        case .biasAdd:
            let channels = inputs[1].elementCount
            let rows = channels == 0 ? 0 : output.elementCount / channels
            ReferenceElementwise.biasAdd(inputs[0].floats, inputs[1].floats, output.floats, rows: rows, channels: channels)
        case .cast(let source, let destination):
            ReferenceElementwise.cast(from: source, to: destination, inputs[0].base, output.base, count: output.elementCount)
        }
    }
}

/// Unary float functions, with TensorFlow's definitions (see ReferenceElementwise.unary).
extension ElementwiseOp {
    /// The unary kernels: Sigmoid in vectors (SIMDMath, the same bits as the
    /// reference), the others the reference loops.
    static func unary(_ function: UnaryFunction, _ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>, count: Int) {
        switch function {
        case .sigmoid: SIMDMath.sigmoid(input, output, count: count)
        default: ReferenceElementwise.unary(function, input, output, count: count)
        }
    }

    /// Calls `body` with ranges covering 0..<count: one range on the calling thread
    /// when the step is small (`operands` arrays of 4-byte elements are read or
    /// written), else one per task, each a whole number of vectors long.
    private func forEachRange(count: Int, operands: Int, _ threads: ThreadPool?, _ body: @escaping (Range<Int>) -> Void) {
        let tasks = WorkSplit.taskCount(threads, units: (count &+ floatVectorWidth &- 1) / floatVectorWidth,
                                        work: count &* 4 &* operands, minimum: WorkSplit.minimumParallelBytes)
        guard tasks > 1, let threads else {
            body(0..<count)
            return
        }
        threads.forEach(tasks) { task in body(WorkSplit.range(task, of: tasks, count: count, granule: floatVectorWidth)) }
    }
}

enum UnaryFunction: Equatable {
    case relu
    case relu6
    /// x > 0 ? x : alpha·x
    case leakyRelu(alpha: Float)
    /// x < 0 ? exp(x) − 1 : x
    case elu
    case sigmoid
    case tanh
    case rsqrt
    case sqrt
    case square
    case neg
    case exp
}

/// Broadcasting binary functions.
enum BinaryFunction: Equatable {
    case add
    case sub
    case mul
    case realDiv
    case maximum
    case minimum
}
