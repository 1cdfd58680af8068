/// Max pooling over non-overlapping `size × size` windows (stride = size), PyTorch's
/// `nn.MaxPool2d(size)`: rows and columns that do not fill a window are dropped (floor mode).
///
/// Images are rows of `[batch, channels · height · width]`, as in ``Conv2D``.
///
/// Ties: the first maximum in row-major window order wins, and only it receives the gradient.
public struct MaxPool2D: Sendable, Equatable, Hashable {
    /// The window's side, which is also the stride.
    public let size: Int

    /// Pooling over `size × size` windows.
    /// - Precondition: `size ≥ 1`.
    public init(size: Int) {
        precondition(size >= 1, "MaxPool2D: size must be ≥ 1")
        self.size = size
    }

    /// The output's height and width for an input of `height × width`.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) { (height / size, width / size) }

    /// x `[batch, C · H · W]` → `[batch, C · H' · W']`, and for every output the index of its
    /// maximum within the input row (for the backward pass).
    func forward(_ x: Tensor, channels: Int, height: Int, width: Int) -> (output: Tensor, argmax: [Int32]) {
        let batch = x.shape[0], (oh, ow) = outputSize(height: height, width: width), s = size
        let outWidth = channels * oh * ow
        var out = [Float](repeating: 0, count: batch * outWidth)
        var arg = [Int32](repeating: 0, count: batch * outWidth)
        x.scalars.withUnsafeBufferPointer { xs in
            out.withUnsafeMutableBufferPointer { os in
                arg.withUnsafeMutableBufferPointer { ars in
                    for b in 0..<batch {
                        let row = b * channels * height * width
                        for c in 0..<channels {
                            let plane = c * height * width
                            for i in 0..<oh {
                                for j in 0..<ow {
                                    var best = plane + (i * s) * width + j * s
                                    var value = xs[row + best]
                                    if s == 2 {
                                        // The common window, unrolled; the same first-maximum rule.
                                        let right = best + 1, below = best + width, diagonal = best + width + 1
                                        if xs[row + right] > value { value = xs[row + right]; best = right }
                                        if xs[row + below] > value { value = xs[row + below]; best = below }
                                        if xs[row + diagonal] > value { value = xs[row + diagonal]; best = diagonal }
                                    } else {
                                        for u in 0..<s {
                                            for v in 0..<s {
                                                let at = plane + (i * s + u) * width + j * s + v
                                                if xs[row + at] > value { value = xs[row + at]; best = at }
                                            }
                                        }
                                    }
                                    let o = b * outWidth + (c * oh + i) * ow + j
                                    os[o] = value
                                    ars[o] = Int32(best)
                                }
                            }
                        }
                    }
                }
            }
        }
        return (Tensor(shape: [batch, outWidth], scalars: out), arg)
    }

    /// dL/dx `[batch, inputWidth]` from dL/dy and the forward pass's maxima.
    func backward(_ dy: Tensor, argmax: [Int32], inputWidth: Int) -> Tensor {
        let batch = dy.shape[0], outWidth = dy.shape[1]
        precondition(argmax.count == batch * outWidth && argmax.allSatisfy { $0 >= 0 && Int($0) < inputWidth },
                     "MaxPool2D backward: the maxima must come from this layer's forward pass")
        var dx = [Float](repeating: 0, count: batch * inputWidth)
        dy.scalars.withUnsafeBufferPointer { g in
            argmax.withUnsafeBufferPointer { a in
                dx.withUnsafeMutableBufferPointer { d in
                    for b in 0..<batch {
                        for o in 0..<outWidth { d[b * inputWidth + Int(a[b * outWidth + o])] += g[b * outWidth + o] }
                    }
                }
            }
        }
        return Tensor(shape: [batch, inputWidth], scalars: dx)
    }
}
