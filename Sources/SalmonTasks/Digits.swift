import Foundation
import SalmonIO
import SalmonNetworks

/// The 8×8 handwritten digits shipped with the package: 1,797 images of 64 pixels (0–16) and
/// their digit, the UCI "Optical Recognition of Handwritten Digits" test set (Alpaydin & Kaynak
/// 1998, CC BY 4.0) that scikit-learn ships as `load_digits`, converted once by
/// `Resources/convert_digits.py`.
public enum Digits {
    /// The images as `[1797, 64]` inputs scaled to [0, 1] (pixel / 16) and the digits as class
    /// indices `[1797]`, in the file's order.
    /// - Throws: ``InputError`` if the bundled file is missing or malformed.
    public static func load() throws -> Dataset {
        guard let url = Bundle.module.url(forResource: "digits", withExtension: "csv") else {
            throw InputError(file: "digits.csv", expected: "the digits resource bundled with SalmonTasks")
        }
        let (text, source) = try InputFile.readText(url.path)
        let table = try CSVTable(parsing: text, source: source)
        guard table.header.count == 65, table.rows.count == 1797 else {
            throw InputError(file: source, expected: "1,797 rows of 64 pixels and a label, found \(table.rows.count) × \(table.header.count)")
        }
        var pixels = [Float](repeating: 0, count: 1797 * 64), labels = [Float](repeating: 0, count: 1797)
        for (r, row) in table.rows.enumerated() {
            for c in 0..<65 {
                guard let value = Int(row[c]), (c < 64 ? 0...16 : 0...9).contains(value) else {
                    throw InputError(file: source, line: table.lines[r], field: table.header[c],
                                     expected: c < 64 ? "a pixel value in 0...16" : "a digit in 0...9")
                }
                if c < 64 { pixels[r * 64 + c] = Float(value) / 16 } else { labels[r] = Float(value) }
            }
        }
        return Dataset(name: "digits", inputs: Tensor(shape: [1797, 64], scalars: pixels),
                       targets: Tensor(shape: [1797], scalars: labels), classes: 10)
    }
}
