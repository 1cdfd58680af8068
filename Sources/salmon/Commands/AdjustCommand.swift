import ArgumentParser
import DeadSalmon

/// `salmon adjust`: multiple-testing adjustment of p-values from a file.
struct AdjustCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adjust",
        abstract: "Adjust p-values for multiple comparisons (FWER or FDR control).",
        discussion: """
            Reads p-values in [0, 1] (one per line, or a CSV column) and prints the adjusted values \
            in input order with the reject decision at --alpha. Methods: \
            \(MultipleTestingMethod.allCases.map(\.rawValue).joined(separator: ", ")).
            """
    )

    @Option(help: "Correction: \(MultipleTestingMethod.allCases.map(\.rawValue).joined(separator: "|")).")
    var method: MultipleTestingMethod = .holm

    @Option(parsing: .unconditional, help: "Error-rate level for the reject decisions, in (0, 1).")
    var alpha: Double = 0.05

    @OptionGroup var input: NumberInput
    @OptionGroup var output: OutputOptions

    @Argument(help: "File of p-values, or - for standard input.")
    var file: String

    struct Output: Encodable {
        var method: String
        var alpha: Double
        var count: Int
        var pValues: [Double]
        var adjusted: [Double]
        var reject: [Bool]
    }

    func run() throws {
        try validateLevel(alpha, option: "--alpha")
        let p: [Double]
        if let column = input.column {
            let (entries, source) = try NumberList.readWithLines(path: file, column: column)
            if let bad = entries.first(where: { !($0.value >= 0 && $0.value <= 1) }) {
                throw InputError(file: source, line: bad.line, field: "column \"\(column)\"", expected: "a p-value in [0, 1], found \(bad.value)")
            }
            p = entries.map(\.value)
        } else {
            p = try NumberLines.read(path: file) { $0 >= 0 && $0 <= 1 ? nil : "a p-value in [0, 1], found \($0)" }.values
        }
        let result = try MultipleTesting.adjust(p, method: method, alpha: alpha)
        switch output.format {
        case .json:
            emit(try jsonText(Output(method: method.rawValue, alpha: alpha, count: p.count, pValues: p,
                                     adjusted: result.adjusted, reject: result.reject)))
        case .csv:
            // Row by row into a buffer of bytes: a million rows without a String per cell.
            var out = OutputBuffer()
            out.append("index,p_value,adjusted,reject\n" as StaticString)
            for i in p.indices {
                out.append(i + 1)
                out.append("," as StaticString)
                out.append(p[i])
                out.append("," as StaticString)
                out.append(result.adjusted[i])
                out.append(result.reject[i] ? ",true\n" as StaticString : ",false\n")
            }
            out.flush()
        }
    }
}
