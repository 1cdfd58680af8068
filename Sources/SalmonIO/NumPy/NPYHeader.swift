/// The dictionary at the start of a `.npy` file: `descr`, `fortran_order` and `shape`.
///
/// numpy.lib.format writes it as the `repr` of a Python dict, for example
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`, padded with spaces and a
/// newline. NumPy reads it with `ast.literal_eval`; this is a strict parser for exactly the
/// subset NumPy writes: single-quoted strings without escapes, `True`/`False`, tuples of
/// non-negative integers (`()`, `(3,)`, `(2, 3)`; a Python 2 `L` suffix is accepted in versions
/// 1.0 and 2.0, as NumPy's `_filter_header` does), whitespace anywhere between tokens, the three
/// keys in any order and each exactly once, an optional trailing comma. A structured `descr` (a
/// list of fields) is recognized so that it can be rejected by name.
struct NPYHeader: Equatable {
    enum Descr: Equatable {
        /// An array-protocol type string such as `<f4`.
        case typeString(String)
        /// A list of fields (a structured dtype) or a tuple (a sub-array dtype).
        case structured
    }

    var descr: Descr
    var fortranOrder: Bool
    var shape: [Int]

    /// Parses the header text `bytes`; `fail` turns a problem into the error to throw.
    init(parsing bytes: ArraySlice<UInt8>, allowLongSuffix: Bool, fail: (String) -> InputError) throws(InputError) {
        var parser = Parser(bytes: Array(bytes), allowLongSuffix: allowLongSuffix)
        var descr: Descr?, fortranOrder: Bool?, shape: [Int]?
        parser.skipSpace()
        guard parser.take(UInt8(ascii: "{")) else { throw fail(parser.problem("a dict starting with '{'")) }
        while true {
            parser.skipSpace()
            if parser.take(UInt8(ascii: "}")) { break }
            guard let key = parser.string() else { throw fail(parser.problem("a key in single quotes or '}'")) }
            parser.skipSpace()
            guard parser.take(UInt8(ascii: ":")) else { throw fail(parser.problem("':' after the key '\(key)'")) }
            parser.skipSpace()
            switch key {
            case "descr":
                guard descr == nil else { throw fail("each key once in the header, found 'descr' twice") }
                if parser.peek == UInt8(ascii: "[") || parser.peek == UInt8(ascii: "(") {
                    descr = .structured
                    guard parser.skipBracketed() else { throw fail(parser.problem("a closed list for 'descr'")) }
                } else {
                    guard let text = parser.string() else { throw fail(parser.problem("a string in single quotes for 'descr'")) }
                    descr = .typeString(text)
                }
            case "fortran_order":
                guard fortranOrder == nil else { throw fail("each key once in the header, found 'fortran_order' twice") }
                if parser.take(word: "True") {
                    fortranOrder = true
                } else if parser.take(word: "False") {
                    fortranOrder = false
                } else {
                    throw fail(parser.problem("True or False for 'fortran_order'"))
                }
            case "shape":
                guard shape == nil else { throw fail("each key once in the header, found 'shape' twice") }
                shape = try parser.tuple(fail: fail)
            default:
                throw fail("only the keys 'descr', 'fortran_order' and 'shape' in the header, found \(InputError.quoted(key))")
            }
            parser.skipSpace()
            if parser.take(UInt8(ascii: ",")) { continue }
            parser.skipSpace()
            guard parser.take(UInt8(ascii: "}")) else { throw fail(parser.problem("',' or '}' after the value of '\(key)'")) }
            break
        }
        parser.skipSpace()
        guard parser.atEnd else { throw fail(parser.problem("only spaces and a newline after the header's dict")) }
        guard let descr, let fortranOrder, let shape else {
            let missing = [("descr", descr == nil), ("fortran_order", fortranOrder == nil), ("shape", shape == nil)]
                .filter(\.1).map { "'\($0.0)'" }.joined(separator: ", ")
            throw fail("the keys 'descr', 'fortran_order' and 'shape' in the header, but \(missing) \(missing.contains(",") ? "are" : "is") missing")
        }
        self.descr = descr
        self.fortranOrder = fortranOrder
        self.shape = shape
    }

    /// A cursor over the header bytes.
    private struct Parser {
        let bytes: [UInt8]
        let allowLongSuffix: Bool
        var position = 0

        var atEnd: Bool { position >= bytes.count }
        var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

        /// "expected X at header byte N, found 'c'".
        func problem(_ expected: String) -> String {
            guard let byte = peek else { return "\(expected) at header byte \(position), found the end of the header" }
            let shown = byte >= 0x20 && byte < 0x7F ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
            return "\(expected) at header byte \(position), found \(shown)"
        }

        mutating func skipSpace() {
            while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D || byte == 0x0C {
                position += 1
            }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard peek == byte else { return false }
            position += 1
            return true
        }

        /// A Python name, not followed by more name characters.
        mutating func take(word: String) -> Bool {
            let letters = Array(word.utf8)
            guard bytes.count - position >= letters.count,
                  bytes[position..<(position + letters.count)].elementsEqual(letters) else { return false }
            let next = position + letters.count
            if next < bytes.count, Self.isNameByte(bytes[next]) { return false }
            position = next
            return true
        }

        static func isNameByte(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
        }

        /// A single-quoted string without escapes or line breaks.
        mutating func string() -> String? {
            guard peek == UInt8(ascii: "'") else { return nil }
            var end = position + 1
            while end < bytes.count, bytes[end] != UInt8(ascii: "'") {
                if bytes[end] == UInt8(ascii: "\\") || bytes[end] == 0x0A || bytes[end] == 0x0D { return nil }
                end += 1
            }
            guard end < bytes.count else { return nil }
            let text = String(decoding: bytes[(position + 1)..<end], as: UTF8.self)
            position = end + 1
            return text
        }

        /// Skips a bracketed value (a structured descr), brackets nested, quotes respected.
        mutating func skipBracketed() -> Bool {
            var depth = 0
            var inString = false
            while let byte = peek {
                position += 1
                if inString {
                    if byte == UInt8(ascii: "'") { inString = false }
                    continue
                }
                switch byte {
                case UInt8(ascii: "'"): inString = true
                case UInt8(ascii: "["), UInt8(ascii: "("): depth += 1
                case UInt8(ascii: "]"), UInt8(ascii: ")"):
                    depth -= 1
                    if depth == 0 { return true }
                default: break
                }
            }
            return false
        }

        /// A tuple of non-negative integers: `()`, `(3,)`, `(2, 3)`, `(2, 3,)`.
        mutating func tuple(fail: (String) -> InputError) throws(InputError) -> [Int] {
            guard take(UInt8(ascii: "(")) else { throw fail(problem("a tuple of integers for 'shape'")) }
            var values: [Int] = []
            var sawComma = false
            while true {
                skipSpace()
                if take(UInt8(ascii: ")")) { break }
                guard let value = try integer(fail: fail) else {
                    throw fail(problem("a non-negative integer or ')' in 'shape'"))
                }
                values.append(value)
                skipSpace()
                if take(UInt8(ascii: ",")) {
                    sawComma = true
                    continue
                }
                skipSpace()
                guard take(UInt8(ascii: ")")) else { throw fail(problem("',' or ')' in 'shape'")) }
                break
            }
            // Python reads (3) as the integer 3, not a tuple.
            if values.count == 1 && !sawComma {
                throw fail("'shape' to be a tuple, found (\(values[0])) without the comma of a 1-tuple (\(values[0]),)")
            }
            return values
        }

        /// A decimal integer literal, or nil when there is none here.
        mutating func integer(fail: (String) -> InputError) throws(InputError) -> Int? {
            let start = position
            if peek == UInt8(ascii: "-") {
                position += 1
                var end = position
                while end < bytes.count, bytes[end] >= 0x30, bytes[end] <= 0x39 { end += 1 }
                if end > position {
                    let digits = String(decoding: bytes[start..<end], as: UTF8.self)
                    throw fail("non-negative dimensions in 'shape', found \(digits)")
                }
                position = start
                return nil
            }
            var value = 0
            var digits = 0
            while let byte = peek, byte >= 0x30, byte <= 0x39 {
                let (scaled, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = scaled.addingReportingOverflow(Int(byte - 0x30))
                if overflow1 || overflow2 {
                    throw fail("dimensions below 2^63 in 'shape', found one with more digits")
                }
                value = sum
                digits += 1
                position += 1
            }
            guard digits > 0 else { return nil }
            if digits > 1 && bytes[start] == 0x30 && value != 0 {
                throw fail("decimal dimensions in 'shape', found one with a leading zero at header byte \(start)")
            }
            if allowLongSuffix, peek == UInt8(ascii: "L") { position += 1 }
            if let byte = peek, Self.isNameByte(byte) || byte == UInt8(ascii: ".") {
                throw fail(problem("an integer dimension in 'shape'"))
            }
            return value
        }
    }
}
