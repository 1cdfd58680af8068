#if canImport(Glibc)
import Glibc
#endif

/// One number per line, read on bytes: the fast path of ``NumberList`` for files of many values
/// (a million p-values), with the same rules and the same messages.
///
/// The file (or standard input) is read in chunks of 1 MiB with `read(2)`; no `String` is made
/// per line and the whole text is never held, so memory is the values themselves (8 bytes each)
/// plus one chunk. Each token is converted by the C library's `strtod` in the C locale, which rounds
/// correctly, as Swift's `Double(String)` does on the same platform: the values are bit for bit
/// the ones the text path gives.
///
/// Rules, as in ``NumberList/parseWithLines(_:source:column:)``:
/// - lines end at `\n`, `\r\n` or `\r`; a UTF-8 byte-order mark before the first line is skipped;
/// - blank lines (only spaces, tabs, vertical tabs or form feeds) are skipped;
/// - a line holding a comma is refused (one number per line; `--column` reads CSV);
/// - a line that is not UTF-8 is refused as such;
/// - a token must be printable ASCII and a whole number in C's syntax (decimal or hexadecimal,
///   optional sign and exponent), and finite;
/// - at least one number.
public enum NumberLines {
    /// The bytes read per `read(2)` call.
    static let chunkSize = 1 << 20

    /// Reads one number per line from `path` (standard input for `-`).
    /// - Parameters:
    ///   - path: a file, or `-`.
    ///   - validate: called with each value; returns what was expected when the value is not
    ///     acceptable (for example "a p-value in [0, 1], found 1.5"), which becomes the error naming
    ///     the line.
    /// - Returns: the values in file order and the file's name for messages.
    /// - Throws: ``InputError`` naming the file and line of the first bad value, or an unreadable file.
    public static func read(path: String, validate: ((Double) -> String?)? = nil) throws(InputError)
        -> (values: [Double], source: String)
    {
        let source = InputFile.displayName(path)
        guard !path.isEmpty else { throw InputError(file: "''", expected: "a file name, found an empty argument") }
        let descriptor: Int32
        if path == "-" {
            descriptor = 0
        } else {
            descriptor = open(path, O_RDONLY | O_CLOEXEC)
            if descriptor < 0 {
                let reason = errno == ENOENT ? "a readable file, but it does not exist" : "a readable file (\(String(cString: strerror(errno))))"
                throw InputError(file: source, expected: reason)
            }
        }
        defer { if descriptor != 0 { close(descriptor) } }
        var info = stat()
        var values: [Double] = []
        if fstat(descriptor, &info) == 0 {
            if (info.st_mode & S_IFMT) == S_IFDIR {
                throw InputError(file: source, expected: path == "-" ? "readable standard input (\(String(cString: strerror(EISDIR))))" : "a file, found a directory")
            }
            // A regular file of s bytes holds at most s/2 numbers; the capacity is only address space
            // until it is written.
            if (info.st_mode & S_IFMT) == S_IFREG && info.st_size > 0 {
                values.reserveCapacity(Int(min(Int64(info.st_size) / 2 + 1, Int64(1) << 31)))
            }
        }
        var parser = Parser(source: source, validate: validate)
        var buffer = [UInt8](repeating: 0, count: chunkSize)
        var carried = 0   // bytes of an unfinished line kept at the start of the buffer
        try buffer.withUnsafeMutableBufferPointer { (chunk: inout UnsafeMutableBufferPointer<UInt8>) throws(InputError) in
            guard let base = chunk.baseAddress else { return }
            var capacity = chunk.count
            var storage = base
            var grown: UnsafeMutablePointer<UInt8>?
            defer { grown?.deallocate() }
            while true {
                if carried == capacity {
                    // One line longer than the buffer: keep growing it (the line is refused once
                    // read, as no number is that long, but its line number must be right).
                    let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
                    bigger.update(from: storage, count: carried)
                    grown?.deallocate()
                    grown = bigger
                    storage = bigger
                    capacity *= 2
                }
                let count = Glibc.read(descriptor, storage + carried, capacity - carried)
                if count < 0 {
                    if errno == EINTR { continue }
                    throw InputError(file: source, expected: "\(path == "-" ? "readable standard input" : "a readable file") (\(String(cString: strerror(errno))))")
                }
                let end = carried + count
                let consumed = try parser.lines(UnsafeBufferPointer(start: storage, count: end), final: count == 0, into: &values)
                if count == 0 { break }
                carried = end - consumed
                if consumed > 0 && carried > 0 { memmove(storage, storage + consumed, carried) }
            }
        }
        if values.isEmpty { throw InputError(file: source, expected: "at least one number, found none") }
        return (values, source)
    }

    /// Parses one number per line from bytes in memory, by the same rules and with the same
    /// messages as ``read(path:validate:)``.
    /// - Parameter source: the name used in messages.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>, source: String,
                             validate: ((Double) -> String?)? = nil) throws(InputError) -> [Double] {
        var parser = Parser(source: source, validate: validate)
        var values: [Double] = []
        _ = try parser.lines(bytes, final: true, into: &values)
        if values.isEmpty { throw InputError(file: source, expected: "at least one number, found none") }
        return values
    }

    /// The line-by-line state across chunks, for reading a stream of bytes in pieces: feed each
    /// piece to ``lines(_:final:into:)``, keep the bytes it did not consume (an unfinished line)
    /// in front of the next piece, and mark the last piece `final`.
    public struct Parser {
        let source: String
        let validate: ((Double) -> String?)?
        var line = 0
        /// The last chunk ended in `\r`: a `\n` first in the next one ends no line.
        var afterCarriageReturn = false
        var scratch = [CChar](repeating: 0, count: 64)

        public init(source: String, validate: ((Double) -> String?)?) {
            self.source = source
            self.validate = validate
        }

        /// Parses every complete line of `bytes` (all of it when `final`) and returns how many
        /// bytes it consumed.
        public mutating func lines(_ bytes: UnsafeBufferPointer<UInt8>, final: Bool, into values: inout [Double]) throws(InputError) -> Int {
            var start = 0, i = 0
            let n = bytes.count
            if afterCarriageReturn && n > 0 && bytes[0] == 0x0A { start = 1; i = 1 }
            afterCarriageReturn = false
            while i < n {
                let b = bytes[i]
                if b == 0x0A || b == 0x0D {
                    try token(UnsafeBufferPointer(rebasing: bytes[start..<i]), into: &values)
                    if b == 0x0D {
                        if i + 1 < n { if bytes[i + 1] == 0x0A { i += 1 } } else { afterCarriageReturn = true }
                    }
                    i += 1
                    start = i
                } else {
                    i += 1
                }
            }
            if final && start < n {
                try token(UnsafeBufferPointer(rebasing: bytes[start..<n]), into: &values)
                return n
            }
            return start
        }

        /// One line: skipped when blank, else exactly one finite number.
        mutating func token(_ raw: UnsafeBufferPointer<UInt8>, into values: inout [Double]) throws(InputError) {
            line += 1
            var lo = 0, hi = raw.count
            if line == 1 && hi >= 3 && raw[0] == 0xEF && raw[1] == 0xBB && raw[2] == 0xBF { lo = 3 }
            while lo < hi && Self.isBlank(raw[lo]) { lo += 1 }
            while hi > lo && Self.isBlank(raw[hi - 1]) { hi -= 1 }
            if lo == hi { return }
            let text = UnsafeBufferPointer(rebasing: raw[lo..<hi])
            var printable = true
            for b in text {
                if b == 0x2C {   // ','
                    throw InputError(file: source, line: line,
                                     expected: "one number per line (use --column NAME for a CSV file), found \(Self.quoted(text))")
                }
                if b <= 0x20 || b >= 0x7F { printable = false }
            }
            if !printable && String(validating: text, as: UTF8.self) == nil {
                throw InputError(file: source, line: line, expected: "UTF-8 text, found bytes that are not UTF-8")
            }
            guard printable, let value = parse(text) else {
                throw InputError(file: source, line: line, expected: "a number, found \(Self.quoted(text))")
            }
            guard value.isFinite else {
                throw InputError(file: source, line: line, expected: "a finite number, found \(Self.quoted(text))")
            }
            if let validate, let expected = validate(value) {
                throw InputError(file: source, line: line, expected: expected)
            }
            values.append(value)
        }

        /// `strtod` of the whole token, or nil when it is not one number.
        mutating func parse(_ text: UnsafeBufferPointer<UInt8>) -> Double? {
            if text.count >= scratch.count { scratch = [CChar](repeating: 0, count: text.count + 1) }
            return scratch.withUnsafeMutableBufferPointer { s -> Double? in
                guard let base = s.baseAddress, let from = text.baseAddress else { return nil }
                memcpy(base, from, text.count)
                base[text.count] = 0
                var end: UnsafeMutablePointer<CChar>?
                errno = 0
                let value = strtod(base, &end)
                guard let end, end == base + text.count else { return nil }
                return value
            }
        }

        /// Space, tab, vertical tab, form feed (the line breaks are handled before).
        static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0B || b == 0x0C }

        static func quoted(_ text: UnsafeBufferPointer<UInt8>) -> String {
            InputError.quoted(String(decoding: text, as: UTF8.self))
        }
    }
}
