/// The reference input of a method that compares an input with a baseline (Integrated
/// Gradients' path start, occlusion's replacement value).
public enum AttributionBaseline: Sendable, Hashable, Codable {
    /// Every feature 0 (Captum's default for both methods).
    case zeros
    /// Every feature the same value.
    case constant(Float)
    /// One value per input feature.
    case vector([Float])

    /// The baseline as one value per feature.
    /// - Throws: ``MethodError`` when a vector has the wrong length or a value is not finite.
    func resolved(features d: Int) throws -> [Float] {
        switch self {
        case .zeros:
            return [Float](repeating: 0, count: d)
        case .constant(let v):
            guard v.isFinite else { throw MethodError("attribution baseline: the constant is \(v)") }
            return [Float](repeating: v, count: d)
        case .vector(let values):
            guard values.count == d else {
                throw MethodError("attribution baseline: \(values.count) values for \(d) input features")
            }
            if let j = values.firstIndex(where: { !$0.isFinite }) {
                throw MethodError("attribution baseline: feature \(j) is \(values[j])")
            }
            return values
        }
    }
}
