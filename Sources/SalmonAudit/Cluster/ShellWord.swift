/// A word quoted for a POSIX shell: the text between single quotes, each `'` written `'\''`, so
/// that the shell passes it on unchanged whatever it holds (spaces, `$`, `*`, quotes).
/// (POSIX.1-2017, Shell Command Language §2.2.2, Single-Quotes.)
public enum ShellWord {
    /// `text` as one shell word.
    public static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
