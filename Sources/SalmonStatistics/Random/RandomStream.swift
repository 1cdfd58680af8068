internal import CGSL

/// A seeded stream of random numbers with deterministic, path-addressed substreams.
///
/// Every random draw in DeadSalmon comes from a `RandomStream`. A stream is identified by a master
/// seed and a path of labels and indices, for example `seed → "null" → 17 → "bootstrap" → 3`;
/// ``derived(_:)`` computes a child stream from the parent's *address*, never from how much of
/// the parent has been consumed, so the numbers drawn for null model 17 do not depend on the
/// order in which work was scheduled, on the thread count, or on how an audit was sharded.
///
/// The generator is xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom number
/// generators", ACM TOMS 47(4), 2021): period 2²⁵⁶ − 1, all 64 output bits pass BigCrush.
/// Its name, ``generatorName``, and the derivation scheme, ``derivationScheme``, are recorded in
/// every result so a run can be reproduced byte for byte.
///
/// Derivation (scheme `splitmix64-path-v1`), stated so it can be reimplemented elsewhere:
/// - `mix(z)` is SplitMix64's finalizer: `z ^= z >> 30; z *= 0xBF58476D1CE4E5B9;
///   z ^= z >> 27; z *= 0x94D049BB133111EB; z ^= z >> 31`.
/// - The root key is `mix(seed ^ 0x5A1F_0D5E_ED00_0001)`.
/// - Absorbing a 64-bit word `w` with tag `t`: `key = mix(key ^ mix(w &+ t))`.
/// - An index `i` is absorbed as `UInt64(bitPattern: Int64(i))` with tag `0x1D`; a label as its
///   UTF-8 byte count with tag `0x1A`, then each little-endian 8-byte chunk (zero padded) with
///   tag `0x1B`.
/// - The four state words are the first four outputs of SplitMix64 seeded with the key.
///
/// Two distinct paths collide only if their 64-bit keys do (probability about 2⁻⁶⁴ per pair).
///
/// `RandomStream` is a value: copying it copies its position, so the copy replays the same
/// numbers. It conforms to `RandomNumberGenerator`, so Swift's own `shuffle(using:)` and
/// `random(in:using:)` draw from it.
public struct RandomStream: RandomNumberGenerator, Sendable, Hashable {
    /// The master seed this stream descends from.
    public let seed: UInt64
    /// The 64-bit address of this stream: a hash of the seed and the path (see the type's notes).
    public let key: UInt64
    @usableFromInline internal var s0: UInt64
    @usableFromInline internal var s1: UInt64
    @usableFromInline internal var s2: UInt64
    @usableFromInline internal var s3: UInt64

    /// The name of the generator, recorded in every result.
    public static let generatorName = "xoshiro256**"
    /// The name of the substream derivation scheme, recorded in every result.
    public static let derivationScheme = "splitmix64-path-v1"

    /// Creates the root stream of a master seed.
    public init(seed: UInt64) {
        self.init(seed: seed, key: Self.mix(seed ^ 0x5A1F_0D5E_ED00_0001))
    }

    /// Creates the stream at `path` below the root stream of `seed`.
    public init(seed: UInt64, path: StreamPath) {
        self = RandomStream(seed: seed).derived(path)
    }

    @usableFromInline
    internal init(seed: UInt64, key: UInt64) {
        self.seed = seed
        self.key = key
        var z = key
        s0 = Self.splitMixNext(&z)
        s1 = Self.splitMixNext(&z)
        s2 = Self.splitMixNext(&z)
        s3 = Self.splitMixNext(&z)
        if s0 | s1 | s2 | s3 == 0 { s0 = 0x9E37_79B9_7F4A_7C15 }  // the one forbidden state
    }

    /// The child stream at `path` below this one (computed from this stream's address only).
    public func derived(_ path: StreamPath) -> RandomStream {
        var k = key
        for component in path.components { k = Self.absorb(k, component) }
        return RandomStream(seed: seed, key: k)
    }

    /// The child stream at `components` below this one: `stream.derived("null", 17)`.
    public func derived(_ components: StreamPath.Component...) -> RandomStream {
        derived(StreamPath(components))
    }

    /// The child stream at index `index` below this one; the allocation-free form used in hot loops.
    @inlinable
    public func derived(index: Int) -> RandomStream {
        RandomStream(seed: seed, key: Self.mix(key ^ Self.mix(UInt64(bitPattern: Int64(index)) &+ 0x1D)))
    }

    /// The next 64 random bits.
    @inlinable @inline(__always)
    public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    @inlinable @inline(__always)
    internal static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// SplitMix64's output function (Steele, Lea & Flood 2014; Stafford's "Mix13" constants).
    @inlinable
    internal static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    @inlinable
    internal static func splitMixNext(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return mix(state)
    }

    internal static func absorb(_ key: UInt64, _ component: StreamPath.Component) -> UInt64 {
        func take(_ k: UInt64, _ word: UInt64, _ tag: UInt64) -> UInt64 { mix(k ^ mix(word &+ tag)) }
        switch component {
        case .index(let i):
            return take(key, UInt64(bitPattern: Int64(i)), 0x1D)
        case .label(let label):
            let bytes = Array(label.utf8)
            var k = take(key, UInt64(bytes.count), 0x1A)
            var start = 0
            while start < bytes.count {
                var word: UInt64 = 0
                for j in 0..<min(8, bytes.count - start) { word |= UInt64(bytes[start + j]) << (8 * UInt64(j)) }
                k = take(k, word, 0x1B)
                start += 8
            }
            return k
        }
    }
}

/// A path of labels and indices that addresses a substream: `["null", 17, "bootstrap", 3]`.
public struct StreamPath: Sendable, Hashable, CustomStringConvertible, ExpressibleByArrayLiteral {
    /// One step of a path.
    public enum Component: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
        CustomStringConvertible
    {
        case label(String)
        case index(Int)
        public init(stringLiteral value: String) { self = .label(value) }
        public init(integerLiteral value: Int) { self = .index(value) }
        public var description: String {
            switch self {
            case .label(let s): return s
            case .index(let i): return String(i)
            }
        }
    }

    public var components: [Component]
    public init(_ components: [Component]) { self.components = components }
    public init(arrayLiteral elements: Component...) { self.components = elements }

    /// The path appended with more components.
    public func appending(_ more: Component...) -> StreamPath { StreamPath(components + more) }

    /// The path as written in provenance records: `null/17/bootstrap/3` (empty for the root).
    public var description: String { components.map(\.description).joined(separator: "/") }
}
