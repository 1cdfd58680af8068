import SalmonMethods

/// The parameters of the attribution family's methods, decoded from a `method:` block.
///
/// Every method takes the statistics' settings (`similarity`, `image`, `curveSteps`); Integrated
/// Gradients adds `steps`, SmoothGrad `samples` and `noiseLevel`. Every key is encoded (the
/// method's defaults where it does not take one), so existing specs keep their hash.
public struct AttributionParameters: MethodParameters, Equatable {
    /// Integrated Gradients: the starting step count (refined until the completeness gap is ≤ 1 %).
    public var steps: Int = 50
    /// SmoothGrad: noisy samples per input.
    public var samples: Int = 50
    /// SmoothGrad: the noise level, a fraction of the input's range.
    public var noiseLevel: Double = 0.15
    /// `similarityToTrained`: the map similarity measure — `spearman-abs` (default), `spearman`,
    /// `cosine`, `ssim` or `top-K` (for example `top-10`).
    public var similarity: String = "spearman-abs"
    /// SSIM: the input seen as an image `[height, width]` (`[8, 8]` for the digits); required by `ssim`.
    public var image: [Int]?
    /// Deletion and insertion curves: the number of steps S.
    public var curveSteps: Int = 16

    enum CodingKeys: String, CodingKey, CaseIterable { case steps, samples, noiseLevel, similarity, image, curveSteps }

    public init() {}

    /// The keys `method` takes.
    static func keys(of method: AttributionFamily.Method) -> [CodingKeys] {
        let common: [CodingKeys] = [.similarity, .image, .curveSteps]
        switch method {
        case .integratedGradients: return [.steps] + common
        case .smoothGrad: return [.samples, .noiseLevel] + common
        case .gradient, .absoluteGradient, .gradientTimesInput, .occlusion, .guidedBackprop: return common
        }
    }

    init(method: AttributionFamily.Method, from decoder: any Decoder) throws {
        let keys = decoder.readsCanonicalSpec ? CodingKeys.allCases : Self.keys(of: method)
        try decoder.rejectUnknownKeys(["name"] + keys.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        steps = try c.decodeIfPresent(Int.self, forKey: .steps) ?? steps
        samples = try c.decodeIfPresent(Int.self, forKey: .samples) ?? samples
        noiseLevel = try c.decodeIfPresent(Double.self, forKey: .noiseLevel) ?? noiseLevel
        similarity = try c.decodeIfPresent(String.self, forKey: .similarity) ?? similarity
        image = try c.decodeIfPresent([Int].self, forKey: .image)
        curveSteps = try c.decodeIfPresent(Int.self, forKey: .curveSteps) ?? curveSteps
    }

    /// Ranges and the similarity's name. `field` is the method block's path.
    func validate(field: String) throws {
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
        if let named = Self.namedMeasures[similarity] {
            measure = named
        } else if similarity == "ssim" {
            guard let image else { throw SpecError(field: field + ".image", "the similarity 'ssim' needs the input's image shape [height, width]") }
            measure = .ssim(height: image[0], width: image[1])
        } else {
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

    static let namedMeasures: [String: AttributionSimilarity] = [
        "spearman-abs": .spearmanAbsolute, "spearman": .spearman, "cosine": .cosine,
    ]
}
