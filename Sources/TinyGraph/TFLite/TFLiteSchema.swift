/// Constants of the TensorFlow Lite FlatBuffers schema (tensorflow/compiler/mlir/lite/
/// schema/schema.fbs, `file_identifier "TFL3"`): operator codes, tensor types, the
/// BuiltinOptions union's type codes and the small enums of the options tables.
/// Field ids of the tables are written where each table is read (TFLiteModel.swift,
/// TFLiteOptions.swift).
enum TFLiteSchema {
    static let fileIdentifier: StaticString = "TFL3"

    /// `BuiltinOperator` names by code, for messages (codes 0...206).
    static let operatorNames: [String] = [
        "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D", "DEPTH_TO_SPACE", "DEQUANTIZE",
        "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED", "HASHTABLE_LOOKUP", "L2_NORMALIZATION", "L2_POOL_2D",
        "LOCAL_RESPONSE_NORMALIZATION", "LOGISTIC", "LSH_PROJECTION", "LSTM", "MAX_POOL_2D", "MUL", "RELU",
        "RELU_N1_TO_1", "RELU6", "RESHAPE", "RESIZE_BILINEAR", "RNN", "SOFTMAX", "SPACE_TO_DEPTH", "SVDF", "TANH",
        "CONCAT_EMBEDDINGS", "SKIP_GRAM", "CALL", "CUSTOM", "EMBEDDING_LOOKUP_SPARSE", "PAD",
        "UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER", "BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND", "TRANSPOSE", "MEAN",
        "SUB", "DIV", "SQUEEZE", "UNIDIRECTIONAL_SEQUENCE_LSTM", "STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN",
        "EXP", "TOPK_V2", "SPLIT", "LOG_SOFTMAX", "DELEGATE", "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU",
        "MAXIMUM", "ARG_MAX", "MINIMUM", "LESS", "NEG", "PADV2", "GREATER", "GREATER_EQUAL", "LESS_EQUAL", "SELECT",
        "SLICE", "SIN", "TRANSPOSE_CONV", "SPARSE_TO_DENSE", "TILE", "EXPAND_DIMS", "EQUAL", "NOT_EQUAL", "LOG",
        "SUM", "SQRT", "RSQRT", "SHAPE", "POW", "ARG_MIN", "FAKE_QUANT", "REDUCE_PROD", "REDUCE_MAX", "PACK",
        "LOGICAL_OR", "ONE_HOT", "LOGICAL_AND", "LOGICAL_NOT", "UNPACK", "REDUCE_MIN", "FLOOR_DIV", "REDUCE_ANY",
        "SQUARE", "ZEROS_LIKE", "FILL", "FLOOR_MOD", "RANGE", "RESIZE_NEAREST_NEIGHBOR", "LEAKY_RELU",
        "SQUARED_DIFFERENCE", "MIRROR_PAD", "ABS", "SPLIT_V", "UNIQUE", "CEIL", "REVERSE_V2", "ADD_N", "GATHER_ND",
        "COS", "WHERE", "RANK", "ELU", "REVERSE_SEQUENCE", "MATRIX_DIAG", "QUANTIZE", "MATRIX_SET_DIAG", "ROUND",
        "HARD_SWISH", "IF", "WHILE", "NON_MAX_SUPPRESSION_V4", "NON_MAX_SUPPRESSION_V5", "SCATTER_ND", "SELECT_V2",
        "DENSIFY", "SEGMENT_SUM", "BATCH_MATMUL", "PLACEHOLDER_FOR_GREATER_OP_CODES", "CUMSUM", "CALL_ONCE",
        "BROADCAST_TO", "RFFT2D", "CONV_3D", "IMAG", "REAL", "COMPLEX_ABS", "HASHTABLE", "HASHTABLE_FIND",
        "HASHTABLE_IMPORT", "HASHTABLE_SIZE", "REDUCE_ALL", "CONV_3D_TRANSPOSE", "VAR_HANDLE", "READ_VARIABLE",
        "ASSIGN_VARIABLE", "BROADCAST_ARGS", "RANDOM_STANDARD_NORMAL", "BUCKETIZE", "RANDOM_UNIFORM", "MULTINOMIAL",
        "GELU", "DYNAMIC_UPDATE_SLICE", "RELU_0_TO_1", "UNSORTED_SEGMENT_PROD", "UNSORTED_SEGMENT_MAX",
        "UNSORTED_SEGMENT_SUM", "ATAN2", "UNSORTED_SEGMENT_MIN", "SIGN", "BITCAST", "BITWISE_XOR", "RIGHT_SHIFT",
        "STABLEHLO_LOGISTIC", "STABLEHLO_ADD", "STABLEHLO_DIVIDE", "STABLEHLO_MULTIPLY", "STABLEHLO_MAXIMUM",
        "STABLEHLO_RESHAPE", "STABLEHLO_CLAMP", "STABLEHLO_CONCATENATE", "STABLEHLO_BROADCAST_IN_DIM",
        "STABLEHLO_CONVOLUTION", "STABLEHLO_SLICE", "STABLEHLO_CUSTOM_CALL", "STABLEHLO_REDUCE", "STABLEHLO_ABS",
        "STABLEHLO_AND", "STABLEHLO_COSINE", "STABLEHLO_EXPONENTIAL", "STABLEHLO_FLOOR", "STABLEHLO_LOG",
        "STABLEHLO_MINIMUM", "STABLEHLO_NEGATE", "STABLEHLO_OR", "STABLEHLO_POWER", "STABLEHLO_REMAINDER",
        "STABLEHLO_RSQRT", "STABLEHLO_SELECT", "STABLEHLO_SUBTRACT", "STABLEHLO_TANH", "STABLEHLO_SCATTER",
        "STABLEHLO_COMPARE", "STABLEHLO_CONVERT", "STABLEHLO_DYNAMIC_SLICE", "STABLEHLO_DYNAMIC_UPDATE_SLICE",
        "STABLEHLO_PAD", "STABLEHLO_IOTA", "STABLEHLO_DOT_GENERAL", "STABLEHLO_REDUCE_WINDOW", "STABLEHLO_SORT",
        "STABLEHLO_WHILE", "STABLEHLO_GATHER", "STABLEHLO_TRANSPOSE", "DILATE", "STABLEHLO_RNG_BIT_GENERATOR",
        "REDUCE_WINDOW", "STABLEHLO_COMPOSITE",
    ]

    static func operatorName(_ code: Int32) -> String {
        code >= 0 && Int(code) < operatorNames.count ? operatorNames[Int(code)] : "BuiltinOperator \(code)"
    }

    /// `TensorType` names by code (codes 0...18).
    static let tensorTypeNames: [String] = [
        "FLOAT32", "FLOAT16", "INT32", "UINT8", "INT64", "STRING", "BOOL", "INT16", "COMPLEX64", "INT8", "FLOAT64",
        "COMPLEX128", "UINT64", "RESOURCE", "VARIANT", "UINT32", "UINT16", "INT4", "BFLOAT16",
    ]

    static func tensorTypeName(_ code: Int8) -> String {
        code >= 0 && Int(code) < tensorTypeNames.count ? tensorTypeNames[Int(code)] : "TensorType \(code)"
    }
}

/// The `BuiltinOperator` codes TinyGraph reads (and the control-flow ops whose
/// subgraph references it checks).
enum TFLiteBuiltinOp: Int32 {
    case add = 0
    case averagePool2D = 1
    case concatenation = 2
    case conv2D = 3
    case depthwiseConv2D = 4
    case dequantize = 6
    case fullyConnected = 9
    case logistic = 14
    case maxPool2D = 17
    case mul = 18
    case relu = 19
    case reluN1To1 = 20
    case relu6 = 21
    case reshape = 22
    case resizeBilinear = 23
    case softmax = 25
    case tanh = 28
    case call = 31
    case custom = 32
    case pad = 34
    case transpose = 39
    case mean = 40
    case sub = 41
    case div = 42
    case squeeze = 43
    case stridedSlice = 45
    case exp = 47
    case split = 49
    case cast = 53
    case maximum = 55
    case argMax = 56
    case minimum = 57
    case neg = 59
    case padV2 = 60
    case slice = 65
    case expandDims = 70
    case sum = 74
    case sqrt = 75
    case rsqrt = 76
    case shape = 77
    case reduceMax = 82
    case pack = 83
    case square = 92
    case resizeNearestNeighbor = 97
    case leakyRelu = 98
    case mirrorPad = 100
    case splitV = 102
    case elu = 111
    case quantize = 114
    case hardSwish = 117
    case ifThenElse = 118
    case whileLoop = 119
    case batchMatMul = 126
    case callOnce = 129

    var name: String { TFLiteSchema.operatorName(rawValue) }
}

/// `TensorType` codes.
enum TFLiteTensorType: Int8 {
    case float32 = 0
    case float16 = 1
    case int32 = 2
    case uint8 = 3
    case int64 = 4
    case string = 5
    case bool = 6
    case int16 = 7
    case complex64 = 8
    case int8 = 9
    case float64 = 10
    case complex128 = 11
    case uint64 = 12
    case resource = 13
    case variant = 14
    case uint32 = 15
    case uint16 = 16
    case int4 = 17
    case bfloat16 = 18

    /// The engine's type for tensors it computes with.
    var dtype: DType? {
        switch self {
        case .float32: return .float32
        case .int32: return .int32
        case .int64: return .int64
        case .bool: return .bool
        default: return nil
        }
    }

    /// Integer types that a TFLite model uses for quantized activations and weights.
    var isQuantizedInteger: Bool {
        switch self {
        case .int8, .uint8, .int16, .int4, .uint16: return true
        default: return false
        }
    }
}

/// Type codes of the `BuiltinOptions` union (1-based position in the union).
enum TFLiteOptionsType: UInt8 {
    case conv2D = 1
    case depthwiseConv2D = 2
    case pool2D = 5
    case fullyConnected = 8
    case softmax = 9
    case concatenation = 10
    case add = 11
    case resizeBilinear = 15
    case call = 16
    case reshape = 17
    case mul = 21
    case pad = 22
    case transpose = 26
    case reducer = 27
    case sub = 28
    case div = 29
    case squeeze = 30
    case stridedSlice = 32
    case exp = 33
    case split = 35
    case cast = 37
    case dequantize = 38
    case maximumMinimum = 39
    case argMax = 40
    case neg = 42
    case padV2 = 43
    case slice = 48
    case expandDims = 52
    case shape = 55
    case pack = 59
    case square = 66
    case resizeNearestNeighbor = 74
    case leakyRelu = 75
    case mirrorPad = 77
    case splitV = 79
    case hardSwish = 91
    case ifThenElse = 92
    case whileLoop = 93
    case batchMatMul = 101
    case callOnce = 103

    /// The options table's schema name, for messages.
    static func tableName(_ code: UInt8) -> String {
        switch TFLiteOptionsType(rawValue: code) {
        case .conv2D?: return "Conv2DOptions"
        case .depthwiseConv2D?: return "DepthwiseConv2DOptions"
        case .pool2D?: return "Pool2DOptions"
        case .fullyConnected?: return "FullyConnectedOptions"
        case .softmax?: return "SoftmaxOptions"
        case .concatenation?: return "ConcatenationOptions"
        case .add?: return "AddOptions"
        case .resizeBilinear?: return "ResizeBilinearOptions"
        case .call?: return "CallOptions"
        case .reshape?: return "ReshapeOptions"
        case .mul?: return "MulOptions"
        case .pad?: return "PadOptions"
        case .transpose?: return "TransposeOptions"
        case .reducer?: return "ReducerOptions"
        case .sub?: return "SubOptions"
        case .div?: return "DivOptions"
        case .squeeze?: return "SqueezeOptions"
        case .stridedSlice?: return "StridedSliceOptions"
        case .exp?: return "ExpOptions"
        case .split?: return "SplitOptions"
        case .cast?: return "CastOptions"
        case .dequantize?: return "DequantizeOptions"
        case .maximumMinimum?: return "MaximumMinimumOptions"
        case .argMax?: return "ArgMaxOptions"
        case .neg?: return "NegOptions"
        case .padV2?: return "PadV2Options"
        case .slice?: return "SliceOptions"
        case .expandDims?: return "ExpandDimsOptions"
        case .shape?: return "ShapeOptions"
        case .pack?: return "PackOptions"
        case .square?: return "SquareOptions"
        case .resizeNearestNeighbor?: return "ResizeNearestNeighborOptions"
        case .leakyRelu?: return "LeakyReluOptions"
        case .mirrorPad?: return "MirrorPadOptions"
        case .splitV?: return "SplitVOptions"
        case .hardSwish?: return "HardSwishOptions"
        case .ifThenElse?: return "IfOptions"
        case .whileLoop?: return "WhileOptions"
        case .batchMatMul?: return "BatchMatMulOptions"
        case .callOnce?: return "CallOnceOptions"
        case nil: return "BuiltinOptions \(code)"
        }
    }
}

/// `Padding`.
enum TFLitePadding: Int8 {
    case same = 0
    case valid = 1
}

/// `ActivationFunctionType`: the activation fused into an op's output.
enum TFLiteActivation: Int8 {
    case none = 0
    case relu = 1
    case reluN1To1 = 2
    case relu6 = 3
    case tanh = 4
    case signBit = 5
}
