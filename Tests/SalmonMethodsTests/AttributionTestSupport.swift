import SalmonMethods
import SalmonNetworks
import SalmonStatistics

/// Networks, inputs and an independent finite-difference oracle for the attribution tests.
enum AttributionTestSupport {
    /// `[rows, columns]` Gaussian inputs (scaled), Float32.
    static func inputs(rows: Int, columns: Int, seed: UInt64, scale: Double = 1) -> Tensor {
        var s = RandomStream(seed: seed, path: ["attribution-test", "inputs"])
        return Tensor(shape: [rows, columns], scalars: (0..<(rows * columns)).map { _ in Float(scale * s.gaussian()) })
    }

    /// A freshly initialized MLP (PyTorch's default initialization).
    static func model(_ sizes: [Int], _ activation: Activation, seed: UInt64) -> MLP {
        MLP(sizes: sizes, hiddenActivation: activation, stream: RandomStream(seed: seed, path: ["attribution-test", "model"]))
    }

    /// F(x) = output[target] for one row, by a forward pass of that row alone.
    static func f(_ model: MLP, _ x: [Float], target: Int) -> Double {
        Double(model(Tensor(shape: [1, x.count], scalars: x)).scalars[target])
    }

    /// The signs of every pre-activation for one row (to detect a finite difference that crosses a kink).
    static func signs(_ model: MLP, _ x: [Float]) -> [Bool] {
        let sites = model.layers.indices.map { "layers.\($0).pre" }
        let pass = model.forward(Tensor(shape: [1, x.count], scalars: x), hooks: Hooks(capture: Set(sites)))
        return sites.flatMap { pass.captured[$0]!.scalars.map { $0 > 0 } }
    }

    /// Central finite difference of F in feature j, or nil when ±h changes a pre-activation's sign
    /// under a kinked activation (the difference then measures the kink, not the derivative).
    static func finiteDifference(_ model: MLP, _ x: [Float], target: Int, feature j: Int, h: Float,
                                 kinked: Bool) -> Double? {
        var up = x, down = x
        up[j] += h
        down[j] -= h
        if kinked && signs(model, up) != signs(model, down) { return nil }
        return (f(model, up, target: target) - f(model, down, target: target)) / Double(up[j] - down[j])
    }

    /// The full finite-difference gradient of F at one row (nil entries at kinks).
    static func finiteDifferenceGradient(_ model: MLP, _ x: [Float], target: Int, h: Float, kinked: Bool) -> [Double?] {
        (0..<x.count).map { finiteDifference(model, x, target: target, feature: $0, h: h, kinked: kinked) }
    }

    /// Row r of a tensor.
    static func row(_ t: Tensor, _ r: Int) -> [Float] {
        let d = t.shape[1]
        return Array(t.scalars[(r * d)..<((r + 1) * d)])
    }

    /// Row r of an explanation's map.
    static func mapRow(_ e: Explanation, _ r: Int) -> [Double] {
        let d = e.map!.shape[1]
        return Array(e.map!.values[(r * d)..<((r + 1) * d)])
    }

    static func explain(_ method: AttributionMethod, _ model: MLP, _ x: Tensor, _ target: AttributionInput.Target,
                        seed: UInt64 = 1, batchElementLimit: Int = 1 << 22) throws -> Explanation {
        try Attribution(method, batchElementLimit: batchElementLimit)
            .explain(AttributionInput(model: model, inputs: x, target: target), stream: RandomStream(seed: seed))
    }
}
