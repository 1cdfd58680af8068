public import SalmonDiagnostics
import SalmonStatistics

/// An interpretability method seen as a statistical estimator: given a model's data (and a random
/// stream, for methods that are themselves random) it returns an ``Explanation``.
///
/// Estimators are values: they hold their settings and return results; they keep no mutable
/// result state, so one estimator can run on many null models at once.
public protocol Estimator: Sendable {
    /// What the method consumes (activations and labels for a probe; a model and inputs for attribution).
    associatedtype Input: Sendable
    /// The method's name in specs and reports.
    var name: String { get }
    /// What the method needs from a model.
    var requirements: Set<EstimatorRequirement> { get }
    /// The statistics this method's explanations offer, with their directions.
    var statistics: [ExplanationStatistic] { get }
    /// Runs the method. Every random choice it makes (folds, initializations) comes from `stream`.
    func explain(_ input: Input, stream: RandomStream) throws -> Explanation
}

/// What an estimator needs from a model.
public enum EstimatorRequirement: String, Sendable, Codable, CaseIterable {
    /// Activations captured at a hook site.
    case activations
    /// Labels (or targets) for the evaluation inputs.
    case labels
    /// Gradients of an output with respect to the inputs.
    case inputGradients
    /// The ability to mask units (node ablation).
    case nodeMasks
    /// The ability to mask weights (edge ablation).
    case edgeMasks
}

/// A named scalar function of an explanation that claims are made about, with the direction in
/// which it means "more structure".
public struct ExplanationStatistic: Sendable, Hashable, Codable {
    public enum Direction: String, Sendable, Codable {
        /// Larger values mean more structure (accuracy, selectivity); tested with alternative `greater`.
        case larger
        /// Smaller values mean more structure (a loss, a distance); tested with alternative `less`.
        case smaller
        /// The Monte Carlo alternative that tests "more structure than the null".
        public var alternative: Alternative { self == .larger ? .greater : .less }
    }

    public var name: String
    public var direction: Direction
    public var summary: String

    public init(_ name: String, direction: Direction, summary: String) {
        self.name = name
        self.direction = direction
        self.summary = summary
    }

    /// The statistic's value in `explanation`.
    /// - Throws: ``MethodError`` when the explanation lacks it or it is not finite.
    public func value(in explanation: Explanation) throws -> Double {
        guard let v = explanation.scalars[name] else {
            throw MethodError("\(explanation.method) does not report the statistic '\(name)' (it reports \(explanation.scalars.keys.sorted().joined(separator: ", ")))")
        }
        guard v.isFinite else { throw MethodError("\(explanation.method): statistic '\(name)' is \(v)") }
        return v
    }
}

/// An error from running a method on data: one line naming what is wrong.
public struct MethodError: SalmonError, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
    /// A method's error names its data in the message; no file or field of its own.
    public var location: ErrorLocation { ErrorLocation() }
    public var expected: String { message }

    /// Checks that every value of each named list is an index below `bound` — a token of a
    /// vocabulary, a class of a network's output — and throws naming the first that is not:
    /// "`method`: `name` `i` is `kind` `v`, outside `range` 0 … bound − 1".
    public static func requireIndices(_ lists: KeyValuePairs<String, [Int]>, below bound: Int, method: String,
                                      kind: String, range: String) throws {
        for (name, values) in lists {
            if let i = values.firstIndex(where: { !(0..<bound).contains($0) }) {
                throw MethodError("\(method): \(name) \(i) is \(kind) \(values[i]), outside \(range) 0 … \(bound - 1)")
            }
        }
    }
}
