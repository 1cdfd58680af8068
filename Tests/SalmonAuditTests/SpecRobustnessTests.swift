import Foundation
import SalmonAudit
import SalmonDiagnostics
import SalmonStatistics
import Testing

/// The spec and result readers on mangled input: 3,000 seeded mutations of a valid spec and of a
/// valid results.json (byte flips, deletions, duplications, truncations). Every one must either
/// parse or throw a one-line `SpecError` — never crash, never hang. (The YAML parser is Yams'
/// libyaml; these readers are what a user's file meets first. The binary formats have libFuzzer
/// targets in `Fuzz/`.)
@Suite struct SpecRobustnessTests {
    static func mutations(of text: String, count: Int, seed: UInt64) -> [String] {
        var s = RandomStream(seed: seed, path: ["spec-mutations"])
        let bytes = Array(text.utf8)
        let alphabet = Array(" :-{}[],#\"'\n\t0123456789.eEabcxyzK_|>&*!%@`".utf8)
        return (0..<count).map { _ in
            var b = bytes
            for _ in 0..<(1 + s.index(below: 4)) where !b.isEmpty {
                let i = s.index(below: b.count)
                switch s.index(below: 5) {
                case 0: b[i] = alphabet[s.index(below: alphabet.count)]
                case 1: b.remove(at: i)
                case 2: b.insert(alphabet[s.index(below: alphabet.count)], at: i)
                case 3: b.insert(contentsOf: b[i..<min(b.count, i + 1 + s.index(below: 20))], at: i)
                default: b.removeSubrange(i..<b.count)
                }
            }
            return String(decoding: b, as: UTF8.self)
        }
    }

    @Test func mutatedSpecsParseOrFailWithOneLine() {
        var parsed = 0, failed = 0
        for text in Self.mutations(of: AuditEngineTests.yaml, count: 3_000, seed: 1) {
            do {
                _ = try AuditSpec.parse(yaml: text, file: "m.yaml")
                parsed += 1
            } catch let e as SpecError {
                failed += 1
                #expect(!e.description.contains("\n"), "multi-line error: \(e.description)")
                #expect(e.description.hasPrefix("m.yaml: "))
            } catch {
                Issue.record("not a SpecError: \(error)")
            }
        }
        #expect(parsed > 0 && failed > 0, "parsed \(parsed), failed \(failed)")
    }

    @Test func mutatedResultsReadOrFailWithOneLine() async throws {
        let spec = try AuditSpec.parse(yaml: AuditEngineTests.yaml)
        let subject = try Audit.subject(for: spec, specDirectory: ".", jobs: 2)
        let result = try #require(try await Audit.run(spec: spec, subject: subject, jobs: 2).result)
        let json = String(decoding: try result.jsonData(), as: UTF8.self)
        for text in Self.mutations(of: json, count: 1_000, seed: 2) {
            // A malformed file is refused by the strict JSON reader (InputError, with its line) or
            // by decoding (SpecError, with its field): either way one line naming the file.
            do { _ = try AuditResult.read(Data(text.utf8), source: "r.json") } catch let e as any SalmonError {
                #expect(!e.description.contains("\n"), "multi-line error: \(e.description)")
                #expect(e.description.hasPrefix("r.json"), "\(e.description)")
            } catch {
                Issue.record("not a SpecError: \(error)")
            }
        }
    }
}
