/// What a forward pass should do at named hook points, passed to the call and never stored on the
/// model (TransformerLens's lesson: hooks left on a model are global state).
///
/// Sites of an MLP: `input`, and for layer i (0-based) `layers.i.pre` (x Wᵀ + b, before the
/// activation) and `layers.i.post` (after it). The order at a site is: node mask, then
/// replacement, then capture — so a capture sees exactly what flows on.
public struct Hooks: Sendable {
    /// Sites whose activations are returned in ``ForwardPass/captured`` (and, after a backward
    /// pass, whose gradients are returned).
    public var capture: Set<String>
    /// Activation patching: the tensor to put in place of a site's activation (same shape).
    /// Nothing upstream of a replaced site affects the output, so no gradient flows through it.
    public var replace: [String: Tensor]
    /// Node masks: one factor per unit (column) of a site, 0 to ablate the unit, 1 to keep it.
    public var nodeMasks: [String: [Float]]
    /// Edge masks: for layer i, a `[out, in]` 0/1 (or fractional) matrix multiplying its weight.
    /// Biases are never masked.
    public var edgeMasks: [Int: Tensor]
    /// What a node mask puts in place of what it removes, per site (same shape as the site's value):
    /// value ← value·mask + fill·(1 − mask). Without a fill a masked unit is 0 (zero ablation); with
    /// the units' mean over a dataset it is mean ablation, with their values on other inputs
    /// resample ablation (Chan et al., "Causal scrubbing", 2022; Conmy et al., ACDC, 2023).
    /// At a transformer's `blocks.i.attn.heads` the mask has one factor per head and the fill is
    /// the concatenated head outputs `[batch·T, d]` (of another input: head patching).
    public var nodeFills: [String: Tensor]

    public init(capture: Set<String> = [], replace: [String: Tensor] = [:], nodeMasks: [String: [Float]] = [:],
                edgeMasks: [Int: Tensor] = [:], nodeFills: [String: Tensor] = [:]) {
        self.capture = capture
        self.replace = replace
        self.nodeMasks = nodeMasks
        self.edgeMasks = edgeMasks
        self.nodeFills = nodeFills
    }

    /// No hooks.
    public static let none = Hooks()

    /// Records `value` at a capture-only site (one that cannot be masked or replaced).
    func captureOnly(_ site: String, _ value: Tensor, captured: inout [String: Tensor]) {
        if capture.contains(site) { captured[site] = value }
    }

    /// Applies the mask and replacement for `site` to `value`, records a capture, and reports
    /// whether the site was replaced.
    func process(_ site: String, _ value: inout Tensor, captured: inout [String: Tensor]) -> Bool {
        if let mask = nodeMasks[site] {
            let width = value.shape.last ?? 0
            precondition(mask.count == width, "node mask for \(site) has \(mask.count) entries for \(width) units")
            if let fill = nodeFills[site] {
                precondition(fill.shape == value.shape, "node fill for \(site) has shape \(fill.shape), expected \(value.shape)")
                value.scalars.withUnsafeMutableBufferPointer { v in
                    fill.scalars.withUnsafeBufferPointer { f in
                        for i in 0..<v.count { let k = mask[i % width]; v[i] = v[i] * k + f[i] * (1 - k) }
                    }
                }
            } else {
                value.scalars.withUnsafeMutableBufferPointer { v in
                    for i in 0..<v.count { v[i] *= mask[i % width] }
                }
            }
        }
        var replaced = false
        if let patch = replace[site] {
            precondition(patch.shape == value.shape, "replacement for \(site) has shape \(patch.shape), expected \(value.shape)")
            value = patch
            replaced = true
        }
        if capture.contains(site) { captured[site] = value }
        return replaced
    }
}

/// The result of a forward pass: the output, the captured activations, and what backward needs.
public struct ForwardPass: Sendable {
    public let output: Tensor
    public let captured: [String: Tensor]
    let hooks: Hooks
    /// Per layer: its input (after hooks), its pre-activation (after hooks), whether pre/post were replaced.
    let layerInputs: [Tensor]
    let preActivations: [Tensor]
    let preReplaced: [Bool]
    let postReplaced: [Bool]
    let inputReplaced: Bool
}
