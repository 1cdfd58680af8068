/// Order-statistic selection on a mutable buffer.
internal enum Selection {
    /// Rearranges `x` so that `x[rank]` holds the element of that rank, everything before it is
    /// ≤ it and everything after it ≥ it, and returns it. Hoare-partition quickselect with a
    /// median-of-three pivot: O(n) expected, no allocation.
    @discardableResult
    static func select(_ x: UnsafeMutableBufferPointer<Double>, rank: Int) -> Double {
        var lo = 0, hi = x.count - 1
        while hi > lo {
            let mid = lo + (hi - lo) / 2
            if x[mid] < x[lo] { x.swapAt(mid, lo) }
            if x[hi] < x[lo] { x.swapAt(hi, lo) }
            if x[hi] < x[mid] { x.swapAt(hi, mid) }
            let pivot = x[mid]
            var i = lo, j = hi
            while i <= j {
                while x[i] < pivot { i += 1 }
                while x[j] > pivot { j -= 1 }
                if i <= j {
                    x.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if rank <= j { hi = j } else if rank >= i { lo = i } else { return x[rank] }
        }
        return x[rank]
    }
}
