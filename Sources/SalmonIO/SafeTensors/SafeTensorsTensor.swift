extension SafeTensors {
    /// One tensor's entry in a safetensors header: name, dtype, shape and where its bytes are.
    ///
    /// See the safetensors README ("Format"): `data_offsets` are `[begin, end)` relative to the
    /// first byte after the header; the bytes are little-endian, in C (row-major) order.
    public struct Tensor: Sendable, Equatable {
        public var name: String
        public var dtype: DType
        /// The dimensions; empty for a 0-dimensional scalar.
        public var shape: [Int]
        /// The product of the dimensions (1 for a scalar, 0 when any dimension is 0).
        public var elementCount: Int
        /// `data_offsets` as in the header: relative to the start of the data section.
        public var dataOffsets: Range<Int>
        /// The same bytes as offsets from the start of the file.
        public var byteRange: Range<Int>
    }
}
