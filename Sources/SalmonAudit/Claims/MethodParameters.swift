/// A method's typed parameters, decoded by its family from the `method:` block.
///
/// They encode into the same mapping as the method's `name` (so the canonical JSON a spec's hash
/// is computed from keeps its shape), and compare by value.
public protocol MethodParameters: Sendable, Encodable {
    /// Whether `other` holds the same parameters.
    func isEqual(to other: any MethodParameters) -> Bool
}

extension MethodParameters where Self: Equatable {
    public func isEqual(to other: any MethodParameters) -> Bool {
        (other as? Self) == self
    }
}
