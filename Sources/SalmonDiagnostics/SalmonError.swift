/// An error a person reads: what was expected, and where — the file, the field (a spec path, an
/// option, a tensor, a parameter) and the line when known — printed on one line.
///
/// Every error type of the toolkit adopts it (``InputError``, ``SpecError``, ``StatisticsError``,
/// ``MethodError``, ``AuditError`` and the CLI's usage error), so the command-line tool catches
/// them once, prints the description and exits with code 2.
public protocol SalmonError: Error, CustomStringConvertible, Sendable {
    /// Where the problem is: the file, field and line, each when known.
    var location: ErrorLocation { get }
    /// What was expected, or what went wrong, in a phrase.
    var expected: String { get }
}

/// Where an error is: a file (or `spec`, a unit such as `null/random-init/3`), a field within it
/// (a spec path such as `claims[0].method`, an option such as `--alpha`, a tensor, a parameter)
/// and a line (1-based), each optional.
public struct ErrorLocation: Sendable, Equatable {
    public var file: String?
    public var field: String?
    public var line: Int?

    public init(file: String? = nil, field: String? = nil, line: Int? = nil) {
        self.file = file
        self.field = field
        self.line = line
    }
}
