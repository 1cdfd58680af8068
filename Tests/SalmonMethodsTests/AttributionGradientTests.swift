import Foundation
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import Testing

private typealias Support = AttributionTestSupport

/// Every gradient-based attribution against central finite differences of F, the explained
/// output logit, on small random MLPs.
///
/// Tolerance (as `SalmonNetworksTests/GradientCheckTests`): the networks compute in Float32, so
/// with step h = 1e-2 on outputs of order 1 the central difference has truncation error O(h²) ≈
/// 1e-4 and rounding error ≈ ε|F|/h ≈ 1e-5; an analytic value is accepted within
/// 2e-3 + 2e-2·|fd|. For Integrated Gradients and SmoothGrad the oracle is the same method built
/// from finite-difference gradients at the same nodes or noisy points, so the budget is scaled by
/// the factor each gradient is multiplied with (|x − b| for IG, 1 for the SmoothGrad mean).
/// A coordinate whose ±h crosses a ReLU kink is skipped. The measured worst errors (≤ 5.2e-6
/// everywhere) are far inside that budget, so each test also asserts a worst error below 5e-5.
@Suite struct AttributionGradientTests {
    static let h: Float = 1e-2
    static let sizes = [5, 8, 6, 3]
    static let rows = 6

    static func close(_ analytic: Double, _ fd: Double, scale: Double = 1) -> Bool {
        abs(analytic - fd) <= scale * 2e-3 + 2e-2 * abs(fd)
    }

    static let targets: AttributionInput.Target = .perRow([0, 1, 2, 2, 1, 0])

    static let smooth: [Activation] = [.tanh, .gelu, .sigmoid]

    @Test(arguments: [Activation.tanh, .gelu, .sigmoid, .relu, .leakyReLU(slope: 0.01)])
    func gradientMatchesFiniteDifferences(activation: Activation) throws {
        let model = Support.model(Self.sizes, activation, seed: 1)
        let x = Support.inputs(rows: Self.rows, columns: Self.sizes[0], seed: 2)
        let kinked = !Self.smooth.contains(activation)
        let signed = try Support.explain(.gradient(), model, x, Self.targets)
        let absolute = try Support.explain(.gradient(absolute: true), model, x, Self.targets)
        var checked = 0, worst = 0.0
        for r in 0..<Self.rows {
            let row = Support.row(x, r)
            let fd = Support.finiteDifferenceGradient(model, row, target: Self.targets.index(r), h: Self.h, kinked: kinked)
            let g = Support.mapRow(signed, r), a = Support.mapRow(absolute, r)
            for j in row.indices {
                #expect(a[j] == abs(g[j]))
                guard let fdj = fd[j] else { continue }
                #expect(Self.close(g[j], fdj), "row \(r) feature \(j): gradient \(g[j]), finite difference \(fdj)")
                worst = max(worst, abs(g[j] - fdj))
                checked += 1
            }
            // The explanation's F(x) is the model's output.
            #expect(abs(signed.perExample["output"]![r] - Support.f(model, row, target: Self.targets.index(r))) <= 1e-6)
        }
        #expect(checked >= Self.rows * Self.sizes[0] * 3 / 4, "only \(checked) coordinates checked")
        // Measured: at most 5.2e-6 (sigmoid); every coordinate checked (no kink was crossed).
        #expect(worst < 5e-5, "worst |gradient − fd| = \(worst)")
    }

    /// The estimator's backward pass (input gradient only) against the network's full backward
    /// pass with a one-hot output gradient.
    @Test(arguments: [Activation.tanh, .relu, .gelu])
    func gradientMatchesTheNetworksBackwardPass(activation: Activation) throws {
        let model = Support.model([7, 9, 9, 4], activation, seed: 3)
        let x = Support.inputs(rows: 11, columns: 7, seed: 4)
        let target: AttributionInput.Target = .output(2)
        let e = try Support.explain(.gradient(), model, x, target)
        let pass = model.forward(x)
        var seed = Tensor(zeros: pass.output.shape)
        for r in 0..<11 { seed[r, 2] = 1 }
        let reference = model.backward(pass, outputGradient: seed).input
        let worst = zip(e.map!.values, reference.scalars).map { abs($0 - Double($1)) }.max()!
        #expect(worst <= 1e-6, "worst difference \(worst)")
    }

    @Test(arguments: smooth)
    func gradientTimesInputMatchesFiniteDifferences(activation: Activation) throws {
        let model = Support.model(Self.sizes, activation, seed: 5)
        let x = Support.inputs(rows: Self.rows, columns: Self.sizes[0], seed: 6)
        let e = try Support.explain(.gradientTimesInput, model, x, Self.targets)
        var worst = 0.0
        for r in 0..<Self.rows {
            let row = Support.row(x, r)
            let fd = Support.finiteDifferenceGradient(model, row, target: Self.targets.index(r), h: Self.h, kinked: false)
            let m = Support.mapRow(e, r)
            for j in row.indices {
                let reference = fd[j]! * Double(row[j])
                #expect(Self.close(m[j], reference, scale: max(1, abs(Double(row[j])))),
                        "row \(r) feature \(j): \(m[j]) vs \(reference)")
                worst = max(worst, abs(m[j] - reference))
            }
        }
        // Measured: at most 5.2e-6 (tanh).
        #expect(worst < 5e-5, "worst |gradient ⊙ input − fd ⊙ input| = \(worst)")
    }

    /// IG against the same quadrature built from finite-difference gradients at each node.
    @Test(arguments: smooth)
    func integratedGradientsMatchFiniteDifferences(activation: Activation) throws {
        let model = Support.model(Self.sizes, activation, seed: 7)
        let x = Support.inputs(rows: Self.rows, columns: Self.sizes[0], seed: 8)
        let baseline: [Float] = [0.5, -0.25, 0, 1, -1]
        for rule in [IntegrationRule.gaussLegendre, .riemannTrapezoid] {
            let steps = 12
            let e = try Support.explain(.integratedGradients(baseline: .vector(baseline), steps: steps, rule: rule, completenessTolerance: nil), model, x, Self.targets)
            let (alphas, weights) = rule.nodes(steps)
            var worst = 0.0
            for r in 0..<Self.rows {
                let row = Support.row(x, r)
                var integral = [Double](repeating: 0, count: row.count)
                for k in 0..<steps {
                    let a = Float(alphas[k])
                    let point = (0..<row.count).map { baseline[$0] + a * (row[$0] - baseline[$0]) }
                    let fd = Support.finiteDifferenceGradient(model, point, target: Self.targets.index(r), h: Self.h, kinked: false)
                    for j in row.indices { integral[j] += weights[k] * fd[j]! }
                }
                let m = Support.mapRow(e, r)
                for j in row.indices {
                    let difference = Double(row[j]) - Double(baseline[j])
                    let reference = difference * integral[j]
                    #expect(Self.close(m[j], reference, scale: max(abs(difference), 1e-3)),
                            "\(rule) row \(r) feature \(j): \(m[j]) vs \(reference)")
                    worst = max(worst, abs(m[j] - reference))
                }
            }
            // Measured: at most 3.1e-6 (tanh, trapezoid).
            #expect(worst < 5e-5, "\(rule): worst |IG − finite-difference IG| = \(worst)")
        }
    }

    /// SmoothGrad against the mean of finite-difference gradients at the same noisy points,
    /// rebuilt from the documented stream (`stream → "smoothgrad" → row`, sample-major normals).
    @Test(arguments: smooth)
    func smoothGradMatchesFiniteDifferences(activation: Activation) throws {
        let model = Support.model(Self.sizes, activation, seed: 9)
        let x = Support.inputs(rows: Self.rows, columns: Self.sizes[0], seed: 10)
        let samples = 6, level = 0.2
        let seed: UInt64 = 11
        let e = try Support.explain(.smoothGrad(noiseLevel: level, samples: samples), model, x, Self.targets, seed: seed)
        let d = Self.sizes[0]
        var worst = 0.0
        for r in 0..<Self.rows {
            let row = Support.row(x, r)
            let sigma = level * Double(row.max()! - row.min()!)
            var stream = RandomStream(seed: seed).derived("smoothgrad", .index(r))
            var noise = [Double](repeating: 0, count: samples * d)
            noise.withUnsafeMutableBufferPointer { stream.fillGaussian($0) }
            var mean = [Double](repeating: 0, count: d)
            for s in 0..<samples {
                let point = (0..<d).map { Float(Double(row[$0]) + sigma * noise[s * d + $0]) }
                let fd = Support.finiteDifferenceGradient(model, point, target: Self.targets.index(r), h: Self.h, kinked: false)
                for j in 0..<d { mean[j] += fd[j]! / Double(samples) }
            }
            let m = Support.mapRow(e, r)
            for j in 0..<d {
                #expect(Self.close(m[j], mean[j]), "row \(r) feature \(j): \(m[j]) vs \(mean[j])")
                worst = max(worst, abs(m[j] - mean[j]))
            }
        }
        // Measured: at most 2.4e-6 (sigmoid).
        #expect(worst < 5e-5, "worst |SmoothGrad − finite-difference SmoothGrad| = \(worst)")
    }
}
