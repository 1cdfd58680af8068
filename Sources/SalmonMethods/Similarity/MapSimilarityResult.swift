/// A similarity measure's values for each row (example) of two maps, and their mean.
public struct MapSimilarityResult: Sendable, Equatable, Codable {
    /// The measure's name (``MapSimilarity/name``).
    public var measure: String
    /// One value per row; NaN where the measure is undefined for that row.
    public var perRow: [Double]
    /// The mean over the rows with a defined value; NaN when there is none.
    public var mean: Double
    /// How many rows had no defined value.
    public var undefinedRows: Int

    public init(measure: String, perRow: [Double]) {
        self.measure = measure
        self.perRow = perRow
        let defined = perRow.filter { !$0.isNaN }
        self.undefinedRows = perRow.count - defined.count
        self.mean = defined.isEmpty ? .nan : defined.reduce(0, +) / Double(defined.count)
    }
}
