import Foundation
import SalmonMethods
import SalmonNetworks
import SalmonStatistics
import Testing

/// The attribution estimators against Captum 0.9 (PyTorch 2.15, CPU) on the committed fixture
/// `Fixtures/attribution/captum.json` (made by `generate_captum.py` in the same folder): the same
/// float32 networks, inputs and per-row targets on both sides.
///
/// Both sides compute in Float32 with different BLAS kernels and summation orders, so values
/// agree to Float32 rounding. Asserted: within 1e-5 · (largest |value| of that Captum map), and
/// the completeness gaps within 1e-5 · max(1, max |F(x)|). Measured: gradient-based maps within
/// 1.8e-7 relative (≤ 2.8e-8 absolute), occlusion within 1.2e-6 relative (a difference of two
/// rounded outputs), gaps within 8.2e-8 absolute.
@Suite struct AttributionCaptumTests {
    struct Case: Decodable {
        var name: String; var sizes: [Int]; var activation: String; var rows: Int
        var weights: [[Float]]; var biases: [[Float]]; var inputs: [Float]; var targets: [Int]; var baseline: [Float]
        var gradient: [Double]; var absoluteGradient: [Double]; var gradientTimesInput: [Double]
        var integratedGradients: [Double]; var integratedGradientsDelta: [Double]; var integratedGradientsBaseline: [Double]
        var occlusion: [Double]; var guidedBackprop: [Double]?

        var model: MLP {
            let layers = (0..<(sizes.count - 1)).map { k in
                Linear(weight: Tensor(shape: [sizes[k + 1], sizes[k]], scalars: weights[k]),
                       bias: Tensor(shape: [sizes[k + 1]], scalars: biases[k]))
            }
            return MLP(layers: layers, hiddenActivation: activation == "relu" ? .relu : .tanh)
        }
        var x: Tensor { Tensor(shape: [rows, sizes[0]], scalars: inputs) }
    }
    struct File: Decodable { var cases: [Case] }

    static let file: File = {
        do { return try Fixture.load("attribution/captum.json") } catch { fatalError("captum.json: \(error)") }
    }()

    static func agree(_ ours: [Double], _ captum: [Double], _ what: String) {
        #expect(ours.count == captum.count, "\(what): sizes")
        let scale = max(captum.map { abs($0) }.max() ?? 0, 1e-3)
        let worst = zip(ours, captum).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= 1e-5 * scale, "\(what): worst difference \(worst) at scale \(scale)")
    }

    @Test(arguments: file.cases.map(\.name))
    func attributionsMatchCaptum(_ name: String) throws {
        let c = try #require(Self.file.cases.first { $0.name == name })
        let model = c.model, x = c.x, target = AttributionInput.Target.perRow(c.targets)
        func map(_ method: AttributionMethod) throws -> Explanation {
            try AttributionTestSupport.explain(method, model, x, target)
        }
        Self.agree(try map(.gradient()).map!.values, c.gradient, "\(name) saliency")
        Self.agree(try map(.gradient(absolute: true)).map!.values, c.absoluteGradient, "\(name) saliency |·|")
        Self.agree(try map(.gradientTimesInput).map!.values, c.gradientTimesInput, "\(name) input × gradient")
        let ig = try map(.integratedGradients(completenessTolerance: nil))
        Self.agree(ig.map!.values, c.integratedGradients, "\(name) integrated gradients")
        // Captum's convergence delta is Σ attributions − (F(x) − F(b)), our completeness gap.
        let gaps = try #require(ig.perExample["completenessGap"])
        let worstGap = zip(gaps, c.integratedGradientsDelta).map { abs($0 - $1) }.max()!
        #expect(worstGap <= 1e-5 * max(ig.perExample["output"]!.map { abs($0) }.max()!, 1), "\(name): gaps differ by \(worstGap)")
        Self.agree(try map(.integratedGradients(baseline: .vector(c.baseline), steps: 20, rule: .riemannMiddle, completenessTolerance: nil)).map!.values,
                   c.integratedGradientsBaseline, "\(name) integrated gradients, vector baseline, riemann_middle")
        Self.agree(try map(.occlusion()).map!.values, c.occlusion, "\(name) feature ablation")
        if let guided = c.guidedBackprop {
            Self.agree(try map(.guidedBackprop).map!.values, guided, "\(name) guided backprop")
        }
    }
}
