extension SafeTensors {
    /// A safetensors element type, spelled as in the header's `"dtype"` field.
    ///
    /// The subset of the safetensors README ("Format", dtypes) that DeadSalmon reads; the format
    /// also defines unsigned 16–64-bit integers, 8-, 6- and 4-bit floats and complex numbers,
    /// which are rejected with an error naming the dtype and the tensor.
    public enum DType: String, Sendable, CaseIterable, Codable {
        case F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL

        /// The element type it stores.
        public var elementType: ElementType {
            switch self {
            case .F64: .float64
            case .F32: .float32
            case .F16: .float16
            case .BF16: .bfloat16
            case .I64: .int64
            case .I32: .int32
            case .I16: .int16
            case .I8: .int8
            case .U8: .uint8
            case .BOOL: .bool
            }
        }

        /// Bytes per element.
        public var byteCount: Int { elementType.byteCount }

        /// The dtype's rank in the reference implementation's `Dtype` enum, which is declared in
        /// increasing alignment order; its writer stores tensors by decreasing rank, then by name.
        var alignmentRank: Int {
            switch self {
            case .BOOL: 0
            case .U8: 1
            case .I8: 2
            case .I16: 3
            case .F16: 4
            case .BF16: 5
            case .I32: 6
            case .F32: 7
            case .F64: 8
            case .I64: 9
            }
        }

        /// The supported names, for messages: `F64, F32, …, BOOL`.
        static let supportedList = allCases.map(\.rawValue).joined(separator: ", ")
    }
}
