import SalmonStatistics

/// What one unit produced: the statistic of every claim at every site, keyed `claim@site`; for a
/// trained unit also the bootstrap over evaluation inputs and, for statistics that are means of
/// per-example scores, those scores (for the two-level bootstrap over seeds × inputs).
public struct UnitRecord: Sendable, Codable, Equatable {
    /// The record format; bump when the layout changes so old records are not reused.
    public static let format = "deadsalmon.unit-record/3"

    public var format: String
    public var specHash: String
    /// The subject's data hash (data, trained weights, supplied activations) when the record was made.
    public var dataHash: String
    /// The package version that computed it (a new version recomputes rather than reuses).
    public var packageVersion: String
    public var unit: AuditUnit
    public var values: [String: Double]
    public var bootstraps: [String: StoredBootstrap]
    public var perExample: [String: [Double]]
    /// Summed fitting diagnostics (for example `task.foldsNotConverged`) over the unit's claims.
    public var diagnostics: [String: Double]
    /// For a trained unit, the statistics its family does not resample, with the reason
    /// (``ClaimResampling/none(reason:)``).
    public var unresampled: [String: String]

    public init(specHash: String, dataHash: String, unit: AuditUnit, values: [String: Double] = [:], bootstraps: [String: StoredBootstrap] = [:],
                perExample: [String: [Double]] = [:], diagnostics: [String: Double] = [:], unresampled: [String: String] = [:]) {
        self.format = Self.format
        self.specHash = specHash
        self.dataHash = dataHash
        self.packageVersion = AuditPlan.packageVersion
        self.unit = unit
        self.values = values
        self.bootstraps = bootstraps
        self.perExample = perExample
        self.diagnostics = diagnostics
        self.unresampled = unresampled
    }
}

/// A bootstrap distribution as stored: enough to recompute any interval without resampling.
public struct StoredBootstrap: Sendable, Codable, Equatable {
    public var estimate: Double
    public var replicates: [Double]
    /// The BCa acceleration (NaN, stored as null, when unavailable).
    public var acceleration: Double?
    /// `mean` (resampled per-example scores), `rows` (a statistic of resampled rows) or `full`
    /// (the method re-run on resampled rows).
    public var path: String

    public init(_ result: BootstrapResult, path: String) {
        estimate = result.estimate
        replicates = result.replicates
        acceleration = result.acceleration.isFinite ? result.acceleration : nil
        self.path = path
    }

    public var result: BootstrapResult {
        BootstrapResult(estimate: estimate, replicates: replicates, acceleration: acceleration ?? .nan, provenance: nil)
    }
}

/// The key of a claim at a site in records and results.
public func testKey(claim: String, site: String) -> String { "\(claim)@\(site)" }
