import Foundation
import SalmonMethods
import SalmonStatistics

/// A method and its parameters.
///
/// Probe-family methods (`logistic-probe`, `ridge-probe`, `mlp-probe`, `pca-label-correlation`)
/// read the activations at a site. Attribution methods (`gradient`, `absolute-gradient`,
/// `gradient-times-input`, `integrated-gradients`, `smoothgrad`, `occlusion`, `guided-backprop`;
/// see ``AttributionMethod``) explain the logit of each evaluation input's label with one score
/// per input feature; their statistics (``AttributionClaim``) compare maps across models, and
/// their sites name the randomization stage of the site-dependent null families.
public struct MethodSpec: Sendable, Codable, Equatable {
    public var name: String
    /// Logistic probe: inverse L2 strength (scikit-learn's C).
    public var C: Double
    /// Ridge probe: L2 strength.
    public var alpha: Double
    public var folds: Int
    /// PCA: the number of top components.
    public var components: Int
    /// MLP probe: hidden width and epochs.
    public var hidden: Int
    public var epochs: Int
    public var tolerance: Double
    /// Integrated Gradients: the starting step count (refined until the completeness gap is ≤ 1 %).
    public var steps: Int
    /// SmoothGrad: noisy samples per input and the noise level (a fraction of the input's range).
    public var samples: Int
    public var noiseLevel: Double
    /// `similarityToTrained`: the map similarity measure — `spearman-abs` (default), `spearman`,
    /// `cosine`, `ssim` or `top-K` (for example `top-10`).
    public var similarity: String
    /// SSIM: the input seen as an image `[height, width]` (`[8, 8]` for the digits); required by `ssim`.
    public var image: [Int]?
    /// Deletion and insertion curves: the number of steps S.
    public var curveSteps: Int

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, C, alpha, folds, components, hidden, epochs, tolerance, steps, samples, noiseLevel, similarity, image, curveSteps
    }

    public static let probeNames = ["logistic-probe", "ridge-probe", "mlp-probe", "pca-label-correlation"]
    public static let attributionNames = ["gradient", "absolute-gradient", "gradient-times-input", "integrated-gradients",
                                          "smoothgrad", "occlusion", "guided-backprop"]
    public static let names = probeNames + attributionNames

    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.allCases.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        C = try c.decodeIfPresent(Double.self, forKey: .C) ?? 1
        alpha = try c.decodeIfPresent(Double.self, forKey: .alpha) ?? 1
        folds = try c.decodeIfPresent(Int.self, forKey: .folds) ?? 5
        components = try c.decodeIfPresent(Int.self, forKey: .components) ?? 5
        hidden = try c.decodeIfPresent(Int.self, forKey: .hidden) ?? 64
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? 30
        tolerance = try c.decodeIfPresent(Double.self, forKey: .tolerance) ?? 1e-4
        steps = try c.decodeIfPresent(Int.self, forKey: .steps) ?? 50
        samples = try c.decodeIfPresent(Int.self, forKey: .samples) ?? 50
        noiseLevel = try c.decodeIfPresent(Double.self, forKey: .noiseLevel) ?? 0.15
        similarity = try c.decodeIfPresent(String.self, forKey: .similarity) ?? "spearman-abs"
        image = try c.decodeIfPresent([Int].self, forKey: .image)
        curveSteps = try c.decodeIfPresent(Int.self, forKey: .curveSteps) ?? 16
        guard Self.names.contains(name) else {
            var m = "unknown method '\(name)'"
            if let s = nearestName(to: name, in: Self.names) { m += "; did you mean '\(s)'?" }
            throw SpecError(field: SpecError.path(decoder.codingPath) + ".name", m + " (allowed: \(Self.names.joined(separator: ", ")))")
        }
    }

    public init(name: String, C: Double = 1, alpha: Double = 1, folds: Int = 5, components: Int = 5, hidden: Int = 64,
                epochs: Int = 30, tolerance: Double = 1e-4, steps: Int = 50, samples: Int = 50, noiseLevel: Double = 0.15,
                similarity: String = "spearman-abs", image: [Int]? = nil, curveSteps: Int = 16) {
        self.name = name; self.C = C; self.alpha = alpha; self.folds = folds; self.components = components
        self.hidden = hidden; self.epochs = epochs; self.tolerance = tolerance
        self.steps = steps; self.samples = samples; self.noiseLevel = noiseLevel; self.similarity = similarity
        self.image = image; self.curveSteps = curveSteps
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        if isAttribution {
            try c.encode(steps, forKey: .steps)
            try c.encode(samples, forKey: .samples)
            try c.encode(noiseLevel, forKey: .noiseLevel)
            try c.encode(similarity, forKey: .similarity)
            try c.encodeIfPresent(image, forKey: .image)
            try c.encode(curveSteps, forKey: .curveSteps)
        } else {
            // The probe settings only, as before attribution methods existed: spec hashes of probe
            // audits (and the baselines recorded with them) stay valid.
            try c.encode(C, forKey: .C)
            try c.encode(alpha, forKey: .alpha)
            try c.encode(folds, forKey: .folds)
            try c.encode(components, forKey: .components)
            try c.encode(hidden, forKey: .hidden)
            try c.encode(epochs, forKey: .epochs)
            try c.encode(tolerance, forKey: .tolerance)
        }
    }

    /// Whether the method is an attribution method (explains inputs, not activations).
    public var isAttribution: Bool { Self.attributionNames.contains(name) }

    var statistics: [String] {
        switch name {
        case "ridge-probe": return ["r2"]
        case "pca-label-correlation": return ["maxAbsCorrelation"]
        case _ where isAttribution: return AttributionClaim.Statistic.allCases.map(\.rawValue)
        default: return ["accuracy", "controlAccuracy", "selectivity"]
        }
    }

    var defaultStatistic: String { statistics[0] }

    /// Whether larger values of `statistic` mean more structure (`larger`) or fewer (`smaller`).
    public func direction(of statistic: String) -> ExplanationStatistic.Direction {
        AttributionClaim.Statistic(rawValue: statistic)?.direction ?? .larger
    }

    func validate(field: String) throws {
        guard C > 0 && C.isFinite else { throw SpecError(field: field + ".C", "expected a positive number, found \(C)") }
        guard alpha > 0 && alpha.isFinite else { throw SpecError(field: field + ".alpha", "expected a positive number, found \(alpha)") }
        guard folds >= 2 else { throw SpecError(field: field + ".folds", "expected at least 2 folds, found \(folds)") }
        guard components >= 1 else { throw SpecError(field: field + ".components", "expected ≥ 1, found \(components)") }
        guard hidden >= 1, epochs >= 1 else { throw SpecError(field: field, "hidden and epochs must be ≥ 1") }
        guard tolerance > 0 && tolerance.isFinite else { throw SpecError(field: field + ".tolerance", "expected a positive number, found \(tolerance)") }
        guard folds <= 1000, components <= 100_000, hidden <= 100_000, epochs <= 1_000_000 else {
            throw SpecError(field: field, "folds ≤ 1000, components and hidden ≤ 100,000, epochs ≤ 1,000,000")
        }
        guard steps >= 2 && steps <= 100_000 else { throw SpecError(field: field + ".steps", "expected 2 … 100,000 integration steps, found \(steps)") }
        guard samples >= 1 && samples <= 100_000 else { throw SpecError(field: field + ".samples", "expected 1 … 100,000 samples, found \(samples)") }
        guard noiseLevel > 0 && noiseLevel.isFinite else { throw SpecError(field: field + ".noiseLevel", "expected a positive number, found \(noiseLevel)") }
        guard curveSteps >= 1 && curveSteps <= 100_000 else { throw SpecError(field: field + ".curveSteps", "expected 1 … 100,000 steps, found \(curveSteps)") }
        if let image, image.count != 2 || image.contains(where: { $0 < 1 }) {
            throw SpecError(field: field + ".image", "expected [height, width] with positive sides, found \(image)")
        }
        _ = try similarityMeasure(features: nil, field: field)
    }

    /// The similarity measure `similarity` names, checked against `features` when known.
    /// - Throws: ``SpecError`` naming `field.similarity` (or `.image`).
    func similarityMeasure(features: Int?, field: String) throws -> AttributionSimilarity {
        let allowed = "spearman-abs, spearman, cosine, ssim, top-K (for example top-10)"
        let measure: AttributionSimilarity
        switch similarity {
        case "spearman-abs": measure = .spearmanAbsolute
        case "spearman": measure = .spearman
        case "cosine": measure = .cosine
        case "ssim":
            guard let image else { throw SpecError(field: field + ".image", "the similarity 'ssim' needs the input's image shape [height, width]") }
            measure = .ssim(height: image[0], width: image[1])
        default:
            guard similarity.hasPrefix("top-"), let k = Int(similarity.dropFirst(4)), k >= 1 else {
                throw SpecError(field: field + ".similarity", "unknown similarity '\(similarity)' (allowed: \(allowed))")
            }
            measure = .topK(k)
        }
        if let features {
            do { try measure.validate(features: features) } catch let e as MethodError {
                throw SpecError(field: field + (similarity == "ssim" ? ".image" : ".similarity"), "\(e.message) (inputs have \(features) features)")
            }
        }
        return measure
    }
}
