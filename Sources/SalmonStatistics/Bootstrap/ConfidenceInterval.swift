/// A two-sided confidence interval `[lower, upper]` at a confidence level.
public struct ConfidenceInterval: Sendable, Codable, Equatable, CustomStringConvertible {
    public var lower: Double
    public var upper: Double
    /// The nominal coverage, for example 0.95.
    public var level: Double

    public init(lower: Double, upper: Double, level: Double) {
        self.lower = lower
        self.upper = upper
        self.level = level
    }

    /// Whether `value` lies in the closed interval.
    public func contains(_ value: Double) -> Bool { lower <= value && value <= upper }

    /// Whether both endpoints were computed (neither is NaN).
    public var isDetermined: Bool { !lower.isNaN && !upper.isNaN }

    public var description: String { "[\(lower), \(upper)] (\(level))" }
}
