// Fuzz target: CSV tables and number lists, as the CLI reads them.
// Invariants: parsing never crashes; it either throws InputError or returns finite numbers, and a
// parsed table's rows all have the header's width.
import SalmonIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let table = try? CSVTable(parsing: text, source: "fuzz") {
        for row in table.rows where row.count != table.header.count { fatalError("ragged row accepted") }
        if let name = table.header.first, let values = try? NumberList.parse(text, source: "fuzz", column: name) {
            for v in values where !v.isFinite { fatalError("non-finite number accepted") }
        }
    }
    if let values = try? NumberList.parse(text, source: "fuzz") {
        for v in values where !v.isFinite { fatalError("non-finite number accepted") }
    }
    return 0
}
