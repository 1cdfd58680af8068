import Foundation
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import Testing

private typealias Support = AttributionTestSupport

/// Identities and self-checks of the attribution methods: gradient ⊙ input, completeness of
/// Integrated Gradients, SmoothGrad's zero-noise limit and reproducibility, occlusion against
/// direct re-evaluation, guided backpropagation against the gradient and a reference, chunking,
/// the explanation's shape, and input validation.
@Suite struct AttributionPropertyTests {
    static let digits = [64, 64, 64, 10]

    // MARK: Gradient ⊙ input

    @Test(arguments: [Activation.relu, .tanh])
    func gradientTimesInputIsGradientTimesInputExactly(activation: Activation) throws {
        let model = Support.model(Self.digits, activation, seed: 1)
        let x = Support.inputs(rows: 40, columns: 64, seed: 2)
        let target: AttributionInput.Target = .perRow((0..<40).map { $0 % 10 })
        let gradient = try Support.explain(.gradient(), model, x, target)
        let product = try Support.explain(.gradientTimesInput, model, x, target)
        for k in 0..<x.count {
            #expect(product.map!.values[k] == gradient.map!.values[k] * Double(x.scalars[k]), "element \(k)")
        }
    }

    // MARK: Integrated Gradients

    /// The completeness gap, measured as the aggregate mean_r |gap_r| / mean_r |F(x_r) − F(b)|
    /// (the `completenessGap.relative` diagnostic) and per row as |gap_r| / |F(x_r) − F(b)|, on
    /// a digits-shaped smooth network (64 → 64 → 64 → 10, PyTorch initialization), 200 Gaussian
    /// and 200 uniform [0, 1) inputs, zero baseline, the default 50 Gauss–Legendre nodes.
    /// Measured: aggregate ≤ 3.3e-7 (the Float32 floor), worst row ≤ 2.2e-5 (rows with
    /// |F(x) − F(b)| > 1e-3); the trapezoid rule at 50 nodes ≤ 3.7e-5 aggregate.
    /// Asserted: aggregate < 1e-4, every such row < 1 %, trapezoid < 1e-3.
    @Test(arguments: [Activation.tanh, .gelu])
    func integratedGradientsAreCompleteOnSmoothNetworks(activation: Activation) throws {
        let model = Support.model(Self.digits, activation, seed: 21)
        for x in [Support.inputs(rows: 200, columns: 64, seed: 22), Self.uniformInputs(rows: 200, seed: 23)] {
            let e = try Support.explain(.integratedGradients(), model, x, .perRow((0..<200).map { $0 % 10 }))
            let relative = try #require(e.diagnostics["completenessGap.relative"])
            #expect(relative < 1e-4, "aggregate relative gap \(relative)")
            let gaps = e.perExample["completenessGap"]!, fx = e.perExample["output"]!, fb = e.perExample["baselineOutput"]!
            for r in 0..<200 where abs(fx[r] - fb[r]) > 1e-3 {
                #expect(abs(gaps[r]) < 0.01 * abs(fx[r] - fb[r]), "row \(r): gap \(gaps[r]) of F(x) − F(b) = \(fx[r] - fb[r])")
            }
            // The gaps are what the map says: Σ attributions − (F(x) − F(b)).
            for r in 0..<5 {
                let sum = Support.mapRow(e, r).reduce(0, +)
                #expect(abs(gaps[r] - (sum - (fx[r] - fb[r]))) <= 1e-12)
            }
            let trapezoid = try Support.explain(.integratedGradients(rule: .riemannTrapezoid), model, x, .output(4))
            #expect(trapezoid.diagnostics["completenessGap.relative"]! < 1e-3)
        }
    }

    /// On a ReLU network the integrand ∂F/∂x along the path is piecewise constant, with a jump at
    /// every unit that switches on or off, so no rule does better than O(1/steps): the relative
    /// gap (aggregate, as above) at 50 Gauss–Legendre nodes was measured at 0.44 %–2.0 % over four
    /// random ReLU networks ([64, 64, 64, 10] ×2, [64, 256, 10], [5, 8, 6, 3]) and two input kinds,
    /// halving with every doubling of the steps (0.02 %–0.11 % at 1,000). A fixed 50 steps
    /// (Captum's default, `completenessTolerance: nil`) therefore misses 1 % on some ReLU networks:
    /// asserted here are the measured bound at 50 steps (< 2.5 %) and the O(1/steps) decay (< 0.5 %
    /// at 500 steps, at most a quarter of the 50-step gap). The default IG refines the steps until
    /// the gap is within 1 % (next test).
    @Test func integratedGradientsOnReLUNetworksConvergeAsOneOverSteps() throws {
        let model = Support.model(Self.digits, .relu, seed: 31)
        let x = Support.inputs(rows: 100, columns: 64, seed: 32)
        let at50 = try Support.explain(.integratedGradients(completenessTolerance: nil), model, x, .output(1)).diagnostics["completenessGap.relative"]!
        let at500 = try Support.explain(.integratedGradients(steps: 500, completenessTolerance: nil), model, x, .output(1)).diagnostics["completenessGap.relative"]!
        #expect(at50 < 0.025, "50 steps: relative gap \(at50)")
        #expect(at500 < 0.005, "500 steps: relative gap \(at500)")
        #expect(at500 < at50 / 4, "no O(1/steps) decay: \(at50) → \(at500)")
    }

    /// The default IG meets the 1 % completeness target on the same ReLU networks by doubling its
    /// steps from 50, and reports the steps it used.
    @Test(arguments: [31, 33, 35] as [UInt64])
    func defaultIntegratedGradientsMeetTheCompletenessTarget(seed: UInt64) throws {
        let model = Support.model(Self.digits, .relu, seed: seed)
        let x = Support.inputs(rows: 100, columns: 64, seed: seed + 1)
        let d = try Support.explain(.integratedGradients(), model, x, .output(1)).diagnostics
        let gap = try #require(d["completenessGap.relative"]), steps = try #require(d["integratedGradients.steps"])
        #expect(gap <= 0.01, "seed \(seed): relative gap \(gap) after \(steps) steps")
        #expect(steps >= 50 && [50, 100, 200, 400, 800, 1600, 3200].contains(steps))
        #expect(d["completenessGap.tolerance"] == 0.01)
    }

    /// A linear network has a constant gradient, so every rule integrates it exactly:
    /// IG = (x − b) ⊙ ∂F/∂x and the gap vanishes up to rounding.
    @Test(arguments: IntegrationRule.allCases)
    func integratedGradientsAreExactOnALinearNetwork(rule: IntegrationRule) throws {
        let model = Support.model([6, 5, 4], .identity, seed: 41)
        let x = Support.inputs(rows: 8, columns: 6, seed: 42)
        let baseline: [Float] = [1, -1, 0.5, 0, 2, -0.5]
        let ig = try Support.explain(.integratedGradients(baseline: .vector(baseline), steps: 7, rule: rule), model, x, .output(2))
        let gradient = try Support.explain(.gradient(), model, x, .output(2))
        for r in 0..<8 {
            let g = Support.mapRow(gradient, r), a = Support.mapRow(ig, r), row = Support.row(x, r)
            for j in 0..<6 {
                let expected = (Double(row[j]) - Double(baseline[j])) * g[j]
                #expect(abs(a[j] - expected) <= 1e-5 * max(1, abs(expected)), "row \(r) feature \(j): \(a[j]) vs \(expected)")
            }
        }
        #expect(ig.diagnostics["completenessGap.relative"]! < 1e-5)
    }

    /// Gauss–Legendre nodes and weights against `numpy.polynomial.legendre.leggauss`, in absolute
    /// terms on [0, 1] (measured: nodes ≤ 1e-15, weights ≤ 7e-16 after halving; a weight near an
    /// end carries the relative error of 1 − x², ~1e-13, in both implementations).
    @Test func gaussLegendreNodesMatchNumpy() throws {
        struct Rule: Decodable { var n: Int; var nodes: [Double]; var weights: [Double] }
        struct File: Decodable { var gaussLegendre: [Rule] }
        let file: File = try Fixture.load("attribution/similarity.json")
        for rule in file.gaussLegendre {
            let (alphas, weights) = IntegrationRule.gaussLegendre.nodes(rule.n)
            for k in 0..<rule.n {
                #expect(abs(alphas[k] - 0.5 * (1 + rule.nodes[k])) <= 1e-15, "n = \(rule.n) node \(k)")
                #expect(abs(weights[k] - 0.5 * rule.weights[k]) <= 2e-15, "n = \(rule.n) weight \(k)")
            }
        }
    }

    /// Each rule's weights sum to 1; Gauss–Legendre with n nodes integrates t^p exactly for
    /// p ≤ 2n − 1; the trapezoid rule (unlike Captum's, whose weights sum to 1 − 1/n) integrates
    /// linear functions exactly; the midpoint rule too.
    @Test func integrationRulesIntegratePolynomials() {
        for rule in IntegrationRule.allCases {
            for n in [2, 3, 7, 50] {
                let (alphas, weights) = rule.nodes(n)
                #expect(abs(weights.reduce(0, +) - 1) <= 1e-14, "\(rule), \(n)")
                #expect(alphas.allSatisfy { $0 >= 0 && $0 <= 1 } && alphas == alphas.sorted())
                let degree = rule == .gaussLegendre ? 2 * n - 1 : (rule == .riemannTrapezoid || rule == .riemannMiddle ? 1 : 0)
                for p in 0...degree {
                    let integral = zip(alphas, weights).reduce(0) { $0 + $1.1 * pow($1.0, Double(p)) }
                    #expect(abs(integral - 1 / Double(p + 1)) <= 1e-13, "\(rule), n = \(n), t^\(p): \(integral)")
                }
            }
        }
    }

    // MARK: SmoothGrad

    /// With σ = 0 every sample is the input itself, so SmoothGrad is the gradient up to BLAS's
    /// rounding on a differently sized batch (measured ≤ 1.5e-8); with σ = 1e-6 · range it is
    /// within 4.7e-8 (asserted: 1e-7 and 1e-4).
    @Test(arguments: [Activation.relu, .tanh])
    func smoothGradWithVanishingNoiseIsTheGradient(activation: Activation) throws {
        let model = Support.model(Self.digits, activation, seed: 51)
        let x = Support.inputs(rows: 30, columns: 64, seed: 52)
        let target: AttributionInput.Target = .perRow((0..<30).map { ($0 * 7) % 10 })
        let gradient = try Support.explain(.gradient(), model, x, target).map!.values
        let zero = try Support.explain(.smoothGrad(noiseLevel: 0, samples: 10), model, x, target).map!.values
        let worstZero = zip(zero, gradient).map { abs($0 - $1) }.max()!
        #expect(worstZero <= 1e-7, "σ = 0: worst difference \(worstZero)")
        if activation == .tanh {
            let tiny = try Support.explain(.smoothGrad(noiseLevel: 1e-6, samples: 10), model, x, target).map!.values
            let worstTiny = zip(tiny, gradient).map { abs($0 - $1) }.max()!
            #expect(worstTiny <= 1e-4, "σ = 1e-6 · range: worst difference \(worstTiny)")
        }
    }

    @Test func smoothGradIsReproducibleAndSeedAddressed() throws {
        let model = Support.model(Self.digits, .relu, seed: 61)
        let x = Support.inputs(rows: 12, columns: 64, seed: 62)
        let a = try Support.explain(.smoothGrad(samples: 8), model, x, .output(0), seed: 5)
        let b = try Support.explain(.smoothGrad(samples: 8), model, x, .output(0), seed: 5)
        let c = try Support.explain(.smoothGrad(samples: 8), model, x, .output(0), seed: 6)
        #expect(a == b)
        #expect(a.map!.values != c.map!.values)
    }

    // MARK: Occlusion

    /// A feature already at its baseline value gets exactly 0 — on inputs with many blank (0)
    /// features and the zero baseline, as the digits are explained — and every other feature the
    /// difference of outputs (nonzero here for most of them).
    @Test func occludingAFeatureWithItsOwnValueGivesExactlyZero() throws {
        let model = Support.model([16, 12, 5], .relu, seed: 73)
        var x = Support.inputs(rows: 40, columns: 16, seed: 74)
        for k in stride(from: 0, to: x.count, by: 3) { x.scalars[k] = 0 }
        let e = try Support.explain(.occlusion(), model, x, .perRow((0..<40).map { $0 % 5 }))
        let map = try #require(e.map?.values)
        var blank = 0, nonzero = 0
        for k in 0..<x.count {
            if x.scalars[k] == 0 {
                blank += 1
                #expect(map[k] == 0, "feature \(k) is 0 and occluded by 0, attribution \(map[k])")
            } else if map[k] != 0 {
                nonzero += 1
            }
        }
        #expect(blank >= 200 && nonzero >= (x.count - blank) / 2, "blank \(blank), nonzero \(nonzero)")
    }

    /// Occlusion equals F(x) − F(x with feature j replaced), each evaluated as a one-row batch.
    @Test(arguments: [AttributionBaseline.zeros, .constant(0.5), .vector((0..<16).map { Float($0) / 8 - 1 })])
    func occlusionEqualsDirectReevaluation(baseline: AttributionBaseline) throws {
        let model = Support.model([16, 12, 5], .relu, seed: 71)
        let x = Support.inputs(rows: 9, columns: 16, seed: 72)
        let target: AttributionInput.Target = .perRow((0..<9).map { $0 % 5 })
        let e = try Support.explain(.occlusion(baseline: baseline), model, x, target)
        let values: [Float]
        switch baseline {
        case .zeros: values = [Float](repeating: 0, count: 16)
        case .constant(let v): values = [Float](repeating: v, count: 16)
        case .vector(let v): values = v
        }
        var worst = 0.0
        for r in 0..<9 {
            let row = Support.row(x, r), m = Support.mapRow(e, r)
            let f = Support.f(model, row, target: target.index(r))
            for j in 0..<16 {
                var occluded = row
                occluded[j] = values[j]
                let expected = f - Support.f(model, occluded, target: target.index(r))
                worst = max(worst, abs(m[j] - expected))
            }
        }
        // Measured: ≤ 6e-8 (the stacked batch and the one-row products round differently).
        #expect(worst <= 1e-6, "worst difference \(worst)")
    }

    // MARK: Guided backpropagation

    /// With positive inputs, weights and biases every pre-activation is positive and every
    /// backward signal is a sum of products of positive weights, so guided backprop has nothing
    /// to remove: it equals the gradient exactly.
    @Test func guidedBackpropEqualsTheGradientWhenEverySignalIsPositive() throws {
        var model = Support.model([10, 8, 8, 3], .relu, seed: 81)
        for i in model.layers.indices {
            model.layers[i].weight.scalars = model.layers[i].weight.scalars.map { abs($0) }
            model.layers[i].bias.scalars = model.layers[i].bias.scalars.map { abs($0) + 0.01 }
        }
        let x = Tensor(shape: [6, 10], scalars: Support.inputs(rows: 6, columns: 10, seed: 82).scalars.map { abs($0) + 0.1 })
        let target: AttributionInput.Target = .perRow([0, 1, 2, 0, 1, 2])
        let guided = try Support.explain(.guidedBackprop, model, x, target)
        let gradient = try Support.explain(.gradient(), model, x, target)
        #expect(guided.map!.values == gradient.map!.values)
        #expect(guided.map!.values.allSatisfy { $0 > 0 })
    }

    /// A network where they must differ, with values by hand: x = (1, 1), hidden h = ReLU(x)
    /// (identity weights, zero bias, both units on), F = h₁ − h₂ + 0.5·x-free bias.
    /// Gradient: (1, −1). Guided: the signal −1 reaching unit 2 is negative, so it is dropped: (1, 0).
    /// A second row x = (1, −1) turns unit 2 off: gradient and guided are both (1, 0).
    @Test func guidedBackpropDropsNegativeSignals() throws {
        let model = MLP(layers: [Linear(weight: Tensor(rows: [[1, 0], [0, 1]]), bias: Tensor(shape: [2], scalars: [0, 0])),
                                 Linear(weight: Tensor(rows: [[1, -1]]), bias: Tensor(shape: [1], scalars: [0.5]))],
                        hiddenActivation: .relu)
        let x = Tensor(rows: [[1, 1], [1, -1]])
        let gradient = try Support.explain(.gradient(), model, x, .output(0))
        let guided = try Support.explain(.guidedBackprop, model, x, .output(0))
        #expect(gradient.map!.values == [1, -1, 1, 0])
        #expect(guided.map!.values == [1, 0, 1, 0])
    }

    /// Guided backprop on a random ReLU network against a scalar-loop reference of Springenberg
    /// et al.'s rule (R ← Wᵀ (1[z > 0] · 1[R > 0] · R) at every ReLU); it differs from the gradient.
    @Test func guidedBackpropMatchesAReferenceImplementation() throws {
        let model = Support.model([7, 9, 8, 4], .relu, seed: 91)
        let x = Support.inputs(rows: 10, columns: 7, seed: 92)
        let target: AttributionInput.Target = .perRow((0..<10).map { $0 % 4 })
        let guided = try Support.explain(.guidedBackprop, model, x, target)
        let gradient = try Support.explain(.gradient(), model, x, target)
        for r in 0..<10 {
            let reference = Self.guidedReference(model, Support.row(x, r), target: target.index(r))
            let m = Support.mapRow(guided, r)
            for j in 0..<7 { #expect(abs(m[j] - reference[j]) <= 1e-5 * max(1, abs(reference[j])), "row \(r) feature \(j)") }
        }
        #expect(guided.map!.values != gradient.map!.values)
    }

    @Test(arguments: [Activation.tanh, .leakyReLU(slope: 0.01), .gelu])
    func guidedBackpropRejectsNonReLUNetworks(activation: Activation) throws {
        let model = Support.model([4, 5, 2], activation, seed: 93)
        let x = Support.inputs(rows: 2, columns: 4, seed: 94)
        #expect(throws: MethodError.self) { try Support.explain(.guidedBackprop, model, x, .output(0)) }
    }

    /// Springenberg et al.'s rule in Float64 scalar loops, one row at a time.
    static func guidedReference(_ model: MLP, _ x: [Float], target: Int) -> [Double] {
        var a = x.map(Double.init)
        var pre: [[Double]] = []
        let last = model.layers.count - 1
        for (i, layer) in model.layers.enumerated() {
            var z = [Double](repeating: 0, count: layer.outFeatures)
            for o in 0..<layer.outFeatures {
                var sum = Double(layer.bias.scalars[o])
                for j in 0..<layer.inFeatures { sum += Double(layer.weight[o, j]) * a[j] }
                z[o] = sum
            }
            pre.append(z)
            a = i == last ? z : z.map { max($0, 0) }
        }
        var signal = [Double](repeating: 0, count: model.layers[last].outFeatures)
        signal[target] = 1
        for i in stride(from: last, through: 0, by: -1) {
            let layer = model.layers[i]
            if i < last {
                for o in signal.indices where !(pre[i][o] > 0 && signal[o] > 0) { signal[o] = 0 }
            }
            var next = [Double](repeating: 0, count: layer.inFeatures)
            for j in 0..<layer.inFeatures {
                for o in 0..<layer.outFeatures { next[j] += Double(layer.weight[o, j]) * signal[o] }
            }
            signal = next
        }
        return signal
    }

    // MARK: Batching, shape, validation

    /// One row per chunk (batchElementLimit 1) gives the same maps as one batch, within BLAS's
    /// rounding on differently sized products (measured ≤ 7.5e-9).
    @Test(arguments: [AttributionMethod.gradient(), .gradientTimesInput, .integratedGradients(steps: 8),
                      .smoothGrad(samples: 5), .occlusion(), .guidedBackprop])
    func chunkingDoesNotChangeTheMaps(method: AttributionMethod) throws {
        let model = Support.model([12, 10, 10, 3], .relu, seed: 101)
        let x = Support.inputs(rows: 7, columns: 12, seed: 102)
        let target: AttributionInput.Target = .perRow([0, 1, 2, 0, 1, 2, 0])
        let whole = try Support.explain(method, model, x, target)
        let chunked = try Support.explain(method, model, x, target, batchElementLimit: 1)
        let worst = zip(whole.map!.values, chunked.map!.values).map { abs($0 - $1) }.max()!
        #expect(worst <= 1e-6, "\(method.name): worst difference \(worst)")
    }

    @Test func explanationHasTheMapShapeAndMetadata() throws {
        let model = Support.model([6, 5, 3], .relu, seed: 111)
        let x = Support.inputs(rows: 4, columns: 6, seed: 112)
        let estimator = Attribution(.integratedGradients())
        let e = try estimator.explain(AttributionInput(model: model, inputs: x, target: .output(1)), stream: RandomStream(seed: 1))
        #expect(e.method == "integrated-gradients" && e.shape == .map)
        #expect(e.map?.shape == [4, 6] && e.map?.axes == ["input", "feature"])
        #expect(Set(e.diagnostics.keys).isSuperset(of: ["completenessGap.meanAbsolute", "completenessGap.maxAbsolute", "completenessGap.relative"]))
        #expect(e.perExample["completenessGap"]?.count == 4 && e.perExample["output"]?.count == 4)
        let statistic = try #require(estimator.statistics.first)
        let meanAbsolute = try statistic.value(in: e)
        #expect(abs(meanAbsolute - e.map!.values.map { abs($0) }.reduce(0, +) / 24) <= 1e-12)
        #expect(estimator.requirements == [.inputGradients] && Attribution(.occlusion()).requirements.isEmpty)
        let names = [AttributionMethod.gradient(), .gradient(absolute: true), .gradientTimesInput, .integratedGradients(),
                     .smoothGrad(), .occlusion(), .guidedBackprop].map(\.name)
        #expect(names == ["gradient", "absolute-gradient", "gradient-times-input", "integrated-gradients", "smoothgrad",
                          "occlusion", "guided-backprop"])
        // Methods round-trip through JSON (specs store them).
        let method = AttributionMethod.integratedGradients(baseline: .vector([1, 2]), steps: 20, rule: .riemannTrapezoid,
                                                           completenessTolerance: 0.02)
        #expect(try JSONDecoder().decode(AttributionMethod.self, from: JSONEncoder().encode(method)) == method)
    }

    @Test func invalidInputsAreRejected() throws {
        let model = Support.model([4, 5, 3], .relu, seed: 121)
        let x = Support.inputs(rows: 3, columns: 4, seed: 122)
        #expect(throws: MethodError.self) { try AttributionInput(model: model, inputs: Support.inputs(rows: 3, columns: 5, seed: 1), target: .output(0)) }
        #expect(throws: MethodError.self) { try AttributionInput(model: model, inputs: x, target: .output(3)) }
        #expect(throws: MethodError.self) { try AttributionInput(model: model, inputs: x, target: .perRow([0, 1])) }
        #expect(throws: MethodError.self) { try AttributionInput(model: model, inputs: x, target: .perRow([0, -1, 2])) }
        var bad = x
        bad.scalars[5] = .nan
        #expect(throws: MethodError.self) { try AttributionInput(model: model, inputs: bad, target: .output(0)) }
        for method in [AttributionMethod.integratedGradients(steps: 0), .integratedGradients(steps: 1, rule: .riemannTrapezoid),
                       .integratedGradients(completenessTolerance: 0), .integratedGradients(completenessTolerance: .nan),
                       .integratedGradients(baseline: .vector([1, 2])), .smoothGrad(noiseLevel: -1), .smoothGrad(samples: 0),
                       .occlusion(baseline: .constant(.infinity))] {
            #expect(throws: MethodError.self, "\(method)") { try Support.explain(method, model, x, .output(0)) }
        }
    }

    static func uniformInputs(rows: Int, seed: UInt64) -> Tensor {
        var s = RandomStream(seed: seed)
        return Tensor(shape: [rows, 64], scalars: (0..<(rows * 64)).map { _ in Float(s.uniform()) })
    }
}
