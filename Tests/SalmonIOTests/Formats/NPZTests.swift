import Foundation
import Testing
@testable import SalmonIO

private func parseError(_ bytes: [UInt8]) throws -> InputError {
    try #require(inputError { try NPZArchive(parsing: bytes, source: "a.npz") }, "parsed without an error")
}

/// A small valid `.npy` file.
private let npyBytes: [UInt8] = {
    (try? [UInt8](NPYArray.serialize([Float(1), 2], shape: [2]))) ?? []
}()

@Suite("NPZ and zip")
struct NPZTests {
    // MARK: Fixtures written by numpy

    @Test(arguments: FormatFixtures.names("npz"))
    func fixtureParsesToTheExpectedValues(name: String) throws {
        let file = try #require(FormatFixtures.expected.files[name])
        let archive = try NPZArchive(parsing: try FormatFixtures.bytes(name), source: name)
        let arrays = file.arrays ?? []
        #expect(archive.entries.map(\.name) == arrays.map(\.name))
        for want in arrays {
            let array = try archive.array(named: want.name)
            #expect(array.descr == want.dtype)
            #expect(array.shape == want.shape)
            #expect(array.field == "array \"\(want.name)\"")
            #expect(CRC32.hex(CRC32.checksum(array.littleEndianData)) == want.crc32)
            if let bits = want.floatBits { #expect(FormatFixtures.bits(try archive.floats(named: want.name)) == bits) }
            if let integers = want.integers { #expect(try archive.integers(named: want.name) == integers) }
        }
    }

    /// `np.savez` stores, `np.savez_compressed` deflates; both write Zip64 local headers.
    @Test func fixturesUseBothMethods() throws {
        let stored = try ZipArchive(parsing: try FormatFixtures.bytes("arrays.npz"), source: "s")
        #expect(stored.members.allSatisfy { $0.method == 0 })
        let deflated = try ZipArchive(parsing: try FormatFixtures.bytes("arrays_compressed.npz"), source: "d")
        #expect(deflated.members.allSatisfy { $0.method == 8 })
        #expect(deflated.members.map(\.name) == ["weights.npy", "steps.npy", "mask.npy", "scale.npy", "halves.npy"])
    }

    @Test func membersWithoutTheNpySuffixKeepTheirName() throws {
        let archive = try NPZArchive(parsing: ZipBuilder(members: [.stored("raw", npyBytes)]).bytes, source: "a.npz")
        #expect(archive.entries.map(\.name) == ["raw"])
    }

    @Test func deflatedMemberOfStoredBlocks() throws {
        let member = ZipBuilder.Member.deflated("w.npy", ZipBuilder.storedDeflate(npyBytes), npyBytes)
        let archive = try NPZArchive(parsing: ZipBuilder(members: [member]).bytes, source: "a.npz")
        #expect(try archive.floats(named: "w") == [1, 2])
    }

    @Test func unknownArrayName() throws {
        let archive = try NPZArchive(parsing: try FormatFixtures.bytes("arrays.npz"), source: "a.npz")
        let error = try #require(inputError { try archive.floats(named: "bias") })
        #expect(error.description == "a.npz: array \"bias\": expected an array of that name; the archive has 5 arrays (\"weights\", \"steps\", \"mask\", \"scale\", \"halves\")")
    }

    // MARK: Bad archives

    @Test func notAZipArchive() throws {
        #expect(try parseError(Array("PK\u{3}\u{4} and nothing else, no end record here".utf8)).expected
            == "a zip archive with an end-of-central-directory record, found none")
        #expect(try parseError([0x50, 0x4B, 3, 4]).expected == "a zip archive (an .npz file) of at least 22 bytes, found 4")
    }

    @Test func truncatedArchive() throws {
        let bytes = try FormatFixtures.bytes("arrays.npz")
        #expect(try parseError(Array(bytes.dropLast(30))).expected == "a zip archive with an end-of-central-directory record, found none")
    }

    @Test func zip64IsRejected() throws {
        let error = try parseError(ZipBuilder(members: [.stored("a.npy", npyBytes)], entriesOverride: 0xFFFF).bytes)
        #expect(error == InputError(file: "a.npz", expected: "a zip archive without Zip64 records (Zip64 is not supported)"))
        var member = ZipBuilder.Member.stored("a.npy", npyBytes)
        member.localOffsetOverride = 0xFFFF_FFFF
        let offsetError = try parseError(ZipBuilder(members: [member]).bytes)
        #expect(offsetError == InputError(file: "a.npz", field: "member \"a.npy\"", expected: "sizes and offsets below 4 GiB (Zip64 is not supported)"))
    }

    @Test func unsupportedCompressionMethod() throws {
        var member = ZipBuilder.Member.stored("a.npy", npyBytes)
        member.method = 12
        let error = try parseError(ZipBuilder(members: [member]).bytes)
        #expect(error == InputError(file: "a.npz", field: "member \"a.npy\"",
                                    expected: "compression method 0 (stored) or 8 (deflated), found 12 (bzip2)"))
    }

    @Test func encryptedMember() throws {
        var member = ZipBuilder.Member.stored("a.npy", npyBytes)
        member.flags = 1
        #expect(try parseError(ZipBuilder(members: [member]).bytes).expected == "an unencrypted member")
    }

    @Test func crcMismatch() throws {
        var member = ZipBuilder.Member.stored("a.npy", npyBytes)
        member.crc = 0xDEAD_BEEF
        let error = try parseError(ZipBuilder(members: [member]).bytes)
        #expect(error == InputError(file: "a.npz", field: "member \"a.npy\"",
                                    expected: "CRC-32 deadbeef as recorded, found \(CRC32.hex(CRC32.checksum(npyBytes))) (the member is damaged)"))
    }

    @Test func damagedDeflateData() throws {
        let error = try parseError(ZipBuilder(members: [.deflated("a.npy", [0xFF, 0xFF, 0xFF], npyBytes)]).bytes)
        #expect(error.field == "member \"a.npy\"")
        #expect(error.expected == "valid deflate data: a block type 0, 1 or 2, found the reserved type 3")
    }

    @Test func impossibleUncompressedSize() throws {
        var member = ZipBuilder.Member.deflated("a.npy", [3, 0], [])
        member.uncompressedSizeOverride = 1_000_000
        #expect(try parseError(ZipBuilder(members: [member]).bytes).expected
            == "an uncompressed size deflate can reach from 2 bytes, found 1000000")
    }

    @Test func storedSizesDiffer() throws {
        var member = ZipBuilder.Member.stored("a.npy", npyBytes)
        member.uncompressedSizeOverride = 5
        #expect(try parseError(ZipBuilder(members: [member]).bytes).expected.hasPrefix("equal sizes for a stored member"))
    }

    @Test func memberThatIsNotAnArray() throws {
        let error = try parseError(ZipBuilder(members: [.stored("notes.txt", Array("hello".utf8))]).bytes)
        #expect(error == InputError(file: "a.npz", field: "array \"notes.txt\"",
                                    expected: "a .npy array (starting with \\x93NUMPY) in member \"notes.txt\""))
    }

    @Test func badArrayInsideAMemberNamesTheArray() throws {
        let error = try parseError(ZipBuilder(members: [.stored("w.npy", Array(npyBytes.dropLast()))]).bytes)
        #expect(error.field == "array \"w\"")
        #expect(error.description == "a.npz: array \"w\": expected 8 bytes of data for shape (2,) of \"<f4\", found 7 (the file is truncated)")
    }

    @Test func repeatedMemberName() throws {
        let error = try parseError(ZipBuilder(members: [.stored("a.npy", npyBytes), .stored("a.npy", npyBytes)]).bytes)
        #expect(error == InputError(file: "a.npz", field: "member \"a.npy\"", expected: "each member name once, found it twice"))
    }

    @Test func twoMembersGivingOneArrayName() throws {
        let error = try parseError(ZipBuilder(members: [.stored("a.npy", npyBytes), .stored("a", npyBytes)]).bytes)
        #expect(error == InputError(file: "a.npz", field: "array \"a\"", expected: "each array name once, found it twice (\"a\")"))
    }

    @Test func localNameDiffers() throws {
        var member = ZipBuilder.Member.stored("a.npy", npyBytes)
        member.localName = "b.npy"
        #expect(try parseError(ZipBuilder(members: [member]).bytes).expected
            == "the same name in the local header as in the central directory")
    }

    /// Two directory entries whose data overlap (a zip-bomb construction): the second member's
    /// local header sits inside the first member's data.
    @Test func overlappingMembers() throws {
        let inner = ZipBuilder.localHeader(name: "b.npy", compressedCount: npyBytes.count, uncompressed: npyBytes) + npyBytes
        var second = ZipBuilder.Member.stored("b.npy", npyBytes)
        second.localOffsetOverride = 30 + 5  // after a's local header and name
        let error = try parseError(ZipBuilder(members: [.stored("a.npy", inner), second]).bytes)
        #expect(error == InputError(file: "a.npz", field: "member \"b.npy\"",
                                    expected: "members that do not overlap, found it inside \"a.npy\""))
    }

    @Test func twoEntriesForOneLocalHeader() throws {
        var twin = ZipBuilder.Member.stored("a.npy", npyBytes)
        twin.localOffsetOverride = 0
        let error = try parseError(ZipBuilder(members: [.stored("a.npy", npyBytes), twin]).bytes)
        #expect(error.expected == "each member name once, found it twice")
    }

    @Test func localHeaderOutsideTheArchive() throws {
        var member = ZipBuilder.Member.stored("a.npy", npyBytes)
        member.localOffsetOverride = 5000
        #expect(try parseError(ZipBuilder(members: [member]).bytes).expected
            == "a local file header at offset 5000, before the central directory")
    }

    @Test func directoryCountsMoreEntriesThanThereAre() throws {
        let error = try parseError(ZipBuilder(members: [.stored("a.npy", npyBytes)], entriesOverride: 2).bytes)
        #expect(error.expected == "2 central directory entries, found entry 2 missing or damaged")
    }

    @Test func emptyArchive() throws {
        #expect(try NPZArchive(parsing: ZipBuilder(members: []).bytes, source: "e").entries.isEmpty)
    }

    /// A zip bomb (`Fixtures/generate_zip_bomb.py`): 64 KB that inflate to 64 MiB, its .npy header
    /// describing 8 bytes of data. Refused from the declared sizes, before the member is inflated
    /// (it used to be inflated whole, then refused for the bytes after the array).
    @Test func aZipBombIsRefusedFromItsDeclaredSizes() throws {
        let bytes = [UInt8](try Data(contentsOf: FormatFixtures.directory.appendingPathComponent("bomb.npz")))
        #expect(bytes.count < 100_000)
        let error = #expect(throws: InputError.self) { try NPZArchive(parsing: bytes, source: "bomb.npz") }
        #expect(error?.field == "member \"x.npy\"", "\(String(describing: error))")
        #expect(error?.expected.contains("the zip records 67108992 uncompressed bytes, its .npy header describes 136 (shape [2]); refused before inflating") == true,
                "\(String(describing: error))")
    }
}
