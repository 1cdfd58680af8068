import SalmonNetworks
import SalmonStatistics

/// Attribution for the transformer, with respect to the input embeddings (token + position, the
/// `embed` site): which tokens of a sequence the prediction at its last position rests on.
///
/// F is the logit of each sequence's target token at the last position. For every method the
/// per-token score is summed over the embedding dimension, so the map is `[sequences, positions]`:
/// - `gradient`: Σ_d |∂F/∂e_{t,d}| (the L1 norm of the gradient at token t);
/// - `gradientTimesInput`: Σ_d e_{t,d} ∂F/∂e_{t,d};
/// - `integratedGradients`: Σ_d e_{t,d} ∫₀¹ ∂F/∂e_{t,d}(α e) dα from the all-zero embedding, by
///   `rule` with `steps` nodes, refined (steps doubled, up to 64×) until the completeness gap
///   |Σ_t IG_t − (F(e) − F(0))| is within `completenessTolerance` of |F(e) − F(0)| on average,
///   as the MLP's Integrated Gradients; the gap is reported;
/// - `smoothGrad`: Σ_d |mean over samples of ∂F/∂e_{t,d}(e + ε)|, ε ~ N(0, σ²), σ = `noiseLevel` ·
///   (max − min of the sequence's embeddings), noise from `stream.derived("smoothgrad", .index(sequence), .index(sample))`.
/// Gradients come from the transformer's own backward pass, patching `embed` and reading its
/// gradient (``Hooks/replace``, ``Hooks/capture``).
public struct TransformerAttribution: Estimator {
    public enum Method: Sendable, Hashable, Codable {
        case gradient
        case gradientTimesInput
        case integratedGradients(steps: Int = 50, rule: IntegrationRule = .gaussLegendre, completenessTolerance: Double? = 0.01)
        case smoothGrad(noiseLevel: Double = 0.15, samples: Int = 50)
    }

    /// Sequences and the token whose logit at the last position is explained.
    public struct Input: Sendable {
        public var model: Transformer
        public var tokens: [Int]
        public var sequences: Int
        public var length: Int
        public var targets: [Int]

        /// - Throws: ``MethodError`` naming what does not fit.
        public init(model: Transformer, tokens: [Int], sequences: Int, length: Int, targets: [Int]) throws {
            let c = model.configuration
            guard sequences >= 1, length >= 1, length <= c.context, tokens.count == sequences * length else {
                throw MethodError("tokens must be \(sequences) sequences × \(length) positions (≤ context \(c.context)), found \(tokens.count) tokens")
            }
            if let i = tokens.firstIndex(where: { !(0..<c.vocabulary).contains($0) }) {
                throw MethodError("token \(tokens[i]) at index \(i) is outside the vocabulary 0..<\(c.vocabulary)")
            }
            guard targets.count == sequences, targets.allSatisfy({ (0..<c.vocabulary).contains($0) }) else {
                throw MethodError("one target token in 0..<\(c.vocabulary) per sequence needed, found \(targets.count)")
            }
            self.model = model
            self.tokens = tokens
            self.sequences = sequences
            self.length = length
            self.targets = targets
        }
    }

    public var method: Method

    public init(_ method: Method) { self.method = method }

    public var name: String {
        switch method {
        case .gradient: return "transformer-gradient"
        case .gradientTimesInput: return "transformer-gradient-times-input"
        case .integratedGradients: return "transformer-integrated-gradients"
        case .smoothGrad: return "transformer-smoothgrad"
        }
    }

    public var requirements: Set<EstimatorRequirement> { [.inputGradients] }

    public var statistics: [ExplanationStatistic] {
        [ExplanationStatistic("meanAbsoluteAttribution", direction: .larger, summary: "mean |token attribution|")]
    }

    /// The clean embeddings `[sequences·length, d]`.
    func embeddings(_ input: Input) -> Tensor {
        input.model.forward(tokens: input.tokens, batch: input.sequences, length: input.length,
                            hooks: Hooks(capture: ["embed"])).captured["embed"] ?? Tensor(zeros: [0])
    }

    /// F and ∂F/∂(embed) with the embeddings replaced by `embedded`.
    func targetGradient(_ input: Input, embedded: Tensor) -> (outputs: [Double], gradient: Tensor) {
        let v = input.model.configuration.vocabulary, n = input.sequences, length = input.length
        let pass = input.model.forward(tokens: input.tokens, batch: n, length: length,
                                       hooks: Hooks(capture: ["embed"], replace: ["embed": embedded]))
        var seed = Tensor(zeros: [n * length, v])
        var outputs = [Double](repeating: 0, count: n)
        for b in 0..<n {
            let row = b * length + length - 1
            seed[row, input.targets[b]] = 1
            outputs[b] = Double(pass.logits[row, input.targets[b]])
        }
        let gradients = input.model.backward(pass, logitsGradient: seed)
        return (outputs, gradients.sites["embed"] ?? Tensor(zeros: embedded.shape))
    }

    public func explain(_ input: Input, stream: RandomStream) throws -> Explanation {
        let e = embeddings(input)
        let n = input.sequences, length = input.length, d = input.model.configuration.dimension
        var scores = [Double](repeating: 0, count: n * length)
        var diagnostics: [String: Double] = [:]
        var perExample: [String: [Double]] = [:]
        let (outputs, g) = targetGradient(input, embedded: e)
        switch method {
        case .gradient:
            for i in 0..<(n * length) { for k in 0..<d { scores[i] += abs(Double(g.scalars[i * d + k])) } }
        case .gradientTimesInput:
            for i in 0..<(n * length) { for k in 0..<d { scores[i] += Double(e.scalars[i * d + k]) * Double(g.scalars[i * d + k]) } }
        case .integratedGradients(let steps, let rule, let tolerance):
            guard steps >= rule.minimumSteps else { throw MethodError("integrated gradients: \(rule.rawValue) needs at least \(rule.minimumSteps) steps") }
            try CompletenessRefinement.validate(tolerance)
            let (baseline, _) = targetGradient(input, embedded: Tensor(zeros: e.shape))
            // One integration with `used` nodes: token scores, per-sequence gaps and the relative gap.
            func integrate(_ used: Int) -> (scores: [Double], gaps: [Double], relative: Double) {
                let (alphas, weights) = rule.nodes(used)
                var integral = [Double](repeating: 0, count: n * length * d)
                for (alpha, weight) in zip(alphas, weights) {
                    var scaled = e
                    for i in 0..<scaled.count { scaled.scalars[i] *= Float(alpha) }
                    let (_, gs) = targetGradient(input, embedded: scaled)
                    for i in 0..<integral.count { integral[i] += weight * Double(gs.scalars[i]) }
                }
                var tokenScores = [Double](repeating: 0, count: n * length)
                for i in 0..<(n * length) {
                    for k in 0..<d { tokenScores[i] += Double(e.scalars[i * d + k]) * integral[i * d + k] }
                }
                var gaps = [Double](repeating: 0, count: n), absoluteGap = 0.0, absoluteDifference = 0.0
                for b in 0..<n {
                    gaps[b] = tokenScores[(b * length)..<((b + 1) * length)].reduce(0, +) - (outputs[b] - baseline[b])
                    absoluteGap += abs(gaps[b])
                    absoluteDifference += abs(outputs[b] - baseline[b])
                }
                return (tokenScores, gaps, absoluteDifference > 0 ? absoluteGap / absoluteDifference : .nan)
            }
            let (result, used) = CompletenessRefinement.refine(steps: steps, tolerance: tolerance, relativeGap: { $0.relative },
                                                               integrate)
            scores = result.scores
            perExample["completenessGap"] = result.gaps
            diagnostics = ["completenessGap.relative": result.relative,
                           "completenessGap.meanAbsolute": result.gaps.reduce(0) { $0 + abs($1) } / Double(n),
                           "integratedGradients.steps": Double(used)]
            if let tolerance { diagnostics["completenessGap.tolerance"] = tolerance }
        case .smoothGrad(let noiseLevel, let samples):
            guard noiseLevel >= 0 && noiseLevel.isFinite, samples >= 1 else {
                throw MethodError("smoothgrad: a finite noise level ≥ 0 and at least 1 sample needed")
            }
            var sum = [Double](repeating: 0, count: n * length * d)
            let span = length * d
            var sigma = [Float](repeating: 0, count: n)
            for b in 0..<n {
                let part = e.scalars[(b * span)..<((b + 1) * span)]
                sigma[b] = Float(noiseLevel) * ((part.max() ?? 0) - (part.min() ?? 0))
            }
            for sample in 0..<samples {
                var noisy = e
                for b in 0..<n {
                    var s = stream.derived("smoothgrad", .index(b), .index(sample))
                    for i in (b * span)..<((b + 1) * span) { noisy.scalars[i] += sigma[b] * Float(s.gaussian()) }
                }
                let (_, gs) = targetGradient(input, embedded: noisy)
                for i in 0..<sum.count { sum[i] += Double(gs.scalars[i]) / Double(samples) }
            }
            for i in 0..<(n * length) { for k in 0..<d { scores[i] += abs(sum[i * d + k]) } }
        }
        perExample["output"] = outputs
        let meanAbs = (0..<n).map { b in scores[(b * length)..<((b + 1) * length)].reduce(0) { $0 + abs($1) } / Double(length) }
        perExample["meanAbsoluteAttribution"] = meanAbs
        return Explanation(method: name, shape: .map,
                           scalars: ["meanAbsoluteAttribution": meanAbs.reduce(0, +) / Double(n)], perExample: perExample,
                           map: Explanation.Map(shape: [n, length], axes: ["sequence", "position"], values: scores),
                           diagnostics: diagnostics)
    }
}
