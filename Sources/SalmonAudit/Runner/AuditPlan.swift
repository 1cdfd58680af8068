/// What an audit computes, derived from the spec alone (so that merging shards needs no model):
/// the sites of each claim and the tests, in report order.
public enum AuditPlan {
    /// The package version recorded in every result.
    public static let packageVersion = "0.2.0"

    /// The sites of `claim`: its own, else the spec's, else every hidden layer's output
    /// (`layers.0.post` … `layers.(H−1).post` for H hidden layers).
    public static func sites(for claim: ClaimSpec, in spec: AuditSpec) -> [String] {
        if spec.model.activations != nil { return [ActivationSubject.site] }
        return claim.sites ?? spec.sites ?? (0..<spec.model.hidden.count).map { "layers.\($0).post" }
    }

    /// Every site any claim reads.
    public static func allSites(_ spec: AuditSpec) -> Set<String> {
        Set(spec.claims.flatMap { sites(for: $0, in: spec) })
    }

    /// The test id: `claim@site~family`.
    public static func testID(claim: String, site: String, family: String) -> String { "\(claim)@\(site)~\(family)" }

    /// K_t as the spec states it (1 for a model loaded from a file).
    public static func trainedSeeds(_ spec: AuditSpec) -> Int { spec.model.isFileModel ? 1 : spec.model.training.seeds }

    /// Every unit of the audit in its fixed order.
    public static func units(_ spec: AuditSpec) -> [AuditUnit] {
        AuditUnit.all(trainedSeeds: trainedSeeds(spec), nulls: spec.nulls)
    }
}
