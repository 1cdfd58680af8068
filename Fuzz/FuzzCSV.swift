// Fuzz target: the CSV number reader (CSVTable, and NumberList with --column).
// Invariants: parsing never crashes; it either throws InputError or returns a table whose rows all
// have the header's width and whose lines increase; the table written back with every field quoted
// (RFC 4180) parses to the same header and rows; every column read as numbers gives finite values,
// one per row.
import SalmonIO

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let table = try? CSVTable(parsing: text, source: "fuzz") else { return 0 }
    for row in table.rows where row.count != table.header.count { fatalError("ragged row accepted") }
    if table.lines != table.lines.sorted() || Set(table.lines).count != table.lines.count { fatalError("row lines out of order") }
    // On Unicode scalars: a quote followed by a combining mark is one Character but still a quote.
    func quoted(_ field: String) -> String {
        var out = String.UnicodeScalarView()
        out.append("\"")
        for scalar in field.unicodeScalars {
            if scalar == "\"" { out.append("\"") }
            out.append(scalar)
        }
        out.append("\"")
        return String(out)
    }
    let written = ([table.header] + table.rows).map { $0.map(quoted).joined(separator: ",") }.joined(separator: "\n") + "\n"
    // A row of empty fields is a blank line only when unquoted; quoted, it is a row. Compare rows.
    do {
        let again = try CSVTable(parsing: written, source: "fuzz-written")
        if again.header != table.header || again.rows != table.rows { fatalError("the table written back parses differently") }
    } catch {
        fatalError("the table written back does not parse: \(error)")
    }
    for name in Set(table.header) {
        if let values = try? NumberList.parse(text, source: "fuzz", column: name) {
            if values.count != table.rows.count { fatalError("column \(name): \(values.count) values for \(table.rows.count) rows") }
            for v in values where !v.isFinite { fatalError("non-finite number accepted") }
        }
    }
    return 0
}
