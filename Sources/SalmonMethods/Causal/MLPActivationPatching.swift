import SalmonNetworks

/// Activation patching on an ``MLP``: the clean run's activation of a component copied into the
/// corrupted run, and the answers' logit difference output[correct] − output[wrong] per pair.
/// A component is a hidden layer's whole row, `layers.ℓ.pre` or `layers.ℓ.post`, or one of its
/// units, `layers.ℓ.post[i]` (`layers.ℓ.pre[i]`): the corrupted run with that unit's value
/// replaced by the clean run's and everything else as it was, the layers after it recomputed.
/// Patching a whole layer gives exactly the clean run from there on (recovered = 1); patching
/// nothing is the corrupted run (0).
public struct MLPActivationPatching: PatchingRuns {
    public let model: MLP
    /// The clean and corrupted inputs, `[pairs, in]`.
    public let clean: Tensor, corrupted: Tensor
    public let correct: [Int], wrong: [Int]
    public let cleanDifferences: [Double]
    public let corruptedDifferences: [Double]
    /// Every hidden site of the clean and corrupted runs.
    let cleanSites: [String: Tensor], corruptedSites: [String: Tensor]

    /// - Throws: ``MethodError`` when the inputs are not `[pairs, in]` of the same shape, there
    ///   are no pairs, or an answer is not an output class.
    public init(model: MLP, clean: Tensor, corrupted: Tensor, correct: [Int], wrong: [Int]) throws {
        let inWidth = model.layers[0].inFeatures, classes = model.layers[model.layers.count - 1].outFeatures
        guard clean.rank == 2, clean.shape[1] == inWidth, corrupted.shape == clean.shape else {
            throw MethodError("activation patching: clean inputs of shape \(clean.shape) and corrupted of shape \(corrupted.shape); expected both [pairs, \(inWidth)]")
        }
        let n = clean.shape[0]
        guard n >= 1, correct.count == n, wrong.count == n else {
            throw MethodError("activation patching: expected a correct and a wrong answer per pair (\(n)), found \(correct.count) and \(wrong.count)")
        }
        try MethodError.requireIndices(["correct answer": correct, "wrong answer": wrong], below: classes,
                                       method: "activation patching", kind: "class", range: "the network's")
        self.model = model
        self.clean = clean
        self.corrupted = corrupted
        self.correct = correct
        self.wrong = wrong
        let sites = Set((0..<(model.layers.count - 1)).flatMap { ["layers.\($0).pre", "layers.\($0).post"] })
        let c = model.forward(clean, hooks: Hooks(capture: sites)), k = model.forward(corrupted, hooks: Hooks(capture: sites))
        cleanSites = c.captured
        corruptedSites = k.captured
        cleanDifferences = Self.differences(c.output, correct: correct, wrong: wrong)
        corruptedDifferences = Self.differences(k.output, correct: correct, wrong: wrong)
    }

    static func differences(_ output: Tensor, correct: [Int], wrong: [Int]) -> [Double] {
        let classes = output.shape[1]
        return correct.indices.map { r in
            let right: Float = output.scalars[r * classes + correct[r]], other: Float = output.scalars[r * classes + wrong[r]]
            return Double(right) - Double(other)
        }
    }

    /// The site and unit a component names: `layers.ℓ.post` → (site, nil), `layers.ℓ.post[i]` → (site, i).
    public static func component(_ name: String) -> (site: String, unit: Int?)? {
        var site = name, unit: Int?
        if name.hasSuffix("]"), let open = name.lastIndex(of: "[") {
            guard let i = Int(name[name.index(after: open)..<name.index(before: name.endIndex)]), i >= 0 else { return nil }
            site = String(name[..<open])
            unit = i
        }
        let parts = site.split(separator: ".")
        guard parts.count == 3, parts[0] == "layers", Int(parts[1]) != nil, parts[2] == "pre" || parts[2] == "post" else { return nil }
        return (site, unit)
    }

    public func patchedDifferences(component name: String) throws -> [Double] {
        guard let (site, unit) = Self.component(name), let cleanValue = cleanSites[site], var value = corruptedSites[site] else {
            throw MethodError("activation patching on an MLP: '\(name)' names no hidden layer or unit (layers.0–\(model.layers.count - 2).{pre, post}, or one unit of one, layers.ℓ.post[i])")
        }
        let width = value.shape[1]
        if let unit {
            guard unit < width else { throw MethodError("activation patching on an MLP: \(site) has units 0 … \(width - 1); found \(unit)") }
            for r in 0..<value.shape[0] { value.scalars[r * width + unit] = cleanValue.scalars[r * width + unit] }
        } else {
            value = cleanValue
        }
        let output = model.forward(corrupted, hooks: Hooks(replace: [site: value])).output
        return Self.differences(output, correct: correct, wrong: wrong)
    }
}
