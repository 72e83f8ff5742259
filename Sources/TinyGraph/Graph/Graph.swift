/// One tensor of the imported graph: an activation, a model input, or a constant
/// (weights, and everything folded at load).
struct Value {
    /// TensorFlow's name: "node" for output 0, "node:k" otherwise.
    var name: String
    var type: TensorType
    /// Set for constants a kernel reads as a tensor; activations live in the arena instead.
    var constant: TensorBuffer?
    /// A constant's `tensor_content` still in the model file, during import only: weight
    /// packing and attribute reads take it from there, so weights are copied once.
    /// May be unaligned: read it with `loadUnaligned` or `copyMemory`.
    var fileContent: UnsafeRawPointer? = nil
    /// Set for the activations (and quantized operands) of a quantized TFLite model,
    /// whose dtype is then .uint8 (see `ActivationQuantization`).
    var quantization: ActivationQuantization? = nil

    var isConstant: Bool { constant != nil || fileContent != nil }

    /// The constant's bytes, wherever they are (possibly unaligned).
    var constantBytes: UnsafeRawPointer? {
        if let constant { return UnsafeRawPointer(constant.bytes) }
        return fileContent
    }
}

/// One run-time step: an operation on values.
struct Node {
    var name: String
    /// TensorFlow op type, e.g. "Conv2D".
    var opType: String
    var operation: Operation
    /// Value indices read at run time (constant attribute inputs such as axes are
    /// already folded into `operation`).
    var inputs: [Int]
    var outputs: [Int]
}

/// The imported graph: values, nodes in execution order, model inputs and outputs.
struct Graph {
    var values: [Value] = []
    var nodes: [Node] = []
    /// Value indices of the `Placeholder`s, in file order.
    var inputs: [Int] = []
    /// Value indices the caller reads.
    var outputs: [Int] = []
    /// The names the caller asked for (an `Identity` such as `model_outputs` keeps
    /// its own name although it shares its input's value).
    var outputNames: [String] = []
    /// Op type → number of nodes, as in the file (before folding), for `inspect`.
    var fileOpCounts: [String: Int] = [:]
    /// Top-level name scopes of the file's nodes (`data_bn` for `data_bn/mean`), over
    /// the nodes the outputs depend on: how callers recognise export conventions.
    var fileScopes: Set<String> = []
    /// The file's tensors with their types and quantization (TFLite models), for `inspect`.
    var fileTensors: [FileTensor] = []
    /// `LoadOptions.memoryLimit`, which the activation arena must also respect.
    var memoryLimit = Int.max
    /// Bytes of constants copied from the file into buffers of their own (the rest
    /// were read in place, e.g. filters packed straight from the file).
    var bytesCopiedFromFile = 0
}
