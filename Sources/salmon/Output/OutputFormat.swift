import ArgumentParser
import Foundation

/// How a command prints its result.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case csv
    case json
}

/// Shared options of the commands that read numbers and print a result.
struct OutputOptions: ParsableArguments {
    @Option(help: "Output format: csv (a header and one row per result) or json.")
    var format: OutputFormat = .csv
}

/// A table printed as CSV: a header row, then rows; every cell already formatted.
struct CSVOutput {
    var header: [String]
    var rows: [[String]]

    var text: String {
        ([header] + rows).map { $0.map(Self.escape).joined(separator: ",") }.joined(separator: "\n") + "\n"
    }

    static func escape(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Formats a number for CSV: the shortest text that reads back as the same Double.
func cell(_ value: Double) -> String { "\(value)" }
func cell(_ value: Int) -> String { "\(value)" }
func cell(_ value: UInt64) -> String { "\(value)" }
func cell(_ value: Bool) -> String { value ? "true" : "false" }

/// Encodes a result as JSON with sorted keys, so output is stable for snapshots and diffs.
func jsonText<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
}

/// Prints the whole output at once, after every computation has succeeded (so a failure leaves
/// nothing on stdout).
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}
