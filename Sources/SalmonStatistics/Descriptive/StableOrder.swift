import Dispatch

/// The permutation that sorts doubles ascending, ties in order of appearance.
///
/// Each double is mapped to an order-preserving 64-bit integer (flip every bit of a negative,
/// the sign bit of the rest; −0 joins +0). The high 32 bits are sorted by an LSD radix sort (three
/// 11-bit passes, all histograms in one sweep, passes skipped when every key shares the digit);
/// runs whose high halves are equal are then sorted by the low 32 bits — by insertion for short
/// runs, by the same radix sort for long ones. Both stages are stable, so ties keep their input
/// order, as `scipy.stats.rankdata(method="ordinal")` and a stable argsort do.
///
/// - Complexity: O(n) time, O(n) extra memory; insertion sort below 48 items. Indices are held as
///   Int32 while sorting (n < 2³¹).
/// - Precondition: no NaN (callers validate; NaN would sort after +∞ without crashing).
enum StableOrder {
    static func ascending(_ x: [Double]) -> [Int] { ascending32(x).map { Int($0) } }

    /// The same permutation as Int32 indices (no conversion pass, half the memory).
    ///
    /// From ``parallelThreshold`` items on, with more than one processor, the two halves of the
    /// input are ordered on two threads and merged (ties to the first half, so the merge is
    /// stable). A stable order is unique, so the result is the same for any thread count.
    static func ascending32(_ x: [Double]) -> [Int32] {
        let n = x.count
        if n < 48 {
            var order = (0..<n).map { Int32(truncatingIfNeeded: $0) }
            for i in 1..<max(n, 1) {
                let current = order[i]
                var j = i
                while j > 0 && x[Int(order[j - 1])] > x[Int(current)] {
                    order[j] = order[j - 1]
                    j -= 1
                }
                order[j] = current
            }
            return order
        }
        // Four buffers of n serve both halves (each sorts its own slices); the merge of two halves
        // writes into the scratch order, free by then.
        var high = [UInt32](repeating: 0, count: n)
        var order = [Int32](repeating: 0, count: n)
        var scratchKeys = [UInt32](repeating: 0, count: n)
        var scratchOrder = [Int32](repeating: 0, count: n)
        let parallel = n >= parallelThreshold && ProcessorCount.active > 1
        x.withUnsafeBufferPointer { x in
            high.withUnsafeMutableBufferPointer { k in
                order.withUnsafeMutableBufferPointer { o in
                    scratchKeys.withUnsafeMutableBufferPointer { sk in
                        scratchOrder.withUnsafeMutableBufferPointer { so in
                            guard parallel else {
                                sort(x, range: 0..<n, k, o, sk, so)
                                return
                            }
                            let middle = n / 2
                            let shared = UncheckedSendable((x, k, o, sk, so))
                            DispatchQueue.concurrentPerform(iterations: 2) { h in
                                let (x, k, o, sk, so) = shared.value
                                let r = h == 0 ? 0..<middle : middle..<n
                                sort(x, range: r, UnsafeMutableBufferPointer(rebasing: k[r]), UnsafeMutableBufferPointer(rebasing: o[r]),
                                     UnsafeMutableBufferPointer(rebasing: sk[r]), UnsafeMutableBufferPointer(rebasing: so[r]))
                            }
                            merge(x, k, o, middle: middle, into: so)
                        }
                    }
                }
            }
        }
        return parallel ? scratchOrder : order
    }

    /// Below this many items one thread orders them.
    static let parallelThreshold = 1 << 17

    /// Orders `x[range]` (n ≥ 1 items): on return `order` holds their indices into `x` in stable
    /// ascending order and `high` the high 32 bits of their keys in that order. All four buffers
    /// hold `range.count` items.
    private static func sort(_ x: UnsafeBufferPointer<Double>, range: Range<Int>, _ high: UnsafeMutableBufferPointer<UInt32>,
                             _ order: UnsafeMutableBufferPointer<Int32>, _ scratchKeys: UnsafeMutableBufferPointer<UInt32>,
                             _ scratchOrder: UnsafeMutableBufferPointer<Int32>) {
        let n = range.count
        for i in 0..<n {
            high[i] = UInt32(truncatingIfNeeded: key(x[range.lowerBound + i]) >> 32)
            order[i] = Int32(truncatingIfNeeded: range.lowerBound + i)
        }
        radixSort(high, order, scratchKeys, scratchOrder)
        // Runs of equal high halves: order them by the low halves.
        var start = 0
        while start < n {
            var end = start + 1
            while end < n && high[end] == high[start] { end += 1 }
            if end - start > 1 {
                sortRunByLowHalf(UnsafeMutableBufferPointer(rebasing: order[start..<end]), x,
                                 UnsafeMutableBufferPointer(rebasing: scratchKeys[start..<end]),
                                 UnsafeMutableBufferPointer(rebasing: scratchOrder[start..<end]))
            }
            start = end
        }
    }

    /// Merges the sorted halves `order[..<middle]` and `order[middle...]` (with their high key
    /// halves) into `out`, stably: on equal keys the first half's item comes first.
    private static func merge(_ x: UnsafeBufferPointer<Double>, _ high: UnsafeMutableBufferPointer<UInt32>,
                              _ order: UnsafeMutableBufferPointer<Int32>, middle: Int, into out: UnsafeMutableBufferPointer<Int32>) {
        let n = order.count
        var i = 0, j = middle, o = 0
        while i < middle && j < n {
            let takeSecond = high[j] < high[i]
                || (high[j] == high[i] && UInt32(truncatingIfNeeded: key(x[Int(order[j])])) < UInt32(truncatingIfNeeded: key(x[Int(order[i])])))
            if takeSecond { out[o] = order[j]; j += 1 } else { out[o] = order[i]; i += 1 }
            o += 1
        }
        while i < middle { out[o] = order[i]; i += 1; o += 1 }
        while j < n { out[o] = order[j]; j += 1; o += 1 }
    }

    /// The order-preserving 64-bit image of a double (−0 joins +0).
    @inline(__always)
    private static func key(_ value: Double) -> UInt64 {
        let bits = (value == 0 ? 0.0 : value).bitPattern
        return bits & (1 << 63) != 0 ? ~bits : bits | (1 << 63)
    }

    /// Stable LSD radix sort of 32-bit keys carrying indices; results end in `keys`/`order`.
    private static func radixSort(_ keys: UnsafeMutableBufferPointer<UInt32>, _ order: UnsafeMutableBufferPointer<Int32>,
                                  _ scratchKeys: UnsafeMutableBufferPointer<UInt32>,
                                  _ scratchOrder: UnsafeMutableBufferPointer<Int32>) {
        let n = keys.count
        let radix = 2048, mask: UInt32 = 2047
        var counts = [Int](repeating: 0, count: 3 * radix)
        counts.withUnsafeMutableBufferPointer { c in
            for key in keys {
                c[Int(key & mask)] += 1
                c[radix + Int((key >> 11) & mask)] += 1
                c[2 * radix + Int(key >> 22)] += 1
            }
            var source = (keys, order), target = (scratchKeys, scratchOrder)
            var inScratch = false
            for pass in 0..<3 {
                let shift = UInt32(11 * pass), base = pass * radix
                if c[base + Int((source.0[0] >> shift) & mask)] == n { continue }
                var total = 0
                for d in 0..<radix {
                    let count = c[base + d]
                    c[base + d] = total
                    total += count
                }
                for i in 0..<n {
                    let key = source.0[i]
                    let slot = base + Int((key >> shift) & mask)
                    let position = c[slot]
                    c[slot] = position + 1
                    target.0[position] = key
                    target.1[position] = source.1[i]
                }
                swap(&source, &target)
                inScratch.toggle()
            }
            if inScratch {
                for i in 0..<n {
                    keys[i] = scratchKeys[i]
                    order[i] = scratchOrder[i]
                }
            }
        }
    }

    /// Sorts a run of indices whose keys share their high 32 bits by the low 32 bits, stably.
    private static func sortRunByLowHalf(_ run: UnsafeMutableBufferPointer<Int32>, _ x: UnsafeBufferPointer<Double>,
                                         _ scratchKeys: UnsafeMutableBufferPointer<UInt32>,
                                         _ scratchOrder: UnsafeMutableBufferPointer<Int32>) {
        let count = run.count
        if count <= 32 {
            for i in 1..<count {
                let current = run[i]
                let currentKey = key(x[Int(current)])
                var j = i
                while j > 0 && key(x[Int(run[j - 1])]) > currentKey {
                    run[j] = run[j - 1]
                    j -= 1
                }
                run[j] = current
            }
            return
        }
        var low = run.map { UInt32(truncatingIfNeeded: key(x[Int($0)])) }
        low.withUnsafeMutableBufferPointer { radixSort($0, run, scratchKeys, scratchOrder) }
    }
}
