import Testing
import SalmonNetworks
import SalmonStatistics

/// Backpropagation against central finite differences.
///
/// Tolerance: the network computes in Float32 (ε ≈ 1.2e-7). With step h = 1e-2 on a loss of order
/// 1, the central difference's truncation error is O(h²) ≈ 1e-4 and its rounding error about
/// ε/h ≈ 1e-5, so an analytic gradient is accepted within 2e-3 + 2e-2·|fd|. A wrong gradient
/// (a missing factor, a transposed matrix, a dropped mask) misses by far more. For the kinked
/// activations (ReLU, LeakyReLU) a coordinate whose ±h perturbation flips a pre-activation's sign
/// is skipped: the finite difference there measures the kink, not the derivative.
@Suite struct GradientCheckTests {
    static let h: Float = 1e-2

    static func data(_ seed: UInt64, rows: Int, columns: Int) -> Tensor {
        var s = RandomStream(seed: seed, path: ["gradient-check"])
        return Tensor(shape: [rows, columns], scalars: (0..<(rows * columns)).map { _ in Float(s.gaussian()) })
    }

    /// Loss of `model` on (x, t) with hooks; and the sign pattern of every pre-activation.
    static func loss(_ model: MLP, _ x: Tensor, _ t: Tensor, _ loss: Loss, _ hooks: Hooks) -> (Double, [Bool]) {
        var capture = hooks
        for i in model.layers.indices { capture.capture.insert("layers.\(i).pre") }
        let pass = model.forward(x, hooks: capture)
        let signs = model.layers.indices.flatMap { i in pass.captured["layers.\(i).pre"]?.scalars.map { $0 > 0 } ?? [] }
        return (loss.evaluate(output: pass.output, targets: t).value, signs)
    }

    static func check(_ model: MLP, x: Tensor, t: Tensor, loss: Loss, hooks: Hooks = .none,
                      sourceLocation: SourceLocation = #_sourceLocation) {
        let pass = model.forward(x, hooks: hooks)
        let (_, gradient) = loss.evaluate(output: pass.output, targets: t)
        let g = model.backward(pass, outputGradient: gradient)
        var checked = 0
        func compare(_ analytic: Float, _ plus: (Double, [Bool]), _ minus: (Double, [Bool]), _ what: String) {
            guard plus.1 == minus.1 else { return }  // crossed a kink
            let fd = Float((plus.0 - minus.0) / Double(2 * h))
            #expect(abs(analytic - fd) <= 2e-3 + 2e-2 * abs(fd), "\(what): analytic \(analytic), finite difference \(fd)",
                    sourceLocation: sourceLocation)
            checked += 1
        }
        for i in model.layers.indices {
            for k in 0..<model.layers[i].weight.count {
                var up = model, down = model
                up.layers[i].weight.scalars[k] += h
                down.layers[i].weight.scalars[k] -= h
                compare(g.weights[i].scalars[k], Self.loss(up, x, t, loss, hooks), Self.loss(down, x, t, loss, hooks),
                        "layer \(i) weight \(k)")
            }
            for k in 0..<model.layers[i].bias.count {
                var up = model, down = model
                up.layers[i].bias.scalars[k] += h
                down.layers[i].bias.scalars[k] -= h
                compare(g.biases[i].scalars[k], Self.loss(up, x, t, loss, hooks), Self.loss(down, x, t, loss, hooks),
                        "layer \(i) bias \(k)")
            }
        }
        for k in 0..<x.count {
            var up = x, down = x
            up.scalars[k] += h
            down.scalars[k] -= h
            compare(g.input.scalars[k], Self.loss(model, up, t, loss, hooks), Self.loss(model, down, t, loss, hooks), "input \(k)")
        }
        #expect(checked > (model.layers.reduce(0) { $0 + $1.weight.count + $1.bias.count } + x.count) / 2,
                "too few coordinates checked (\(checked))", sourceLocation: sourceLocation)
    }

    static let activations: [Activation] = [.identity, .relu, .leakyReLU(slope: 0.01), .tanh, .sigmoid, .gelu, .geluTanh]

    @Test(arguments: activations)
    func mlpGradientsMatchFiniteDifferences(activation: Activation) {
        let model = MLP(sizes: [3, 5, 4, 2], hiddenActivation: activation, outputActivation: activation,
                        stream: RandomStream(seed: 1))
        let x = Self.data(2, rows: 6, columns: 3)
        let t = Self.data(3, rows: 6, columns: 2)
        Self.check(model, x: x, t: t, loss: .meanSquaredError)
    }

    @Test func crossEntropyGradientsMatchFiniteDifferences() {
        let model = MLP(sizes: [4, 6, 3], hiddenActivation: .tanh, stream: RandomStream(seed: 4))
        let x = Self.data(5, rows: 7, columns: 4)
        let t = Tensor(shape: [7], scalars: [0, 1, 2, 2, 1, 0, 1])
        Self.check(model, x: x, t: t, loss: .crossEntropy)
    }

    @Test func maskedAndPatchedGradientsMatchFiniteDifferences() {
        let model = MLP(sizes: [3, 4, 4, 2], hiddenActivation: .tanh, stream: RandomStream(seed: 6))
        let x = Self.data(7, rows: 5, columns: 3)
        let t = Self.data(8, rows: 5, columns: 2)
        var edge = Tensor(repeating: 1, shape: [4, 4])
        edge.scalars[1] = 0; edge.scalars[6] = 0; edge.scalars[11] = 0.5
        let hooks = Hooks(nodeMasks: ["layers.0.post": [1, 0, 1, 1], "input": [1, 1, 0]], edgeMasks: [1: edge])
        Self.check(model, x: x, t: t, loss: .meanSquaredError, hooks: hooks)
        // Patching layer 1's pre-activation with a constant: layers 0 and 1 and the input get no gradient.
        let patched = Hooks(replace: ["layers.1.pre": Self.data(9, rows: 5, columns: 4)])
        Self.check(model, x: x, t: t, loss: .meanSquaredError, hooks: patched)
        let pass = model.forward(x, hooks: patched)
        let g = model.backward(pass, outputGradient: Loss.meanSquaredError.evaluate(output: pass.output, targets: t).gradient)
        #expect(g.weights[0].scalars.allSatisfy { $0 == 0 } && g.weights[1].scalars.allSatisfy { $0 == 0 })
        #expect(g.input.scalars.allSatisfy { $0 == 0 })
        #expect(g.weights[2].scalars.contains { $0 != 0 })
    }

    /// The gradient at a hooked site equals the finite difference of the loss in that activation.
    @Test func siteGradientsMatchFiniteDifferences() throws {
        let model = MLP(sizes: [3, 4, 2], hiddenActivation: .sigmoid, stream: RandomStream(seed: 10))
        let x = Self.data(11, rows: 3, columns: 3)
        let t = Self.data(12, rows: 3, columns: 2)
        let site = "layers.0.post"
        let pass = model.forward(x, hooks: Hooks(capture: [site]))
        let g = model.backward(pass, outputGradient: Loss.meanSquaredError.evaluate(output: pass.output, targets: t).gradient)
        let value = try #require(pass.captured[site])
        let analytic = try #require(g.sites[site])
        for k in 0..<value.count {
            var up = value, down = value
            up.scalars[k] += Self.h
            down.scalars[k] -= Self.h
            let lp = Loss.meanSquaredError.evaluate(output: model.forward(x, hooks: Hooks(replace: [site: up])).output, targets: t).value
            let lm = Loss.meanSquaredError.evaluate(output: model.forward(x, hooks: Hooks(replace: [site: down])).output, targets: t).value
            let fd = Float((lp - lm) / Double(2 * Self.h))
            #expect(abs(analytic.scalars[k] - fd) <= 2e-3 + 2e-2 * abs(fd))
        }
    }
}
