import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import Testing

/// Attribution with respect to a transformer's input embeddings, against finite differences of the
/// target logit and the completeness of Integrated Gradients.
@Suite struct TransformerAttributionTests {
    static let config = TransformerConfiguration(vocabulary: 11, context: 6, dimension: 16, heads: 2, layers: 2)

    static func input(seed: UInt64, sequences: Int = 5, length: Int = 6) throws -> TransformerAttribution.Input {
        let model = Transformer(config, stream: RandomStream(seed: seed))
        var s = RandomStream(seed: seed + 100)
        let tokens = (0..<(sequences * length)).map { _ in s.index(below: 11) }
        let targets = (0..<sequences).map { _ in s.index(below: 11) }
        return try TransformerAttribution.Input(model: model, tokens: tokens, sequences: sequences, length: length, targets: targets)
    }

    /// F for each sequence with the embeddings replaced by `e`.
    static func logits(_ input: TransformerAttribution.Input, _ e: Tensor) -> [Double] {
        let pass = input.model.forward(tokens: input.tokens, batch: input.sequences, length: input.length, hooks: Hooks(replace: ["embed": e]))
        return (0..<input.sequences).map { Double(pass.logits[$0 * input.length + input.length - 1, input.targets[$0]]) }
    }

    static func cleanEmbeddings(_ input: TransformerAttribution.Input) -> Tensor {
        input.model.forward(tokens: input.tokens, batch: input.sequences, length: input.length, hooks: Hooks(capture: ["embed"])).captured["embed"]!
    }

    /// Gradient × input at token t is the derivative of F along e_t (scaling token t's embedding):
    /// checked by central differences for every sequence and position.
    @Test(arguments: [1, 2] as [UInt64])
    func gradientTimesInputIsTheDirectionalDerivative(seed: UInt64) throws {
        let input = try Self.input(seed: seed)
        let e = Self.cleanEmbeddings(input)
        let map = try #require(try TransformerAttribution(.gradientTimesInput).explain(input, stream: RandomStream(seed: 1)).map)
        let d = Self.config.dimension, h: Float = 1e-2
        var worst = 0.0
        for t in 0..<input.length {
            var up = e, down = e
            for b in 0..<input.sequences {
                for k in 0..<d {
                    let i = (b * input.length + t) * d + k
                    up.scalars[i] *= 1 + h
                    down.scalars[i] *= 1 - h
                }
            }
            let fUp = Self.logits(input, up), fDown = Self.logits(input, down)
            for b in 0..<input.sequences {
                let fd = (fUp[b] - fDown[b]) / Double(2 * h)
                let ours = map.values[b * input.length + t]
                worst = max(worst, abs(ours - fd))
                #expect(abs(ours - fd) <= 2e-3 + 2e-2 * abs(fd), "sequence \(b), position \(t): \(ours) vs \(fd)")
            }
        }
        #expect(worst < 1e-2)
    }

    @Test func integratedGradientsAreComplete() throws {
        let input = try Self.input(seed: 3)
        let e = try TransformerAttribution(.integratedGradients()).explain(input, stream: RandomStream(seed: 1))
        let gap = try #require(e.diagnostics["completenessGap.relative"])
        #expect(gap <= 0.01, "relative completeness gap \(gap) after \(e.diagnostics["integratedGradients.steps"] ?? 0) steps")
        // Σ_t IG_t = F(e) − F(0) up to that gap, sequence by sequence.
        let clean = Self.logits(input, Self.cleanEmbeddings(input))
        let zero = Self.logits(input, Tensor(zeros: Self.cleanEmbeddings(input).shape))
        let map = try #require(e.map)
        for b in 0..<input.sequences {
            let total = map.values[(b * input.length)..<((b + 1) * input.length)].reduce(0, +)
            #expect(abs(total - (clean[b] - zero[b])) <= 0.05 * abs(clean[b] - zero[b]) + 1e-3, "sequence \(b)")
        }
    }

    @Test func smoothGradWithoutNoiseIsTheGradient() throws {
        let input = try Self.input(seed: 4)
        let gradient = try #require(try TransformerAttribution(.gradient).explain(input, stream: RandomStream(seed: 1)).map)
        let smooth = try #require(try TransformerAttribution(.smoothGrad(noiseLevel: 0, samples: 3)).explain(input, stream: RandomStream(seed: 1)).map)
        #expect(zip(gradient.values, smooth.values).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($0)) })
        #expect(gradient.values.allSatisfy { $0 >= 0 } && gradient.shape == [5, 6])
        // Noise is a function of the stream.
        let a = try TransformerAttribution(.smoothGrad(samples: 4)).explain(input, stream: RandomStream(seed: 2))
        #expect(a == (try TransformerAttribution(.smoothGrad(samples: 4)).explain(input, stream: RandomStream(seed: 2))))
    }

    @Test func badInputsAreNamed() throws {
        let model = Transformer(Self.config, stream: RandomStream(seed: 1))
        #expect(throws: MethodError.self) { try TransformerAttribution.Input(model: model, tokens: [1, 2, 30], sequences: 1, length: 3, targets: [0]) }
        #expect(throws: MethodError.self) { try TransformerAttribution.Input(model: model, tokens: [1, 2], sequences: 1, length: 3, targets: [0]) }
        #expect(throws: MethodError.self) { try TransformerAttribution.Input(model: model, tokens: [1, 2, 3], sequences: 1, length: 3, targets: []) }
    }
}
