/// What an interpretability method produces for one model: the **explanation**.
///
/// Three shapes are first-class (DESIGN.md, "Core concepts"): a scalar or vector (probe accuracy,
/// per-component correlations), a map over inputs or units (attributions, neuron scores,
/// dictionaries), and a set of structures (circuits, mappings). Whatever the shape, an explanation
/// also carries named scalar summaries — the quantities claims are made about — and, for those
/// that are means of per-example scores, the scores themselves, so that the audit can bootstrap
/// over evaluation inputs without re-running the method (the cheap path of the resampling plan).
public struct Explanation: Sendable, Codable, Equatable {
    /// The explanation's shape.
    public enum Shape: String, Sendable, Codable, CaseIterable {
        case scalar, vector, map, set
    }

    /// A map over inputs or units: values in row-major order with named axes.
    public struct Map: Sendable, Codable, Equatable {
        public var shape: [Int]
        public var axes: [String]
        public var values: [Double]
        public init(shape: [Int], axes: [String], values: [Double]) {
            precondition(shape.reduce(1, *) == values.count && axes.count == shape.count, "Explanation.Map: shape and values disagree")
            self.shape = shape
            self.axes = axes
            self.values = values
        }
    }

    /// The estimator's name.
    public var method: String
    public var shape: Shape
    /// Named scalar summaries (for example `accuracy`, `selectivity`).
    public var scalars: [String: Double]
    /// For a scalar that is the mean of per-example scores, those scores, under the same name.
    public var perExample: [String: [Double]]
    /// The vector (for `.vector`), e.g. one value per principal component.
    public var vector: [Double]?
    /// The map (for `.map`).
    public var map: Map?
    /// The structures (for `.set`): each a sorted list of unit indices.
    public var structures: [[Int]]?
    /// Self-checks and fitting diagnostics (iterations, folds that did not converge, completeness gaps).
    public var diagnostics: [String: Double]

    public init(method: String, shape: Shape, scalars: [String: Double], perExample: [String: [Double]] = [:],
                vector: [Double]? = nil, map: Map? = nil, structures: [[Int]]? = nil, diagnostics: [String: Double] = [:]) {
        self.method = method
        self.shape = shape
        self.scalars = scalars
        self.perExample = perExample
        self.vector = vector
        self.map = map
        self.structures = structures
        self.diagnostics = diagnostics
    }
}
