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

    /// Output channels (filters).
    public var outChannels: Int { weight.shape[0] }
    /// Input channels.
    public var inChannels: Int { weight.shape[1] }
    /// The side k of the square kernel.
    public var kernelSize: Int { weight.shape[2] }

    /// A layer with given parameters.
    /// - Precondition: `weight` is `[out, in, k, k]`, `bias` is `[out]`, `padding ≥ 0`.
    public init(weight: Tensor, bias: Tensor, padding: Int) {
        precondition(weight.rank == 4 && weight.shape[2] == weight.shape[3] && bias.shape == [weight.shape[0]],
                     "Conv2D: weight [out, in, k, k] and bias [out]")
        precondition(weight.shape.allSatisfy { $0 >= 1 }, "Conv2D: every extent of the weight must be ≥ 1, found \(weight.shape)")
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
        let (w, b) = initializer.draw(fanIn: fanIn, fanOut: outChannels, receptiveField: kernelSize * kernelSize, stream: &stream)
        self.init(weight: Tensor(shape: [outChannels, inChannels, kernelSize, kernelSize], scalars: w),
                  bias: Tensor(shape: [outChannels], scalars: b), padding: padding)
    }

    /// The output's height and width for an input of `height × width`.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        (height + 2 * padding - kernelSize + 1, width + 2 * padding - kernelSize + 1)
    }

    /// The im2col columns of a batch: `[in · k · k, batch · P]`, column b · P + position.
    ///
    /// The images are first copied into a zero-padded buffer, so that every row of a receptive
    /// field is one branch-free run of `W'` values (no bounds test per element).
    func columns(_ x: Tensor, height: Int, width: Int) -> [Float] {
        let batch = x.shape[0], c = inChannels, k = kernelSize
        let (oh, ow) = outputSize(height: height, width: width)
        let n = batch * oh * ow
        let padded = Self.padded(x, planes: batch * c, height: height, width: width, padding: padding)
        return [Float](unsafeUninitializedCapacity: c * k * k * n) { cs, initialized in
            padded.withUnsafeBufferPointer { xs in
                guard let out = cs.baseAddress, let source = xs.baseAddress else { return }
                // Runs of 4–8 values: a loop, not a memmove call per run.
                forEachRun(batch: batch, height: height, width: width) { column, image in
                    for j in 0..<ow { (out + column + j).initialize(to: source[image + j]) }
                }
            }
            initialized = c * k * k * n
        }
    }

    /// Calls `body(column, image)` once for every run of W' values that im2col moves: the run of
    /// columns row (channel, u, v), image b and output row i starts at `column` in the columns
    /// `[in · k · k, batch · P]` and at `image` in the zero-padded images `[batch, in, H + 2p, W + 2p]`.
    /// im2col copies each run; col2im adds it back.
    @inline(__always)
    func forEachRun(batch: Int, height: Int, width: Int, _ body: (_ column: Int, _ image: Int) -> Void) {
        let c = inChannels, k = kernelSize
        let (oh, ow) = outputSize(height: height, width: width)
        let positions = oh * ow, n = batch * positions
        let ph = height + 2 * padding, pw = width + 2 * padding
        for ch in 0..<c {
            for u in 0..<k {
                for v in 0..<k {
                    let row = ((ch * k + u) * k + v) * n
                    for b in 0..<batch {
                        let plane = (b * c + ch) * ph * pw + u * pw + v, target = row + b * positions
                        for i in 0..<oh { body(target + i * ow, plane + i * pw) }
                    }
                }
            }
        }
    }

    /// The planes of `x` (`planes` of `height × width`) inside a border of `padding` zeros.
    static func padded(_ x: Tensor, planes: Int, height: Int, width: Int, padding p: Int) -> [Float] {
        if p == 0 { return x.scalars }
        let ph = height + 2 * p, pw = width + 2 * p
        var out = [Float](repeating: 0, count: planes * ph * pw)
        x.scalars.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { os in
                guard let source = xs.baseAddress, let target = os.baseAddress else { return }
                for plane in 0..<planes {
                    for y in 0..<height {
                        let to = target + plane * ph * pw + (y + p) * pw + p, from = source + (plane * height + y) * width
                        for j in 0..<width { to[j] = from[j] }
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
        let product = Self.filled(o * n) { y in
            weight.scalars.withUnsafeBufferPointer { w in
                cols.withUnsafeBufferPointer { c in
                    if let w = w.baseAddress, let c = c.baseAddress { BLAS.gemm(m: o, n: n, k: depth, a: w, b: c, c: y) }
                }
            }
        }
        // [out, batch · P] → [batch, out · P], adding the bias.
        let output = Self.filled(batch * o * positions) { out in
            product.withUnsafeBufferPointer { y in
                bias.scalars.withUnsafeBufferPointer { bs in
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
        precondition(dy.rank == 2 && dy.shape[1] == o * positions && cols.count == depth * n,
                     "Conv2D backward: the gradient and columns must come from this layer's forward pass")
        // [batch, out · P] → dO [out, batch · P].
        let d = Self.filled(o * n) { ds in
            dy.scalars.withUnsafeBufferPointer { g in
                for b in 0..<batch {
                    for ch in 0..<o {
                        let source = (b * o + ch) * positions, target = ch * n + b * positions
                        for q in 0..<positions { ds[target + q] = g[source + q] }
                    }
                }
            }
        }
        var dW: Tensor?, db: Tensor?
        var dCols: [Float] = []
        d.withUnsafeBufferPointer { ds in
            guard let dp = ds.baseAddress else { return }
            if parameters {
                let w = Self.filled(o * depth) { wp in
                    cols.withUnsafeBufferPointer { cs in
                        if let cp = cs.baseAddress { BLAS.gemm(transposeB: true, m: o, n: depth, k: n, a: dp, b: cp, c: wp) }
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
            dCols = Self.filled(depth * n) { cp in
                weight.scalars.withUnsafeBufferPointer { ws in
                    if let wp = ws.baseAddress { BLAS.gemm(transposeA: true, m: depth, n: n, k: o, a: wp, b: dp, c: cp) }
                }
            }
        }
        // col2im: fold the column gradients back onto a zero-padded input, then crop the border.
        let ph = height + 2 * p, pw = width + 2 * p
        var paddedGradient = [Float](repeating: 0, count: batch * c * ph * pw)
        dCols.withUnsafeBufferPointer { cs in
            paddedGradient.withUnsafeMutableBufferPointer { xs in
                guard let columns = cs.baseAddress, let target = xs.baseAddress else { return }
                forEachRun(batch: batch, height: height, width: width) { column, image in
                    for j in 0..<ow { target[image + j] += columns[column + j] }
                }
            }
        }
        let dx: [Float]
        if p == 0 {
            dx = paddedGradient
        } else {
            dx = [Float](unsafeUninitializedCapacity: batch * c * height * width) { xs, initialized in
                paddedGradient.withUnsafeBufferPointer { gs in
                    guard let target = xs.baseAddress, let source = gs.baseAddress else { return }
                    for plane in 0..<(batch * c) {
                        for y in 0..<height {
                            let to = target + (plane * height + y) * width, from = source + plane * ph * pw + (y + p) * pw + p
                            for j in 0..<width { (to + j).initialize(to: from[j]) }
                        }
                    }
                }
                initialized = batch * c * height * width
            }
        }
        return (dW, db, Tensor(shape: [batch, c * height * width], scalars: dx))
    }

    /// An array of `count` floats that `body` writes in full (every element, before any is read):
    /// no zero fill for buffers that a product or a copy overwrites.
    static func filled(_ count: Int, _ body: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress, count > 0 { body(base) }
            initialized = count
        }
    }
}
