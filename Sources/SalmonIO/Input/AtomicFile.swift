import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing output files so that nothing partial is ever left behind.
public enum AtomicFile {
    /// Writes `data` to a temporary file beside `path`, then renames it into place with POSIX
    /// `rename(2)`, which is atomic within a file system: readers see the old file or the whole
    /// new one, never a part. An existing file is replaced; a directory at `path` is an error and
    /// is left untouched. (Foundation's `replaceItemAt` is not used: on Linux it loses the
    /// original when replacing.)
    /// - Throws: ``InputError`` naming `path` when the file cannot be written or renamed.
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try data.write(to: temporary)
        } catch {
            throw InputError(file: path, expected: "a writable location (\(error.localizedDescription))")
        }
        if rename(temporary.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw InputError(file: path, expected: "a path that can be replaced by a file (\(reason))")
        }
    }
}
