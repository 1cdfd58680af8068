extension ConvNet {
    /// The activations at `sites` for a batch `[batch, inputWidth]`, by the MLP's site names with
    /// the layers counted as ``ConvNet`` counts them (convolutions first, the logits last):
    /// `input`; for a convolution ℓ, `layers.ℓ.pre` (its output before ReLU, `[batch, out · H · W]`)
    /// and `layers.ℓ.post` (after ReLU and max pooling, what the next layer reads); for a dense
    /// layer, `layers.ℓ.pre` (x Wᵀ + b) and `layers.ℓ.post` (after ReLU; the logits for the last).
    /// Unknown sites are absent from the result.
    /// - Complexity: one forward pass.
    public func captured(_ input: Tensor, sites: Set<String>) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        func keep(_ site: String, _ value: Tensor) { if sites.contains(site) { out[site] = value } }
        keep("input", input)
        var x = input, h = height, w = width
        for (l, conv) in convolutions.enumerated() {
            let (z, _) = conv.forward(x, height: h, width: w)
            keep("layers.\(l).pre", z)
            var a = z
            Activation.relu.apply(z.scalars, into: &a.scalars)
            let size = conv.outputSize(height: h, width: w)
            x = pool.forward(a, channels: conv.outChannels, height: size.height, width: size.width).output
            (h, w) = pool.outputSize(height: size.height, width: size.width)
            keep("layers.\(l).post", x)
        }
        for (d, layer) in dense.enumerated() {
            let l = convolutions.count + d
            let z = layer.forward(x)
            keep("layers.\(l).pre", z)
            if d < dense.count - 1 {
                var a = z
                Activation.relu.apply(z.scalars, into: &a.scalars)
                x = a
            } else {
                x = z
            }
            keep("layers.\(l).post", x)
        }
        return out
    }
}
