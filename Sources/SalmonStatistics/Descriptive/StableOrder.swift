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
        var high = [UInt32](repeating: 0, count: n)
        var order = [Int32](repeating: 0, count: n)
        x.withUnsafeBufferPointer { xs in
            for i in 0..<n {
                high[i] = UInt32(truncatingIfNeeded: key(xs[i]) >> 32)
                order[i] = Int32(truncatingIfNeeded: i)
            }
        }
        var scratchKeys = [UInt32](repeating: 0, count: n)
        var scratchOrder = [Int32](repeating: 0, count: n)
        high.withUnsafeMutableBufferPointer { k in
            order.withUnsafeMutableBufferPointer { o in
                scratchKeys.withUnsafeMutableBufferPointer { sk in
                    scratchOrder.withUnsafeMutableBufferPointer { so in
                        radixSort(k, o, sk, so)
                        // Runs of equal high halves: order them by the low halves.
                        var start = 0
                        while start < n {
                            var end = start + 1
                            while end < n && k[end] == k[start] { end += 1 }
                            if end - start > 1 {
                                sortRunByLowHalf(UnsafeMutableBufferPointer(rebasing: o[start..<end]), x,
                                                 UnsafeMutableBufferPointer(rebasing: sk[start..<end]),
                                                 UnsafeMutableBufferPointer(rebasing: so[start..<end]))
                            }
                            start = end
                        }
                    }
                }
            }
        }
        return order
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
    private static func sortRunByLowHalf(_ run: UnsafeMutableBufferPointer<Int32>, _ x: [Double],
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
