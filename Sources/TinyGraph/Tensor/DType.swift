/// Element types TinyGraph computes with. Activations are float32, or int8/uint8
/// in quantized TFLite models (with a `Quantization`); int32 and int64 carry shapes,
/// axes, indices and quantized biases; bool exists for Const and Cast.
public enum DType: Equatable, Sendable {
    case float32
    case int32
    case int64
    case bool
    case int8
    case uint8

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float32, .int32: return 4
        case .int64: return 8
        case .bool, .int8, .uint8: return 1
        }
    }

    /// TensorFlow's name (`DT_FLOAT` is "float").
    public var name: String {
        switch self {
        case .float32: return "float32"
        case .int32: return "int32"
        case .int64: return "int64"
        case .bool: return "bool"
        case .int8: return "int8"
        case .uint8: return "uint8"
        }
    }

    /// Maps a TensorFlow `DataType` enum value (types.proto); `_REF` variants (+100)
    /// are accepted as their base type. Nil for types TinyGraph does not compute with.
    public init?(tensorFlowCode code: Int) {
        switch code > 100 ? code - 100 : code {
        case 1: self = .float32
        case 3: self = .int32
        case 9: self = .int64
        case 10: self = .bool
        default: return nil
        }
    }

    /// TensorFlow's name for any `DataType` code, for error messages.
    static func tensorFlowName(code: Int) -> String {
        switch code > 100 ? code - 100 : code {
        case 0: return "DT_INVALID"
        case 1: return "DT_FLOAT"
        case 2: return "DT_DOUBLE"
        case 3: return "DT_INT32"
        case 4: return "DT_UINT8"
        case 5: return "DT_INT16"
        case 6: return "DT_INT8"
        case 7: return "DT_STRING"
        case 8: return "DT_COMPLEX64"
        case 9: return "DT_INT64"
        case 10: return "DT_BOOL"
        case 11: return "DT_QINT8"
        case 12: return "DT_QUINT8"
        case 13: return "DT_QINT32"
        case 14: return "DT_BFLOAT16"
        case 17: return "DT_UINT16"
        case 19: return "DT_HALF"
        case 20: return "DT_RESOURCE"
        case 21: return "DT_VARIANT"
        case 22: return "DT_UINT32"
        case 23: return "DT_UINT64"
        default: return "DataType \(code)"
        }
    }
}
