/// A seeded pseudo-random key per circuit, for drawing a uniform sample of perfect circuits by
/// keeping the ones with the smallest keys (bottom-k sampling; ``CircuitEnumerator/sample``).
///
/// The circuit is read as a sequence of 64-bit words — its node masks, layer by layer, then its
/// edge rows, matrix by matrix and row by row — and the key is
/// `fmix(Σᵢ fmix(wordᵢ + fmix(seed + (i + 1)·φ)))` with wrapping sums, `fmix` SplitMix64's
/// finalizer (Steele, Lea & Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014)
/// and φ = 0x9E3779B97F4A7C15. Because the words enter through a sum, the key can be computed
/// incrementally (the enumerator adds one layer's rows per circuit). It is not cryptographic:
/// keys of distinct circuits behave as independent uniform draws for sampling, which is all that
/// is asked of them; a seed gives another, independent-looking sample.
extension Circuit {
    /// The circuit's sample key under `seed`.
    public func sampleKey(seed: UInt64) -> UInt64 { Self.finalizeSampleKey(sampleKeySum(seed: seed)) }

    /// The wrapping sum of the words' terms, leaving out the rows of `skippedNodes` in edge matrix
    /// `skippingRowsOf` (the enumerator adds those per circuit).
    func sampleKeySum(seed: UInt64, skippingRowsOf matrix: Int? = nil, nodes skippedNodes: [Int] = []) -> UInt64 {
        var sum: UInt64 = 0
        var position = 0
        for word in nodes {
            sum &+= Self.sampleTerm(seed: seed, position: position, word: word)
            position += 1
        }
        for (m, rowsOfMatrix) in edges.enumerated() {
            for (j, word) in rowsOfMatrix.enumerated() {
                if m != matrix || !skippedNodes.contains(j) { sum &+= Self.sampleTerm(seed: seed, position: position, word: word) }
                position += 1
            }
        }
        return sum
    }

    @inline(__always)
    static func sampleTerm(seed: UInt64, position: Int, word: UInt64) -> UInt64 {
        fmix(word &+ fmix(seed &+ UInt64(position + 1) &* 0x9E37_79B9_7F4A_7C15))
    }

    @inline(__always)
    static func finalizeSampleKey(_ sum: UInt64) -> UInt64 { fmix(sum) }

    /// SplitMix64's output function.
    @inline(__always)
    static func fmix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
