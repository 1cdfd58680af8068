/// A `.npy` header's `descr`: the element type and byte order of the data.
///
/// NumPy writes `dtype.str`, the array-protocol type string of NEP 1 / `numpy.lib.format`: a
/// byte-order character (`<` little, `>` big, `|` not applicable) followed by a kind and a size
/// in bytes. Supported: `<f8 <f4 <f2 <i8 <i4 <i2 |i1 |u1 |b1` and the big-endian `>` forms of
/// the multi-byte ones. Everything else is rejected with the reason: objects (pickled Python,
/// `|O`), complex numbers, strings, void and structured records, datetimes, unsigned integers
/// wider than a byte, extended precision.
struct NPYDescriptor: Equatable {
    var elementType: ElementType
    var isBigEndian: Bool

    static let supported: [String: NPYDescriptor] = [
        "<f8": .init(elementType: .float64, isBigEndian: false), ">f8": .init(elementType: .float64, isBigEndian: true),
        "<f4": .init(elementType: .float32, isBigEndian: false), ">f4": .init(elementType: .float32, isBigEndian: true),
        "<f2": .init(elementType: .float16, isBigEndian: false), ">f2": .init(elementType: .float16, isBigEndian: true),
        "<i8": .init(elementType: .int64, isBigEndian: false), ">i8": .init(elementType: .int64, isBigEndian: true),
        "<i4": .init(elementType: .int32, isBigEndian: false), ">i4": .init(elementType: .int32, isBigEndian: true),
        "<i2": .init(elementType: .int16, isBigEndian: false), ">i2": .init(elementType: .int16, isBigEndian: true),
        "|i1": .init(elementType: .int8, isBigEndian: false),
        "|u1": .init(elementType: .uint8, isBigEndian: false),
        "|b1": .init(elementType: .bool, isBigEndian: false),
    ]

    /// The supported type strings, for messages.
    static let supportedList = "'<f8', '<f4', '<f2', '<i8', '<i4', '<i2', '|i1', '|u1', '|b1' or a big-endian '>' form"

    /// The descriptor for `descr`, or nil with the reason it is not supported.
    static func parse(_ descr: String) -> (descriptor: NPYDescriptor?, problem: String?) {
        if let descriptor = supported[descr] { return (descriptor, nil) }
        var kind = Substring(descr)
        if let first = kind.first, "<>|=".contains(first) { kind = kind.dropFirst() }
        let letter = kind.first.map(String.init) ?? ""
        let reason: String
        switch letter {
        case "O": reason = "an object array (pickled Python objects) is not supported"
        case "c": reason = "complex numbers are not supported"
        case "U": reason = "unicode strings are not supported"
        case "S", "a": reason = "byte strings are not supported"
        case "V": reason = "void (raw record) dtypes are not supported"
        case "M", "m": reason = "datetimes and timedeltas are not supported"
        case "u": reason = "unsigned integers wider than 8 bits are not supported"
        case "f" where kind == "f16" || kind == "f12": reason = "extended precision is not supported"
        case "g": reason = "extended precision is not supported"
        default: reason = "it is not a supported array-protocol type string"
        }
        return (nil, "a dtype among \(supportedList), found \(InputError.quoted(descr)): \(reason)")
    }
}
