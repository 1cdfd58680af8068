import SalmonDiagnostics
/// The members of a zip archive and their contents, as far as `.npz` files need.
///
/// Reads the end-of-central-directory record (APPNOTE.TXT 4.3.16), the central directory
/// (4.3.12) and each member's local file header (4.3.7); members are stored (method 0) or
/// deflated (method 8, RFC 1951, see ``Inflate``), and each member's CRC-32 is verified.
/// Sizes and offsets come from the central directory: NumPy's `savez` writes the local headers
/// through Python's `zipfile` with `force_zip64=True`, so their size fields hold 0xFFFFFFFF and a
/// Zip64 extra field, which is skipped. Archives that need Zip64 in the central directory or
/// the end record (more than 65 535 members, or sizes or offsets of 4 GiB and more), split
/// archives and encrypted members are rejected with an ``InputError``, as are overlapping
/// members, names repeated, or data outside the file. Never crashes on any input.
struct ZipArchive {
    /// One member, as the central directory describes it.
    struct Member: Equatable {
        var name: String
        /// 0 stored, 8 deflated.
        var method: Int
        var crc32: UInt32
        var compressedSize: Int
        var uncompressedSize: Int
        /// Where the compressed bytes are in the archive.
        var dataRange: Range<Int>
    }

    /// The file name used in messages.
    let source: String
    let bytes: [UInt8]
    /// The members in central-directory order.
    let members: [Member]

    init(parsing bytes: [UInt8], source: String) throws(InputError) {
        self.source = source
        self.bytes = bytes
        func fail(_ expected: String) -> InputError { InputError(file: source, expected: expected) }
        func u16(_ offset: Int) -> Int { Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 }
        func u32(_ offset: Int) -> Int { u16(offset) | u16(offset + 2) << 16 }

        // End of central directory: 22 bytes and a comment of up to 65 535 bytes, at the very end.
        let minimumEnd = 22
        guard bytes.count >= minimumEnd else {
            throw fail("a zip archive (an .npz file) of at least 22 bytes, found \(bytes.count)")
        }
        var end: Int?
        var candidate = bytes.count - minimumEnd
        let lowest = max(0, bytes.count - minimumEnd - 0xFFFF)
        while candidate >= lowest {
            if bytes[candidate] == 0x50, bytes[candidate + 1] == 0x4B, bytes[candidate + 2] == 0x05,
               bytes[candidate + 3] == 0x06, candidate + minimumEnd + u16(candidate + 20) == bytes.count {
                end = candidate
                break
            }
            candidate -= 1
        }
        guard let end else { throw fail("a zip archive with an end-of-central-directory record, found none") }
        if end >= 20, u32(end - 20) == 0x0706_4B50 {
            throw fail("a zip archive without Zip64 records (Zip64 is not supported)")
        }
        let disk = u16(end + 4), directoryDisk = u16(end + 6)
        let entriesHere = u16(end + 8), entries = u16(end + 10)
        let directorySize = u32(end + 12), directoryOffset = u32(end + 16)
        if entries == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            throw fail("a zip archive without Zip64 records (Zip64 is not supported)")
        }
        guard disk == 0, directoryDisk == 0, entriesHere == entries else {
            throw fail("a single-file zip archive, found one split across disks")
        }
        guard directoryOffset <= end, directorySize <= end - directoryOffset else {
            throw fail("a central directory inside the archive, found offset \(directoryOffset) and size \(directorySize) in a file whose end record is at \(end)")
        }

        var members: [Member] = []
        var names = Set<String>()
        var spans: [Range<Int>] = []
        var position = directoryOffset
        let directoryEnd = directoryOffset + directorySize
        for number in 0..<entries {
            guard directoryEnd - position >= 46, u32(position) == 0x0201_4B50 else {
                throw fail("\(entries) central directory entries, found entry \(number + 1) missing or damaged")
            }
            let flags = u16(position + 8)
            let method = u16(position + 10)
            let crc = UInt32(truncatingIfNeeded: u32(position + 16))
            let compressedSize = u32(position + 20), uncompressedSize = u32(position + 24)
            let nameLength = u16(position + 28), extraLength = u16(position + 30), commentLength = u16(position + 32)
            let startDisk = u16(position + 34)
            let localOffset = u32(position + 42)
            let entryLength = 46 + nameLength + extraLength + commentLength
            guard entryLength <= directoryEnd - position else {
                throw fail("\(entries) central directory entries, found entry \(number + 1) running past the directory")
            }
            let nameBytes = Array(bytes[(position + 46)..<(position + 46 + nameLength)])
            let name = try Self.decodeName(nameBytes, utf8Flag: flags & 0x0800 != 0, source: source)
            position += entryLength

            func memberError(_ expected: String) -> InputError {
                InputError(file: source, field: "member \(InputError.quoted(name, limit: 120))", expected: expected)
            }
            if compressedSize == 0xFFFF_FFFF || uncompressedSize == 0xFFFF_FFFF || localOffset == 0xFFFF_FFFF
                || startDisk == 0xFFFF {
                throw memberError("sizes and offsets below 4 GiB (Zip64 is not supported)")
            }
            guard startDisk == 0 else { throw memberError("a member on the archive's only disk, found disk \(startDisk)") }
            guard flags & 0x0041 == 0 else { throw memberError("an unencrypted member") }
            guard method == 0 || method == 8 else {
                throw memberError("compression method 0 (stored) or 8 (deflated), found \(method)\(Self.methodName(method))")
            }
            guard names.insert(name).inserted else { throw memberError("each member name once, found it twice") }
            if method == 0 && compressedSize != uncompressedSize {
                throw memberError("equal sizes for a stored member, found \(compressedSize) compressed and \(uncompressedSize) uncompressed")
            }
            // Deflate expands at most 1032:1 (a 258-byte match in two bits), so a larger claim is
            // false and would only make us allocate for nothing.
            if method == 8 && uncompressedSize > compressedSize * 1032 + 258 {
                throw memberError("an uncompressed size deflate can reach from \(compressedSize) bytes, found \(uncompressedSize)")
            }

            // The local header: its name must match; its sizes are not used (see above).
            guard localOffset <= directoryOffset, directoryOffset - localOffset >= 30, u32(localOffset) == 0x0403_4B50 else {
                throw memberError("a local file header at offset \(localOffset), before the central directory")
            }
            let localNameLength = u16(localOffset + 26), localExtraLength = u16(localOffset + 28)
            let dataStart = localOffset + 30 + localNameLength + localExtraLength
            guard dataStart <= directoryOffset, compressedSize <= directoryOffset - dataStart else {
                throw memberError("\(compressedSize) bytes of data before the central directory, but they run past it")
            }
            guard bytes[(localOffset + 30)..<(localOffset + 30 + localNameLength)].elementsEqual(nameBytes) else {
                throw memberError("the same name in the local header as in the central directory")
            }
            spans.append(localOffset..<(dataStart + compressedSize))
            members.append(Member(name: name, method: method, crc32: crc, compressedSize: compressedSize,
                                  uncompressedSize: uncompressedSize, dataRange: dataStart..<(dataStart + compressedSize)))
        }
        // Members that share bytes are a zip-bomb construction, never a real archive.
        let ordered = spans.enumerated().sorted { $0.element.lowerBound < $1.element.lowerBound }
        for (a, b) in zip(ordered, ordered.dropFirst()) where b.element.lowerBound < a.element.upperBound {
            throw InputError(file: source, field: "member \(InputError.quoted(members[b.offset].name, limit: 120))",
                             expected: "members that do not overlap, found it inside \(InputError.quoted(members[a.offset].name, limit: 120))")
        }
        self.members = members
    }

    /// Checks, before inflating a deflated `.npy` member, that the size the zip records for it is
    /// the size its own `.npy` header describes (read from the first bytes only), and that it fits
    /// in memory: a zip bomb — a small member recorded as a gigabyte — is refused from the declared
    /// sizes instead of after inflating it.
    /// - Throws: ``InputError`` naming the member.
    func requireDeclaredSize(of member: Member) throws(InputError) {
        guard member.method == 8 else { return }
        func memberError(_ expected: String) -> InputError {
            InputError(file: source, field: "member \(InputError.quoted(member.name, limit: 120))", expected: expected)
        }
        let prefix: [UInt8]
        do {
            prefix = try Inflate.decompressPrefix(bytes[member.dataRange], limit: min(member.uncompressedSize, 12 + NPYArray.maximumHeaderLength))
        } catch {
            throw memberError("valid deflate data: \(error.reason)")
        }
        guard prefix.starts(with: NPYArray.magic) else { return }   // the caller names a member that is not an array
        guard let layout = try? NPYArray.layout(prefix, fail: { memberError($0) }) else { return }   // reported when parsed whole
        guard layout.fileSize == member.uncompressedSize else {
            throw memberError("a member whose recorded size is its array's: the zip records \(member.uncompressedSize) uncompressed bytes, its .npy header describes \(layout.fileSize) (shape \(layout.shape)); refused before inflating")
        }
        if let excess = MemoryBudget.excess(Double(member.uncompressedSize), what: "\(member.uncompressedSize) uncompressed bytes") {
            throw memberError(excess)
        }
    }

    /// The uncompressed bytes of `member`, with its CRC-32 checked.
    func contents(of member: Member) throws(InputError) -> [UInt8] {
        func memberError(_ expected: String) -> InputError {
            InputError(file: source, field: "member \(InputError.quoted(member.name, limit: 120))", expected: expected)
        }
        let stored = bytes[member.dataRange]
        let data: [UInt8]
        if member.method == 0 {
            data = Array(stored)
        } else {
            do {
                data = try Inflate.decompress(stored, count: member.uncompressedSize)
            } catch {
                throw memberError("valid deflate data: \(error.reason)")
            }
        }
        let crc = CRC32.checksum(data)
        guard crc == member.crc32 else {
            throw memberError("CRC-32 \(CRC32.hex(member.crc32)) as recorded, found \(CRC32.hex(crc)) (the member is damaged)")
        }
        return data
    }

    /// A member name: UTF-8 when the archive says so (general purpose flag bit 11, APPNOTE.TXT
    /// appendix D) or when the bytes are ASCII or valid UTF-8 anyway; IBM 437 names with other
    /// bytes are rejected.
    static func decodeName(_ bytes: [UInt8], utf8Flag: Bool, source: String) throws(InputError) -> String {
        let name = String(decoding: bytes, as: UTF8.self)
        // Invalid UTF-8 decodes to replacement characters, so the bytes do not round-trip.
        if name.utf8.elementsEqual(bytes) { return name }
        throw InputError(file: source, expected: "member names in UTF-8, found one that is not\(utf8Flag ? " although the archive says it is" : "")")
    }

    private static func methodName(_ method: Int) -> String {
        switch method {
        case 9: " (deflate64)"
        case 12: " (bzip2)"
        case 14: " (LZMA)"
        case 93: " (Zstandard)"
        case 95: " (xz)"
        default: ""
        }
    }
}
