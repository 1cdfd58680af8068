/// Gradients of a scalar loss for every transformer parameter (in ``Transformer/parameterArrays``
/// order), for the embedding (`embed` site) and for captured sites.
public struct TransformerGradients: Sendable {
    /// One array per parameter, in ``Transformer/parameterArrays`` order.
    public var parameters: [[Float]]
    /// dL/d(token + position embedding), `[batch·length, dimension]`.
    public var embedding: Tensor
    public var sites: [String: Tensor]
}

extension Transformer {
    /// The parameters as flat arrays: token embedding, position embedding, then per block
    /// norm1 γ, β, qkv W, b, attention output W, b, norm2 γ, β, MLP in W, b, MLP out W, b; then the
    /// final norm γ, β and the unembedding.
    public var parameterArrays: [[Float]] {
        get {
            var arrays = [tokenEmbedding.weight.scalars, positionEmbedding.weight.scalars]
            for b in blocks {
                arrays += [b.norm1.weight.scalars, b.norm1.bias.scalars, b.attention.qkv.weight.scalars,
                           b.attention.qkv.bias.scalars, b.attention.output.weight.scalars, b.attention.output.bias.scalars,
                           b.norm2.weight.scalars, b.norm2.bias.scalars, b.mlpIn.weight.scalars, b.mlpIn.bias.scalars,
                           b.mlpOut.weight.scalars, b.mlpOut.bias.scalars]
            }
            return arrays + [finalNorm.weight.scalars, finalNorm.bias.scalars, unembedding.scalars]
        }
        set {
            precondition(newValue.count == 2 + 12 * blocks.count + 3, "parameter array count")
            tokenEmbedding.weight.scalars = newValue[0]
            positionEmbedding.weight.scalars = newValue[1]
            for i in blocks.indices {
                let o = 2 + 12 * i
                blocks[i].norm1.weight.scalars = newValue[o]
                blocks[i].norm1.bias.scalars = newValue[o + 1]
                blocks[i].attention.qkv.weight.scalars = newValue[o + 2]
                blocks[i].attention.qkv.bias.scalars = newValue[o + 3]
                blocks[i].attention.output.weight.scalars = newValue[o + 4]
                blocks[i].attention.output.bias.scalars = newValue[o + 5]
                blocks[i].norm2.weight.scalars = newValue[o + 6]
                blocks[i].norm2.bias.scalars = newValue[o + 7]
                blocks[i].mlpIn.weight.scalars = newValue[o + 8]
                blocks[i].mlpIn.bias.scalars = newValue[o + 9]
                blocks[i].mlpOut.weight.scalars = newValue[o + 10]
                blocks[i].mlpOut.bias.scalars = newValue[o + 11]
            }
            let o = 2 + 12 * blocks.count
            finalNorm.weight.scalars = newValue[o]
            finalNorm.bias.scalars = newValue[o + 1]
            unembedding.scalars = newValue[o + 2]
        }
    }

    /// Backpropagates dL/d(logits) through the pass. Hooks act as in ``MLP/backward(_:outputGradient:)``:
    /// masks scale gradients, a replaced site passes none upstream (the residual path around it
    /// still carries gradient, since only that branch was replaced).
    public func backward(_ pass: TransformerPass, logitsGradient: Tensor) -> TransformerGradients {
        let hooks = pass.hooks
        var sites: [String: Tensor] = [:]
        func site(_ name: String, _ g: inout Tensor, replaced: Bool) {
            if hooks.capture.contains(name) { sites[name] = g }
            if replaced { g = Tensor(zeros: g.shape) }
            if let mask = hooks.nodeMasks[name] { MLP.scaleColumns(&g, mask) }
        }
        let dUnembedding = BLAS.matmul(logitsGradient, pass.finalOutput, transposeA: true)
        let dxf = BLAS.matmul(logitsGradient, unembedding)
        var (dx, dFinalWeight, dFinalBias) = finalNorm.backward(dxf, pass.finalNorm)
        var blockGradients: [[[Float]]] = Array(repeating: [], count: blocks.count)
        for i in stride(from: blocks.count - 1, through: 0, by: -1) {
            let block = blocks[i], cache = pass.blockCaches[i]
            site("blocks.\(i).resid", &dx, replaced: cache.residReplaced)
            var dm = dx
            site("blocks.\(i).mlp.out", &dm, replaced: cache.mlpReplaced)
            let dOutWeight = BLAS.matmul(dm, cache.hidden, transposeA: true)
            let dOutBias = CausalSelfAttention.columnSums(dm)
            var dg = BLAS.matmul(dm, block.mlpOut.weight)
            site("blocks.\(i).mlp.hidden", &dg, replaced: cache.hiddenReplaced)
            configuration.activation.multiplyByDerivative(&dg.scalars, at: cache.preActivation.scalars)
            let dInWeight = BLAS.matmul(dg, cache.mlpInput, transposeA: true)
            let dInBias = CausalSelfAttention.columnSums(dg)
            let dh2 = BLAS.matmul(dg, block.mlpIn.weight)
            var (dFromNorm2, dNorm2Weight, dNorm2Bias) = block.norm2.backward(dh2, cache.norm2)
            site("blocks.\(i).mlp.in", &dFromNorm2, replaced: cache.mlpInputReplaced)
            var dx1 = dx
            Transformer.add(&dx1, dFromNorm2)
            var da = dx1
            site("blocks.\(i).attn.out", &da, replaced: cache.attentionReplaced)
            let (dh1, ag) = block.attention.backward(da, cache.attention, batch: pass.batch, length: pass.length)
            var (dFromNorm1, dNorm1Weight, dNorm1Bias) = block.norm1.backward(dh1, cache.norm1)
            site("blocks.\(i).attn.in", &dFromNorm1, replaced: cache.attentionInputReplaced)
            dx = dx1
            Transformer.add(&dx, dFromNorm1)
            blockGradients[i] = [dNorm1Weight.scalars, dNorm1Bias.scalars, ag.qkv.0.scalars, ag.qkv.1.scalars,
                                 ag.output.0.scalars, ag.output.1.scalars, dNorm2Weight.scalars, dNorm2Bias.scalars,
                                 dInWeight.scalars, dInBias.scalars, dOutWeight.scalars, dOutBias.scalars]
        }
        site("embed", &dx, replaced: pass.embedReplaced)
        let dToken = tokenEmbedding.backward(dx, pass.tokens)
        let dPosition = positionEmbedding.backward(dx, (0..<(pass.batch * pass.length)).map { $0 % pass.length })
        let parameters = [dToken.scalars, dPosition.scalars] + blockGradients.flatMap { $0 }
            + [dFinalWeight.scalars, dFinalBias.scalars, dUnembedding.scalars]
        return TransformerGradients(parameters: parameters, embedding: dx, sites: sites)
    }
}
