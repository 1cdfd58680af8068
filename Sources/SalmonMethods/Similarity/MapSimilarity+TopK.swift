extension MapSimilarity {
    /// The fraction of the k largest-|value| features the two rows share.
    ///
    /// Each row's top k: features ordered by |value| descending, ties by ascending index (the
    /// order of a stable sort of −|value|, as `numpy.argsort(-abs(a), kind="stable")[:k]`).
    /// - Complexity: O(d log d).
    static func topKIntersection(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>, k: Int) -> Double {
        let d = a.count
        func top(_ v: UnsafeBufferPointer<Double>) -> ArraySlice<Int> {
            (0..<d).sorted { abs(v[$0]) > abs(v[$1]) || (abs(v[$0]) == abs(v[$1]) && $0 < $1) }.prefix(k)
        }
        var inA = [Bool](repeating: false, count: d)
        for j in top(a) { inA[j] = true }
        var shared = 0
        for j in top(b) where inA[j] { shared += 1 }
        return Double(shared) / Double(k)
    }
}
