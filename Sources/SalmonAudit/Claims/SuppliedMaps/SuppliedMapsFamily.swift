import SalmonMethods
import SalmonStatistics

/// Attribution maps computed elsewhere, as claims (`salmon attribution`, or `model.maps` in a
/// spec): the model-parameter randomization test of Adebayo et al. ("Sanity checks for saliency
/// maps", NeurIPS 2018) on maps a user brings from Captum, Quantus or any other tool.
///
/// One method, `supplied-maps`, and one statistic, `similarityToTrained` (larger = more
/// structure; measured against trained network 0): per input, the similarity (`similarity`,
/// Spearman's ρ of |maps| by default; ``AttributionParameters/similarityMeasure(features:field:)``)
/// of a file's map to trained network 0's map, averaged over inputs. Trained networks 1 … K_t − 1
/// give the estimate (the seed-to-seed reference); each null draw averages K_t − 1 null files (the
/// engine's grouping), so estimate and draws are exchangeable when randomizing the weights moves
/// the maps no more than retraining does. A map that is constant on an input (no ranks) or zero
/// (no direction) has an undefined similarity there, which counts as 0 — as in
/// ``AttributionFamily`` — and is counted in the diagnostic `attribution.undefinedRows`.
public struct SuppliedMapsFamily: ClaimFamily {
    public init() {}

    public var name: String { "supplied-maps" }
    public var methods: [String] { ["supplied-maps"] }
    public var siteRole: SiteRole { .measurement }

    public func decodeParameters(method: String, from decoder: any Decoder) throws -> any MethodParameters {
        try SuppliedMapsParameters(from: decoder)
    }

    public func statistics(of method: String) -> [ClaimStatistic] {
        [ClaimStatistic(AttributionFamily.Statistic.similarityToTrained.rawValue, direction: .larger, reference: .trainedNetworkZero,
                        summary: "per-input similarity of the map to trained network 0's map")]
    }

    public func requirements(of claim: ClaimSpec) -> Set<ClaimRequirement> { [.attributionMaps, .trainedSeeds(atLeast: 2)] }

    public func validate(_ claim: ClaimSpec, in spec: AuditSpec, field: String) throws {
        let p = try claim.method.parameters(as: SuppliedMapsParameters.self)
        // SSIM without `image` takes the image shape from the maps (checked when they are read).
        if !(p.similarity == "ssim" && p.image == nil) { _ = try p.attribution.similarityMeasure(features: nil, field: field + ".method") }
        if let sites = claim.sites, sites != [AttributionMapFiles.site] {
            throw SpecError(field: field + ".sites", "supplied maps have one site, '\(AttributionMapFiles.site)'; found \(sites)")
        }
        if claim.target != "label" {
            throw SpecError(field: field + ".target", "supplied maps carry their own explained outputs; remove 'target'")
        }
        if claim.controlTypes != nil {
            throw SpecError(field: field + ".controlTypes", "control types apply to probes, not to attribution maps")
        }
    }

    public func evaluator(for claim: ClaimSpec, subject: any AuditSubject, seed: UInt64) throws -> any ClaimEvaluator {
        var p = try claim.method.parameters(as: SuppliedMapsParameters.self).attribution
        let anchor = try subject.attributionMaps(.trained(seed: 0))
        let rows = anchor.shape[0], features = anchor.values.count / max(rows, 1)
        if p.similarity == "ssim" && p.image == nil {
            // The image shape from the maps: [n, h, w] after dropping axes of size 1, or [n, d] with d a square.
            let image = anchor.shape.dropFirst().filter { $0 != 1 }
            let side = Int(Double(features).squareRoot().rounded())
            if image.count == 2 {
                p.image = Array(image)
            } else if image.count == 1 && side * side == features {
                p.image = [side, side]
            } else {
                throw SpecError(field: "claims.\(claim.name).method.image", "SSIM needs image maps [rows, height, width] (or [rows, d] with d a square), found shape \(anchor.shape); give image: [height, width]")
            }
        }
        let measure = try p.similarityMeasure(features: features, field: "claims.\(claim.name).method")
        return SuppliedMapsEvaluator(measure: measure, anchor: try measure.prepare(anchor.values, rows: rows), rows: rows)
    }

    public func notes(diagnostics: [String: Double]) -> [String] {
        guard let undefined = diagnostics["attribution.undefinedRows"], undefined > 0 else { return [] }
        return ["\(Int(undefined)) (map file, input) similarities were undefined (a constant map has no ranks, a zero map no direction) and count as 0, no agreement"]
    }
}

/// The parameters of `supplied-maps`: the similarity measure (`spearman-abs`, `spearman`,
/// `cosine`, `ssim`, `top-K`) and, for SSIM, the maps' image shape (inferred from the files when absent).
public struct SuppliedMapsParameters: MethodParameters, Equatable {
    public var similarity: String = "spearman-abs"
    public var image: [Int]?

    enum CodingKeys: String, CodingKey, CaseIterable { case similarity, image }

    public init(similarity: String = "spearman-abs", image: [Int]? = nil) {
        self.similarity = similarity
        self.image = image
    }

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(["name"] + CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        similarity = try c.decodeIfPresent(String.self, forKey: .similarity) ?? similarity
        image = try c.decodeIfPresent([Int].self, forKey: .image)
    }

    /// The same settings as the attribution family reads them (one resolver of similarity names).
    var attribution: AttributionParameters {
        var p = AttributionParameters()
        p.similarity = similarity
        p.image = image
        return p
    }
}

/// `supplied-maps` on one unit: its file's per-input similarity to trained network 0's maps.
struct SuppliedMapsEvaluator: ClaimEvaluator {
    let measure: AttributionSimilarity
    let anchor: AttributionSimilarity.Prepared
    let rows: Int

    func evaluate(_ context: ClaimContext, statistics: [String]) throws -> ClaimEvaluation? {
        if case .trained(seed: 0) = context.unit { return nil }
        let maps = try context.subject.attributionMaps(context.unit)
        let perRow = try measure.compare(anchor, with: maps.values)
        let scores = perRow.map { $0.isNaN ? 0 : $0 }
        let measurement = ClaimMeasurement(value: Descriptive.mean(scores), resampling: .meanOfScores(scores))
        return ClaimEvaluation(measurements: Dictionary(uniqueKeysWithValues: statistics.map { ($0, measurement) }),
                               diagnostics: ["attribution.undefinedRows": Double(perRow.count { $0.isNaN })])
    }
}
