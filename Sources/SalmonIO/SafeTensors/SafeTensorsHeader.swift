import Foundation

extension SafeTensors {
    /// What a safetensors header says, validated against the file it came from.
    struct Header {
        /// N, the header's length in bytes.
        var length: Int
        /// The tensors in data order.
        var tensors: [Tensor]
        var metadata: [String: String]?
    }

    /// Reads and validates the header of the complete file `bytes` (safetensors README,
    /// "Format"; checks as in the reference's `read_metadata` and `Metadata::validate`).
    static func parseHeader(_ bytes: [UInt8], source: String) throws(InputError) -> Header {
        guard bytes.count >= 8 else {
            throw InputError(file: source, expected: "at least 8 bytes (the little-endian header length of a safetensors file), found \(bytes.count)")
        }
        var declared: UInt64 = 0
        for i in 0..<8 { declared |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        let available = bytes.count - 8
        if declared > UInt64(maximumHeaderLength) {
            // Another format read as safetensors: say which, instead of quoting an absurd length.
            if bytes.starts(with: NPYArray.magic) {
                throw InputError(file: source, expected: "a safetensors file, found a NumPy .npy file (it begins \\x93NUMPY)")
            }
            if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
                throw InputError(file: source, expected: "a safetensors file, found a zip archive (an .npz file or a PyTorch .pt/.bin checkpoint; save with safetensors.torch.save_file)")
            }
            if bytes.prefix(64).allSatisfy({ (0x20..<0x7F).contains($0) || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
                let shown = String(decoding: bytes.prefix(20), as: UTF8.self)
                throw InputError(file: source, expected: "a safetensors file, found text (it begins \(InputError.quoted(shown)))")
            }
            throw InputError(file: source, expected: "a header length of at most \(maximumHeaderLength) bytes (the safetensors limit), found \(declared)")
        }
        let length = Int(declared)
        if length > available {
            throw InputError(file: source, expected: "a header of \(length) bytes as its length field says, but only \(available) bytes follow the length field")
        }
        let headerBytes = bytes[8..<(8 + length)]
        let object = try parseJSON(headerBytes, source: source)
        guard let dictionary = object as? [String: Any] else {
            throw InputError(file: source, expected: "a JSON object as the header, found \(JSONValue.describe(object))")
        }

        let dataStart = 8 + length
        let dataCount = bytes.count - dataStart
        var metadata: [String: String]?
        var tensors: [Tensor] = []
        tensors.reserveCapacity(dictionary.count)
        // Byte order of the names, so that the first problem reported never depends on hashing.
        for name in dictionary.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            guard let value = dictionary[name] else { continue }
            if name == "__metadata__" {
                metadata = try parseMetadata(value, source: source)
            } else {
                tensors.append(try parseEntry(name: name, value, dataStart: dataStart, dataCount: dataCount, source: source))
            }
        }

        // The ranges must tile the data section: sorted by offsets, each starts where the one
        // before ends (zero-byte tensors included), and the last ends at the end of the file.
        tensors.sort { a, b in
            if a.dataOffsets.lowerBound != b.dataOffsets.lowerBound { return a.dataOffsets.lowerBound < b.dataOffsets.lowerBound }
            if a.dataOffsets.upperBound != b.dataOffsets.upperBound { return a.dataOffsets.upperBound < b.dataOffsets.upperBound }
            return a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
        }
        var end = 0
        var previous: Tensor?
        for tensor in tensors {
            let offsets = tensor.dataOffsets
            if offsets.lowerBound < end, let previous {
                throw InputError(file: source, field: field(tensor.name),
                                 expected: "data_offsets that do not overlap those of \(field(previous.name)) \(describe(previous.dataOffsets)), found \(describe(offsets))")
            }
            if offsets.lowerBound > end {
                let after = previous.map { "where \(field($0.name)) ends" } ?? "the start of the data section"
                throw InputError(file: source, field: field(tensor.name),
                                 expected: "data_offsets beginning at \(end) (\(after); the format allows no gaps), found \(describe(offsets))")
            }
            end = offsets.upperBound
            previous = tensor
        }
        if end != dataCount {
            throw InputError(file: source, expected: "tensors covering the whole data section of \(dataCount) bytes, but bytes \(end)..<\(dataCount) belong to no tensor")
        }
        return Header(length: length, tensors: tensors, metadata: metadata)
    }

    /// The header bytes as a JSON value: checked to be UTF-8 without a byte-order mark or NUL
    /// bytes (which `JSONSerialization` would take as a sign of UTF-16 or skip, where the
    /// reference's serde_json rejects them), then parsed.
    private static func parseJSON(_ header: ArraySlice<UInt8>, source: String) throws(InputError) -> Any {
        if let offset = firstInvalidUTF8(header) {
            throw InputError(file: source, expected: "a UTF-8 header, but header byte \(offset) is not valid UTF-8")
        }
        if header.starts(with: [0xEF, 0xBB, 0xBF]) {
            throw InputError(file: source, expected: "a JSON header, found a UTF-8 byte-order mark before it")
        }
        if let nul = header.firstIndex(of: 0) {
            throw InputError(file: source, expected: "a JSON header, found a NUL byte at header byte \(nul - header.startIndex)")
        }
        do {
            return try JSONSerialization.jsonObject(with: Data(header), options: [.fragmentsAllowed])
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            let oneLine = detail.split(whereSeparator: \.isNewline).joined(separator: " ")
            throw InputError(file: source, expected: "a valid JSON header (\(oneLine))")
        }
    }

    /// The offset of the first byte in `bytes` that is not part of valid UTF-8, or nil.
    static func firstInvalidUTF8(_ bytes: ArraySlice<UInt8>) -> Int? {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput: return nil
            case .error: return offset
            }
        }
    }

    private static func parseMetadata(_ value: Any, source: String) throws(InputError) -> [String: String]? {
        if value is NSNull { return nil }
        guard let map = value as? [String: Any] else {
            throw InputError(file: source, field: "\"__metadata__\"",
                             expected: "an object mapping strings to strings, found \(JSONValue.describe(value))")
        }
        var metadata: [String: String] = [:]
        for key in map.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            guard let entry = map[key] else { continue }
            guard let text = entry as? String else {
                throw InputError(file: source, field: "metadata \(InputError.quoted(key, limit: 120))",
                                 expected: "a string value, found \(JSONValue.describe(entry))")
            }
            metadata[key] = text
        }
        return metadata
    }

    /// One tensor entry, checked on its own: fields present and well typed, a known dtype,
    /// integer dimensions and offsets, no overflow, offsets inside the data section, and a byte
    /// length equal to the element count times the dtype's size.
    private static func parseEntry(name: String, _ value: Any, dataStart: Int, dataCount: Int,
                                   source: String) throws(InputError) -> Tensor {
        func fail(_ expected: String) -> InputError { InputError(file: source, field: field(name), expected: expected) }

        guard let entry = value as? [String: Any] else {
            throw fail("an object with \"dtype\", \"shape\" and \"data_offsets\", found \(JSONValue.describe(value))")
        }
        guard let dtypeValue = entry["dtype"] else { throw fail("a \"dtype\" field") }
        guard let dtypeName = dtypeValue as? String else {
            throw fail("\"dtype\" to be a string, found \(JSONValue.describe(dtypeValue))")
        }
        guard let dtype = DType(rawValue: dtypeName) else {
            throw fail("a dtype among \(DType.supportedList), found \(InputError.quoted(dtypeName))")
        }

        guard let shapeValue = entry["shape"] else { throw fail("a \"shape\" field") }
        guard let dimensions = shapeValue as? [Any] else {
            throw fail("\"shape\" to be an array of non-negative integers, found \(JSONValue.describe(shapeValue))")
        }
        var shape: [Int] = []
        shape.reserveCapacity(dimensions.count)
        for (axis, dimension) in dimensions.enumerated() {
            switch JSONValue.nonNegativeInteger(dimension) {
            case .value(let size): shape.append(size)
            case .invalid(let found):
                throw fail("dimension \(axis) of \"shape\" to be a non-negative integer, found \(found)")
            }
        }
        var elementCount = 1
        for size in shape {
            let (product, overflow) = elementCount.multipliedReportingOverflow(by: size)
            guard !overflow else { throw fail("a shape whose element count fits in 63 bits, found \(describe(shape))") }
            elementCount = product
        }
        let (byteCount, byteOverflow) = elementCount.multipliedReportingOverflow(by: dtype.byteCount)
        guard !byteOverflow else {
            throw fail("a shape whose size in bytes fits in 63 bits, found \(describe(shape)) of \(dtype.rawValue)")
        }

        guard let offsetsValue = entry["data_offsets"] else { throw fail("a \"data_offsets\" field") }
        guard let offsets = offsetsValue as? [Any], offsets.count == 2 else {
            throw fail("\"data_offsets\" to be two integers [begin, end], found \(JSONValue.describe(offsetsValue))")
        }
        var bounds: [Int] = []
        for (position, offset) in offsets.enumerated() {
            switch JSONValue.nonNegativeInteger(offset) {
            case .value(let v): bounds.append(v)
            case .invalid(let found):
                throw fail("\"data_offsets\" \(position == 0 ? "begin" : "end") to be a non-negative integer, found \(found)")
            }
        }
        let begin = bounds[0], end = bounds[1]
        guard begin <= end else { throw fail("data_offsets [begin, end] with begin ≤ end, found [\(begin), \(end)]") }
        guard end <= dataCount else {
            throw fail("data_offsets within the data section of \(dataCount) bytes, found [\(begin), \(end)]")
        }
        guard end - begin == byteCount else {
            throw fail("data_offsets spanning \(byteCount) bytes (shape \(describe(shape)) of \(dtype.rawValue), \(dtype.byteCount) byte\(dtype.byteCount == 1 ? "" : "s") each), found [\(begin), \(end)], \(end - begin) bytes")
        }
        return Tensor(name: name, dtype: dtype, shape: shape, elementCount: elementCount,
                      dataOffsets: begin..<end, byteRange: (dataStart + begin)..<(dataStart + end))
    }

    /// `[2, 3]`.
    static func describe(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

    /// `[begin, end]`.
    static func describe(_ offsets: Range<Int>) -> String { "[\(offsets.lowerBound), \(offsets.upperBound)]" }
}
