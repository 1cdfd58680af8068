import SalmonStatistics

/// What an audit computes, derived from the spec alone (so that merging shards needs no model):
/// the sites of each claim and the tests, in report order.
public enum AuditPlan {
    /// The package version recorded in every result.
    public static let packageVersion = "0.2.0"

    /// The sites of `claim`: its own, else the spec's, else every hidden layer's output
    /// (`layers.0.post` … `layers.(H−1).post` for H hidden layers; for a transformer trained here,
    /// the residual stream after each block, `blocks.i.resid`).
    ///
    /// A claim whose sites are randomization stages (``SiteRole/randomizationStage``: the method
    /// reads the whole network whatever the site) ignores the top-level `sites`. By default: every
    /// layer from the output down (`layers.L−1.post` … `layers.0.post`, the cascade of Adebayo et
    /// al.'s Figure 2) when a site-dependent family (``siteDependentFamilies``) is audited, else the
    /// output layer alone (every site would test the same null models).
    public static func sites(for claim: ClaimSpec, in spec: AuditSpec) -> [String] {
        if let files = spec.model.activations { return claim.sites ?? spec.sites ?? files.siteNames }
        if spec.model.maps != nil { return [AttributionMapFiles.site] }
        switch claim.family.siteRole {
        case .randomizationStage:
            if let own = claim.sites { return own }
            let cascade = spec.nulls.contains { siteDependentFamilies.contains($0.family) }
            if let transformer = spec.model.transformer {
                let blocks = transformer.layers
                return (cascade ? Array((0..<blocks).reversed()) : [blocks - 1]).map { "blocks.\($0).resid" }
            }
            let layers = spec.model.layerCount
            return (cascade ? Array((0..<layers).reversed()) : [layers - 1]).map { "layers.\($0).post" }
        case .measurement:
            if let own = claim.sites ?? spec.sites { return own }
            if let transformer = spec.model.transformer { return (0..<transformer.layers).map { "blocks.\($0).resid" } }
            return (0..<(spec.model.layerCount - 1)).map { "layers.\($0).post" }
        }
    }

    /// Whether `claim` is tested at `site` against `family`. A claim that measures at its sites is
    /// tested against every family at every site. A claim whose sites are randomization stages
    /// only changes the models of the site-dependent families with the site, so it is tested
    /// against the others once, at its first site (the same null models at every site would only
    /// repeat the test).
    ///
    /// A family that keeps the trained network is tested only where it applies: an
    /// estimator-level family (`frozen-decoder`) against the claims whose family offers it
    /// (``ClaimFamily/estimatorNulls``), `gaussian-activations` against claims that read activations.
    /// An estimator-level family varies the method on the trained network, which is the same at
    /// every randomization stage: it too is tested once, at the claim's first site.
    public static func isTested(_ claim: ClaimSpec, at site: String, against family: String, in spec: AuditSpec) -> Bool {
        if let kind = NullSpec.Family(rawValue: family), kind.keepsTrainedNetwork {
            guard kind.isEstimatorLevel else { return claim.requirements.contains(.activations) }
            guard claim.family.estimatorNulls(of: claim).contains(family) else { return false }
            return claim.family.siteRole != .randomizationStage || site == sites(for: claim, in: spec).first
        }
        guard claim.family.siteRole == .randomizationStage, !siteDependentFamilies.contains(family) else { return true }
        return site == sites(for: claim, in: spec).first
    }

    /// The layer a site names: `layers.ℓ.pre` or `layers.ℓ.post` → ℓ; nil for any other site
    /// (`input`, a typo). Whether ℓ exists depends on the model (``NetworkSubject`` checks it).
    public static func layer(of site: String) -> Int? {
        let parts = site.split(separator: ".")
        guard parts.count == 3, parts[0] == "layers", let l = Int(parts[1]), l >= 0, parts[2] == "pre" || parts[2] == "post" else {
            return nil
        }
        return l
    }

    /// The null families whose model depends on the site: the layer a site names is where the
    /// cascade stops, or the layer re-initialized alone.
    public static let siteDependentFamilies: Set<String> = ["cascading-top-down", "cascading-bottom-up", "independent-layer"]

    /// Every site whose activations some claim reads (``ClaimRequirement/activations``).
    /// With them, the sites claims read besides their own (``ClaimFamily/readSites(of:)``).
    public static func allSites(_ spec: AuditSpec) -> Set<String> {
        Set(spec.claims.filter { $0.requirements.contains(.activations) }.flatMap { sites(for: $0, in: spec) + $0.family.readSites(of: $0) })
    }

    /// The null families a claim that reads a second site (``ClaimFamily/readSites(of:)``) is not
    /// defined against: the site-dependent ones, whose model differs between the two sites, and
    /// `gaussian-activations`, which draws each site independently.
    public static let familiesUndefinedAcrossSites: Set<String> = siteDependentFamilies.union([NullSpec.Family.gaussianActivations.rawValue])

    /// The stream of `claim`'s method at `site`: `seed → "method" → claim → site` for a claim that
    /// measures at its sites, `seed → "method" → claim` for one whose sites are randomization stages.
    static func methodStream(_ claim: ClaimSpec, site: String, seed: UInt64) -> RandomStream {
        RandomStream(seed: seed, path: StreamPath(["method", .label(claim.name)] + sitePath(claim, site: site)))
    }

    /// The stream of the bootstrap of `claim`'s trained estimate at `site` (with `suffix`, e.g. `two-level`).
    static func bootstrapPath(_ claim: ClaimSpec, site: String, suffix: [StreamPath.Component] = []) -> StreamPath {
        StreamPath(["bootstrap", .label(claim.name)] + sitePath(claim, site: site) + suffix)
    }

    /// The site's part of a claim's stream paths: none when a trained network's value is the same at every site.
    private static func sitePath(_ claim: ClaimSpec, site: String) -> [StreamPath.Component] {
        switch claim.family.siteRole {
        case .measurement: return [.label(site)]
        case .randomizationStage: return []
        }
    }

    /// The test id: `claim@site~family`.
    public static func testID(claim: String, site: String, family: String) -> String { "\(claim)@\(site)~\(family)" }

    /// K_t as the spec states it: the number of state dicts for a loaded model, 1 for activation
    /// files, `training.seeds` for a model trained here.
    public static func trainedSeeds(_ spec: AuditSpec) -> Int {
        if let files = spec.model.stateDict { return files.paths.count }
        if let maps = spec.model.maps { return maps.trained.count }
        return spec.model.activations != nil ? 1 : spec.model.training.seeds
    }

    /// Every unit of the audit in its fixed order.
    public static func units(_ spec: AuditSpec) -> [AuditUnit] {
        AuditUnit.all(trainedSeeds: trainedSeeds(spec), nulls: spec.nulls)
    }
}
