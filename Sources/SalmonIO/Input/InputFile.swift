import Foundation

/// Reading a user's file as UTF-8 text or as bytes, with `-` meaning standard input.
public enum InputFile {
    /// The name of `path` in messages: `<stdin>` for `-`, the path otherwise.
    public static func displayName(_ path: String) -> String { path == "-" ? "<stdin>" : path }

    /// The text of `path` and the name to use for it in messages.
    public static func readText(_ path: String) throws(InputError) -> (text: String, source: String) {
        let (data, source) = try readData(path)
        guard let text = String(data: data, encoding: .utf8) else {
            throw InputError(file: source, expected: "UTF-8 text")
        }
        return (text, source)
    }

    /// The bytes of `path` (standard input for `-`) and the name to use for it in messages.
    public static func readData(_ path: String) throws(InputError) -> (data: Data, source: String) {
        let source = displayName(path)
        if path == "-" {
            return (FileHandle.standardInput.readDataToEndOfFile(), source)
        }
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
