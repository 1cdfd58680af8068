import SalmonNetworks

/// The clean and corrupted runs activation patching reads, whatever the network: per pair the
/// answers' logit difference LD on the clean input, on the corrupted input, and on the corrupted
/// input with a named component's activation patched from the clean run. The statistics
/// (``ActivationPatching/recovered(patched:clean:corrupted:rows:)``,
/// ``ActivationPatching/restored(patched:clean:corrupted:rows:)``) are computed from these alone.
/// A transformer's runs are ``ActivationPatching`` (heads, sites, positions, edges); an MLP's
/// ``MLPActivationPatching`` (hidden layers and units).
public protocol PatchingRuns: Sendable {
    /// LD per pair on the clean inputs.
    var cleanDifferences: [Double] { get }
    /// LD per pair on the corrupted inputs.
    var corruptedDifferences: [Double] { get }
    /// LD per pair of the corrupted run with the component `name` patched from the clean run.
    /// - Throws: ``MethodError`` for a name that is not one of the network's components.
    func patchedDifferences(component name: String) throws -> [Double]
}

extension ActivationPatching: PatchingRuns {
    public func patchedDifferences(component name: String) throws -> [Double] {
        guard let component = PatchingComponent(parsing: name) else {
            throw MethodError("activation patching: '\(name)' names no component (a head blocks.i.attn.heads.h, a site, SITE@p, or an edge WRITER->READER)")
        }
        return try patchedDifferences(component)
    }
}
