/// Where a resampling result's random numbers came from: enough to reproduce it exactly.
public struct ResamplingProvenance: Sendable, Codable, Equatable {
    /// The master seed.
    public var seed: UInt64
    /// The stream path below the seed (`bootstrap`, `null/17/bootstrap`, …).
    public var streamPath: String
    /// The generator's name (``RandomStream/generatorName``).
    public var generator: String
    /// The substream derivation scheme (``RandomStream/derivationScheme``).
    public var derivation: String
    /// The resampling scheme (`ordinary`, `stratified`, `two-level crossed`, `sign-flip`, …).
    public var scheme: String

    public init(seed: UInt64, streamPath: StreamPath, scheme: String) {
        self.seed = seed
        self.streamPath = streamPath.description
        self.generator = RandomStream.generatorName
        self.derivation = RandomStream.derivationScheme
        self.scheme = scheme
    }
}
