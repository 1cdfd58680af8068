public import SalmonDiagnostics

/// Bad input in a user's file: which file, where, and what was expected.
///
/// Its description is the one line the CLI prints before exiting with code 2, for example
/// `scores.csv:14: column "accuracy": expected a finite number, found "NaN"`.
public struct InputError: SalmonError, Equatable {
    /// The file's path as given by the user, or `<stdin>`.
    public var file: String
    /// The 1-based line, when the problem has one.
    public var line: Int?
    /// The field, column or tensor at fault, when there is one.
    public var field: String?
    /// What was expected, and what was found.
    public var expected: String

    public init(file: String, line: Int? = nil, field: String? = nil, expected: String) {
        self.file = file
        self.line = line
        self.field = field
        self.expected = expected
    }

    public var location: ErrorLocation { ErrorLocation(file: file, field: field, line: line) }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let field { return "\(location): \(field): expected \(expected)".escapingLineBreaks }
        return "\(location): expected \(expected)".escapingLineBreaks
    }

    /// `text` in double quotes for a one-line message: at most `limit` characters (40 unless
    /// said otherwise; tensor names use more), with line breaks, tabs, quotes and other control
    /// characters escaped, so a message never spans lines.
    public static func quoted(_ text: some StringProtocol, limit: Int = 40) -> String {
        var out = "\""
        for scalar in text.prefix(max(0, limit)).unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + (text.count > max(0, limit) ? "…\"" : "\"")
    }
}
