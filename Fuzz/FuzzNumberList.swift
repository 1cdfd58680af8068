// Fuzz target: one number per line, as the CLI reads it — the byte reader (NumberLines) and the
// text reader (NumberList).
// Invariants: parsing never crashes; each either throws InputError or returns finite numbers; when
// both accept the input they return the same values, bit for bit; a split into two chunks at any
// point gives the same values as one chunk.
import SalmonIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let fast = try? NumberLines.parse(bytes, source: "fuzz")
    if let fast { for v in fast where !v.isFinite { fatalError("non-finite number accepted by NumberLines") } }
    let text = String(decoding: bytes, as: UTF8.self)
    let slow = try? NumberList.parse(text, source: "fuzz")
    if let slow { for v in slow where !v.isFinite { fatalError("non-finite number accepted by NumberList") } }
    if let fast, let slow, fast.map(\.bitPattern) != slow.map(\.bitPattern) {
        fatalError("NumberLines and NumberList read different values: \(fast) vs \(slow)")
    }
    // The chunked reader: the same lines through two calls, split where the input says.
    if size > 1, let fast {
        let cut = Int(data[0]) % size
        var parser = NumberLines.Parser(source: "fuzz", validate: nil)
        var values: [Double] = []
        do {
            let used = try parser.lines(UnsafeBufferPointer(start: data, count: cut), final: false, into: &values)
            let rest = Array(UnsafeBufferPointer(start: data + used, count: size - used))
            _ = try rest.withUnsafeBufferPointer { try parser.lines($0, final: true, into: &values) }
        } catch {
            fatalError("a split input failed where the whole one parsed: \(error)")
        }
        if values.map(\.bitPattern) != fast.map(\.bitPattern) { fatalError("a split input read different values") }
    }
    return 0
}
