/// CRC-32 as zip, gzip and PNG compute it (ISO 3309 / ITU-T V.42; APPNOTE.TXT 4.4.7): the
/// reflected polynomial 0xEDB88320, initial value and final XOR 0xFFFFFFFF.
///
/// Slicing-by-8 (Kounavis & Berry 2005): eight bytes per step through eight 256-entry tables.
/// `CRC32.checksum(Array("123456789".utf8)) == 0xCBF43926`, Python's `zlib.crc32`.
public struct CRC32: Sendable {
    /// The checksum of everything passed to ``update(_:)`` so far.
    public var value: UInt32 { ~state }
    private var state: UInt32 = 0xFFFF_FFFF

    public init() {}

    /// The CRC-32 of `bytes`.
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    /// `value` as 8 lowercase hexadecimal digits, as `f"{zlib.crc32(data):08x}"` prints it.
    public static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// Feeds more bytes.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        if bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) == nil {
            ContiguousArray(bytes).withUnsafeBytes { update($0) }
        }
    }

    /// Feeds more bytes from a buffer.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        var crc = state
        let count = buffer.count
        var i = 0
        Self.tables.withUnsafeBufferPointer { t in
            while i &+ 8 <= count {
                let lo = crc ^ UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: i, as: UInt32.self))
                let hi = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: i &+ 4, as: UInt32.self))
                crc = t[7 &* 256 &+ Int(lo & 0xFF)] ^ t[6 &* 256 &+ Int((lo >> 8) & 0xFF)]
                    ^ t[5 &* 256 &+ Int((lo >> 16) & 0xFF)] ^ t[4 &* 256 &+ Int(lo >> 24)]
                    ^ t[3 &* 256 &+ Int(hi & 0xFF)] ^ t[2 &* 256 &+ Int((hi >> 8) & 0xFF)]
                    ^ t[1 &* 256 &+ Int((hi >> 16) & 0xFF)] ^ t[Int(hi >> 24)]
                i &+= 8
            }
            while i < count {
                crc = t[Int((crc ^ UInt32(buffer[i])) & 0xFF)] ^ (crc >> 8)
                i &+= 1
            }
        }
        state = crc
    }

    /// Table k maps a byte to its CRC contribution k bytes further back.
    private static let tables: [UInt32] = {
        var tables = [UInt32](repeating: 0, count: 8 * 256)
        for n in 0..<256 {
            var c = UInt32(n)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            tables[n] = c
        }
        for k in 1..<8 {
            for n in 0..<256 {
                let previous = tables[(k - 1) * 256 + n]
                tables[k * 256 + n] = tables[Int(previous & 0xFF)] ^ (previous >> 8)
            }
        }
        return tables
    }()
}
