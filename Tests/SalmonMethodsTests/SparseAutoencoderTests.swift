import Testing
import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// The sparse autoencoder's loss gradient against central finite differences, its metrics against
/// numpy (`Fixtures/sae/generate_metrics.py`), and its training's guarantees.
@Suite struct SparseAutoencoderTests {
    static func gaussian(_ count: Int, seed: UInt64, _ name: String) -> [Float] {
        var s = RandomStream(seed: seed, path: ["sae-test", .label(name)])
        return (0..<count).map { _ in Float(s.gaussian()) }
    }

    /// The pattern the loss is smooth within: which latents fire, and which dead latents the
    /// auxiliary loss selects. A ±h step that changes it crosses a kink and is skipped.
    static func pattern(_ sae: SparseAutoencoder, x: [Float], rows: Int, dead: [Bool]?, auxiliaryK: Int) -> [Bool] {
        let z = x.withUnsafeBufferPointer { sae.preActivations($0, rows: rows) }
        var f = z
        sae.applyTrainingActivation(&f, rows: rows)
        var out = f.map { $0 > 0 }
        if let dead, sae.activation.usesAuxiliaryLoss {
            let ids = dead.indices.filter { dead[$0] }
            for r in 0..<rows {
                let ranked = ids.sorted { (z[r * sae.latents + $0], $1) > (z[r * sae.latents + $1], $0) }
                out += ids.map { j in ranked.prefix(auxiliaryK).contains(j) && z[r * sae.latents + j] > 0 }
            }
        }
        return out
    }

    /// Checks every parameter's analytic gradient within 2e-3 + 2e-2·|fd| (the tolerance argued in
    /// `GradientCheckTests`), with h = 1e-2; returns how many coordinates were compared.
    static func check(_ sae: SparseAutoencoder, x: [Float], y: [Float]?, rows: Int, dead: [Bool]?, auxiliaryK: Int = 2,
                      sourceLocation: SourceLocation = #_sourceLocation) -> Int {
        let h: Float = 1e-2
        // The auxiliary loss's residual is a constant of the loss: every evaluation uses the unperturbed one.
        let e = zip(y ?? x, sae(x, rows: rows).reconstruction).map { $0 - $1 }
        func evaluate(_ s: SparseAutoencoder) -> (loss: Double, gradients: SparseAutoencoder.Gradients, code: [Float]) {
            s.lossAndGradients(x: x, y: y, rows: rows, dead: dead, auxiliaryK: auxiliaryK, auxiliaryCoefficient: 0.25, auxiliaryTarget: e)
        }
        let base = evaluate(sae)
        var compared = 0
        let fields: [(String, WritableKeyPath<SparseAutoencoder, [Float]>, [Float])] = [
            ("encoderWeight", \.encoderWeight, base.gradients.encoderWeight), ("encoderBias", \.encoderBias, base.gradients.encoderBias),
            ("decoderWeight", \.decoderWeight, base.gradients.decoderWeight), ("decoderBias", \.decoderBias, base.gradients.decoderBias),
        ]
        for (name, path, analytic) in fields {
            for k in 0..<sae[keyPath: path].count {
                var up = sae, down = sae
                up[keyPath: path][k] += h
                down[keyPath: path][k] -= h
                guard pattern(up, x: x, rows: rows, dead: dead, auxiliaryK: auxiliaryK) == pattern(down, x: x, rows: rows, dead: dead, auxiliaryK: auxiliaryK) else { continue }
                let plus = evaluate(up).loss, minus = evaluate(down).loss
                let fd = Float((plus - minus) / Double(2 * h))
                #expect(abs(analytic[k] - fd) <= 2e-3 + 2e-2 * abs(fd), "\(name)[\(k)]: analytic \(analytic[k]), finite difference \(fd)",
                        sourceLocation: sourceLocation)
                compared += 1
            }
        }
        return compared
    }

    @Test func reluL1GradientMatchesFiniteDifferences() {
        let rows = 7, inputs = 5, latents = 9
        var sae = SparseAutoencoder(inputs: inputs, latents: latents, activation: .relu(l1: 0.3), stream: RandomStream(seed: 11))
        sae.encoderBias = Self.gaussian(latents, seed: 1, "be").map { $0 * 0.3 }
        sae.decoderBias = Self.gaussian(inputs, seed: 1, "bd").map { $0 * 0.3 }
        let x = Self.gaussian(rows * inputs, seed: 1, "x")
        let compared = Self.check(sae, x: x, y: nil, rows: rows, dead: nil)
        #expect(compared >= 3 * (inputs * latents + latents + latents * inputs + inputs) / 4, "compared \(compared)")
    }

    @Test func topKGradientWithAuxiliaryLossMatchesFiniteDifferences() {
        let rows = 6, inputs = 5, latents = 10
        var sae = SparseAutoencoder(inputs: inputs, latents: latents, activation: .topK(k: 3), stream: RandomStream(seed: 12))
        sae.encoderBias = Self.gaussian(latents, seed: 2, "be").map { $0 * 0.3 + 0.2 }
        sae.decoderBias = Self.gaussian(inputs, seed: 2, "bd").map { $0 * 0.3 }
        let x = Self.gaussian(rows * inputs, seed: 2, "x")
        let dead = (0..<latents).map { $0 % 2 == 1 }
        let compared = Self.check(sae, x: x, y: nil, rows: rows, dead: dead, auxiliaryK: 2)
        #expect(compared >= (inputs * latents + latents + latents * inputs + inputs) / 2, "compared \(compared)")
        // The auxiliary loss is really there: without dead latents the loss is smaller.
        let with = sae.lossAndGradients(x: x, rows: rows, dead: dead, auxiliaryK: 2, auxiliaryCoefficient: 0.25).loss
        let without = sae.lossAndGradients(x: x, rows: rows, dead: nil).loss
        #expect(with > without)
    }

    @Test func batchTopKGradientWithAuxiliaryLossMatchesFiniteDifferences() {
        let rows = 6, inputs = 5, latents = 10
        var sae = SparseAutoencoder(inputs: inputs, latents: latents, activation: .batchTopK(k: 3, threshold: 0), stream: RandomStream(seed: 14))
        sae.encoderBias = Self.gaussian(latents, seed: 4, "be").map { $0 * 0.3 + 0.2 }
        sae.decoderBias = Self.gaussian(inputs, seed: 4, "bd").map { $0 * 0.3 }
        let x = Self.gaussian(rows * inputs, seed: 4, "x")
        let dead = (0..<latents).map { $0 % 3 == 2 }
        let compared = Self.check(sae, x: x, y: nil, rows: rows, dead: dead, auxiliaryK: 2)
        #expect(compared >= (inputs * latents + latents + latents * inputs + inputs) / 2, "compared \(compared)")
    }

    /// JumpReLU's reconstruction gradients in the four matrices are true gradients (the L0 term
    /// is constant wherever the firing pattern is): checked against finite differences.
    @Test func jumpReLUGradientMatchesFiniteDifferences() {
        let rows = 7, inputs = 5, latents = 9
        var sae = SparseAutoencoder(inputs: inputs, latents: latents, activation: .jumpReLU(l0: 0.2, bandwidth: 0.1), stream: RandomStream(seed: 15))
        sae.encoderBias = Self.gaussian(latents, seed: 5, "be").map { $0 * 0.3 }
        sae.decoderBias = Self.gaussian(inputs, seed: 5, "bd").map { $0 * 0.3 }
        sae.thresholds = Self.gaussian(latents, seed: 5, "theta").map { 0.1 + abs($0) * 0.3 }
        let x = Self.gaussian(rows * inputs, seed: 5, "x")
        let compared = Self.check(sae, x: x, y: nil, rows: rows, dead: nil)
        #expect(compared >= 3 * (inputs * latents + latents + latents * inputs + inputs) / 4, "compared \(compared)")
    }

    /// The threshold's pseudo-gradient is Rajamanoharan et al.'s (eqs. 11–12), computed here
    /// directly: for t = log θ, θⱼ Σᵢ [∂L/∂fᵢⱼ·(−θⱼ/ε) + (λ/B)(−1/ε)]·[|zᵢⱼ − θⱼ| < ε/2], with
    /// ∂L/∂fᵢⱼ = (2/B)(ŷᵢ − xᵢ)·dⱼ; the loss adds λ times the mean L0.
    @Test func jumpReLUThresholdPseudoGradientIsThePapersFormula() {
        let rows = 12, inputs = 4, latents = 6
        let lambda: Float = 0.3, epsilon: Float = 0.8
        var sae = SparseAutoencoder(inputs: inputs, latents: latents, activation: .jumpReLU(l0: lambda, bandwidth: epsilon), stream: RandomStream(seed: 16))
        sae.thresholds = Self.gaussian(latents, seed: 6, "theta").map { 0.2 + abs($0) * 0.2 }
        sae.encoderBias = Self.gaussian(latents, seed: 6, "be").map { $0 * 0.2 + 0.3 }
        let x = Self.gaussian(rows * inputs, seed: 6, "x")
        let (loss, gradients, code) = sae.lossAndGradients(x: x, rows: rows)
        let z = x.withUnsafeBufferPointer { sae.preActivations($0, rows: rows) }
        let reconstruction = sae(x, rows: rows).reconstruction
        var expected = [Double](repeating: 0, count: latents), active = 0, inWindow = 0
        var squared = 0.0
        for r in 0..<rows {
            for i in 0..<inputs { squared += Double(reconstruction[r * inputs + i] - x[r * inputs + i]) * Double(reconstruction[r * inputs + i] - x[r * inputs + i]) }
            for j in 0..<latents {
                let theta = Double(sae.thresholds[j]), value = Double(z[r * latents + j])
                #expect((code[r * latents + j] > 0) == (value > theta))
                if value > theta { active += 1 }
                guard abs(value - theta) < Double(epsilon) / 2 else { continue }
                inWindow += 1
                var dCode = 0.0
                for i in 0..<inputs {
                    dCode += 2 / Double(rows) * Double(reconstruction[r * inputs + i] - x[r * inputs + i]) * Double(sae.decoderWeight[j * inputs + i])
                }
                expected[j] += theta * (dCode * (-theta / Double(epsilon)) + Double(lambda) / Double(rows) * (-1 / Double(epsilon)))
            }
        }
        #expect(inWindow >= rows * latents / 5, "only \(inWindow) pre-activations within the kernel")
        #expect(gradients.logThresholds.count == latents)
        for j in 0..<latents { #expect(abs(Double(gradients.logThresholds[j]) - expected[j]) <= 1e-5 * max(1, abs(expected[j])), "θ[\(j)]") }
        let l0Term = Double(lambda) * Double(active) / Double(rows)
        #expect(abs(loss - (squared / Double(rows) + l0Term)) <= 1e-5 * loss)
        #expect(SparseAutoencoder(inputs: 2, latents: 3, activation: .topK(k: 1), stream: RandomStream(seed: 1)).thresholds.isEmpty)
    }

    /// Trained on rows made of 2 of 24 unit directions in 16 dimensions (30 epochs, about 700
    /// steps), JumpReLU with λ = 1 finds the directions (true → learned mean max cosine ≥ 0.95)
    /// at an L0 near the true 2; λ = 0.1 buys explained variance with a denser code. Its
    /// thresholds move off their initial value. From SAELens's initial θ = 0.01 the same run
    /// stays dense (L0 above 15 for both λ): the default initial threshold's reason.
    @Test func jumpReLURecoversASparseDictionaryAndTradesL0ForReconstruction() {
        let (x, truth) = SparseAutoencoderRecoveryTests.toyData(rows: 3000, width: 16, features: 24, active: 2, seed: 43)
        var l0s: [Double] = [], evs: [Double] = []
        for lambda: Float in [0.1, 1.0] {
            let trained = SparseAutoencoder.train(x: x, rows: 3000, inputs: 16, latents: 48, activation: .jumpReLU(l0: lambda, bandwidth: 0.05),
                                                  training: SparseAutoencoderTraining(epochs: 30, batchSize: 128, learningRate: 3e-3),
                                                  stream: RandomStream(seed: 8)).autoencoder
            let (code, reconstruction) = trained(x, rows: 3000)
            let m = SparseAutoencoderMetrics(target: x, reconstruction: reconstruction, code: code, rows: 3000, width: 16, latents: 48)
            let cosines = DictionaryComparison.cosineSimilarities(truth, rows: 24, trained.decoderWeight, columns: 48, width: 16)
            let found = DictionaryComparison.meanMaxSimilarity(cosines, rows: 24, columns: 48).rowsToColumns
            print("JumpReLU λ = \(lambda) on 3,000 rows (24 features in 16 dimensions, 2 active per row): L0 \(m.meanL0), EV \(m.explainedVariance), MMCS \(found), mean θ \(trained.thresholds.reduce(0, +) / 48)")
            #expect(found >= (lambda == 1 ? 0.95 : 0.8) && m.explainedVariance > 0.85, "λ \(lambda): MMCS \(found), \(m)")
            #expect(trained.thresholds.contains { abs($0 - SparseAutoencoder.initialThreshold) > 0.1 })
            l0s.append(m.meanL0)
            evs.append(m.explainedVariance)
        }
        #expect(l0s[1] < l0s[0] && evs[1] < evs[0] && l0s[1] > 1.5 && l0s[1] < 2.5, "L0 \(l0s), EV \(evs)")
        let slow = SparseAutoencoder.train(x: x, rows: 3000, inputs: 16, latents: 48, activation: .jumpReLU(l0: 1, bandwidth: 0.05),
                                           training: SparseAutoencoderTraining(epochs: 30, batchSize: 128, learningRate: 3e-3, initialThreshold: 0.01),
                                           stream: RandomStream(seed: 8)).autoencoder
        let dense = slow(x, rows: 3000).code.count { $0 > 0 }
        #expect(Double(dense) / 3000 > 15, "L0 from θ = 0.01: \(Double(dense) / 3000)")
    }

    /// BatchTopK keeps the k·B largest rectified values of the whole batch in training (so rows
    /// differ in how many fire), learns a positive threshold, and in use fires about k per row.
    @Test func batchTopKKeepsKPerRowOnAverageAndLearnsItsThreshold() {
        var sae = SparseAutoencoder(inputs: 2, latents: 4, activation: .batchTopK(k: 2, threshold: 0), stream: RandomStream(seed: 6))
        var z: [Float] = [5, 4, 3, 0.5,   -1, 0.2, 0.1, -3]
        sae.applyTrainingActivation(&z, rows: 2)
        #expect(z == [5, 4, 3, 0.5, 0, 0, 0, 0])
        sae.activation = .batchTopK(k: 2, threshold: 0.3)
        var used: [Float] = [5, 4, 3, 0.25, -1, 0.31, 0.3, -3]
        sae.applyActivation(&used, rows: 2)
        #expect(used == [5, 4, 3, 0, 0, 0.31, 0, 0])

        let (x, truth) = SparseAutoencoderRecoveryTests.toyData(rows: 3000, width: 16, features: 24, active: 2, seed: 41)
        let trained = SparseAutoencoder.train(x: x, rows: 3000, inputs: 16, latents: 48, activation: .batchTopK(k: 2, threshold: 0),
                                              training: SparseAutoencoderTraining(epochs: 20, batchSize: 128, learningRate: 3e-3),
                                              stream: RandomStream(seed: 7)).autoencoder
        guard case .batchTopK(2, let threshold) = trained.activation else { Issue.record("activation \(trained.activation)"); return }
        #expect(threshold > 0)
        let (code, reconstruction) = trained(x, rows: 3000)
        let m = SparseAutoencoderMetrics(target: x, reconstruction: reconstruction, code: code, rows: 3000, width: 16, latents: 48)
        #expect(m.meanL0 > 1 && m.meanL0 < 4 && m.explainedVariance > 0.8, "\(m)")
        let cosines = DictionaryComparison.cosineSimilarities(truth, rows: 24, trained.decoderWeight, columns: 48, width: 16)
        let found = DictionaryComparison.meanMaxSimilarity(cosines, rows: 24, columns: 48).rowsToColumns
        #expect(found >= 0.9, "true → learned mean max cosine \(found)")
        print("BatchTopK on 3,000 rows (24 features in 16 dimensions, 2 active per row): L0 \(m.meanL0), EV \(m.explainedVariance), threshold \(threshold), MMCS \(found)")
    }

    @Test func transcoderGradientMatchesFiniteDifferences() {
        let rows = 6, inputs = 4, latents = 8, outputs = 6
        var sae = SparseAutoencoder(inputs: inputs, latents: latents, outputs: outputs, activation: .relu(l1: 0.1), stream: RandomStream(seed: 13))
        sae.encoderBias = Self.gaussian(latents, seed: 3, "be").map { $0 * 0.3 + 0.3 }
        let x = Self.gaussian(rows * inputs, seed: 3, "x"), y = Self.gaussian(rows * outputs, seed: 3, "y")
        let compared = Self.check(sae, x: x, y: y, rows: rows, dead: nil)
        #expect(compared >= (inputs * latents + latents + latents * outputs + outputs) / 2, "compared \(compared)")
    }

    @Test func topKKeepsAtMostKLatentsAndBreaksTiesByIndex() {
        var sae = SparseAutoencoder(inputs: 2, latents: 6, activation: .topK(k: 2), stream: RandomStream(seed: 5))
        var z: [Float] = [1, 3, 3, -1, 2, 0.5,   -1, -2, -3, -4, -5, 0.1]
        sae.applyActivation(&z, rows: 2)
        #expect(z == [0, 3, 3, 0, 0, 0,   0, 0, 0, 0, 0, 0.1])
        sae.activation = .topK(k: 1)
        var tie: [Float] = [2, 2, 1, 0, 0, 0]
        sae.applyActivation(&tie, rows: 1)
        #expect(tie == [2, 0, 0, 0, 0, 0])
    }

    @Test func metricsMatchNumpy() throws {
        struct Reference: Decodable {
            var rows: Int, width: Int, latents: Int
            var target: [Float], reconstruction: [Float], code: [Float]
            var fractionOfVarianceUnexplained: Double, explainedVarianceAgainstZero: Double, legacyExplainedVariance: Double
            var meanSquaredError: Double, cosineSimilarity: Double, meanL0: Double, deadFraction: Double, denseFraction: Double
        }
        let r = try Fixture.load("sae/metrics.json", as: Reference.self)
        let m = SparseAutoencoderMetrics(target: r.target, reconstruction: r.reconstruction, code: r.code, rows: r.rows, width: r.width, latents: r.latents)
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(1, abs(b)) }
        #expect(close(m.fractionOfVarianceUnexplained, r.fractionOfVarianceUnexplained), "FVU \(m.fractionOfVarianceUnexplained) vs \(r.fractionOfVarianceUnexplained)")
        #expect(close(m.explainedVariance, 1 - r.fractionOfVarianceUnexplained))
        #expect(close(m.legacyExplainedVariance, r.legacyExplainedVariance), "legacy \(m.legacyExplainedVariance) vs \(r.legacyExplainedVariance)")
        #expect(close(m.meanSquaredError, r.meanSquaredError))
        #expect(close(m.cosineSimilarity, r.cosineSimilarity))
        #expect(m.meanL0 == r.meanL0 && m.deadFraction == r.deadFraction && m.denseFraction == r.denseFraction)
        // The centred ratio is the one reported: against zero it would read 0.987 here, not 0.724.
        #expect(r.explainedVarianceAgainstZero > 0.98 && m.explainedVariance < 0.75)
    }

    /// `rows` rows of width `inputs`, each the sum of 2 of 16 Gaussian directions (drawn with
    /// `truthSeed`) with weights in [1, 2), the choices drawn from `seed`.
    static func sparseRows(_ rows: Int, inputs: Int, seed: UInt64, truthSeed: UInt64) -> [Float] {
        var s = RandomStream(seed: seed, path: ["sae-data"])
        let truth = gaussian(16 * inputs, seed: truthSeed, "truth")
        var x = [Float](repeating: 0, count: rows * inputs)
        for r in 0..<rows {
            for _ in 0..<2 {
                let j = Int(s.next() % 16), a = Float(1 + s.uniform())
                for i in 0..<inputs { x[r * inputs + i] += a * truth[j * inputs + i] }
            }
        }
        return x
    }

    /// A batch shared among workers (``RowBlocks``: blocks of rows forward and back, parts of the
    /// latents for the weight gradients) gives the same bits as one worker, for every activation,
    /// the TopK auxiliary loss and a transcoder. The batch (700 rows × 256 latents: 2 blocks,
    /// the last one short, and 2 parts of the latents) is above the threshold for blocks.
    @Test(arguments: ["relu", "topk", "topk-dead", "batchtopk", "jumprelu", "transcoder"])
    func aBatchGivesTheSameBitsOnAnyNumberOfWorkers(_ variant: String) {
        let rows = 700, inputs = 16, latents = 256
        let outputs = variant == "transcoder" ? 10 : inputs
        let activation: SparseAutoencoder.Activation = switch variant {
        case "relu": .relu(l1: 0.05)
        case "batchtopk": .batchTopK(k: 6, threshold: 0)
        case "jumprelu": .jumpReLU(l0: 0.1, bandwidth: 0.5)
        default: .topK(k: 6)
        }
        var sae = SparseAutoencoder(inputs: inputs, latents: latents, outputs: outputs, activation: activation, stream: RandomStream(seed: 41))
        if activation.hasThresholds { sae.thresholds = (0..<latents).map { Float($0 % 7) * 0.1 + 0.05 } }
        let x = Self.gaussian(rows * inputs, seed: 42, "x")
        let y: [Float]? = variant == "transcoder" ? Self.gaussian(rows * outputs, seed: 43, "y") : nil
        let dead: [Bool]? = variant == "topk-dead" ? (0..<latents).map { $0 % 3 == 0 } : nil
        let blocks = RowBlocks(rows: rows, elementsPerRow: latents)
        #expect(blocks.count == 2 && blocks.range(1) == 512..<700 && blocks.columnParts(latents) == [0..<128, 128..<256])
        #expect(RowBlocks(rows: 511, elementsPerRow: 128).count == 1 && !RowBlocks(rows: 511, elementsPerRow: 128).isBlocked)
        let one = sae.lossAndGradients(x: x, y: y, rows: rows, dead: dead, auxiliaryK: 5, threads: 1)
        for threads in [2, 3, 8] {
            let many = sae.lossAndGradients(x: x, y: y, rows: rows, dead: dead, auxiliaryK: 5, threads: threads)
            #expect(many.loss == one.loss && many.code == one.code, "\(variant), \(threads) workers")
            #expect(many.gradients.encoderWeight == one.gradients.encoderWeight && many.gradients.encoderBias == one.gradients.encoderBias,
                    "\(variant), \(threads) workers")
            #expect(many.gradients.decoderWeight == one.gradients.decoderWeight && many.gradients.decoderBias == one.gradients.decoderBias,
                    "\(variant), \(threads) workers")
            #expect(many.gradients.logThresholds == one.gradients.logThresholds, "\(variant), \(threads) workers")
        }
        #expect(one.loss.isFinite && one.gradients.encoderWeight.contains { $0 != 0 })
        let fired = SparseAutoencoder.firedLatents(one.code, rows: rows, latents: latents, threads: 1)
        #expect(SparseAutoencoder.firedLatents(one.code, rows: rows, latents: latents, threads: 2) == fired)
        #expect(fired == (0..<latents).filter { j in (0..<rows).contains { one.code[$0 * latents + j] > 0 } })
    }

    /// Training lowers the loss, is a function of its stream, and keeps decoder rows at one norm.
    @Test func trainingIsDeterministicAndLowersTheLoss() {
        let rows = 400, inputs = 8, latents = 32
        let x = Self.sparseRows(rows, inputs: inputs, seed: 77, truthSeed: 9)
        let training = SparseAutoencoderTraining(epochs: 20, batchSize: 50, learningRate: 3e-3)
        let a = SparseAutoencoder.train(x: x, rows: rows, inputs: inputs, latents: latents, activation: .topK(k: 2), training: training, stream: RandomStream(seed: 3))
        let b = SparseAutoencoder.train(x: x, rows: rows, inputs: inputs, latents: latents, activation: .topK(k: 2), training: training, stream: RandomStream(seed: 3))
        #expect(a.autoencoder == b.autoencoder && a.epochLosses == b.epochLosses)
        #expect(a.epochLosses.last! < 0.5 * a.epochLosses.first!, "\(a.epochLosses)")
        let (code, reconstruction) = a.autoencoder(x, rows: rows)
        let m = SparseAutoencoderMetrics(target: x, reconstruction: reconstruction, code: code, rows: rows, width: inputs, latents: latents)
        #expect(m.meanL0 <= 2 && m.explainedVariance > 0.8, "\(m)")
        var norms = Set<Int>()
        for j in 0..<latents {
            var n: Float = 0
            for o in 0..<inputs { n += a.autoencoder.decoderWeight[j * inputs + o] * a.autoencoder.decoderWeight[j * inputs + o] }
            norms.insert(Int((n.squareRoot() * 1e4).rounded()))
        }
        #expect(norms.count <= 2, "decoder row norms differ: \(norms)")
    }

    /// Several seeds in one pass: each dictionary is the one its stream gives alone with the first
    /// stream's batch order, so dictionary 0 is the single-seed dictionary and the others differ
    /// from it only by their initialization.
    @Test func severalSeedsInOnePassAreEachTheirOwnDictionary() {
        let rows = 300, inputs = 6, latents = 18
        let x = Self.gaussian(rows * inputs, seed: 12, "x")
        let training = SparseAutoencoderTraining(epochs: 3, batchSize: 64)
        let seeds = [RandomStream(seed: 8), RandomStream(seed: 9), RandomStream(seed: 10)]
        let together = SparseAutoencoder.train(x: x, rows: rows, inputs: inputs, latents: latents, activation: .topK(k: 3),
                                               training: training, seeds: seeds)
        #expect(together.autoencoders.count == 3 && together.epochLosses.count == 3)
        let alone = SparseAutoencoder.train(x: x, rows: rows, inputs: inputs, latents: latents, activation: .topK(k: 3),
                                            training: training, stream: seeds[0])
        #expect(together.autoencoders[0] == alone.autoencoder && together.epochLosses[0] == alone.epochLosses)
        #expect(together.autoencoders[1] != together.autoencoders[0] && together.autoencoders[2] != together.autoencoders[1])
        // Seed 1 alone, but with seed 0's batches: the init of seed 1 and the order of seed 0.
        // (The batch order is the only thing seed 0 contributes to dictionary 1.)
        let pair = SparseAutoencoder.train(x: x, rows: rows, inputs: inputs, latents: latents, activation: .topK(k: 3),
                                           training: training, seeds: [seeds[0], seeds[1]])
        #expect(pair.autoencoders[1] == together.autoencoders[1])
    }

    /// Korznikov et al.'s baselines: a frozen matrix stays at its initialization (up to the
    /// normalization scale folded into it, one constant for the whole matrix) while the other
    /// matrix and both biases train, and the frozen SAE reconstructs worse than the full one on
    /// sparse data.
    @Test(arguments: [SparseAutoencoderTraining.FrozenWeights.decoder, .encoder])
    func aFrozenMatrixStaysAtItsInitialization(frozen: SparseAutoencoderTraining.FrozenWeights) {
        let rows = 400, inputs = 8, latents = 32
        let x = Self.sparseRows(rows, inputs: inputs, seed: 78, truthSeed: 10)
        let stream = RandomStream(seed: 4)
        let initial = SparseAutoencoder(inputs: inputs, latents: latents, activation: .topK(k: 2), stream: stream.derived("init"))
        let full = SparseAutoencoderTraining(epochs: 30, batchSize: 50, learningRate: 3e-3)
        var baseline = full
        baseline.frozen = frozen
        let trained = SparseAutoencoder.train(x: x, rows: rows, inputs: inputs, latents: latents, activation: .topK(k: 2), training: full, stream: stream).autoencoder
        let fixed = SparseAutoencoder.train(x: x, rows: rows, inputs: inputs, latents: latents, activation: .topK(k: 2), training: baseline, stream: stream).autoencoder
        /// The one ratio b = c·a over the whole matrix, or nil when there is none (to 1e-5).
        func ratio(_ b: [Float], _ a: [Float]) -> Float? {
            guard let i = a.indices.max(by: { abs(a[$0]) < abs(a[$1]) }) else { return nil }
            let c = b[i] / a[i]
            return zip(a, b).allSatisfy { abs($1 - c * $0) <= 1e-5 * max(1, abs($1)) } ? c : nil
        }
        let (kept, moved) = frozen == .decoder ? (fixed.decoderWeight, fixed.encoderWeight) : (fixed.encoderWeight, fixed.decoderWeight)
        let (keptInitial, movedInitial) = frozen == .decoder ? (initial.decoderWeight, initial.encoderWeight) : (initial.encoderWeight, initial.decoderWeight)
        let c = ratio(kept, keptInitial)
        #expect(c != nil && c! > 0, "the frozen \(frozen) changed direction")
        #expect(ratio(moved, movedInitial) == nil, "the trained matrix did not move")
        #expect(fixed.encoderBias != initial.encoderBias && fixed.decoderBias != initial.decoderBias)
        func fvu(_ sae: SparseAutoencoder) -> Double {
            let (code, reconstruction) = sae(x, rows: rows)
            return SparseAutoencoderMetrics(target: x, reconstruction: reconstruction, code: code, rows: rows, width: inputs, latents: latents)
                .fractionOfVarianceUnexplained
        }
        #expect(fvu(fixed) > fvu(trained), "frozen \(frozen): FVU \(fvu(fixed)) vs trained \(fvu(trained))")
    }
}

/// k-sparse probing against scikit-learn (`Fixtures/sae/generate_sparse_probing.py`).
@Suite struct SparseProbeTests {
    struct Reference: Decodable {
        struct Case: Decodable { var k: Int, latents: [Int], coefficients: [Double], intercept: Double, predictions: [Int], accuracy: Double }
        var rows: Int, width: Int, train: Int, code: [Float], labels: [Int], cases: [Case]
    }

    /// The kept latents (ranked by the class-mean difference), the probe's coefficients and
    /// intercept (to 1e-6), and every held-out prediction equal scikit-learn's for k = 1, 3, 6.
    @Test func selectionAndProbeMatchScikitLearn() throws {
        let r = try Fixture.load("sae/sparse_probing.json", as: Reference.self)
        let train = Array(r.code[..<(r.train * r.width)]), test = Array(r.code[(r.train * r.width)...])
        for c in r.cases {
            let probe = try SparseProbe(code: train, rows: r.train, width: r.width, labels: Array(r.labels[..<r.train]), k: c.k)
            #expect(probe.latents == c.latents, "k = \(c.k): \(probe.latents) vs \(c.latents)")
            for (a, b) in zip(probe.model.weights, c.coefficients) { #expect(abs(a - b) <= 1e-6 * max(1, abs(b)), "k = \(c.k): \(a) vs \(b)") }
            #expect(abs(probe.model.intercepts[0] - c.intercept) <= 1e-6 * max(1, abs(c.intercept)))
            #expect(probe.predict(code: test, rows: r.rows - r.train, width: r.width) == c.predictions)
        }
    }

    /// One class only, or k outside 1 … width, is refused.
    @Test func oneClassOrABadKIsRefused() {
        #expect(throws: MethodError.self) { try SparseProbe(code: [1, 0, 0, 1], rows: 2, width: 2, labels: [1, 1], k: 1) }
        #expect(throws: MethodError.self) { try SparseProbe(code: [1, 0, 0, 1], rows: 2, width: 2, labels: [0, 1], k: 3) }
    }
}

/// Dictionary matching against `scipy.optimize.linear_sum_assignment` (`Fixtures/sae/generate_matching.py`).
@Suite struct DictionaryComparisonTests {
    struct Reference: Decodable {
        struct Matrix: Decodable { var rows: Int, columns: Int, values: [Double], mean: Double, rowIndices: [Int], columnIndices: [Int] }
        struct Dictionaries: Decodable {
            var width: Int, rowsA: Int, rowsB: Int, a: [Float], b: [Float], pwmcc: Double, mmcsAToB: Double, mmcsBToA: Double, cosines: [Double]
        }
        struct Codes: Decodable { var samples: Int, latentsA: Int, latentsB: Int, a: [Float], b: [Float], correlations: [Double], matchedMean: Double }
        var matrices: [Matrix]
        var dictionaries: Dictionaries
        var codes: Codes
    }

    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-9 * max(1, abs(b)) }

    @Test func assignmentMatchesScipy() throws {
        let r = try Fixture.load("sae/matching.json", as: Reference.self)
        for m in r.matrices {
            let (mean, assignment) = DictionaryComparison.matchedMean(m.values, rows: m.rows, columns: m.columns)
            #expect(Self.close(mean, m.mean), "\(m.rows)×\(m.columns): \(mean) vs scipy \(m.mean)")
            // Continuous random costs have one optimum: the same pairs as scipy's.
            let pairs = Set(assignment.enumerated().compactMap { i, j in j.map { "\(i)-\($0)" } })
            #expect(pairs == Set(zip(m.rowIndices, m.columnIndices).map { "\($0)-\($1)" }))
        }
    }

    @Test func pairwiseDictionaryMeanCorrelationMatchesScipy() throws {
        let d = try Fixture.load("sae/matching.json", as: Reference.self).dictionaries
        let cos = DictionaryComparison.cosineSimilarities(d.a, rows: d.rowsA, d.b, columns: d.rowsB, width: d.width)
        #expect(zip(cos, d.cosines).allSatisfy { Self.close($0, $1) })
        #expect(Self.close(DictionaryComparison.matchedMean(cos, rows: d.rowsA, columns: d.rowsB).mean, d.pwmcc))
        let mmcs = DictionaryComparison.meanMaxSimilarity(cos, rows: d.rowsA, columns: d.rowsB)
        #expect(Self.close(mmcs.rowsToColumns, d.mmcsAToB) && Self.close(mmcs.columnsToRows, d.mmcsBToA))
    }

    @Test func activationMatchingMatchesScipy() throws {
        let c = try Fixture.load("sae/matching.json", as: Reference.self).codes
        let corr = DictionaryComparison.activationCorrelations(c.a, latentsA: c.latentsA, c.b, latentsB: c.latentsB, samples: c.samples)
        #expect(zip(corr, c.correlations).allSatisfy { abs($0 - $1) <= 1e-9 })
        #expect(Self.close(DictionaryComparison.matchedMean(corr, rows: c.latentsA, columns: c.latentsB).mean, c.matchedMean))
    }

    /// Exhaustive check on small matrices: no permutation beats the Hungarian assignment.
    @Test func assignmentIsOptimalAgainstEveryPermutation() {
        var s = RandomStream(seed: 5, path: ["assignment"])
        func permutations(_ n: Int) -> [[Int]] {
            guard n > 0 else { return [[]] }
            return permutations(n - 1).flatMap { p in (0...p.count).map { var q = p; q.insert(n - 1, at: $0); return q } }
        }
        for n in 1...6 {
            for _ in 0..<20 {
                // Integer costs: ties are common, the optimum's value is still unique.
                let cost = (0..<(n * n)).map { _ in Double(s.next() % 5) }
                let match = DictionaryComparison.assignment(cost: cost, rows: n, columns: n)
                #expect(Set(match).count == n)
                let found = (0..<n).reduce(0.0) { $0 + cost[$1 * n + match[$1]] }
                let best = permutations(n).map { p in (0..<n).reduce(0.0) { $0 + cost[$1 * n + p[$1]] } }.min() ?? 0
                #expect(found == best, "n \(n): \(found) vs \(best)")
            }
        }
    }
}

/// Recovery of a known sparse dictionary (the toy data of Sharkey, Braun & Millidge 2022): rows are
/// sparse non-negative combinations of unit-norm true features.
@Suite struct SparseAutoencoderRecoveryTests {
    /// `rows` rows in `width` dimensions from `features` random unit directions, each active with
    /// probability `active / features` at a magnitude uniform in [0.5, 1.5].
    static func toyData(rows: Int, width: Int, features: Int, active: Double, seed: UInt64) -> (x: [Float], truth: [Float]) {
        var s = RandomStream(seed: seed, path: ["toy-superposition"])
        var truth = [Float](repeating: 0, count: features * width)
        for f in 0..<features {
            let v = (0..<width).map { _ in s.gaussian() }
            let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            for c in 0..<width { truth[f * width + c] = Float(v[c] / n) }
        }
        var x = [Float](repeating: 0, count: rows * width)
        for r in 0..<rows {
            for f in 0..<features where s.uniform() < active / Double(features) {
                let a = Float(0.5 + s.uniform())
                for c in 0..<width { x[r * width + c] += a * truth[f * width + c] }
            }
        }
        return (x, truth)
    }

    /// TopK (k = 3) with twice as many latents as true features: 8,000 rows of width 32 from 48
    /// features (2 active per row on average), 30 epochs of batches of 128 at learning rate 2e-3.
    /// Every true feature is found (mean max cosine true→learned ≥ 0.95; 0.9988 when written) and
    /// the atoms that fire are true features (learned→true ≥ 0.95; 0.9925, 50 of 96 atoms fire).
    @Test func topKRecoversAKnownSparseDictionary() {
        let width = 32, features = 48, latents = 96, rows = 8_000
        let (x, truth) = Self.toyData(rows: rows, width: width, features: features, active: 2, seed: 1)
        let training = SparseAutoencoderTraining(epochs: 30, batchSize: 128, learningRate: 2e-3)
        let (sae, _) = SparseAutoencoder.train(x: x, rows: rows, inputs: width, latents: latents, activation: .topK(k: 3),
                                               training: training, stream: RandomStream(seed: 2))
        let (code, reconstruction) = sae(x, rows: rows)
        let metrics = SparseAutoencoderMetrics(target: x, reconstruction: reconstruction, code: code, rows: rows, width: width, latents: latents)
        // Compare only atoms that fire: a dead atom is a random direction, not a learned one.
        let alive = (0..<latents).filter { j in (0..<rows).contains { code[$0 * latents + j] > 0 } }
        let atoms = alive.flatMap { j in sae.decoderWeight[(j * width)..<((j + 1) * width)] }
        let cos = DictionaryComparison.cosineSimilarities(truth, rows: features, atoms, columns: alive.count, width: width)
        let mmcs = DictionaryComparison.meanMaxSimilarity(cos, rows: features, columns: alive.count)
        #expect(mmcs.rowsToColumns >= 0.95, "true→learned \(mmcs.rowsToColumns), learned→true \(mmcs.columnsToRows), \(alive.count) alive, \(metrics)")
        #expect(mmcs.columnsToRows >= 0.95, "learned→true \(mmcs.columnsToRows)")
        #expect(metrics.explainedVariance > 0.9, "\(metrics)")
    }
}
