/// Data movement ops: Reshape, Squeeze, ExpandDims, Transpose, Slice, StridedSlice,
/// ConcatV2, Pack, Split, SplitV, Pad, PadV2, MirrorPad and Shape. They are
/// dtype-agnostic (float32 activations as well as int32/int64 shape arithmetic
/// during constant folding) and all parameters come from attributes or constant
/// inputs. Resolvers for the larger ops live in `LayoutResolvers/`.
struct LayoutOp {
    /// Per input dim: first index read, step (never 0) and number of elements
    /// read. Every index `begin + k * stride` for `k < count` is inside the dim.
    struct StridedCopy: Equatable {
        var begin: [Int]
        var stride: [Int]
        var count: [Int]
    }

    enum Kind: Equatable {
        /// Reshape, Squeeze, ExpandDims: the bytes are unchanged, only the shape is relabelled.
        case reshape
        /// Output dim `i` is input dim `perm[i]`.
        case transpose(perm: [Int])
        /// Slice and StridedSlice: a strided copy whose result (shape `count`) is
        /// relabelled to the output shape (shrunk and new axes).
        case stridedSlice(StridedCopy)
        /// ConcatV2 and Pack: `outer` blocks, each made of `inner[k]` elements of input k.
        case concat(outer: Int, inner: [Int])
        /// Split and SplitV: `outer` blocks of the input, each cut into `inner[k]` elements for output k.
        case split(outer: Int, inner: [Int])
        /// Pad, PadV2, MirrorPad.
        case pad(before: [Int], after: [Int], mode: LayoutReference.PadMode)
        /// Shape: the input's static dims, written as the output dtype.
        case shape(dims: [Int])
        /// Made by `ShuffleSplitFusion`: a channel shuffle of `groups` groups of a
        /// [pixels, channels] input (4-byte elements), split on channels into
        /// `parts` (each a multiple of `groups`; one part: a shuffle alone), in one pass.
        case shuffleSplit(groups: Int, channels: Int, parts: [Int])
    }

    var kind: Kind

    static let reshape = LayoutOp(kind: .reshape)

    // MARK: Resolve

    static func resolve(_ context: NodeContext) throws(TinyGraphError) -> ResolvedNode {
        switch context.opType {
        case "Reshape": return try resolveReshape(context)
        case "Squeeze": return try resolveSqueeze(context)
        case "ExpandDims": return try resolveExpandDims(context)
        case "Transpose": return try resolveTranspose(context)
        case "Slice": return try resolveSlice(context)
        case "StridedSlice": return try resolveStridedSlice(context)
        case "ConcatV2": return try resolveConcat(context)
        case "Pack": return try resolvePack(context)
        case "Split": return try resolveSplit(context)
        case "SplitV": return try resolveSplitV(context)
        case "Pad", "PadV2", "MirrorPad": return try resolvePad(context)
        case "Shape": return try resolveShape(context)
        default:
            throw context.error(.unsupportedOps, "op type \(context.opType) is not a layout op")
        }
    }

    /// A relabel of input 0 to `shape` (same element count, checked by the caller).
    static func relabel(_ context: NodeContext, to shape: [Int]) throws(TinyGraphError) -> ResolvedNode {
        let type = try context.makeType(context.type(0).dtype, shape)
        guard type.elementCount == context.type(0).elementCount else {
            throw context.shapeError(
                "cannot relabel \(TensorType.describe(context.shape(0))) as \(TensorType.describe(shape))")
        }
        return ResolvedNode(operation: .layout(.reshape), runtimeInputs: [0], outputTypes: [type])
    }

    /// Reshape: `shape` is a constant vector with at most one -1, as TensorFlow's
    /// ReshapeOp (zero-size dims are left out of the -1 inference).
    static func resolveReshape(_ context: NodeContext) throws(TinyGraphError) -> ResolvedNode {
        try context.requireInputCount(2)
        guard context.shape(1).count == 1 else {
            throw context.shapeError(field: "shape", "must be a vector, has shape \(TensorType.describe(context.shape(1)))")
        }
        var sizes = try context.constantInts(1, field: "shape")
        var unknown: Int? = nil
        var product = 1
        var hasZero = false
        for (index, size) in sizes.enumerated() {
            if size == -1 {
                if let unknown {
                    throw context.error(field: "shape", "only one size may be -1, not both \(unknown) and \(index)")
                }
                unknown = index
            } else if size < 0 {
                throw context.error(field: "shape", "size \(index) must be non-negative, not \(size)")
            } else if size == 0 {
                hasZero = true
            } else {
                let (next, overflow) = product.multipliedReportingOverflow(by: size)
                guard !overflow, next <= TensorType.maxElementCount else {
                    throw context.shapeError(field: "shape", "shape \(TensorType.describe(sizes)) is too large")
                }
                product = next
            }
        }
        let inputShape = context.shape(0)
        let inputCount = context.type(0).elementCount
        if let unknown {
            // Zero-size input dims are skipped when the requested shape has a zero
            // dim, so that the other dims can still be inferred.
            var known = 1
            var inputHasZero = false
            for dim in inputShape {
                if dim > 0 || !hasZero { known *= dim } else { inputHasZero = true }
            }
            let missing = known / product
            guard inputHasZero || missing * product == known else {
                throw context.shapeError(
                    field: "shape",
                    "input with \(inputCount) elements cannot be reshaped to \(TensorType.describe(sizes)): not divisible by \(product)")
            }
            sizes[unknown] = missing
        }
        guard let count = TensorType.checkedElementCount(sizes), count == inputCount else {
            throw context.shapeError(
                field: "shape",
                "input with shape \(TensorType.describe(inputShape)) (\(inputCount) elements) cannot be reshaped to \(TensorType.describe(sizes))")
        }
        return try relabel(context, to: sizes)
    }

    /// Squeeze: removes the listed size-1 dims, or every size-1 dim when `squeeze_dims` is empty.
    static func resolveSqueeze(_ context: NodeContext) throws(TinyGraphError) -> ResolvedNode {
        try context.requireInputCount(1)
        let shape = context.shape(0)
        let rank = shape.count
        let dims = try context.ints("squeeze_dims", default: [])
        var remove = [Bool](repeating: false, count: rank)
        for dim in dims {
            guard dim >= -rank, dim < rank else {
                throw context.error(field: "squeeze_dims", "dim \(dim) is out of range for rank \(rank)")
            }
            let axis = dim < 0 ? dim + rank : dim
            guard shape[axis] == 1 else {
                throw context.shapeError(
                    field: "squeeze_dims",
                    "cannot squeeze dim \(axis) of \(TensorType.describe(shape)): size \(shape[axis]) is not 1")
            }
            remove[axis] = true
        }
        var output: [Int] = []
        for axis in 0..<rank {
            let squeeze = dims.isEmpty ? shape[axis] == 1 : remove[axis]
            if !squeeze { output.append(shape[axis]) }
        }
        return try relabel(context, to: output)
    }

    /// ExpandDims: inserts a size-1 dim at the constant `dim` in -(rank+1)...rank.
    static func resolveExpandDims(_ context: NodeContext) throws(TinyGraphError) -> ResolvedNode {
        try context.requireInputCount(2)
        let shape = context.shape(0)
        let rank = shape.count
        let dim = try context.constantInt(1, field: "dim")
        guard dim >= -rank - 1, dim <= rank else {
            throw context.error(field: "dim", "dim \(dim) is out of range -\(rank + 1)...\(rank)")
        }
        var output = shape
        output.insert(1, at: dim < 0 ? dim + rank + 1 : dim)
        return try relabel(context, to: output)
    }

    /// Transpose: `perm` is a constant permutation of 0..<rank.
    static func resolveTranspose(_ context: NodeContext) throws(TinyGraphError) -> ResolvedNode {
        try context.requireInputCount(2)
        let shape = context.shape(0)
        let rank = shape.count
        guard context.shape(1).count == 1 else {
            throw context.shapeError(field: "perm", "must be a vector, has shape \(TensorType.describe(context.shape(1)))")
        }
        let perm = try context.constantInts(1, field: "perm")
        guard perm.count == rank else {
            throw context.shapeError(field: "perm", "has \(perm.count) entries for an input of rank \(rank)")
        }
        var seen = [Bool](repeating: false, count: rank)
        var output: [Int] = []
        for (index, axis) in perm.enumerated() {
            guard axis >= 0, axis < rank else {
                throw context.error(field: "perm", "perm[\(index)] = \(axis) is out of range [0, \(rank))")
            }
            guard !seen[axis] else {
                throw context.error(field: "perm", "\(axis) appears twice: not a permutation")
            }
            seen[axis] = true
            output.append(shape[axis])
        }
        let type = try context.makeType(context.type(0).dtype, output)
        return ResolvedNode(operation: .layout(LayoutOp(kind: .transpose(perm: perm))), runtimeInputs: [0], outputTypes: [type])
    }

    /// Shape: a constant of the input's static dims; no run-time input, so the
    /// importer always folds it.
    static func resolveShape(_ context: NodeContext) throws(TinyGraphError) -> ResolvedNode {
        try context.requireInputCount(1)
        let dtype = try context.dtype("out_type", default: .int32)
        guard dtype == .int32 || dtype == .int64 else {
            throw context.error(field: "out_type", "\(dtype.name) is not supported, expected int32 or int64")
        }
        let dims = context.shape(0)
        if dtype == .int32 {
            for (index, dim) in dims.enumerated() where Int64(dim) > Int64(Int32.max) {
                throw context.shapeError(field: "out_type", "dim \(index) of size \(dim) does not fit in int32")
            }
        }
        let type = try context.makeType(dtype, [dims.count])
        return ResolvedNode(operation: .layout(LayoutOp(kind: .shape(dims: dims))), runtimeInputs: [], outputTypes: [type])
    }

    // MARK: Execute

    /// Runs the step. With `threads`, a fused shuffle + split (`shuffleSplit`)
    /// splits its pixels; every other layout op runs on the calling thread.
    func execute(inputs: [TensorView], outputs: [TensorView], threads: ThreadPool? = nil) {
        if case .shuffleSplit(let groups, let channels, let parts) = kind {
            let source = UnsafeRawPointer(inputs[0].base), destinations = outputs.map { $0.base }
            let pixels = inputs[0].elementCount / channels
            let tasks = WorkSplit.taskCount(threads, units: pixels, work: 8 &* inputs[0].elementCount,
                                            minimum: WorkSplit.minimumParallelBytes)
            guard tasks > 1, let threads else {
                FastTranspose.shuffleSplit(from: source, to: destinations, pixels: 0..<pixels, channels: channels, groups: groups, parts: parts)
                return
            }
            threads.forEach(tasks) { task in
                FastTranspose.shuffleSplit(from: source, to: destinations, pixels: WorkSplit.range(task, of: tasks, count: pixels),
                                           channels: channels, groups: groups, parts: parts)
            }
            return
        }
        switch kind {
        case .reshape:
            LayoutReference.copy(from: inputs[0].base, to: outputs[0].base, byteCount: outputs[0].type.byteCount)
        case .transpose(let perm):
            FastTranspose.transpose(from: inputs[0].base, to: outputs[0].base, elementSize: inputs[0].dtype.byteSize,
                                    inputShape: inputs[0].shape, perm: perm)
        case .stridedSlice(let slice):
            let inputStrides = TensorType.strides(of: inputs[0].shape)
            var sourceStrides = [Int](repeating: 0, count: slice.count.count)
            var offset = 0
            for dim in 0..<slice.count.count {
                sourceStrides[dim] = inputStrides[dim] &* slice.stride[dim]
                offset &+= slice.begin[dim] &* inputStrides[dim]
            }
            LayoutReference.gather(
                from: inputs[0].base, to: outputs[0].base, elementSize: inputs[0].dtype.byteSize,
                shape: slice.count, sourceStrides: sourceStrides, sourceOffset: offset)
        case .concat(let outer, let inner):
            let elementSize = outputs[0].dtype.byteSize
            var sources: [UnsafeRawPointer] = []
            var byteCounts: [Int] = []
            for (index, count) in inner.enumerated() {
                sources.append(UnsafeRawPointer(inputs[index].base))
                byteCounts.append(count &* elementSize)
            }
            LayoutReference.concat(from: sources, to: outputs[0].base, outer: outer, innerByteCounts: byteCounts)
        case .split(let outer, let inner):
            let elementSize = inputs[0].dtype.byteSize
            var destinations: [UnsafeMutableRawPointer] = []
            var byteCounts: [Int] = []
            for (index, count) in inner.enumerated() {
                destinations.append(outputs[index].base)
                byteCounts.append(count &* elementSize)
            }
            LayoutReference.split(from: inputs[0].base, to: destinations, outer: outer, innerByteCounts: byteCounts)
        case .pad(let before, let after, let mode):
            LayoutReference.pad(
                from: inputs[0].base, to: outputs[0].base, elementSize: inputs[0].dtype.byteSize,
                inputShape: inputs[0].shape, before: before, after: after, mode: mode)
        case .shape(let dims):
            LayoutReference.writeShape(dims, to: outputs[0].base, dtype: outputs[0].dtype)
        case .shuffleSplit:
            break  // above
        }
    }
}
