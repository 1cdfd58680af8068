import Foundation
import Testing

/// Inputs a hostile or unlucky user gives (issue 13): each gets exit 2, one line on stderr naming
/// what was wrong, nothing on stdout and no file written — never a crash.
@Suite("Hardening CLI", .serialized)
struct HardeningCLITests {
    /// Runs `salmon` through `/bin/sh -c` so that the shell can close or redirect its descriptors:
    /// `SALMON` in `script` is the binary, `OUT` a fresh scratch directory (not created).
    static func shell(_ script: String) throws -> (status: Int32, stdout: String, stderr: String, out: String) {
        let binary = try #require(SalmonBinary.url)
        let root = NSTemporaryDirectory() + "salmon-hardening-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let out = root + "/out"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script.replacingOccurrences(of: "SALMON", with: "'\(binary.path)'").replacingOccurrences(of: "OUT", with: "'\(out)'")
                             + " >'\(root)/stdout' 2>'\(root)/stderr'"]
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        try process.run()
        process.waitUntilExit()
        func text(_ name: String) -> String { (try? String(contentsOfFile: root + "/" + name, encoding: .utf8)) ?? "" }
        return (process.terminationStatus, text("stdout"), text("stderr"), out)
    }

    /// Standard input closed (`<&-`) or a directory (`< /`) where `-` asks for it: exit 2 naming
    /// `<stdin>` (it aborted through a `try!` in Foundation's `readDataToEndOfFile`).
    @Test(arguments: ["adjust -", "bootstrap -", "inspect -", "audit - --out OUT"])
    func unreadableStandardInputIsAnError(command: String) throws {
        for redirect in ["<&-", "< /"] {
            let run = try Self.shell("SALMON \(command) \(redirect)")
            #expect(run.status == 2, "\(command) \(redirect): \(run.stderr)")
            #expect(run.stderr.hasPrefix("salmon: error: ") && run.stderr.contains("readable standard input (")
                    && run.stderr.split(separator: "\n").count == 1, "\(command) \(redirect): \(run.stderr)")
            #expect(run.stdout.isEmpty && !FileManager.default.fileExists(atPath: run.out))
        }
    }
}
