import Foundation

extension SafeTensors {
    /// A tensor to write: its name, dtype, shape and raw little-endian bytes in C order.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var dtype: DType
        public var shape: [Int]
        public var bytes: [UInt8]

        public init(name: String, dtype: DType, shape: [Int], bytes: [UInt8]) {
            self.name = name
            self.dtype = dtype
            self.shape = shape
            self.bytes = bytes
        }
    }

    /// A complete safetensors file holding `entries` and `metadata`, byte for byte what the
    /// reference implementation (`safetensors.serialize`, checked against the Python package
    /// 0.8.0) writes for the same tensors.
    ///
    /// As in the reference's `prepare`: tensors are stored by decreasing dtype alignment (I64,
    /// F64, F32, I32, BF16, F16, I16, I8, U8, BOOL), then by name (byte order), so that every
    /// tensor's data is aligned to its element size; the header is compact JSON with
    /// `"__metadata__"` first (keys in byte order here, where the reference's hash map has no
    /// fixed order) and each entry's fields in the order dtype, shape, data_offsets, padded with
    /// spaces to a multiple of 8 bytes.
    /// - Parameter destination: the name used in error messages.
    /// - Throws: ``InputError`` for a repeated or reserved name, a negative dimension, or bytes
    ///   that are not shape × dtype size.
    public static func serialize(_ entries: [Entry], metadata: [String: String]? = nil,
                                 destination: String = "<safetensors output>") throws(InputError) -> Data {
        var seen = Set<String>()
        for entry in entries {
            func fail(_ expected: String) -> InputError {
                InputError(file: destination, field: field(entry.name), expected: expected)
            }
            guard entry.name != "__metadata__" else { throw fail("a tensor name other than the reserved \"__metadata__\"") }
            guard seen.insert(entry.name).inserted else { throw fail("each tensor name once, found it twice") }
            var count = 1
            for size in entry.shape {
                guard size >= 0 else { throw fail("non-negative dimensions, found \(describe(entry.shape))") }
                let (product, overflow) = count.multipliedReportingOverflow(by: size)
                guard !overflow else { throw fail("a shape whose element count fits in 63 bits, found \(describe(entry.shape))") }
                count = product
            }
            let (byteCount, overflow) = count.multipliedReportingOverflow(by: entry.dtype.byteCount)
            guard !overflow, byteCount == entry.bytes.count else {
                throw fail("\(count) elements × \(entry.dtype.byteCount) bytes for shape \(describe(entry.shape)) of \(entry.dtype.rawValue), found \(entry.bytes.count) bytes")
            }
        }

        let ordered = entries.sorted { a, b in
            if a.dtype.alignmentRank != b.dtype.alignmentRank { return a.dtype.alignmentRank > b.dtype.alignmentRank }
            return a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
        }
        var header: [UInt8] = [UInt8(ascii: "{")]
        var first = true
        func separator() {
            if !first { header.append(UInt8(ascii: ",")) }
            first = false
        }
        if let metadata {
            separator()
            appendJSONString("__metadata__", to: &header)
            header.append(contentsOf: Array(":{".utf8))
            var firstKey = true
            for key in metadata.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                if !firstKey { header.append(UInt8(ascii: ",")) }
                firstKey = false
                appendJSONString(key, to: &header)
                header.append(UInt8(ascii: ":"))
                appendJSONString(metadata[key] ?? "", to: &header)
            }
            header.append(UInt8(ascii: "}"))
        }
        var offset = 0
        for entry in ordered {
            separator()
            appendJSONString(entry.name, to: &header)
            let shape = entry.shape.map(String.init).joined(separator: ",")
            let end = offset + entry.bytes.count
            header.append(contentsOf: Array(":{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}".utf8))
            offset = end
        }
        header.append(UInt8(ascii: "}"))
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))

        var file = Data(capacity: 8 + header.count + offset)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { file.append(contentsOf: $0) }
        file.append(contentsOf: header)
        for entry in ordered { file.append(contentsOf: entry.bytes) }
        return file
    }

    /// Appends `text` as a JSON string escaped as serde_json escapes it: `\"`, `\\`, `\b`, `\f`,
    /// `\n`, `\r`, `\t`, other control characters as `\u00xx`; everything else as UTF-8.
    static func appendJSONString(_ text: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
