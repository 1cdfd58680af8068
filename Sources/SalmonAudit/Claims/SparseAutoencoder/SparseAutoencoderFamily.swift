import Foundation
import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// Sparse autoencoders as claims (issue 14): an SAE is trained on the activations at a site of
/// each model — the trained networks and every null model alike — and its reconstruction and
/// sparsity on held-out rows are the statistics. Do the trained network's activations admit a
/// better sparse dictionary than a random network's? Heap et al. (arXiv 2501.17727) found that on
/// the usual metrics they often do not; this family tests it with the engine's null models,
/// bootstrap and correction.
///
/// Methods: `topk-sae` (TopK, k = `k`; Gao et al. 2024), `batchtopk-sae` (BatchTopK, k per row on
/// average in training, a learned threshold in use; Bussmann et al. 2024), `relu-sae` (ReLU with
/// L1 penalty `l1`; Bricken et al. 2023) and `jumprelu-sae` (a learned threshold per latent, L0
/// penalty `l0Coefficient`, pseudo-derivative bandwidth `bandwidth`, thresholds starting at
/// `initialThreshold`; Rajamanoharan et al. 2024), each with `expansion` × the site's width latents, trained by
/// ``SparseAutoencoder/train(x:y:rows:inputs:latents:outputs:activation:training:stream:)``.
///
/// Transcoders (Dunefsky, Chlenski & Nanda 2024): with `reads: SITE` the dictionary reads the
/// activations at SITE (a layer's input, e.g. `blocks.i.resid.mid`, the residual stream the MLP
/// reads, before its LayerNorm) and reconstructs those at the claim's site (its output, e.g.
/// `blocks.i.mlp.out`); every statistic is then about the reconstruction of the claim's site
/// (loss recovered splices the transcoder's output in there), latents = `expansion` × that
/// site's width. Not defined against the site-dependent null families, whose model differs
/// between the two sites, nor against `gaussian-activations`, which draws each site
/// independently (``AuditPlan/familiesUndefinedAcrossSites``): refused in the spec.
///
/// The rows at the site are split once, by the method's stream (so every model meets the same
/// split): a fraction `heldOut` is kept out of training and the statistics are computed on it.
/// The SAE's initialization and batch order come from the method's stream too, so trained and
/// null models are fitted identically; the SAE seed is a method seed (`resampling.methodSeeds`).
///
/// Statistics (``SparseAutoencoderMetrics``; the held-out mean row x̄ is fixed, and each resample
/// of held-out rows recomputes the ratio from per-row terms):
/// - `explainedVariance` (larger): 1 − FVU, centred; the default;
/// - `fvu` (smaller): Σ‖x − x̂‖² / Σ‖x − x̄‖²;
/// - `legacyExplainedVariance` (larger): SAELens's per-row ratio, averaged;
/// - `mse` (smaller), `cosine` (larger): per-row means;
/// - `l0` (smaller): latents active per row;
/// - `deadFraction`, `denseFraction` (smaller): latents active on no held-out row, on more than
///   10 % of them;
/// - `decoderStability`, `activationStability` (larger): the stability of the dictionary across
///   SAE seeds. A second SAE is trained beside the first in the same pass (same batches, its own
///   initialization from `… → "sae" → "second"`), and the latents of the two are matched one to
///   one by the Hungarian method: by the cosine of their decoder rows (the pairwise dictionary
///   mean correlation coefficient, PW-MCC; Song et al., arXiv 2505.20254) or by the Pearson
///   correlation of their activations on the held-out rows (Paulo & Belrose, arXiv 2501.16615, who
///   find about 30 % of latents shared across seeds). Each is the mean over the matched pairs. They
///   are properties of two dictionaries, not means over inputs: they have no interval over inputs;
/// - `lossRecovered`, `klScore` (larger), on a model that can be run with a site replaced
///   (``ClaimRequirement/splicedOutputs``: a transformer trained here): the held-out rows'
///   reconstructions are spliced into the forward pass at the site (at the position the site is
///   read), and the next-token cross-entropy L (against the claim's labels) and the KL divergence
///   from the clean output distribution are summed over the held-out rows, clean, spliced and with
///   the site zero-ablated: lossRecovered = (L_zero − L_SAE)/(L_zero − L_clean), klScore =
///   (KL_zero − KL_SAE)/KL_zero (SAEBench, Karvonen et al. 2025, "core" metrics; the loss
///   recovered of Bricken et al. 2023). Ratios of sums, resampled over the held-out rows. For
///   `gaussian-activations` the model is the trained network and the spliced rows are the SAE's
///   reconstructions of the Gaussian rows (what an SAE of Gaussian data would put in its place);
/// - `maxConceptAUROC` (larger): for a binary concept (the claim's `target`, two classes; the
///   larger label is the concept), the largest over latents of the AUROC with which the latent's
///   activation separates the held-out rows with the concept from those without it,
///   P(f_j(concept) > f_j(other)) + ½ P(=) (the best single-latent detector, as in Gao et al. 2024's
///   probe-based and Heap et al.'s concept evaluations); a maximum over latents, so the null
///   models' SAEs get the same selection. Resampled over held-out rows (a resample without both
///   classes has no AUROC and leaves the interval undetermined, with a note);
/// - `sparseProbing` (larger), for a binary concept (the claim's `target`): the held-out accuracy
///   of a logistic regression on the `probeK` latents (default 1) whose mean activation differs
///   most between the classes on the SAE's training rows (``SparseProbe``; SAEBench's k-sparse
///   probing, Gao et al. 2024 §4.4), selected and fitted on the training rows; resampled over the
///   held-out rows with the probe fixed;
/// - `featureRecovery`, `dictionaryMatch` (larger), where the task knows its true features'
///   directions at the site (``ClaimRequirement/groundTruth``: toy superposition and planted
///   concepts, at `input` and at `layers.0.pre`, the sites linear in the features): with
///   c_ij the cosine of true direction gᵢ (of the model the unit names: a random network embeds
///   the features by its own W₁) and decoder row dⱼ, featureRecovery = (1/F) Σᵢ maxⱼ c_ij (true →
///   learned: how well some latent finds each true feature) and dictionaryMatch = (1/M) Σⱼ maxᵢ
///   c_ij (learned → true: the mean max cosine similarity, MMCS, of Sharkey, Braun & Millidge
///   2022, "Taking features out of superposition with sparse autoencoders"). A true direction of
///   norm 0 (a feature the network drops) has cosine 0 with every latent. Properties of two sets
///   of directions, with no interval over inputs.
///
/// Estimator-level nulls (``estimatorNulls``): against `frozen-decoder` and `frozen-encoder`, null
/// k is the same SAE trained on the same trained network's activations (the same split) with its decoder or encoder frozen at a random initialization drawn from
/// `… → "sae" → "frozen" → k` (``SparseAutoencoderTraining/frozen``; Korznikov et al. 2026,
/// arXiv 2602.14111). Under R method seeds each frozen draw is averaged over R runs, as the
/// trained SAE is.
public struct SparseAutoencoderFamily: ClaimFamily {
    public init() {}

    public enum Method: String, CaseIterable, Sendable {
        case topK = "topk-sae"
        case batchTopK = "batchtopk-sae"
        case relu = "relu-sae"
        case jumpReLU = "jumprelu-sae"
    }

    public var name: String { "sparse-autoencoder" }
    public var methods: [String] { Method.allCases.map(\.rawValue) }
    public var siteRole: SiteRole { .measurement }

    public func decodeParameters(method: String, from decoder: any Decoder) throws -> any MethodParameters {
        guard let m = Method(rawValue: method) else { throw SpecError(field: "name", "expected one of \(methods.joined(separator: ", ")), found '\(method)'") }
        return try SparseAutoencoderParameters(method: m, from: decoder)
    }

    public func statistics(of method: String) -> [ClaimStatistic] {
        [
            ClaimStatistic("explainedVariance", direction: .larger, summary: "1 − FVU on held-out rows (centred)"),
            ClaimStatistic("fvu", direction: .smaller, summary: "fraction of variance unexplained on held-out rows, Σ‖x − x̂‖² / Σ‖x − x̄‖²"),
            ClaimStatistic("legacyExplainedVariance", direction: .larger, summary: "SAELens's per-row explained variance, averaged (reported beside the centred one)"),
            ClaimStatistic("mse", direction: .smaller, summary: "mean squared error per element on held-out rows"),
            ClaimStatistic("cosine", direction: .larger, summary: "mean cosine of a held-out row and its reconstruction"),
            ClaimStatistic("l0", direction: .smaller, summary: "latents active per held-out row"),
            ClaimStatistic("deadFraction", direction: .smaller, summary: "fraction of latents active on no held-out row"),
            ClaimStatistic("denseFraction", direction: .smaller, summary: "fraction of latents active on more than 10 % of held-out rows"),
            ClaimStatistic("decoderStability", direction: .larger, summary: "PW-MCC: mean decoder cosine of two SAE seeds' latents, Hungarian-matched"),
            ClaimStatistic("activationStability", direction: .larger, summary: "mean held-out activation correlation of two SAE seeds' latents, Hungarian-matched"),
            ClaimStatistic("lossRecovered", direction: .larger, summary: "(L_zero − L_SAE)/(L_zero − L_clean): next-token loss with the reconstruction spliced in"),
            ClaimStatistic("klScore", direction: .larger, summary: "(KL_zero − KL_SAE)/KL_zero: KL from the clean outputs with the reconstruction spliced in"),
            ClaimStatistic("maxConceptAUROC", direction: .larger, summary: "the largest AUROC of any latent for a binary concept (the claim's target) on held-out rows"),
            ClaimStatistic("sparseProbing", direction: .larger, summary: "held-out accuracy of a logistic probe on the probeK latents whose class means differ most (a binary concept)"),
            ClaimStatistic("featureRecovery", direction: .larger, summary: "mean over the true features of the best cosine of any decoder row (true → learned)"),
            ClaimStatistic("dictionaryMatch", direction: .larger, summary: "MMCS: mean over latents of the best cosine of any true feature (learned → true)"),
        ]
    }

    public func requirements(of claim: ClaimSpec) -> Set<ClaimRequirement> {
        switch claim.statistic {
        case "lossRecovered": return [.activations, .splicedOutputs, .classLabels]
        case "klScore": return [.activations, .splicedOutputs]
        case "maxConceptAUROC", "sparseProbing": return [.activations, .classLabels]
        case "featureRecovery", "dictionaryMatch": return [.activations, .groundTruth]
        default: return [.activations]
        }
    }

    public func validate(_ claim: ClaimSpec, in spec: AuditSpec, field: String) throws {
        try claim.method.parameters(as: SparseAutoencoderParameters.self).validate(method: Method(rawValue: claim.method.name), field: field + ".method")
        if claim.target != "label" && claim.statistic != "maxConceptAUROC" && claim.statistic != "sparseProbing" {
            throw SpecError(field: field + ".target", "\(claim.statistic) reads no target (the SAE reconstructs the activations; only maxConceptAUROC and sparseProbing take a concept); remove 'target'")
        }
        if try claim.method.parameters(as: SparseAutoencoderParameters.self).probeK != nil && claim.statistic != "sparseProbing" {
            throw SpecError(field: field + ".method.probeK", "probeK is the number of latents of sparseProbing; this claim's statistic is \(claim.statistic)")
        }
        if claim.controlTypes != nil {
            throw SpecError(field: field + ".controlTypes", "control types apply to probes, not to sparse autoencoders")
        }
        if let reads = try claim.method.parameters(as: SparseAutoencoderParameters.self).reads {
            if AuditPlan.sites(for: claim, in: spec).contains(reads) {
                throw SpecError(field: field + ".method.reads", "a transcoder reads one site and reconstructs another; '\(reads)' is also the claim's site (without 'reads' the method is a sparse autoencoder)")
            }
            if claim.requirements.contains(.groundTruth) {
                throw SpecError(field: field + ".statistic", "\(claim.statistic) compares a dictionary with the true features of the site it reads; a transcoder (reads: \(reads)) reconstructs another site")
            }
            if let i = spec.nulls.firstIndex(where: { AuditPlan.familiesUndefinedAcrossSites.contains($0.family) }) {
                throw SpecError(field: "nulls[\(i)].family", "'\(spec.nulls[i].family)' is not defined for the transcoder claim \(claim.name), which reads '\(reads)' and reconstructs another site (the family's model, or its draw, differs between the two); audit transcoders against random-init, moment-redraw, within-layer-permutation, permuted-labels, supplied or the frozen-matrix nulls")
            }
        }
        if claim.requirements.contains(.groundTruth) {
            for site in AuditPlan.sites(for: claim, in: spec) where site != "input" && site != NetworkSubject.linearSite {
                throw SpecError(field: claim.sites == nil ? "sites" : field + ".sites",
                                "\(claim.statistic) compares the dictionary with the true features' directions, known at input and \(NetworkSubject.linearSite) (the sites linear in the features); found '\(site)'")
            }
        }
        if claim.requirements.contains(.splicedOutputs), spec.model.transformer != nil {
            for site in AuditPlan.sites(for: claim, in: spec) where !Transformer.isReplaceable(site) {
                throw SpecError(field: claim.sites == nil ? "sites" : field + ".sites",
                                "\(claim.statistic) splices the reconstruction in at '\(site)', which a transformer reads but does not replace; expected embed or blocks.i.{attn.out, mlp.hidden, mlp.out, resid}")
            }
        }
    }

    public func evaluator(for claim: ClaimSpec, subject: any AuditSubject, seed: UInt64) throws -> any ClaimEvaluator {
        let p = try claim.method.parameters(as: SparseAutoencoderParameters.self)
        guard let method = Method(rawValue: claim.method.name) else { throw AuditError("claim \(claim.name): no SAE method '\(claim.method.name)'") }
        return SparseAutoencoderEvaluator(method: method, parameters: p, claim: claim.name, claimSpec: claim)
    }

    public func notes(diagnostics: [String: Double]) -> [String] {
        guard let thin = diagnostics["sae.fewTrainingRows"], thin > 0 else { return [] }
        return ["\(Int(thin)) SAE fits had fewer training rows than twice their latents; their dictionaries are underdetermined"]
    }

    public func isRandom(_ claim: ClaimSpec) -> Bool { true }

    public var estimatorNulls: Set<String> { [NullSpec.Family.frozenDecoder.rawValue, NullSpec.Family.frozenEncoder.rawValue] }

    public func readSites(of claim: ClaimSpec) -> [String] {
        ((try? claim.method.parameters(as: SparseAutoencoderParameters.self))?.reads).map { [$0] } ?? []
    }
}

/// The parameters of the SAE methods (`topk-sae`, `batchtopk-sae`, `relu-sae`, `jumprelu-sae`).
/// The non-optional keys are encoded for every method (with their defaults where the method does
/// not take them); the optional ones (JumpReLU's, `probeK`, `reads`) only when set, so that specs
/// written before they existed keep their hash.
public struct SparseAutoencoderParameters: MethodParameters, Equatable {
    /// Latents per unit of the site's width (at least 1).
    public var expansion: Int = 4
    /// `topk-sae`: latents kept per row (fewer than the latents).
    public var k: Int = 8
    /// `relu-sae`: the L1 coefficient λ (positive).
    public var l1: Double = 1e-2
    /// `jumprelu-sae`: the L0 coefficient λ (SAELens's `l0_coefficient`, default 1), the
    /// pseudo-derivatives' bandwidth ε (default 0.05, SAELens's) and the thresholds' initial value
    /// (default ``SparseAutoencoder/initialThreshold``). Nil for the other methods, and then not
    /// written to the canonical spec.
    public var l0Coefficient: Double?
    public var bandwidth: Double?
    public var initialThreshold: Double?
    /// `sparseProbing`: the number of latents the probe reads (default 1; nil when not given, and
    /// then not written to the canonical spec).
    public var probeK: Int?
    /// A transcoder's input site (nil: a sparse autoencoder, which reads the claim's own site).
    public var reads: String?
    public var epochs: Int = 20
    public var batchSize: Int = 128
    public var learningRate: Double = 1e-3
    /// The fraction of rows held out of training, on which the statistics are computed.
    public var heldOut: Double = 0.2

    enum CodingKeys: String, CodingKey, CaseIterable { case expansion, k, l1, l0Coefficient, bandwidth, initialThreshold, epochs, batchSize, learningRate, heldOut, probeK, reads }

    public init() {}

    static func keys(of method: SparseAutoencoderFamily.Method) -> [CodingKeys] {
        switch method {
        case .topK, .batchTopK: return [.expansion, .k, .epochs, .batchSize, .learningRate, .heldOut, .probeK, .reads]
        case .relu: return [.expansion, .l1, .epochs, .batchSize, .learningRate, .heldOut, .probeK, .reads]
        case .jumpReLU: return [.expansion, .l0Coefficient, .bandwidth, .initialThreshold, .epochs, .batchSize, .learningRate, .heldOut, .probeK, .reads]
        }
    }

    init(method: SparseAutoencoderFamily.Method, from decoder: any Decoder) throws {
        let keys = decoder.readsCanonicalSpec ? CodingKeys.allCases : Self.keys(of: method)
        try decoder.rejectUnknownKeys(["name"] + keys.map(\.rawValue))
        let c = try decoder.container(keyedBy: CodingKeys.self)
        expansion = try c.decodeIfPresent(Int.self, forKey: .expansion) ?? expansion
        k = try c.decodeIfPresent(Int.self, forKey: .k) ?? k
        l1 = try c.decodeIfPresent(Double.self, forKey: .l1) ?? l1
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? epochs
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? batchSize
        learningRate = try c.decodeIfPresent(Double.self, forKey: .learningRate) ?? learningRate
        heldOut = try c.decodeIfPresent(Double.self, forKey: .heldOut) ?? heldOut
        l0Coefficient = try c.decodeIfPresent(Double.self, forKey: .l0Coefficient)
        bandwidth = try c.decodeIfPresent(Double.self, forKey: .bandwidth)
        initialThreshold = try c.decodeIfPresent(Double.self, forKey: .initialThreshold)
        probeK = try c.decodeIfPresent(Int.self, forKey: .probeK)
        reads = try c.decodeIfPresent(String.self, forKey: .reads)
        if method == .jumpReLU { fillJumpReLUDefaults() }
    }

    /// JumpReLU's defaults: λ = 1 and ε = 0.05 (SAELens's), θ₀ = ``SparseAutoencoder/initialThreshold``.
    public static let defaultL0Coefficient = 1.0, defaultBandwidth = 0.05

    /// Sets JumpReLU's parameters that are not given to their defaults (so that the canonical
    /// spec of a `jumprelu-sae` claim states them).
    public mutating func fillJumpReLUDefaults() {
        l0Coefficient = l0Coefficient ?? Self.defaultL0Coefficient
        bandwidth = bandwidth ?? Self.defaultBandwidth
        initialThreshold = initialThreshold ?? Double(SparseAutoencoder.initialThreshold)
    }

    /// The dictionary's nonlinearity for `method` with these parameters.
    func activation(for method: SparseAutoencoderFamily.Method) -> SparseAutoencoder.Activation {
        switch method {
        case .topK: return .topK(k: k)
        case .batchTopK: return .batchTopK(k: k, threshold: 0)
        case .relu: return .relu(l1: Float(l1))
        case .jumpReLU: return .jumpReLU(l0: Float(l0Coefficient ?? Self.defaultL0Coefficient), bandwidth: Float(bandwidth ?? Self.defaultBandwidth))
        }
    }

    /// Ranges (those that need the site's width are checked when it is known). `field` is the
    /// method block's path.
    func validate(method: SparseAutoencoderFamily.Method?, field: String) throws {
        guard (1...64).contains(expansion) else { throw SpecError(field: field + ".expansion", "expected 1 … 64 latents per unit of width, found \(expansion)") }
        guard k >= 1 else { throw SpecError(field: field + ".k", "expected at least 1 latent kept per row, found \(k)") }
        guard l1 > 0 && l1.isFinite else { throw SpecError(field: field + ".l1", "expected a positive L1 coefficient, found \(l1)") }
        if let probeK, probeK < 1 { throw SpecError(field: field + ".probeK", "expected at least 1 latent for the sparse probe, found \(probeK)") }
        for (key, value) in [("l0Coefficient", l0Coefficient), ("bandwidth", bandwidth), ("initialThreshold", initialThreshold)] {
            if let value, !(value > 0 && value.isFinite && value <= 1e6) {
                throw SpecError(field: field + "." + key, "expected a positive number (at most 1e6), found \(value)")
            }
        }
        guard (1...100_000).contains(epochs) else { throw SpecError(field: field + ".epochs", "expected 1 … 100,000 epochs, found \(epochs)") }
        guard batchSize >= 1 else { throw SpecError(field: field + ".batchSize", "expected at least 1, found \(batchSize)") }
        guard learningRate > 0 && learningRate.isFinite else { throw SpecError(field: field + ".learningRate", "expected a positive number, found \(learningRate)") }
        guard heldOut > 0 && heldOut < 1 else { throw SpecError(field: field + ".heldOut", "expected a fraction strictly between 0 and 1, found \(heldOut)") }
    }
}

/// An SAE method (or a transcoder, with `reads`) on one unit at one site.
struct SparseAutoencoderEvaluator: ClaimEvaluator {
    /// The weights each estimator-level null family freezes.
    static let frozenWeights: [String: SparseAutoencoderTraining.FrozenWeights] = [
        NullSpec.Family.frozenDecoder.rawValue: .decoder, NullSpec.Family.frozenEncoder.rawValue: .encoder,
    ]

    let method: SparseAutoencoderFamily.Method
    let parameters: SparseAutoencoderParameters
    let claim: String
    let claimSpec: ClaimSpec

    func evaluate(_ context: ClaimContext, statistics: [String]) throws -> ClaimEvaluation? {
        guard let activations = context.activations, activations.shape.count == 2 else {
            throw AuditError("\(context.unit): site '\(context.site)' produced no activations")
        }
        let rows = activations.shape[0], width = activations.shape[1]
        let latents = parameters.expansion * width
        let field = "claims.\(claim).method"
        if (method == .topK || method == .batchTopK) && parameters.k >= latents {
            throw SpecError(field: field + ".k", "expected fewer than the \(latents) latents (expansion \(parameters.expansion) × width \(width) at '\(context.site)'), found \(parameters.k)")
        }
        let evaluationRows = Int((Double(rows) * parameters.heldOut).rounded())
        let trainingRows = rows - evaluationRows
        guard evaluationRows >= 2 && trainingRows >= 1 else {
            throw SpecError(field: field + ".heldOut", "a split of the \(rows) rows at '\(context.site)' with at least 2 held out and 1 to train, found \(evaluationRows) held out")
        }
        // One split for every model: drawn from the method's stream, which all units share.
        var order = Array(0..<rows)
        var splitStream = context.stream.derived("split")
        order.shuffle(using: &splitStream)
        // A transcoder's input rows (the same rows, another site).
        var input: Tensor?
        if let reads = parameters.reads {
            let a = try context.activations(at: reads)
            guard a.rank == 2, a.shape[0] == rows else {
                throw AuditError("\(context.unit), claim \(claim): '\(reads)' has \(a.shape.first ?? 0) rows, '\(context.site)' \(rows); a transcoder reads the same inputs at both")
            }
            input = a
        }
        let inputWidth = input?.shape[1] ?? width
        func gather(_ x: [Float], width: Int, _ indices: ArraySlice<Int>) -> [Float] {
            var out = [Float](); out.reserveCapacity(indices.count * width)
            for r in indices { out.append(contentsOf: x[(r * width)..<((r + 1) * width)]) }
            return out
        }
        let heldRows = Array(order[trainingRows...])
        let train = gather(activations.scalars, width: width, order[..<trainingRows])
        let held = gather(activations.scalars, width: width, order[trainingRows...])
        let trainInput = input.map { gather($0.scalars, width: inputWidth, order[..<trainingRows]) } ?? train
        let heldInput = input.map { gather($0.scalars, width: inputWidth, order[trainingRows...]) } ?? held
        let activation = parameters.activation(for: method)
        var training = SparseAutoencoderTraining(epochs: parameters.epochs, batchSize: parameters.batchSize, learningRate: parameters.learningRate,
                                                 initialThreshold: parameters.initialThreshold.map(Float.init) ?? SparseAutoencoder.initialThreshold)
        var saeStream = context.stream.derived("sae")
        if case .null(let family, let k) = context.standIn, let frozen = Self.frozenWeights[family] {
            // The same split as the trained SAE; a fresh initialization and batch order per null draw.
            training.frozen = frozen
            saeStream = saeStream.derived("frozen", .index(k))
        }
        let stability = statistics.contains("decoderStability") || statistics.contains("activationStability")
        let saes = SparseAutoencoder.train(x: trainInput, y: input == nil ? nil : train, rows: trainingRows, inputs: inputWidth, latents: latents,
                                           outputs: width, activation: activation, training: training,
                                           seeds: stability ? [saeStream, saeStream.derived("second")] : [saeStream]).autoencoders
        // A diverged fit must not pass: cosines and correlations would read its NaN rows as 0.
        guard saes.allSatisfy({ $0.encoderWeight.allSatisfy(\.isFinite) && $0.decoderWeight.allSatisfy(\.isFinite) && $0.thresholds.allSatisfy(\.isFinite) }) else {
            throw AuditError("\(context.unit), claim \(claim) at \(context.site): the SAE's training diverged (non-finite weights); lower method.learningRate")
        }
        let sae = saes[0]
        let (code, reconstruction) = sae(heldInput, rows: evaluationRows)
        let terms = SparseAutoencoderRowTerms(target: held, reconstruction: reconstruction, code: code, rows: evaluationRows, width: width, latents: latents)
        var measurements: [String: ClaimMeasurement] = [:]
        for name in statistics {
            let value: Double
            let resampling: ClaimResampling
            switch name {
            case "explainedVariance":
                value = 1 - terms.fvu(over: nil)
                resampling = .rows(count: evaluationRows) { 1 - terms.fvu(over: $0) }
            case "fvu":
                value = terms.fvu(over: nil)
                resampling = .rows(count: evaluationRows) { terms.fvu(over: $0) }
            case "legacyExplainedVariance":
                value = terms.legacy(over: nil)
                resampling = .rows(count: evaluationRows) { terms.legacy(over: $0) }
            case "mse":
                let scores = terms.residual.map { $0 / Double(width) }
                value = scores.reduce(0, +) / Double(evaluationRows)
                resampling = .meanOfScores(scores)
            case "cosine":
                value = terms.cosine.reduce(0, +) / Double(evaluationRows)
                resampling = .meanOfScores(terms.cosine)
            case "l0":
                let scores = terms.active.map(Double.init)
                value = scores.reduce(0, +) / Double(evaluationRows)
                resampling = .meanOfScores(scores)
            case "deadFraction":
                value = terms.firingFraction(over: nil) { $0 == 0 }
                resampling = .rows(count: evaluationRows) { idx in terms.firingFraction(over: idx) { $0 == 0 } }
            case "denseFraction":
                value = terms.firingFraction(over: nil) { $0 > SparseAutoencoderMetrics.denseThreshold }
                resampling = .rows(count: evaluationRows) { idx in terms.firingFraction(over: idx) { $0 > SparseAutoencoderMetrics.denseThreshold } }
            case "decoderStability":
                let cosines = DictionaryComparison.cosineSimilarities(saes[0].decoderWeight, rows: latents, saes[1].decoderWeight,
                                                                      columns: latents, width: width)
                value = DictionaryComparison.matchedMean(cosines, rows: latents, columns: latents).mean
                resampling = .none(reason: "PW-MCC compares two dictionaries; it is not a mean over inputs")
            case "activationStability":
                let other = saes[1](heldInput, rows: evaluationRows).code
                let correlations = DictionaryComparison.activationCorrelations(code, latentsA: latents, other, latentsB: latents, samples: evaluationRows)
                value = DictionaryComparison.matchedMean(correlations, rows: latents, columns: latents).mean
                resampling = .none(reason: "matched activation correlation compares two dictionaries; its resampling over inputs is not implemented")
            case "lossRecovered", "klScore":
                let spliced = try SplicedOutputs(context: context, claim: claimSpec, rows: heldRows, reconstruction: reconstruction,
                                                 width: width, labels: name == "lossRecovered")
                if name == "lossRecovered" {
                    value = spliced.lossRecovered(over: nil)
                    resampling = .rows(count: evaluationRows) { spliced.lossRecovered(over: $0) }
                } else {
                    value = spliced.klScore(over: nil)
                    resampling = .rows(count: evaluationRows) { spliced.klScore(over: $0) }
                }
            case "featureRecovery", "dictionaryMatch":
                let truth = try context.subject.trueFeatureDirections(context.standIn, site: context.site)
                guard truth.rank == 2, truth.shape[1] == width else {
                    throw AuditError("\(context.unit): true feature directions of width \(truth.shape.last ?? 0) at '\(context.site)', whose width is \(width)")
                }
                let features = truth.shape[0]
                // A diverged network (NaN weights) must not pass as cosine 0.
                guard truth.scalars.allSatisfy(\.isFinite) else {
                    throw AuditError("\(context.unit), claim \(claim) at \(context.site): \(name) is undefined (the network's true feature directions are not finite)")
                }
                let cosines = DictionaryComparison.cosineSimilarities(truth.scalars, rows: features, sae.decoderWeight, columns: latents, width: width)
                let best = DictionaryComparison.meanMaxSimilarity(cosines, rows: features, columns: latents)
                value = name == "featureRecovery" ? best.rowsToColumns : best.columnsToRows
                resampling = .none(reason: "ground-truth recovery compares the dictionary with the true directions; it is not a mean over inputs")
            case "sparseProbing":
                let correct = try Self.sparseProbeCorrectness(context: context, claim: claimSpec, sae: sae, training: (trainInput, order[..<trainingRows]),
                                                               held: (code, heldRows), latents: latents, k: parameters.probeK ?? 1)
                value = correct.reduce(0, +) / Double(evaluationRows)
                resampling = .meanOfScores(correct)
            case "maxConceptAUROC":
                let concept = try ConceptDetection(context: context, claim: claimSpec, rows: heldRows, code: code, latents: latents)
                value = concept.maxAUROC(over: nil)
                resampling = .rows(count: evaluationRows) { concept.maxAUROC(over: $0) }
            default:
                throw AuditError("the sparse-autoencoder family has no statistic '\(name)'")
            }
            guard value.isFinite else {
                throw AuditError("\(context.unit), claim \(claim) at \(context.site): \(name) is undefined (the held-out activations do not vary)")
            }
            measurements[name] = ClaimMeasurement(value: value, resampling: resampling)
        }
        let thin = trainingRows < 2 * latents ? 1.0 : 0.0
        return ClaimEvaluation(measurements: measurements, diagnostics: ["sae.fewTrainingRows": thin])
    }

    /// The claim's binary concept (0 or 1) for every evaluation row (maxConceptAUROC, sparseProbing).
    /// - Throws: ``SpecError`` naming the target when it has more than two classes.
    static func binaryConcept(_ context: ClaimContext, claim: ClaimSpec) throws -> [Int] {
        guard let activations = context.activations, case .classes(let values, let count) = try context.subject.probeData(claim: claim, activations: activations).target else {
            throw AuditError("\(context.unit), claim \(claim.name): \(claim.statistic) needs class labels")
        }
        guard count == 2 else {
            throw SpecError(field: "claims.\(claim.name).target", "a binary concept (two classes) for \(claim.statistic), found \(count) classes")
        }
        return values
    }

    /// Per held-out row, 1 when the k-sparse probe (``SparseProbe``, selected and fitted on the
    /// SAE's training rows) classifies it correctly, else 0.
    static func sparseProbeCorrectness(context: ClaimContext, claim: ClaimSpec, sae: SparseAutoencoder,
                                       training: (x: [Float], rows: ArraySlice<Int>), held: (code: [Float], rows: [Int]),
                                       latents: Int, k: Int) throws -> [Double] {
        let values = try binaryConcept(context, claim: claim)
        guard k <= latents else {
            throw SpecError(field: "claims.\(claim.name).method.probeK", "expected at most the \(latents) latents, found \(k)")
        }
        let trainingCode = sae(training.x, rows: training.rows.count).code
        let probe: SparseProbe
        do {
            probe = try SparseProbe(code: trainingCode, rows: training.rows.count, width: latents, labels: training.rows.map { values[$0] }, k: k)
        } catch let error as MethodError {
            throw AuditError("\(context.unit), claim \(claim.name) at \(context.site): \(error.message)")
        }
        let predictions = probe.predict(code: held.code, rows: held.rows.count, width: latents)
        return zip(predictions, held.rows).map { $0 == values[$1] ? 1 : 0 }
    }
}

/// The per-row losses of a reconstruction spliced into the forward pass, clean and zero-ablated
/// (see ``SparseAutoencoderFamily``: `lossRecovered`, `klScore`), on the held-out rows.
struct SplicedOutputs: Sendable {
    /// Per held-out row: cross-entropy against the label (clean, zero-ablated, spliced), or empty
    /// without labels; KL from the clean distribution (zero-ablated, spliced).
    var clean: [Double] = [], zero: [Double] = [], spliced: [Double] = []
    var klZero: [Double] = [], klSpliced: [Double] = []

    init(context: ClaimContext, claim: ClaimSpec, rows: [Int], reconstruction: [Float], width: Int, labels: Bool) throws {
        let unit = context.standIn
        let subject = context.subject
        let base = try subject.splicedLogProbabilities(unit, site: context.site, rows: rows, replacement: nil)
        let ablated = try subject.splicedLogProbabilities(unit, site: context.site, rows: rows,
                                                          replacement: [Float](repeating: 0, count: rows.count * width))
        let patched = try subject.splicedLogProbabilities(unit, site: context.site, rows: rows, replacement: reconstruction)
        let outputs = base.shape[1]
        func kl(_ q: Tensor, _ r: Int) -> Double {
            var total = 0.0
            for v in 0..<outputs {
                let lp = Double(base.scalars[r * outputs + v])
                total += exp(lp) * (lp - Double(q.scalars[r * outputs + v]))
            }
            return max(total, 0)
        }
        for r in rows.indices {
            klZero.append(kl(ablated, r))
            klSpliced.append(kl(patched, r))
        }
        guard labels else { return }
        guard let activations = context.activations, case .classes(let values, _) = try subject.probeData(claim: claim, activations: activations).target else {
            throw AuditError("\(context.unit), claim \(claim.name): loss recovered needs class labels")
        }
        for (r, row) in rows.enumerated() {
            let label = values[row]
            guard (0..<outputs).contains(label) else { throw AuditError("\(context.unit), claim \(claim.name): label \(label) of row \(row) is not an output") }
            clean.append(-Double(base.scalars[r * outputs + label]))
            zero.append(-Double(ablated.scalars[r * outputs + label]))
            spliced.append(-Double(patched.scalars[r * outputs + label]))
        }
    }

    static func sum(_ x: [Double], over rows: UnsafeBufferPointer<Int>?) -> Double {
        guard let rows else { return x.reduce(0, +) }
        var total = 0.0
        for r in rows { total += x[r] }
        return total
    }

    /// (ΣL_zero − ΣL_SAE)/(ΣL_zero − ΣL_clean) over `rows` (all when nil).
    func lossRecovered(over rows: UnsafeBufferPointer<Int>?) -> Double {
        let z = Self.sum(zero, over: rows)
        return (z - Self.sum(spliced, over: rows)) / (z - Self.sum(clean, over: rows))
    }

    /// (ΣKL_zero − ΣKL_SAE)/ΣKL_zero over `rows` (all when nil).
    func klScore(over rows: UnsafeBufferPointer<Int>?) -> Double {
        let z = Self.sum(klZero, over: rows)
        return (z - Self.sum(klSpliced, over: rows)) / z
    }
}

/// How well the best single latent detects a binary concept on the held-out rows
/// (``SparseAutoencoderFamily``'s `maxConceptAUROC`).
struct ConceptDetection: Sendable {
    /// Per held-out row: whether it has the concept, and its code (`latents` values).
    let positive: [Bool]
    let code: [Float]
    let latents: Int

    init(context: ClaimContext, claim: ClaimSpec, rows: [Int], code: [Float], latents: Int) throws {
        let values = try SparseAutoencoderEvaluator.binaryConcept(context, claim: claim)
        positive = rows.map { values[$0] == 1 }
        self.code = code
        self.latents = latents
    }

    /// The largest AUROC over latents on `rows` (indices into the held-out rows; all when nil);
    /// NaN when the rows do not hold both classes.
    func maxAUROC(over rows: UnsafeBufferPointer<Int>?) -> Double {
        let ids = rows.map(Array.init) ?? Array(positive.indices)
        var best = -Double.infinity
        var withConcept: [Double] = [], without: [Double] = []
        withConcept.reserveCapacity(ids.count)
        without.reserveCapacity(ids.count)
        for j in 0..<latents {
            withConcept.removeAll(keepingCapacity: true)
            without.removeAll(keepingCapacity: true)
            for r in ids {
                let v = Double(code[r * latents + j])
                if positive[r] { withConcept.append(v) } else { without.append(v) }
            }
            guard let auroc = try? EffectSize.auroc(withConcept, without) else { return .nan }
            best = max(best, auroc)
        }
        return best
    }
}
