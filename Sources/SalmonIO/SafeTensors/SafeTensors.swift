import Foundation

/// A safetensors file: named tensors with their dtypes, shapes and bytes, and the header's
/// metadata.
///
/// The format (safetensors README, "Format"; https://github.com/huggingface/safetensors): an
/// 8-byte little-endian header length N, N bytes of UTF-8 JSON mapping each tensor name to
/// `{"dtype", "shape", "data_offsets": [begin, end]}` (offsets relative to the first byte after
/// the header) plus an optional `"__metadata__"` map of strings to strings, then the raw
/// little-endian tensor data in C order.
///
/// Parsing validates everything the reference implementation (the `safetensors` Python package,
/// checked against 0.8.0) validates, and reports each problem as an ``InputError`` naming the
/// file, the tensor and what was expected: a header of at most 100 000 000 bytes that fits in
/// the file, valid UTF-8 and JSON, a JSON object, well-typed entries, integer dimensions and
/// offsets (`2.0` is not an integer, as in serde_json), no element-count overflow, and byte
/// ranges that match shape × dtype size and tile the data section exactly — no gaps, no overlaps,
/// no unused bytes at the end. Extra fields in a tensor entry are ignored and a repeated name
/// keeps its last entry, as in the reference. Parsing never crashes on any input.
public struct SafeTensors: Sendable {
    /// The largest header the reference implementation accepts (its `MAX_HEADER_SIZE`).
    public static let maximumHeaderLength = 100_000_000

    /// The file name used in messages.
    public let source: String
    /// The tensors in the order of their data in the file (by `data_offsets`, then by name).
    public let tensors: [Tensor]
    /// The `"__metadata__"` map, or nil when the header has none.
    public let metadata: [String: String]?
    /// N, the header's length in bytes (including any padding spaces).
    public let headerLength: Int
    /// The whole file.
    public let bytes: [UInt8]
    private let index: [String: Int]

    /// Parses a complete safetensors file.
    /// - Parameter source: the file name used in error messages.
    public init(parsing data: Data, source: String) throws(InputError) {
        try self.init(parsing: [UInt8](data), source: source)
    }

    /// Parses a complete safetensors file.
    /// - Parameter source: the file name used in error messages.
    public init(parsing bytes: [UInt8], source: String) throws(InputError) {
        let header = try Self.parseHeader(bytes, source: source)
        self.source = source
        self.bytes = bytes
        self.tensors = header.tensors
        self.metadata = header.metadata
        self.headerLength = header.length
        var index: [String: Int] = [:]
        for (position, tensor) in header.tensors.enumerated() { index[tensor.name] = position }
        self.index = index
    }

    /// The tensor called `name`.
    public func tensor(named name: String) throws(InputError) -> Tensor {
        guard let position = index[name] else {
            let names = tensors.prefix(5).map { InputError.quoted($0.name, limit: 120) }.joined(separator: ", ")
            let more = tensors.count > 5 ? ", …" : ""
            throw InputError(file: source, field: Self.field(name),
                             expected: "a tensor of that name; the file has \(tensors.count) tensor\(tensors.count == 1 ? "" : "s")"
                                 + (tensors.isEmpty ? "" : " (\(names)\(more))"))
        }
        return tensors[position]
    }

    /// The raw little-endian bytes of the tensor called `name`.
    public func rawBytes(named name: String) throws(InputError) -> ArraySlice<UInt8> {
        bytes[try tensor(named: name).byteRange]
    }

    /// The elements of a floating-point tensor (F64, F32, F16 or BF16) as `Float`, in C order.
    /// F16 and BF16 widen exactly; F64 rounds to nearest (overflowing to ±infinity).
    public func floats(named name: String) throws(InputError) -> [Float] {
        let tensor = try tensor(named: name)
        guard tensor.dtype.elementType.isFloatingPoint else {
            throw InputError(file: source, field: Self.field(name),
                             expected: "a floating-point tensor (F64, F32, F16 or BF16) to read as floats, found \(tensor.dtype.rawValue)")
        }
        return bytes.withUnsafeBytes { raw in
            ElementDecoding.floats(UnsafeRawBufferPointer(rebasing: raw[tensor.byteRange]), as: tensor.dtype.elementType)
        }
    }

    /// The elements of a floating-point tensor (F64, F32, F16 or BF16) as `Double`, in C order;
    /// every type widens exactly.
    public func doubles(named name: String) throws(InputError) -> [Double] {
        let tensor = try tensor(named: name)
        guard tensor.dtype.elementType.isFloatingPoint else {
            throw InputError(file: source, field: Self.field(name),
                             expected: "a floating-point tensor (F64, F32, F16 or BF16) to read as floats, found \(tensor.dtype.rawValue)")
        }
        return bytes.withUnsafeBytes { raw in
            ElementDecoding.doubles(UnsafeRawBufferPointer(rebasing: raw[tensor.byteRange]), as: tensor.dtype.elementType)
        }
    }

    /// The elements of an integer or BOOL tensor (I64, I32, I16, I8, U8, BOOL) as `Int64`, in C
    /// order; BOOL bytes read as 0 or 1 (any nonzero byte is true).
    public func integers(named name: String) throws(InputError) -> [Int64] {
        let tensor = try tensor(named: name)
        guard !tensor.dtype.elementType.isFloatingPoint else {
            throw InputError(file: source, field: Self.field(name),
                             expected: "an integer or BOOL tensor (I64, I32, I16, I8, U8 or BOOL) to read as integers, found \(tensor.dtype.rawValue)")
        }
        return bytes.withUnsafeBytes { raw in
            ElementDecoding.integers(UnsafeRawBufferPointer(rebasing: raw[tensor.byteRange]), as: tensor.dtype.elementType)
        }
    }

    /// The `field` of an ``InputError`` about tensor `name`: `tensor "name"`.
    static func field(_ name: String) -> String { "tensor \(InputError.quoted(name, limit: 120))" }
}
