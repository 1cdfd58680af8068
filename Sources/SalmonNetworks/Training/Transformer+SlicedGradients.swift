import Dispatch
import SalmonStatistics

extension Transformer {
    /// The parameter gradients of a batch, computed on `slices` contiguous slices of its sequences
    /// (data parallelism within one step) and summed in slice order.
    ///
    /// Each slice runs forward and backward on its own sequences; `logitsGradient(pass, sequences)`
    /// returns dL/d(logits) of the slice's pass for the sequences `sequences` of the whole batch
    /// (so a mean over the batch scales by the slice's share). The slices run on up to `threads`
    /// threads, OpenBLAS single-threaded meanwhile: on this model's sizes the per-layer products
    /// are too small for OpenBLAS's own threads to pay off, and whole slices in parallel keep every
    /// core busy through the element-wise work too (LayerNorm, GELU, softmax).
    ///
    /// Guarantee: the result depends on `slices`, never on `threads` — each slice is computed the
    /// same way on any thread, and the sum is taken in slice order. It equals the full-batch
    /// gradient up to Float32 rounding (the sum over sequences is associated differently).
    /// - Parameters:
    ///   - tokens: `batch · length` tokens, batch-major.
    ///   - slices: the number of slices (at most `batch`); 2 by default.
    ///   - threads: threads to run the slices on; the active processor count by default.
    public func gradients(tokens: [Int], batch: Int, length: Int, slices: Int = 2, threads: Int = ProcessorCount.active,
                          logitsGradient: @Sendable (TransformerPass, Range<Int>) -> Tensor) -> [[Float]] {
        precondition(tokens.count == batch * length && batch >= 1, "tokens must be batch × length")
        let parts = max(1, min(slices, batch))
        let ranges = (0..<parts).map { ($0 * batch / parts)..<(($0 + 1) * batch / parts) }
        let model = self
        @Sendable func slice(_ i: Int) -> [[Float]] {
            let r = ranges[i]
            let pass = model.forward(tokens: Array(tokens[(r.lowerBound * length)..<(r.upperBound * length)]), batch: r.count, length: length)
            return model.backward(pass, logitsGradient: logitsGradient(pass, r)).parameters
        }
        BLAS.enterSingleThreaded()
        defer { BLAS.leaveSingleThreaded() }
        var results = [[[Float]]](repeating: [], count: parts)
        let workers = max(1, min(threads, parts))
        if workers == 1 {
            for i in 0..<parts { results[i] = slice(i) }
        } else {
            results.withUnsafeMutableBufferPointer { out in
                let shared = SliceResults(out)
                DispatchQueue.concurrentPerform(iterations: parts) { i in shared.buffer[i] = slice(i) }
            }
        }
        var total = results[0]
        for i in 1..<parts {
            for p in total.indices {
                total[p].withUnsafeMutableBufferPointer { t in
                    results[i][p].withUnsafeBufferPointer { g in
                        for j in 0..<t.count { t[j] += g[j] }
                    }
                }
            }
        }
        return total
    }
}

/// The slices' result buffer, written at disjoint indices by the threads of
/// ``Transformer/gradients(tokens:batch:length:slices:threads:logitsGradient:)``.
private struct SliceResults: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<[[Float]]>
    init(_ buffer: UnsafeMutableBufferPointer<[[Float]]>) { self.buffer = buffer }
}
