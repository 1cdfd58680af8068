import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reading a user's file as UTF-8 text or as bytes, with `-` meaning standard input.
public enum InputFile {
    /// The name of `path` in messages: `<stdin>` for `-`, the path otherwise.
    public static func displayName(_ path: String) -> String { path == "-" ? "<stdin>" : path }

    /// The text of `path` and the name to use for it in messages.
    public static func readText(_ path: String) throws(InputError) -> (text: String, source: String) {
        let (data, source) = try readData(path)
        guard let text = String(data: data, encoding: .utf8) else {
            // Name the first byte that is not UTF-8, so that the user can find it.
            var offset = 0
            let bytes = [UInt8](data)
            var decoder = UTF8()
            var iterator = bytes.makeIterator()
            loop: while true {
                switch decoder.decode(&iterator) {
                case .scalarValue(let scalar): offset += UTF8.width(scalar)
                case .emptyInput, .error: break loop
                }
            }
            throw InputError(file: source, expected: "UTF-8 text, found a byte that is not UTF-8 at offset \(offset)")
        }
        return (text, source)
    }

    /// The bytes of `path` (standard input for `-`) and the name to use for it in messages.
    /// Standard input to its end, read with `read(2)` so that a closed descriptor or a directory on
    /// fd 0 is an error naming `<stdin>`, not a crash (Foundation's `readDataToEndOfFile` traps).
    static func readStandardInput(source: String) throws(InputError) -> Data {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count == 0 { return data }
            if count < 0 {
                if errno == EINTR { continue }
                throw InputError(file: source, expected: "readable standard input (\(String(cString: strerror(errno))))")
            }
            data.append(contentsOf: buffer[0..<count])
        }
    }

    public static func readData(_ path: String) throws(InputError) -> (data: Data, source: String) {
        let source = displayName(path)
        guard !path.isEmpty else { throw InputError(file: "''", expected: "a file name, found an empty argument") }
        if path == "-" { return (try readStandardInput(source: source), source) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError(file: source, expected: "a readable file, but it does not exist")
        }
        guard !isDirectory.boolValue else { throw InputError(file: source, expected: "a file, found a directory") }
        // FileHandle (not FileManager.contents) so that pipes and process substitutions work.
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw InputError(file: source, expected: "a readable file, but it could not be opened")
        }
        defer { try? handle.close() }
        do {
            return (try handle.readToEnd() ?? Data(), source)
        } catch {
            throw InputError(file: source, expected: "a readable file, but reading failed (\(error.localizedDescription))")
        }
    }
}
