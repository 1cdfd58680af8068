import Testing
@testable import SalmonIO

/// Pieces the fuzzer strings together: CSV syntax, number syntax, words, and invalid UTF-8.
private let fragments: [[UInt8]] = {
    let text = [",", "\"", "\"\"", "\r", "\n", "\r\n", " ", "\t",
                "0", "1", "7", "9", ".", "-", "+", "e", "E", "e-", "1e308", "9e999", "0.5", "-2.25", "1e-5",
                "nan", "NaN", "inf", "Infinity", "x", "a", "accuracy", "model", "0x1p3"]
    let bytes: [[UInt8]] = [[0xFF], [0xFE], [0xC3], [0xE2, 0x82], [0x80], [0xEF, 0xBB, 0xBF], [0x00]]
    return text.map { Array($0.utf8) } + bytes
}()

/// Number-like fragments, drawn more often so that a fair share of inputs parse.
private let numbers: [[UInt8]] = ["0.5", "1", "-3", "2e-3", "0.125", "42", " 7 ", "1E2"].map { Array($0.utf8) }

private func randomBytes(_ rng: inout FormatRandom) -> [UInt8] {
    var bytes: [UInt8] = []
    /// A fragment of noise, with probability 1/`oneIn`.
    func noise(_ rng: inout FormatRandom, oneIn: Int) -> [UInt8] {
        rng.below(oneIn) == 0 ? fragments[rng.below(fragments.count)] : []
    }
    switch rng.below(3) {
    case 0:  // noise
        for _ in 0..<rng.below(40) { bytes += fragments[rng.below(fragments.count)] }
    case 1:  // a number list, lightly corrupted
        let lineEnd = Array((rng.below(4) == 0 ? "\r\n" : "\n").utf8)
        for _ in 0..<rng.below(12) {
            bytes += noise(&rng, oneIn: 12) + numbers[rng.below(numbers.count)] + noise(&rng, oneIn: 12) + lineEnd
        }
    default:  // a two-column CSV file, lightly corrupted
        bytes += Array("accuracy,model\n".utf8)
        for _ in 0..<rng.below(10) {
            bytes += noise(&rng, oneIn: 10) + numbers[rng.below(numbers.count)] + noise(&rng, oneIn: 10)
            bytes += Array(",".utf8) + noise(&rng, oneIn: 10) + fragments[rng.below(fragments.count)]
            bytes += Array((rng.below(4) == 0 ? "\r\n" : "\n").utf8)
        }
    }
    return bytes
}

@Suite("Robustness")
struct RobustnessTests {
    @Test func randomInputNeverCrashesAndParsesOnlyFiniteNumbers() throws {
        var rng = FormatRandom(state: 0x5A1_3014)
        var tablesParsed = 0, listsParsed = 0, columnsParsed = 0
        for _ in 0..<2000 {
            let bytes = randomBytes(&rng)
            let text = String(decoding: bytes, as: UTF8.self)

            // CSVTable: either a well-formed table or an InputError (typed throws: nothing else).
            do {
                let table = try CSVTable(parsing: text, source: "fuzz.csv")
                tablesParsed += 1
                #expect(table.rows.count == table.lines.count)
                #expect(table.rows.allSatisfy { $0.count == table.header.count })
                #expect(zip(table.lines, table.lines.dropFirst()).allSatisfy { $0 < $1 })
                #expect(table.lines.allSatisfy { $0 >= 2 })

                if let name = table.header.first {
                    do {
                        let values = try NumberList.parse(text, source: "fuzz.csv", column: name)
                        columnsParsed += 1
                        #expect(values.count == table.rows.count)
                        #expect(values.allSatisfy { $0.isFinite }, "non-finite value from \(bytes)")
                    } catch {
                        #expect(error.file == "fuzz.csv")
                        #expect(error.line.map { $0 >= 1 } ?? true)
                    }
                }
            } catch {
                #expect(error.file == "fuzz.csv")
                #expect(error.line.map { $0 >= 1 } ?? true)
            }

            // One number per line.
            do {
                let values = try NumberList.parse(text, source: "fuzz.txt")
                listsParsed += 1
                #expect(!values.isEmpty)
                #expect(values.allSatisfy { $0.isFinite }, "non-finite value from \(bytes)")
            } catch {
                #expect(error.file == "fuzz.txt")
                #expect(!error.description.isEmpty)
            }

            // A column that (almost surely) does not exist.
            do {
                let values = try NumberList.parse(text, source: "fuzz.csv", column: "accuracy")
                #expect(values.allSatisfy { $0.isFinite }, "non-finite value from \(bytes)")
            } catch {
                #expect(error.file == "fuzz.csv")
            }
        }
        // The generator must exercise both outcomes, or the test proves little.
        #expect(tablesParsed >= 300, "only \(tablesParsed) of 2000 inputs parsed as CSV")
        #expect(tablesParsed <= 1800, "\(tablesParsed) of 2000 inputs parsed as CSV: too few errors")
        #expect(listsParsed >= 100, "only \(listsParsed) of 2000 inputs parsed as a number list")
        #expect(columnsParsed >= 200, "only \(columnsParsed) of 2000 inputs gave a CSV column of numbers")
    }
}
