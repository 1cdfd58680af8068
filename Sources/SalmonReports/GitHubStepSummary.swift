import Foundation
import SalmonAudit
import SalmonIO
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The GitHub Actions job summary: the report's title, summary paragraph and summary table,
/// appended to the file GitHub names in `GITHUB_STEP_SUMMARY`.
public enum GitHubStepSummary {
    /// The environment variable GitHub Actions sets to the job summary file of the current step.
    public static let variable = "GITHUB_STEP_SUMMARY"

    /// Appends the summary of `result` to the file named by `GITHUB_STEP_SUMMARY`; does nothing
    /// when the variable is unset or empty (outside GitHub Actions).
    ///
    /// The file is opened in append mode and created when missing, so that summaries of earlier
    /// steps (or earlier audits of this step) are kept.
    /// - Parameter environment: the process environment; tests pass their own.
    /// - Throws: ``InputError`` naming the file when it cannot be opened or written.
    public static func append(_ result: AuditResult, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard let path = environment[variable], !path.isEmpty else { return }
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure(path) }
        defer { close(descriptor) }
        // A blank line keeps the heading from running into what an earlier step wrote.
        var text = lseek(descriptor, 0, SEEK_END) > 0 ? "\n" : ""
        text += MarkdownReport.summary(result, headingLevel: 2)
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(path)
            }
            offset += count
        }
    }

    private static func failure(_ path: String) -> InputError {
        InputError(file: path, field: variable, expected: "a writable job summary file (\(String(cString: strerror(errno))))")
    }
}
