@testable import SalmonIO

/// Builds small zip archives for the tests (APPNOTE.TXT 4.3): local headers, data, central
/// directory and end record, every field settable so that each can be made wrong.
struct ZipBuilder {
    struct Member {
        var name: String
        var data: [UInt8]
        /// What the data decompresses to (equal to `data` for stored members).
        var uncompressed: [UInt8]
        var method: UInt16 = 0
        var flags: UInt16 = 0
        var crc: UInt32? = nil
        var localName: String? = nil
        var uncompressedSizeOverride: UInt32? = nil
        var localOffsetOverride: UInt32? = nil

        static func stored(_ name: String, _ data: [UInt8]) -> Member {
            Member(name: name, data: data, uncompressed: data)
        }

        static func deflated(_ name: String, _ compressed: [UInt8], _ uncompressed: [UInt8]) -> Member {
            Member(name: name, data: compressed, uncompressed: uncompressed, method: 8)
        }
    }

    var members: [Member]
    var entriesOverride: UInt16? = nil

    private static func u16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    private static func u32(_ v: UInt32) -> [UInt8] { u16(UInt16(v & 0xFFFF)) + u16(UInt16(v >> 16)) }

    /// A local file header for `name` followed by nothing (the data comes next).
    static func localHeader(name: String, compressedCount: Int, uncompressed: [UInt8], method: UInt16 = 0) -> [UInt8] {
        let nameBytes = Array(name.utf8)
        return u32(0x0403_4B50) + u16(20) + u16(0) + u16(method) + u16(0) + u16(0x5021)
            + u32(CRC32.checksum(uncompressed)) + u32(UInt32(compressedCount)) + u32(UInt32(uncompressed.count))
            + u16(UInt16(nameBytes.count)) + u16(0) + nameBytes
    }

    /// `data` as a deflate stream of one final stored block (RFC 1951 3.2.4).
    static func storedDeflate(_ data: [UInt8]) -> [UInt8] {
        let n = UInt16(data.count)
        return [1] + u16(n) + u16(~n) + data
    }

    var bytes: [UInt8] {
        var out: [UInt8] = []
        var directory: [UInt8] = []
        for member in members {
            let offset = UInt32(out.count)
            let name = Array(member.name.utf8), localName = Array((member.localName ?? member.name).utf8)
            let crc = member.crc ?? CRC32.checksum(member.uncompressed)
            let size = member.uncompressedSizeOverride ?? UInt32(member.uncompressed.count)
            out += Self.u32(0x0403_4B50) + Self.u16(20) + Self.u16(member.flags) + Self.u16(member.method)
            out += Self.u16(0) + Self.u16(0x5021) + Self.u32(crc) + Self.u32(UInt32(member.data.count)) + Self.u32(size)
            out += Self.u16(UInt16(localName.count)) + Self.u16(0) + localName + member.data
            directory += Self.u32(0x0201_4B50) + Self.u16(20) + Self.u16(20) + Self.u16(member.flags) + Self.u16(member.method)
            directory += Self.u16(0) + Self.u16(0x5021) + Self.u32(crc) + Self.u32(UInt32(member.data.count)) + Self.u32(size)
            directory += Self.u16(UInt16(name.count)) + Self.u16(0) + Self.u16(0) + Self.u16(0) + Self.u16(0) + Self.u32(0)
            directory += Self.u32(member.localOffsetOverride ?? offset) + name
        }
        let directoryOffset = UInt32(out.count)
        out += directory
        let count = entriesOverride ?? UInt16(members.count)
        out += Self.u32(0x0605_4B50) + Self.u16(0) + Self.u16(0) + Self.u16(count) + Self.u16(count)
        out += Self.u32(UInt32(directory.count)) + Self.u32(directoryOffset) + Self.u16(0)
        return out
    }
}
