import Foundation
import Testing
import SalmonIO
import SalmonNetworks
import SalmonStatistics

/// The convolutional network against PyTorch (Fixtures/generate_convnet.py: logits, parameter
/// gradients of the cross-entropy, input gradients and Captum's guided backpropagation of a
/// Conv–ReLU–MaxPool ×2 → Linear–ReLU–Linear net), against central finite differences, and its
/// null models.
@Suite struct ConvNetTests {
    static let file: SafeTensors? = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/convnet.safetensors")
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? SafeTensors(parsing: data, source: url.path)
    }()

    static func tensor(_ f: SafeTensors, _ name: String, _ shape: [Int]) throws -> SalmonNetworks.Tensor {
        SalmonNetworks.Tensor(shape: shape, scalars: try f.floats(named: name))
    }

    /// The fixture's network, built from PyTorch's state dict.
    static func pytorchNet(_ f: SafeTensors) throws -> ConvNet {
        let conv1 = Conv2D(weight: try tensor(f, "conv1.weight", [4, 1, 3, 3]), bias: try tensor(f, "conv1.bias", [4]), padding: 1)
        let conv2 = Conv2D(weight: try tensor(f, "conv2.weight", [6, 4, 3, 3]), bias: try tensor(f, "conv2.bias", [6]), padding: 1)
        let fc1 = Linear(weight: try tensor(f, "fc1.weight", [8, 24]), bias: try tensor(f, "fc1.bias", [8]))
        let fc2 = Linear(weight: try tensor(f, "fc2.weight", [3, 8]), bias: try tensor(f, "fc2.bias", [3]))
        return ConvNet(channels: 1, height: 8, width: 8, convolutions: [conv1, conv2], pool: MaxPool2D(size: 2), dense: [fc1, fc2])
    }

    static let targets = [0, 1, 2, 0, 1]

    static func worst(_ a: [Float], _ b: [Float]) -> Float {
        zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? .infinity
    }

    @Test func logitsAndParameterGradientsEqualPyTorchs() throws {
        let f = try #require(Self.file)
        let net = try Self.pytorchNet(f)
        let x = try Self.tensor(f, "input", [5, 64])
        let pass = net.forward(x)
        let logits = try f.floats(named: "logits")
        #expect(Self.worst(pass.output.scalars, logits) <= 1e-5, "logits differ by \(Self.worst(pass.output.scalars, logits))")
        let (_, dLogits) = Loss.crossEntropy.evaluate(output: pass.output,
                                                      targets: SalmonNetworks.Tensor(shape: [5], scalars: Self.targets.map(Float.init)))
        let g = net.backward(pass, outputGradient: dLogits)
        let names = ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
        #expect(g.parameters.count == names.count)
        for (name, analytic) in zip(names, g.parameters) {
            let expected = try f.floats(named: "grad.\(name)")
            #expect(analytic.count == expected.count, "\(name): \(analytic.count) values, PyTorch \(expected.count)")
            #expect(Self.worst(analytic, expected) <= 1e-5, "\(name): gradients differ by \(Self.worst(analytic, expected))")
        }
        // parameterArrays is the state-dict order.
        #expect(net.parameterArrays[2] == (try f.floats(named: "conv2.weight")))
    }

    /// d logit[r, tᵣ] / dx per row, and guided backpropagation, against PyTorch and Captum.
    @Test(arguments: [ReLUBackwardRule.gradient, .guided])
    func inputSignalsEqualPyTorchs(rule: ReLUBackwardRule) throws {
        let f = try #require(Self.file)
        let net = try Self.pytorchNet(f)
        let x = try Self.tensor(f, "input", [5, 64])
        let pass = net.forward(x)
        var seed = SalmonNetworks.Tensor(zeros: [5, 3])
        for (r, t) in Self.targets.enumerated() { seed[r, t] = 1 }
        let g = net.backward(pass, outputGradient: seed, rule: rule, parameters: false)
        #expect(g.parameters.isEmpty)
        let expected = try f.floats(named: rule == .gradient ? "input_gradient" : "guided")
        #expect(Self.worst(g.input.scalars, expected) <= 1e-5, "\(rule): differs by \(Self.worst(g.input.scalars, expected))")
        // Guided backprop is not the gradient on this network (the test would pass vacuously otherwise).
        if rule == .guided { #expect(Self.worst(g.input.scalars, try f.floats(named: "input_gradient")) > 1e-3) }
    }

    /// Every parameter and input gradient of a fresh network (2 × 6 × 6 images, two convolution
    /// blocks, one of them with a 5 × 5 kernel and odd pooling remainders) against central finite
    /// differences, with the tolerance and kink rule of ``GradientCheckTests``: a coordinate whose
    /// ±h perturbation changes any ReLU's sign or any pooling window's maximum is skipped.
    @Test func gradientsMatchFiniteDifferences() {
        let net = ConvNet(channels: 2, height: 6, width: 6, convolutionChannels: [3, 4], kernelSize: 3, poolSize: 2,
                          hidden: [5], classes: 3, stream: RandomStream(seed: 4, path: ["convnet"]))
        let wide = ConvNet(channels: 1, height: 7, width: 7, convolutionChannels: [2], kernelSize: 5, poolSize: 3,
                           hidden: [], classes: 2, stream: RandomStream(seed: 5, path: ["convnet"]))
        for (model, rows) in [(net, 3), (wide, 2)] {
            var s = RandomStream(seed: 6, path: ["x"])
            let x = SalmonNetworks.Tensor(shape: [rows, model.inputWidth], scalars: (0..<(rows * model.inputWidth)).map { _ in Float(s.gaussian()) })
            let t = SalmonNetworks.Tensor(shape: [rows], scalars: (0..<rows).map { Float($0 % model.outputWidth) })
            let h: Float = 1e-2
            func loss(_ m: ConvNet, _ x: SalmonNetworks.Tensor) -> (Double, [Bool], [Int32]) {
                let pass = m.forward(x)
                return (Loss.crossEntropy.evaluate(output: pass.output, targets: t).value, pass.reluSigns, pass.poolMaxima)
            }
            let pass = model.forward(x)
            let (_, dOut) = Loss.crossEntropy.evaluate(output: pass.output, targets: t)
            let g = model.backward(pass, outputGradient: dOut)
            var checked = 0, skipped = 0
            func compare(_ analytic: Float, _ plus: (Double, [Bool], [Int32]), _ minus: (Double, [Bool], [Int32]), _ what: String) {
                guard plus.1 == minus.1 && plus.2 == minus.2 else { skipped += 1; return }
                let fd = Float((plus.0 - minus.0) / Double(2 * h))
                #expect(abs(analytic - fd) <= 2e-3 + 2e-2 * abs(fd), "\(what): analytic \(analytic), finite difference \(fd)")
                checked += 1
            }
            let parameters = model.parameterArrays
            for (p, array) in parameters.enumerated() {
                for k in array.indices {
                    var up = model, down = model
                    var a = parameters, b = parameters
                    a[p][k] += h
                    b[p][k] -= h
                    up.parameterArrays = a
                    down.parameterArrays = b
                    compare(g.parameters[p][k], loss(up, x), loss(down, x), "parameter array \(p) entry \(k)")
                }
            }
            for k in 0..<x.count {
                var up = x, down = x
                up.scalars[k] += h
                down.scalars[k] -= h
                compare(g.input.scalars[k], loss(model, up), loss(model, down), "input \(k)")
            }
            // Not vacuous: most coordinates are compared (measured: 360 of 428 and 123 of 168).
            #expect(checked >= 100 && checked >= 2 * skipped, "checked \(checked), skipped \(skipped) at kinks")
        }
    }

    @Test func layersAreDrawnAsPyTorchDrawsThemAndNullModelsReplaceTheRightLayers() {
        let stream = RandomStream(seed: 1, path: ["net"])
        let net = ConvNet(channels: 1, height: 8, width: 8, convolutionChannels: [4, 6], hidden: [8], classes: 3, stream: stream)
        #expect(net.layerCount == 4 && net.inputWidth == 64 && net.outputWidth == 3)
        // Xavier for a convolution (PyTorch's fans): U(±√(6 / (in·k² + out·k²))).
        var xs = RandomStream(seed: 2)
        let xavier = Conv2D(inChannels: 4, outChannels: 6, kernelSize: 3, padding: 1, initializer: .xavierUniform, stream: &xs)
        let xavierBound = (6 / Float(4 * 9 + 6 * 9)).squareRoot()
        #expect(xavier.weight.scalars.allSatisfy { abs($0) <= xavierBound } && xavier.weight.scalars.contains { abs($0) > 0.9 * xavierBound })
        #expect(xavier.bias.scalars.allSatisfy { $0 == 0 })
        // U(±1/√fan_in), fan_in = in · k · k for a convolution.
        let bound1 = 1 / Float(9).squareRoot(), bound2 = 1 / Float(36).squareRoot()
        #expect(net.convolutions[0].weight.scalars.allSatisfy { abs($0) <= bound1 })
        #expect(net.convolutions[1].weight.scalars.allSatisfy { abs($0) <= bound2 })
        #expect(net.convolutions[1].weight.scalars.contains { abs($0) > bound2 * 0.8 })

        let nullStream = NullModels.stream(seed: 1, family: .cascadingTopDown, index: 0)
        let cascade = NullModels.cascade(net, topDown: true, stream: nullStream)
        #expect(cascade.count == 4)
        let fresh = NullModels.reinitialized(net, stream: nullStream)
        // Step 1 replaces the logits only; the last step is the fresh network.
        #expect(cascade[0].dense[1] == fresh.dense[1] && cascade[0].dense[0] == net.dense[0])
        #expect(cascade[0].convolutions == net.convolutions)
        #expect(cascade[2].convolutions[1] == fresh.convolutions[1] && cascade[2].convolutions[0] == net.convolutions[0])
        #expect(cascade[3] == fresh)
        let independent = NullModels.independentLayer(net, layer: 1, stream: nullStream)
        #expect(independent.convolutions[1] == fresh.convolutions[1])
        #expect(independent.convolutions[0] == net.convolutions[0] && independent.dense == net.dense)
        // The same stream draws the same network; layer i's stream is its own.
        #expect(NullModels.reinitialized(net, stream: nullStream) == fresh)
        #expect(ConvNet(channels: 1, height: 8, width: 8, convolutionChannels: [4, 6], hidden: [8], classes: 3, stream: nullStream) == fresh)
    }
}

extension ConvNet.Pass {
    /// Where every ReLU is active (convolution and hidden dense pre-activations): for the kink rule.
    var reluSigns: [Bool] { (convolutionPreActivations + densePreActivations.dropLast()).flatMap { $0.scalars.map { $0 > 0 } } }
    /// Which input won every pooling window.
    var poolMaxima: [Int32] { poolingMaxima.flatMap { $0 } }
}
