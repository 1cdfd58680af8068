import Foundation
import Testing
@testable import SalmonIO

private func inflateFailure(_ bytes: [UInt8], count: Int) -> String? {
    do {
        _ = try Inflate.decompress(bytes[...], count: count)
        return nil
    } catch {
        return error.reason
    }
}

@Suite("Inflate and CRC-32")
struct InflateTests {
    /// zlib's streams in every block style decompress to the recorded length and CRC-32.
    @Test(arguments: FormatFixtures.expected.deflate)
    func zlibStreams(stream: FormatFixtures.DeflateCase) throws {
        let output = try Inflate.decompress(stream.bytes[...], count: stream.length)
        #expect(output.count == stream.length)
        #expect(CRC32.hex(CRC32.checksum(output)) == stream.crc32)
    }

    @Test func streamsCoverEveryBlockType() throws {
        // Block types from the first block header of each stream (bits 1-2 of the first byte).
        let types = Set(FormatFixtures.expected.deflate.map { ($0.bytes.first ?? 0) >> 1 & 3 })
        #expect(types == [0, 1, 2])
    }

    @Test func storedBlocksByHand() throws {
        let data = Array("stored, not compressed".utf8)
        #expect(try Inflate.decompress(ZipBuilder.storedDeflate(data)[...], count: data.count) == data)
        // Two blocks: a non-final empty stored block, then the final one.
        let two: [UInt8] = [0, 0, 0, 0xFF, 0xFF] + ZipBuilder.storedDeflate(data)
        #expect(try Inflate.decompress(two[...], count: data.count) == data)
    }

    @Test func emptyFixedBlock() throws {
        #expect(try Inflate.decompress([3, 0][...], count: 0) == [])
    }

    @Test func outputSizeMustMatch() throws {
        let data = Array("abc".utf8)
        #expect(inflateFailure(ZipBuilder.storedDeflate(data), count: 2) == "2 bytes as recorded, but the data decompresses to more")
        #expect(inflateFailure(ZipBuilder.storedDeflate(data), count: 4) == "4 bytes as recorded, but the data decompressed to 3")
        let runs = try #require(FormatFixtures.expected.deflate.first { $0.name == "runs" })
        #expect(inflateFailure(runs.bytes, count: runs.length - 1) == "\(runs.length - 1) bytes as recorded, but the data decompresses to more")
    }

    @Test func reservedBlockType() {
        #expect(inflateFailure([0x07], count: 0) == "a block type 0, 1 or 2, found the reserved type 3")
    }

    @Test func storedLengthComplementMismatch() {
        #expect(inflateFailure([1, 3, 0, 0, 0, 1, 2, 3], count: 3) == "a stored block length and its complement, found 3 and 0")
    }

    @Test func truncatedStreams() throws {
        #expect(inflateFailure([1, 10, 0, 0xF5, 0xFF, 1, 2], count: 10) == "more compressed data: the deflate stream ends early")
        #expect(inflateFailure([], count: 0) == "more compressed data: the deflate stream ends early")
        for stream in FormatFixtures.expected.deflate where stream.length > 0 {
            let bytes = stream.bytes
            for cut in [1, bytes.count / 2, bytes.count - 1] where cut < bytes.count {
                #expect(inflateFailure(Array(bytes.prefix(cut)), count: stream.length) != nil, "\(stream.name) cut at \(cut)")
            }
        }
    }

    /// A fixed block whose first code is a match: there is nothing to copy from.
    @Test func distanceBeforeTheStart() {
        // BFINAL=1, BTYPE=01, then length code 257 (7 bits 0000001), distance code 0 (5 bits).
        #expect(inflateFailure([0x03, 0x02, 0x00], count: 10) == "a distance within the 0 bytes written so far, found 1")
    }

    /// A dynamic block whose code-length code is over-subscribed (every length 1).
    @Test func oversubscribedCode() {
        // BFINAL=1, BTYPE=10, HLIT=0, HDIST=0, HCLEN=15 (19 lengths), each 3 bits = 1.
        var bits: [Int] = [1, 0, 1] + [0, 0, 0, 0, 0] + [0, 0, 0, 0, 0] + [1, 1, 1, 1]
        for _ in 0..<19 { bits += [1, 0, 0] }
        var bytes = [UInt8](repeating: 0, count: (bits.count + 7) / 8 + 4)
        for (i, bit) in bits.enumerated() where bit == 1 { bytes[i / 8] |= 1 << (i % 8) }
        #expect(inflateFailure(bytes, count: 1) == "a complete code-length code, found an over-subscribed one")
    }

    @Test func randomBytesNeverCrash() {
        var rng = FormatRandom(state: 1951)
        var decoded = 0
        for _ in 0..<3000 {
            let bytes = (0..<rng.below(64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            if (try? Inflate.decompress(bytes[...], count: rng.below(300))) != nil { decoded += 1 }
        }
        #expect(decoded < 3000)
    }

    // MARK: CRC-32

    @Test func crcCheckValues() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
        #expect(CRC32.hex(0x0012_abcd) == "0012abcd")
        // Incremental in odd-sized pieces equals one pass (the 8-byte loop and the tail).
        var rng = FormatRandom(state: 3309)
        let data = (0..<1000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        var crc = CRC32()
        var start = 0
        while start < data.count {
            let end = min(data.count, start + 1 + rng.below(17))
            crc.update(data[start..<end])
            start = end
        }
        #expect(crc.value == CRC32.checksum(data))
        #expect(CRC32.checksum(AnySequence(data)) == CRC32.checksum(data))
    }
}
