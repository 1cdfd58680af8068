/// FNV-1a, 64-bit (Fowler, Noll, Vo; IETF draft-eastlake-fnv): a fast non-cryptographic hash used
/// to identify specs and data in provenance — it detects change, it does not resist tampering.
public enum FNV1a {
    public static func hash(_ bytes: some Sequence<UInt8>, seed: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 {
        var h = seed
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }

    public static func hex(_ bytes: some Sequence<UInt8>) -> String { hex(hash(bytes)) }

    /// A hash as 16 lowercase hex digits.
    static func hex(_ h: UInt64) -> String {
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    /// The hash of Float32 scalars' bit patterns (little-endian), for data provenance.
    public static func hex(floats: [Float]) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for f in floats {
            var bits = f.bitPattern
            for _ in 0..<4 {
                h ^= UInt64(bits & 0xff)
                h = h &* 0x0000_0100_0000_01b3
                bits >>= 8
            }
        }
        return hex(h)
    }
}
