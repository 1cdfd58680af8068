/// The container formats `salmon inspect` reads, told apart by their first bytes.
///
/// A `.npy` file starts with `\x93NUMPY` (numpy.lib.format); an `.npz` file is a zip archive,
/// starting with a local file header `PK\x03\x04` or, when empty, with the end-of-central-directory
/// record `PK\x05\x06` (APPNOTE.TXT 4.3.7, 4.3.16). A safetensors file has no magic bytes (its
/// first 8 bytes are the header length), so it is what remains.
public enum ArrayFileFormat: String, Sendable, CaseIterable {
    case safetensors
    case npy
    case npz

    /// The format `bytes` claims by its first bytes: the `.npy` magic, a zip signature, or a
    /// safetensors header (8 bytes of length, then a JSON object).
    /// - Throws: ``InputError`` naming `source` and the formats read, when the bytes are none of them
    ///   (a text file, an image: it was parsed as safetensors and reported as a bad header length).
    public static func detect(_ bytes: [UInt8], source: String) throws(InputError) -> ArrayFileFormat {
        if bytes.starts(with: NPYArray.magic) { return .npy }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            return .npz
        }
        if bytes.count > 8, bytes[8...].first(where: { $0 != 0x20 }) == UInt8(ascii: "{") { return .safetensors }
        let shown = bytes.prefix(8).map { (0x20..<0x7F).contains($0) ? String(UnicodeScalar($0)) : "." }.joined()
        throw InputError(file: source, expected: "an array file: .npy (starting with \\x93NUMPY), .npz (a zip archive of .npy files) or safetensors (an 8-byte header length, then a JSON header); found none of these (it begins \(InputError.quoted(shown)))")
    }
}
