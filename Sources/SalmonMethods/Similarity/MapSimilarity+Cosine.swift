extension MapSimilarity {
    /// a · b / (‖a‖ ‖b‖), in one pass; NaN when either row is all zero.
    static func cosine(_ a: UnsafeBufferPointer<Double>, _ b: UnsafeBufferPointer<Double>) -> Double {
        var ab = 0.0, aa = 0.0, bb = 0.0
        for j in 0..<a.count {
            ab += a[j] * b[j]
            aa += a[j] * a[j]
            bb += b[j] * b[j]
        }
        guard aa > 0, bb > 0 else { return .nan }
        return max(-1, min(1, ab / (aa.squareRoot() * bb.squareRoot())))
    }
}
