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

    /// The format `bytes` claims by its magic bytes; safetensors when there are none.
    public static func detect(_ bytes: some Collection<UInt8>) -> ArrayFileFormat {
        if bytes.starts(with: NPYArray.magic) { return .npy }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) || bytes.starts(with: [0x50, 0x4B, 0x05, 0x06]) {
            return .npz
        }
        return .safetensors
    }
}
