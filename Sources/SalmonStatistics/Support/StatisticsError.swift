public import SalmonDiagnostics
/// An invalid argument to a statistics routine: which parameter, and what was expected.
///
/// Every public entry point validates its inputs in one place and throws this error with a message
/// that names the parameter, never crashes on data (scipy's convention of validating up front).
public struct StatisticsError: SalmonError, Equatable {
    /// The parameter at fault, as named in the API (`level`, `pValues`, `resamples`, …).
    public let parameter: String
    /// What was expected, and where useful what was found.
    public let expected: String

    public init(_ parameter: String, expected: String) {
        self.parameter = parameter
        self.expected = expected
    }

    public var description: String { "\(parameter): expected \(expected)" }

    /// The parameter at fault.
    public var location: ErrorLocation { ErrorLocation(field: parameter) }

    /// Throws unless every value is finite; names the first offending index.
    static func requireFinite(_ values: [Double], _ parameter: String) throws {
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw StatisticsError(parameter, expected: "finite numbers, found \(values[i]) at index \(i)")
        }
    }

    static func requireCount(_ values: [Double], atLeast n: Int, _ parameter: String) throws {
        if values.count < n {
            throw StatisticsError(parameter, expected: "at least \(n) value\(n == 1 ? "" : "s"), found \(values.count)")
        }
    }

    static func requireLevel(_ level: Double, _ parameter: String = "level") throws {
        if !(level > 0 && level < 1) {
            throw StatisticsError(parameter, expected: "a confidence level strictly between 0 and 1, found \(level)")
        }
    }
}
