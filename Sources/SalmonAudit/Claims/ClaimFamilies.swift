/// The registered claim families: the one list through which the engine reaches methods. A name
/// no family owns is an error (never a fallback to some default method).
public enum ClaimFamilies {
    /// Every family, in the order reports print their notes.
    public static let registered: [any ClaimFamily] = [
        ProbeFamily(),
        AttributionFamily(),
        ActivationStatisticsFamily(),
        SuppliedMapsFamily(),
        SparseAutoencoderFamily(),
        ActivationPatchingFamily(),
        NeuronAblationFamily(),
        CircuitDiscoveryFamily(),
        InterchangeInterventionFamily(),
        TaskAccuracyFamily(),
    ]

    /// Every method name, in registration order.
    public static var methodNames: [String] { registered.flatMap(\.methods) }

    /// The family owning `method`, or nil.
    public static func family(owning method: String) -> (any ClaimFamily)? {
        registered.first { $0.methods.contains(method) }
    }
}
