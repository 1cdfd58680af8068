/// Bad input in a user's file: which file, where, and what was expected.
///
/// Its description is the one line the CLI prints before exiting with code 2, for example
/// `scores.csv:14: column "accuracy": expected a finite number, found "NaN"`.
public struct InputError: Error, Sendable, Equatable, CustomStringConvertible {
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

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let field { return "\(location): \(field): expected \(expected)" }
        return "\(location): expected \(expected)"
    }
}
