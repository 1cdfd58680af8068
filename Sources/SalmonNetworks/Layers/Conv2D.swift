import SalmonStatistics

/// A 2-D convolution with stride 1 and zero padding, PyTorch's `nn.Conv2d` layout: weight
/// `[out, in, k, k]`, bias `[out]`.
///
/// Images travel as the rows of a matrix `[batch, channels · height · width]` (each row an image
/// in channel-major, NCHW order), the same layout as an MLP's inputs, so a flattened 8 × 8 digit
/// is both an MLP input and a one-channel image.
///
/// The product is lowered to one matrix product per batch (im2col, Chellapilla et al. 2006):
/// the columns C `[in · k · k, batch · P]` (P = output positions) hold every receptive field, and
/// the output is W `[out, in · k · k]` · C through BLAS; the backward pass is dW = dO · Cᵀ and
/// dC = Wᵀ · dO, folded back onto the input (col2im).
///
/// Mathematical properties: cross-correlation as in PyTorch, y[o, i, j] = b[o] +
/// Σ_{c, u, v} W[o, c, u, v] · x[c, i + u − p, j + v − p], with x = 0 outside the image.
public struct Conv2D: Sendable, Equatable {
    /// `[outChannels, inChannels, kernelSize, kernelSize]`.
    public var weight: Tensor
    /// `[outChannels]`.
    public var bias: Tensor
    /// Zeros added on every side of the image.
    public let padding: Int

    public var outChannels: Int { weight.shape[0] }
    public var inChannels: Int { weight.shape[1] }
    public var kernelSize: Int { weight.shape[2] }

    /// A layer with given parameters.
    /// - Precondition: `weight` is `[out, in, k, k]`, `bias` is `[out]`, `padding ≥ 0`.
    public init(weight: Tensor, bias: Tensor, padding: Int) {
        precondition(weight.rank == 4 && weight.shape[2] == weight.shape[3] && bias.shape == [weight.shape[0]],
                     "Conv2D: weight [out, in, k, k] and bias [out]")
        precondition(padding >= 0, "Conv2D: padding must be ≥ 0")
        self.weight = weight
        self.bias = bias
        self.padding = padding
    }

    /// A freshly initialized layer, drawn as PyTorch's `nn.Conv2d.reset_parameters` does for the
    /// default initializer: weight and bias U(±1/√fan_in) with fan_in = in · k · k.
    public init(inChannels: Int, outChannels: Int, kernelSize: Int, padding: Int,
                initializer: Initializer = .pytorchDefault, stream: inout RandomStream) {
        let fanIn = inChannels * kernelSize * kernelSize
        let (w, b) = initializer.draw(fanIn: fanIn, fanOut: outChannels, stream: &stream)
        self.init(weight: Tensor(shape: [outChannels, inChannels, kernelSize, kernelSize], scalars: w),
                  bias: Tensor(shape: [outChannels], scalars: b), padding: padding)
    }

    /// The output's height and width for an input of `height × width`.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        (height + 2 * padding - kernelSize + 1, width + 2 * padding - kernelSize + 1)
    }

    /// The im2col columns of a batch: `[in · k · k, batch · P]`, column b · P + position.
    func columns(_ x: Tensor, height: Int, width: Int) -> [Float] {
        let batch = x.shape[0], c = inChannels, k = kernelSize, p = padding
        let (oh, ow) = outputSize(height: height, width: width)
        let positions = oh * ow, n = batch * positions
        var out = [Float](repeating: 0, count: c * k * k * n)
        x.scalars.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { cs in
                for ch in 0..<c {
                    for u in 0..<k {
                        for v in 0..<k {
                            let row = ((ch * k + u) * k + v) * n
                            for b in 0..<batch {
                                let image = (b * c + ch) * height * width
                                let base = row + b * positions
                                for i in 0..<oh {
                                    let y = i + u - p
                                    guard y >= 0 && y < height else { continue }
                                    // Output columns j whose input column j + v − p lies inside the image.
                                    let lo = max(0, p - v), hi = min(ow, width + p - v)
                                    guard lo < hi else { continue }
                                    for j in lo..<hi { cs[base + i * ow + j] = xs[image + y * width + j + v - p] }
                                }
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// x `[batch, in · H · W]` → `[batch, out · H' · W']`, and the columns for the backward pass.
    func forward(_ x: Tensor, height: Int, width: Int) -> (output: Tensor, columns: [Float]) {
        let batch = x.shape[0]
        precondition(x.rank == 2 && x.shape[1] == inChannels * height * width,
                     "Conv2D input must be [batch, \(inChannels * height * width)], got \(x.shape)")
        let (oh, ow) = outputSize(height: height, width: width)
        let positions = oh * ow, n = batch * positions, depth = inChannels * kernelSize * kernelSize, o = outChannels
        let cols = columns(x, height: height, width: width)
        var product = [Float](repeating: 0, count: o * n)
        weight.scalars.withUnsafeBufferPointer { w in
            cols.withUnsafeBufferPointer { c in
                product.withUnsafeMutableBufferPointer { y in
                    if let w = w.baseAddress, let c = c.baseAddress, let y = y.baseAddress {
                        BLAS.gemm(m: o, n: n, k: depth, a: w, b: c, c: y)
                    }
                }
            }
        }
        // [out, batch · P] → [batch, out · P], adding the bias.
        var output = [Float](repeating: 0, count: batch * o * positions)
        product.withUnsafeBufferPointer { y in
            bias.scalars.withUnsafeBufferPointer { bs in
                output.withUnsafeMutableBufferPointer { out in
                    for b in 0..<batch {
                        for ch in 0..<o {
                            let source = ch * n + b * positions, target = (b * o + ch) * positions, shift = bs[ch]
                            for q in 0..<positions { out[target + q] = y[source + q] + shift }
                        }
                    }
                }
            }
        }
        return (Tensor(shape: [batch, o * positions], scalars: output), cols)
    }

    /// Gradients of a loss given dL/dy `[batch, out · P]` and the forward pass's columns: dL/dW,
    /// dL/db (when `parameters`) and dL/dx `[batch, in · H · W]`.
    func backward(_ dy: Tensor, columns cols: [Float], height: Int, width: Int,
                  parameters: Bool) -> (weight: Tensor?, bias: Tensor?, input: Tensor) {
        let batch = dy.shape[0], o = outChannels, c = inChannels, k = kernelSize, p = padding
        let (oh, ow) = outputSize(height: height, width: width)
        let positions = oh * ow, n = batch * positions, depth = c * k * k
        // [batch, out · P] → dO [out, batch · P].
        var d = [Float](repeating: 0, count: o * n)
        dy.scalars.withUnsafeBufferPointer { g in
            d.withUnsafeMutableBufferPointer { ds in
                for b in 0..<batch {
                    for ch in 0..<o {
                        let source = (b * o + ch) * positions, target = ch * n + b * positions
                        for q in 0..<positions { ds[target + q] = g[source + q] }
                    }
                }
            }
        }
        var dW: Tensor?, db: Tensor?
        var dCols = [Float](repeating: 0, count: depth * n)
        d.withUnsafeBufferPointer { ds in
            guard let dp = ds.baseAddress else { return }
            if parameters {
                var w = [Float](repeating: 0, count: o * depth)
                cols.withUnsafeBufferPointer { cs in
                    w.withUnsafeMutableBufferPointer { ws in
                        if let cp = cs.baseAddress, let wp = ws.baseAddress {
                            BLAS.gemm(transposeB: true, m: o, n: depth, k: n, a: dp, b: cp, c: wp)
                        }
                    }
                }
                var bsum = [Float](repeating: 0, count: o)
                for ch in 0..<o {
                    var s: Float = 0
                    for q in 0..<n { s += ds[ch * n + q] }
                    bsum[ch] = s
                }
                dW = Tensor(shape: weight.shape, scalars: w)
                db = Tensor(shape: [o], scalars: bsum)
            }
            weight.scalars.withUnsafeBufferPointer { ws in
                dCols.withUnsafeMutableBufferPointer { dc in
                    if let wp = ws.baseAddress, let cp = dc.baseAddress {
                        BLAS.gemm(transposeA: true, m: depth, n: n, k: o, a: wp, b: dp, c: cp)
                    }
                }
            }
        }
        // col2im: fold the column gradients back onto the input.
        var dx = [Float](repeating: 0, count: batch * c * height * width)
        dCols.withUnsafeBufferPointer { cs in
            dx.withUnsafeMutableBufferPointer { xs in
                for ch in 0..<c {
                    for u in 0..<k {
                        for v in 0..<k {
                            let row = ((ch * k + u) * k + v) * n
                            for b in 0..<batch {
                                let image = (b * c + ch) * height * width
                                let base = row + b * positions
                                for i in 0..<oh {
                                    let y = i + u - p
                                    guard y >= 0 && y < height else { continue }
                                    let lo = max(0, p - v), hi = min(ow, width + p - v)
                                    guard lo < hi else { continue }
                                    for j in lo..<hi { xs[image + y * width + j + v - p] += cs[base + i * ow + j] }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dW, db, Tensor(shape: [batch, c * height * width], scalars: dx))
    }
}
