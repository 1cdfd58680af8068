import Dispatch

/// Runs B independent replicates across worker threads, deterministically.
///
/// Replicate b's random numbers come from its own substream (`stream.derived(index: b)`), so the
/// result is identical for every worker count. The replicates are split into contiguous chunks
/// (several per worker, for balance); each chunk allocates its scratch once.
internal enum ReplicateRunner {
    /// Fills and returns `count` replicate values. `chunk(range, output)` computes the replicates
    /// in `range` into `output` (indexed from 0 for `range.lowerBound`).
    static func run(count: Int, workers: Int,
                    chunk: (Range<Int>, UnsafeMutableBufferPointer<Double>) -> Void) -> [Double] {
        var result = [Double](repeating: 0, count: count)
        guard count > 0 else { return result }
        // Any worker count is accepted (no overflow for a huge one): at most `count` chunks.
        let chunks = workers <= 1 ? 1 : min(count, workers.multipliedReportingOverflow(by: 8).overflow ? count : workers * 8)
        result.withUnsafeMutableBufferPointer { out in
            withoutActuallyEscaping(chunk) { chunk in
                let shared = UncheckedSendable((out, chunk))
                let work: @Sendable (Int) -> Void = { c in
                    let (base, chunk) = shared.value
                    let lo = c * count / chunks, hi = (c + 1) * count / chunks
                    chunk(lo..<hi, UnsafeMutableBufferPointer(rebasing: base[lo..<hi]))
                }
                if chunks == 1 { work(0) } else { DispatchQueue.concurrentPerform(iterations: chunks, execute: work) }
            }
        }
        return result
    }

    /// The default worker count: the active processor count.
    static var defaultWorkers: Int { ProcessorCount.active }
}

/// A value handed across threads where the caller guarantees data-race freedom (disjoint writes).
package struct UncheckedSendable<T>: @unchecked Sendable {
    package let value: T
    package init(_ value: T) { self.value = value }
}
