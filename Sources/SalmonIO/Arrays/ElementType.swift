/// The element types DeadSalmon reads from model and array files.
///
/// The common ground of the safetensors dtypes (`F64` … `BOOL`, see the safetensors README,
/// "Format") and NumPy's array-protocol type strings (`<f8` … `|b1`, see NEP 1 and
/// `numpy.lib.format`). Data is always handled as little-endian bytes; a big-endian `.npy` file
/// is converted when it is read.
public enum ElementType: String, Sendable, CaseIterable, Codable {
    case float64, float32, float16, bfloat16
    case int64, int32, int16, int8, uint8
    /// One byte per element; zero is false and any other value is true (as NumPy reads it).
    case bool

    /// Bytes per element.
    public var byteCount: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16, .int16: 2
        case .int8, .uint8, .bool: 1
        }
    }

    /// Whether ``SafeTensors/floats(named:)`` and ``NPYArray/floats()`` convert this type.
    public var isFloatingPoint: Bool {
        switch self {
        case .float64, .float32, .float16, .bfloat16: true
        default: false
        }
    }
}
