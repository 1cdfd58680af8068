import Testing
import SalmonNetworks
import SalmonStatistics

/// The transformer's backward pass against central finite differences (tolerance as in
/// ``GradientCheckTests``: Float32, h = 1e-2, accept 2e-3 + 2e-2·|fd|; GELU is smooth, so no
/// coordinate is skipped).
@Suite struct TransformerTests {
    static let configuration = TransformerConfiguration(vocabulary: 7, context: 5, dimension: 8, heads: 2, layers: 2, hidden: 12)
    static let tokens = [1, 4, 0, 6, 2, 2, 5, 3]   // two sequences of four
    static let targets: [Float] = [3, 0, 1, 6, 4, 2, 2, 5]

    static func model(_ seed: UInt64) -> Transformer {
        var m = Transformer(configuration, stream: RandomStream(seed: seed))
        // Give LayerNorm parameters and biases non-trivial values, so their gradients are tested.
        var s = RandomStream(seed: seed, path: ["perturb"])
        m.parameterArrays = m.parameterArrays.map { $0.map { $0 + Float(s.gaussian()) * 0.1 } }
        return m
    }

    static func loss(_ m: Transformer, _ hooks: Hooks) -> Double {
        let pass = m.forward(tokens: tokens, batch: 2, length: 4, hooks: hooks)
        return Loss.crossEntropy.evaluate(output: pass.logits, targets: Tensor(shape: [8], scalars: targets)).value
    }

    static func check(_ m: Transformer, hooks: Hooks = .none, sourceLocation: SourceLocation = #_sourceLocation) {
        let pass = m.forward(tokens: tokens, batch: 2, length: 4, hooks: hooks)
        let g = m.backward(pass, logitsGradient: Loss.crossEntropy.evaluate(
            output: pass.logits, targets: Tensor(shape: [8], scalars: targets)).gradient)
        let h: Float = 1e-2
        let arrays = m.parameterArrays
        #expect(g.parameters.count == arrays.count && zip(g.parameters, arrays).allSatisfy { $0.count == $1.count })
        for (p, array) in arrays.enumerated() {
            for k in array.indices {
                var up = m, down = m
                var a = arrays, b = arrays
                a[p][k] += h
                b[p][k] -= h
                up.parameterArrays = a
                down.parameterArrays = b
                let fd = Float((loss(up, hooks) - loss(down, hooks)) / Double(2 * h))
                #expect(abs(g.parameters[p][k] - fd) <= 2e-3 + 2e-2 * abs(fd),
                        "parameter array \(p)[\(k)]: analytic \(g.parameters[p][k]), finite difference \(fd)",
                        sourceLocation: sourceLocation)
            }
        }
    }

    @Test func gradientsMatchFiniteDifferences() {
        Self.check(Self.model(1))
    }

    @Test func maskedGradientsMatchFiniteDifferences() {
        let hooks = Hooks(nodeMasks: ["blocks.0.attn.heads": [1, 0], "blocks.1.mlp.hidden": (0..<12).map { $0 % 3 == 0 ? 0 : 1 }])
        Self.check(Self.model(2), hooks: hooks)
    }

    @Test func patchedBranchStopsOnlyItsGradient() {
        let m = Self.model(3)
        let patch = Tensor(zeros: [8, 8])
        Self.check(m, hooks: Hooks(replace: ["blocks.0.attn.out": patch]))
        let pass = m.forward(tokens: Self.tokens, batch: 2, length: 4, hooks: Hooks(replace: ["blocks.0.attn.out": patch]))
        let g = m.backward(pass, logitsGradient: Tensor(repeating: 0.1, shape: pass.logits.shape))
        // Block 0's attention parameters (arrays 4…7) get nothing; the embeddings still do, via the residual.
        #expect((4...7).allSatisfy { g.parameters[$0].allSatisfy { $0 == 0 } })
        #expect(g.parameters[0].contains { $0 != 0 })
    }

    /// dL/d(embedding) against the finite difference of replacing the embedding site.
    @Test func embeddingSiteGradientMatchesFiniteDifferences() throws {
        let m = Self.model(4)
        let pass = m.forward(tokens: Self.tokens, batch: 2, length: 4, hooks: Hooks(capture: ["embed"]))
        let g = m.backward(pass, logitsGradient: Loss.crossEntropy.evaluate(
            output: pass.logits, targets: Tensor(shape: [8], scalars: Self.targets)).gradient)
        let e = try #require(pass.captured["embed"])
        for k in 0..<e.count {
            var up = e, down = e
            up.scalars[k] += 1e-2
            down.scalars[k] -= 1e-2
            let fd = Float((Self.loss(m, Hooks(replace: ["embed": up])) - Self.loss(m, Hooks(replace: ["embed": down]))) / 2e-2)
            #expect(abs(g.embedding.scalars[k] - fd) <= 2e-3 + 2e-2 * abs(fd))
        }
    }

    /// The batch's gradient in slices equals the whole batch's to Float32 rounding, and is the
    /// same bits on one thread or two.
    @Test func slicedGradientsEqualTheWholeBatchsAndIgnoreTheThreadCount() {
        let model = Transformer(Self.configuration, stream: RandomStream(seed: 9))
        var s = RandomStream(seed: 10)
        let batch = 5, length = 5
        let tokens = (0..<(batch * length)).map { _ in s.index(below: 7) }
        let targets = (0..<(batch * length)).map { _ in Float(s.index(below: 7)) }
        let whole = model.forward(tokens: tokens, batch: batch, length: length)
        let reference = model.backward(whole, logitsGradient: Loss.crossEntropy.evaluate(
            output: whole.logits, targets: Tensor(shape: [batch * length], scalars: targets)).gradient).parameters
        let logitsGradient: @Sendable (TransformerPass, Range<Int>) -> Tensor = { pass, sequences in
            let rows = (sequences.lowerBound * length)..<(sequences.upperBound * length)
            var g = Loss.crossEntropy.evaluate(output: pass.logits, targets: Tensor(shape: [rows.count], scalars: Array(targets[rows]))).gradient
            for i in g.scalars.indices { g.scalars[i] *= Float(rows.count) / Float(batch * length) }
            return g
        }
        let one = model.gradients(tokens: tokens, batch: batch, length: length, slices: 3, threads: 1, logitsGradient: logitsGradient)
        let two = model.gradients(tokens: tokens, batch: batch, length: length, slices: 3, threads: 2, logitsGradient: logitsGradient)
        #expect(one == two)
        var worst: Float = 0
        for (a, b) in zip(one, reference) { for (x, y) in zip(a, b) { worst = max(worst, abs(x - y) / max(1e-3, abs(y))) } }
        #expect(worst < 1e-4, "largest relative difference from the whole batch: \(worst)")
        #expect(one.map(\.count) == reference.map(\.count))
    }

    @Test func attentionIsCausal() {
        // Changing a later token cannot change earlier positions' logits.
        let m = Self.model(5)
        let a = m.forward(tokens: [1, 2, 3, 4], batch: 1, length: 4).logits
        let b = m.forward(tokens: [1, 2, 3, 0], batch: 1, length: 4).logits
        #expect(Array(a.scalars.prefix(21)) == Array(b.scalars.prefix(21)))
        #expect(Array(a.scalars.suffix(7)) != Array(b.scalars.suffix(7)))
    }

    /// Modular addition with p = 7 (all 49 pairs) is learned to 100 % training accuracy.
    @Test func learnsModularAddition() {
        let p = 7
        let pairs = (0..<(p * p)).map { [$0 / p, $0 % p] }
        let targets = pairs.map { ($0[0] + $0[1]) % p }
        var m = Transformer(TransformerConfiguration(vocabulary: p, context: 2, dimension: 32, heads: 4, layers: 1),
                            stream: RandomStream(seed: 6))
        let report = m.train(sequences: pairs, targets: targets, plan: TrainingPlan(
            loss: .crossEntropy, optimizer: .adamW(learningRate: 3e-3, weightDecay: 0.01), batchSize: 49,
            maxEpochs: 1500, lossTarget: 0.01, seed: 7))
        #expect(report.reachedTarget, "loss \(report.finalLoss) after \(report.epochs) epochs")
        #expect(m.predictions(pairs) == targets)
    }
}
