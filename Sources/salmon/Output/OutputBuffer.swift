#if canImport(Glibc)
import Glibc
#endif

/// Standard output written in pieces of 1 MiB as they fill, for results of millions of rows: the
/// text is never built whole (a `String` per row, or the whole table, costs more than the values).
///
/// A command uses it only after every computation has succeeded, as ``emit(_:)`` is used, so a
/// failure still leaves nothing on standard output. Numbers print as ``cell(_:)-(Double)`` prints
/// them: the shortest text that reads back as the same `Double`.
struct OutputBuffer {
    private var bytes: [UInt8] = []
    private let limit = 1 << 20

    init() { bytes.reserveCapacity(limit + 64) }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
        flushIfFull()
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
        flushIfFull()
    }

    /// The shortest round-trip text of `value` (Swift's `description`).
    mutating func append(_ value: Double) { append(value.description) }

    /// A non-negative or negative integer in decimal.
    mutating func append(_ value: Int) {
        if value == 0 { bytes.append(0x30); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value.magnitude
        withUnsafeMutableBytes(of: &digits) { d in
            while rest > 0 {
                d[count] = 0x30 + UInt8(rest % 10)
                rest /= 10
                count += 1
            }
            if value < 0 { bytes.append(0x2D) }
            for k in stride(from: count - 1, through: 0, by: -1) { bytes.append(d[k]) }
        }
        flushIfFull()
    }

    mutating func flushIfFull() { if bytes.count >= limit { flush() } }

    /// Writes what is buffered to standard output.
    mutating func flush() {
        var offset = 0
        bytes.withUnsafeBytes { b in
            guard let base = b.baseAddress else { return }
            while offset < b.count {
                let written = write(1, base + offset, b.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return   // a closed pipe: the reader is gone, as with FileHandle's write
                }
                offset += written
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }
}
