import Dispatch
import SalmonNetworks
import SalmonStatistics

/// The rows of a batch in fixed blocks, and the workers a training step runs them on.
///
/// A training step's matrix products and the element-wise work between them (activations,
/// masks, per-row selections, per-row losses) run on the same workers, one block of rows (and,
/// for the weight gradients, one part of the columns) at a time, with OpenBLAS single-threaded
/// meanwhile: one pool of threads, as PyTorch's one OpenMP pool, rather than OpenBLAS's own
/// threads spinning beside ours on the same cores.
///
/// The blocks and parts depend only on the batch's shape, never on the number of workers, and
/// every product is one BLAS call per block or part, so a step makes the same calls, and gives
/// the same bits, on one thread or many; partial sums are per block, combined in block order.
/// (Splitting a product at worker boundaries instead would not: OpenBLAS picks its kernels by
/// the product's shape, and a smaller product can sum in another order.) A batch below
/// ``parallelThreshold`` elements is one block and one part: its products are whole-batch
/// products, as they were before blocks existed.
///
/// The workers: up to the caller's thread count — one inside the audit runner's parallel
/// workers (which hold BLAS single-threaded), the machine's cores when one dictionary is
/// trained alone (`SparseAutoencoder.train` then holds BLAS single-threaded for the whole fit).
package struct RowBlocks: Sendable {
    /// Rows per block of a batch at or above ``parallelThreshold`` (the last block may be shorter).
    package static let rowsPerBlock = 512
    /// Columns per part of a product's columns split for the weight gradients.
    package static let columnsPerPart = 128
    /// Below this many elements (rows × elements per row) a batch is one block.
    package static let parallelThreshold = 1 << 16

    package let rows: Int
    /// Rows of each block but the last.
    package let blockRows: Int

    /// The blocks of `rows` rows with `elementsPerRow` elements of work each (the widest
    /// row of the step: its latents).
    package init(rows: Int, elementsPerRow: Int) {
        self.rows = max(rows, 0)
        blockRows = rows * elementsPerRow >= Self.parallelThreshold ? Self.rowsPerBlock : max(rows, 1)
    }

    /// Whether the batch is split (at or above ``parallelThreshold``).
    package var isBlocked: Bool { blockRows == Self.rowsPerBlock && rows > 0 }

    /// The number of blocks.
    package var count: Int { (rows + blockRows - 1) / blockRows }

    /// The rows of block `b`.
    package func range(_ b: Int) -> Range<Int> {
        (b * blockRows)..<min((b + 1) * blockRows, rows)
    }

    /// The parts of `0..<columns` for the products split by columns: parts of
    /// ``columnsPerPart`` when the batch is blocked, else one part.
    package func columnParts(_ columns: Int) -> [Range<Int>] {
        guard isBlocked else { return [0..<columns] }
        return stride(from: 0, to: columns, by: Self.columnsPerPart).map { $0..<min($0 + Self.columnsPerPart, columns) }
    }

    /// The workers for `items` blocks or parts: at most `threads` (default ``BLAS/threadCount``), at most one per item.
    package static func workers(items: Int, threads: Int) -> Int { max(1, min(threads, items)) }

    /// Calls `body(b, range(b))` once for every block b, on up to `threads` threads.
    /// - Guarantee: when `body` writes only state that belongs to its block (its rows, or slot b
    ///   of a per-block array), the result does not depend on the number of threads.
    package func forEach(threads: Int = BLAS.threadCount, _ body: (_ block: Int, _ rows: Range<Int>) -> Void) {
        Self.forEach(items: count, threads: threads) { b in body(b, range(b)) }
    }

    /// Calls `body(i)` once for every item i in 0..<`items`, on up to `threads` threads (item i on
    /// worker i mod workers), with OpenBLAS single-threaded until all return, so that `body` may
    /// call BLAS on its item.
    package static func forEach(items: Int, threads: Int, _ body: (_ item: Int) -> Void) {
        let workers = workers(items: items, threads: threads)
        guard workers > 1 else {
            for i in 0..<items { body(i) }
            return
        }
        BLAS.enterSingleThreaded()
        defer { BLAS.leaveSingleThreaded() }
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                for i in stride(from: w, to: items, by: workers) { shared.value(i) }
            }
        }
    }
}
