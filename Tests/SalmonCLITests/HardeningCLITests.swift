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

extension HardeningCLITests {
    /// `--resamples 10¹²` asked for 8 TB and aborted; it is refused with the estimate (a small
    /// exact permutation test, which needs no replicates, still runs).
    @Test func resamplesBeyondTheMachineAreRefused() throws {
        let values = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n17\n18\n19\n20\n21\n22\n23\n24\n25\n26\n27\n28\n29\n30\n"
        let huge = "1000000000000"
        for (command, stdin) in [(["bootstrap", "-", "--resamples", huge], values)] {
            let run = runSalmon(command, stdin: stdin)
            #expect(run.status == 2 && run.stdout.isEmpty, "\(command): \(run.stderr)")
            #expect(run.stderr.contains("resamples: expected a size this machine can hold: 1000000000000 replicates of 8 bytes need 8.00 TB"),
                    "\(run.stderr)")
        }
        let root = NSTemporaryDirectory() + "salmon-perm-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try values.write(toFile: root + "/a.txt", atomically: true, encoding: .utf8)
        try values.replacingOccurrences(of: "1", with: "3").write(toFile: root + "/b.txt", atomically: true, encoding: .utf8)
        let monteCarlo = runSalmon(["permutation-test", root + "/a.txt", root + "/b.txt", "--resamples", huge])
        #expect(monteCarlo.status == 2 && monteCarlo.stderr.contains("need 8.00 TB"), "\(monteCarlo.stderr)")
        try "1\n2\n3\n".write(toFile: root + "/c.txt", atomically: true, encoding: .utf8)
        let exact = runSalmon(["permutation-test", root + "/c.txt", root + "/c.txt", "--resamples", huge])
        #expect(exact.status == 0, "\(exact.stderr)")
    }
}

extension HardeningCLITests {
    /// `--out ''` wrote into the current directory and records into `/records`; `/` likewise: both
    /// are refused before anything runs, for every command that writes a report.
    @Test func emptyOrRootOutputDirectoriesAreRefused() throws {
        for out in ["", "/", " //"] {
            for command in [["audit", "audit-small.yaml"], ["probe", "--trained", "t.npy", "--null", "n.npy", "--labels", "l.npy"],
                            ["sanity-checks"], ["identifiability"], ["demo"], ["merge", "shard"],
                            ["attribution", "--trained", "t.npy", "--null", "n.npy", "--reference", "r.npy"]] {
                let run = runSalmon(command + ["--out", out])
                #expect(run.status == 2 && run.stdout.isEmpty, "\(command) --out '\(out)': \(run.stderr)")
                #expect(run.stderr.contains("--out: expected an output directory"), "\(command) --out '\(out)': \(run.stderr)")
            }
            let baseline = runSalmon(["baseline", "record", "audit-small.yaml", "--to", out])
            #expect(baseline.status == 2 && baseline.stderr.contains("--to: expected an output directory"), "\(baseline.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: "/records"))
    }

    /// A user's own files beside a report are never removed or overwritten: an `.svg` of theirs in
    /// `OUT/figures/` survives a rerun (only figures the tool listed in `.salmon-figures` are
    /// replaced or removed), and a `README.md` in a baseline directory is kept.
    @Test func usersFilesBesideAReportAreLeftAlone() throws {
        let root = NSTemporaryDirectory() + "salmon-users-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/out/figures", withIntermediateDirectories: true)
        let mine = Data("<svg>mine</svg>\n".utf8)
        try mine.write(to: URL(fileURLWithPath: root + "/out/figures/my_plot.svg"))
        let first = runSalmon(["audit", "audit-small.yaml", "--out", root + "/out"])
        #expect(first.status == 0 || first.status == 1, "\(first.stderr)")
        let listed = try String(contentsOfFile: root + "/out/figures/.salmon-figures", encoding: .utf8)
        #expect(!listed.contains("my_plot.svg") && listed.contains(".svg"))
        // A figure the tool wrote and no longer writes is removed; the user's stays byte for byte.
        try Data("<svg/>\n".utf8).write(to: URL(fileURLWithPath: root + "/out/figures/old_test.svg"))
        try (listed + "old_test.svg\n").write(toFile: root + "/out/figures/.salmon-figures", atomically: true, encoding: .utf8)
        _ = runSalmon(["audit", "audit-small.yaml", "--out", root + "/out"])
        #expect(FileManager.default.contents(atPath: root + "/out/figures/my_plot.svg") == mine)
        #expect(!FileManager.default.fileExists(atPath: root + "/out/figures/old_test.svg"))

        try FileManager.default.createDirectory(atPath: root + "/baseline", withIntermediateDirectories: true)
        let readme = Data("# My notes\n".utf8)
        try readme.write(to: URL(fileURLWithPath: root + "/baseline/README.md"))
        let record = runSalmon(["baseline", "record", "audit-small.yaml", "--to", root + "/baseline"])
        #expect(record.status == 0, "\(record.stderr)")
        #expect(FileManager.default.contents(atPath: root + "/baseline/README.md") == readme)
        #expect(FileManager.default.fileExists(atPath: root + "/baseline/baseline.json"))
    }
}

extension HardeningCLITests {
    /// A NaN weight in a state dict made `salmon circuits` exit 0 with "0 perfect circuits"; it is
    /// refused (exit 2) naming the tensor and the index. A missing tensor lists the names the file holds.
    @Test func nonFiniteWeightsAndMissingTensorsAreNamed() throws {
        let root = NSTemporaryDirectory() + "salmon-nan-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        var data = try Data(contentsOf: URL(fileURLWithPath: CircuitsCLITests.fixtures + "/xor-2-3-3-1-seed0.safetensors"))
        // The header's length (8 bytes, little endian), then the header, then the tensors' bytes.
        let headerLength = data.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        let header = try #require(try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + headerLength))) as? [String: Any])
        let entry = try #require(header["layers.0.0.weight"] as? [String: Any])
        let offsets = try #require(entry["data_offsets"] as? [Int])
        let position = 8 + headerLength + offsets[0] + 4 * 3   // element 3 of layers.0.0.weight
        data.replaceSubrange(position..<(position + 4), with: [0x00, 0x00, 0xC0, 0x7F])   // Float32 NaN
        try data.write(to: URL(fileURLWithPath: root + "/nan.safetensors"))
        let run = runSalmon(["circuits", "--model", root + "/nan.safetensors", "--architecture", CircuitsCLITests.fixtures + "/architecture.json"])
        #expect(run.status == 2 && run.stdout.isEmpty, "\(run.stdout) \(run.stderr)")
        #expect(run.stderr.contains("tensor \"layers.0.0.weight\"") && run.stderr.contains("expected finite weights, found nan at index 3"), "\(run.stderr)")
        #expect(run.stderr.split(separator: "\n").count == 1)

        let architecture = try String(contentsOfFile: CircuitsCLITests.fixtures + "/architecture.json", encoding: .utf8)
        try architecture.replacingOccurrences(of: "{", with: "{\"prefix\": \"model.\", ", options: [], range: architecture.range(of: "{"))
            .write(toFile: root + "/prefixed.json", atomically: true, encoding: .utf8)
        let missing = runSalmon(["circuits", "--model", CircuitsCLITests.fixtures + "/xor-2-3-3-1-seed0.safetensors", "--architecture", root + "/prefixed.json"])
        #expect(missing.status == 2 && missing.stderr.contains("tensor \"model.layers.0.0.weight\"")
                && missing.stderr.contains("(it holds layers.0.0.bias, layers.0.0.weight, layers.1.0.bias"),
                "\(missing.stderr)")
    }
}

extension HardeningCLITests {
    /// An architecture key the type does not read was ignored (`"activations": "leaky_relu"` left
    /// the MLP with its default activation and a wrong circuit count): it is refused, naming the
    /// key and the nearest one the type reads.
    @Test func unknownArchitectureKeysAreRefused() throws {
        let root = NSTemporaryDirectory() + "salmon-arch-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        for (extra, expected) in [("\"activations\": \"leaky_relu\"", "arch.json: activations: expected a key the mlp architecture reads"),
                                  ("\"hiddenActivaton\": \"relu\"", "did you mean \"hiddenActivation\"?"),
                                  ("\"heads\": 4", "arch.json: heads: expected a key")] {
            try "{\"type\": \"mlp\", \"sizes\": [2, 3, 3, 1], \"naming\": \"modulelist\", \(extra)}"
                .write(toFile: root + "/arch.json", atomically: true, encoding: .utf8)
            let run = runSalmon(["circuits", "--model", CircuitsCLITests.fixtures + "/xor-2-3-3-1-seed0.safetensors", "--architecture", root + "/arch.json"])
            #expect(run.status == 2 && run.stdout.isEmpty && run.stderr.contains(expected), "\(extra): \(run.stderr)")
        }
    }
}

extension HardeningCLITests {
    /// A negative number after a numeric option is its value (it was taken for an option and
    /// reported as "Missing value"): the range message names the option.
    @Test func negativeOptionValuesGetTheRangeMessage() {
        for (args, expected) in [(["adjust", "-", "--alpha", "-0.1"], "--alpha: expected a number strictly between 0 and 1, found -0.1"),
                                 (["bootstrap", "-", "--level", "-0.5"], "found -0.5"),
                                 (["sanity-checks", "--minimum-effect", "-1", "--out", "/nonexistent/never"], "--minimum-effect: expected a number ≥ 0, found -1.0")] {
            let run = runSalmon(args, stdin: "0.01\n0.2\n")
            #expect(run.status == 2 && run.stderr.contains(expected) && !run.stderr.contains("Missing value"), "\(args): \(run.stderr)")
        }
    }
}

extension HardeningCLITests {
    /// A bad null file met by a later unit used to leave the records of the units before it in
    /// `OUT/records/`: a failed run removes what it saved (and `OUT` when it created it), so bad
    /// input leaves nothing; a directory that existed is left as it was.
    @Test func aFailedRunLeavesNoRecords() throws {
        let root = NSTemporaryDirectory() + "salmon-records-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root + "/nulls", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        var stream: UInt64 = 7
        func noise(_ n: Int) -> [Float] {
            (0..<n).map { _ in stream = stream &* 6364136223846793005 &+ 1442695040888963407; return Float(Int64(bitPattern: stream >> 11) % 1000) / 1000 }
        }
        try AuditCLITests.npy(noise(40 * 3), shape: [40, 3]).write(to: URL(fileURLWithPath: root + "/trained.npy"))
        for k in 0..<6 {
            var values = noise(40 * 3)
            if k == 5 { values[7] = .nan }
            try AuditCLITests.npy(values, shape: [40, 3]).write(to: URL(fileURLWithPath: root + "/nulls/null-\(k).npy"))
        }
        try AuditCLITests.npy((0..<40).map { Float($0 % 2) }, shape: [40]).write(to: URL(fileURLWithPath: root + "/labels.npy"))
        let run = runSalmon(["probe", "--trained", root + "/trained.npy", "--null", root + "/nulls/*.npy", "--labels", root + "/labels.npy",
                             "--out", root + "/out", "--jobs", "1"])
        #expect(run.status == 2 && run.stderr.contains("null-5.npy") && run.stdout.isEmpty, "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: root + "/out"))
        try FileManager.default.createDirectory(atPath: root + "/existing", withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: root + "/existing/notes.txt"))
        _ = runSalmon(["probe", "--trained", root + "/trained.npy", "--null", root + "/nulls/*.npy", "--labels", root + "/labels.npy",
                       "--out", root + "/existing", "--jobs", "1"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/existing") == ["notes.txt"])
    }
}

extension HardeningCLITests {
    /// A baseline whose null list was cut (9 values to 3) was accepted and gated with K = 3: it is
    /// refused, naming the list, by `gate` and `audit --baseline`.
    @Test func aTruncatedBaselineIsRefused() throws {
        let root = NSTemporaryDirectory() + "salmon-baseline-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        let record = runSalmon(["baseline", "record", "audit-small.yaml", "--to", root + "/baseline"])
        #expect(record.status == 0, "\(record.stderr)")
        let audit = runSalmon(["audit", "audit-small.yaml", "--out", root + "/out"])
        #expect(audit.status == 0 || audit.status == 1, "\(audit.stderr)")
        let path = root + "/baseline/baseline.json"
        var object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        var values = try #require(object["nullValues"] as? [String: [String: [Double]]])
        let family = try #require(values.keys.sorted().first), key = try #require(values[family]?.keys.sorted().first)
        let cut = Array((values[family]?[key] ?? []).prefix(3))
        values[family]?[key] = cut
        object["nullValues"] = values
        try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
        for args in [["gate", root + "/out/results.json", "--baseline", root + "/baseline"],
                     ["audit", "audit-small.yaml", "--baseline", root + "/baseline", "--out", root + "/gated"]] {
            let run = runSalmon(args)
            #expect(run.status == 2 && run.stderr.contains("nullValues.\(family).\(key)") && run.stderr.contains("found 3"), "\(args): \(run.stderr)")
        }
    }
}

extension HardeningCLITests {
    /// Spec values inside the per-field limits that cannot fit in memory together aborted on
    /// allocation; they are refused at validation, naming the field and the estimate.
    @Test func specsBeyondTheMachineAreRefusedBeforeTraining() throws {
        let root = NSTemporaryDirectory() + "salmon-big-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        for (model, expected) in [("{task: planted-concepts, hidden: [100000, 100000]}", "field 'model.hidden': expected a size this machine can hold: a network of 10002800010 parameters"),
                                  ("{task: planted-concepts, taskOptions: {examples: 10000000, dimension: 100000}}", "field 'model.taskOptions.examples': expected a size this machine can hold: 10001000 rows of 100000 features need 8.00 TB"),
                                  // A CNN's dense head and a transformer were not checked at all.
                                  ("{task: digits, taskOptions: {examples: 500}, evaluationExamples: 200, convolutions: [8], hidden: [100000, 100000]}",
                                   "field 'model.hidden': expected a size this machine can hold: a network of 10014000090 parameters"),
                                  ("{task: planted-concepts, taskOptions: {examples: 10000000}, hidden: [100000]}",
                                   "field 'model.hidden': expected a size this machine can hold: the activations of 10001000 rows through a layer of 100000 values"),
                                  ("{task: modular-addition, taskOptions: {examples: 300}, evaluationExamples: 200, transformer: {dimension: 4096, heads: 4, layers: 64, hidden: 65536}}",
                                   "field 'model.transformer': expected a size this machine can hold: a network of 38661464064 parameters")] {
            try "name: x\nmodel: \(model)\nclaims: [{name: c, method: {name: logistic-probe}}]\nnulls: [{family: random-init, K: 9}]\n"
                .write(toFile: root + "/big.yaml", atomically: true, encoding: .utf8)
            let run = runSalmon(["audit", root + "/big.yaml", "--out", root + "/out"])
            #expect(run.status == 2 && run.stderr.contains(expected) && run.stdout.isEmpty, "\(run.stderr)")
            #expect(!FileManager.default.fileExists(atPath: root + "/out"))
        }
    }
}

extension HardeningCLITests {
    /// A file that is no array format, given where any array file is read, was parsed as
    /// safetensors and reported as a bad header length; it is told which formats are read.
    @Test func aNonArrayFileIsToldTheFormatsRead() throws {
        let root = NSTemporaryDirectory() + "salmon-format-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "0.1\n0.2\n0.3\n".write(toFile: root + "/values.txt", atomically: true, encoding: .utf8)
        for args in [["inspect", root + "/values.txt"],
                     ["probe", "--trained", root + "/values.txt", "--null", root + "/values.txt", "--labels", root + "/values.txt", "--out", root + "/out"]] {
            let run = runSalmon(args)
            #expect(run.status == 2 && run.stdout.isEmpty, "\(args): \(run.stderr)")
            #expect(run.stderr.contains("values.txt: expected an array file: .npy (starting with \\x93NUMPY), .npz (a zip archive of .npy files) or safetensors")
                    && run.stderr.contains("(it begins \"0.1.0.2.\")"), "\(args): \(run.stderr)")
        }
    }
}

extension HardeningCLITests {
    /// A spec problem found after parsing (an evaluator's setting, a subject's data) named "spec:"
    /// instead of the file: it names the spec's path, or the option a field of a generated spec comes from.
    @Test func specErrorsNameTheSpecOrTheOptions() throws {
        let root = NSTemporaryDirectory() + "salmon-specname-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let maps = (0..<(10 * 64)).map { Float($0 % 7) }
        try AuditCLITests.npy(maps, shape: [10, 64]).write(to: URL(fileURLWithPath: root + "/m.npy"))
        let run = runSalmon(["attribution", "--trained", root + "/m.npy", "--null", root + "/m.npy", "--null", root + "/m.npy",
                             "--reference", root + "/m.npy", "--measure", "topk", "--top-k", "65", "--out", root + "/out"])
        // The field comes from --top-k, so the option is named, not a field the user never wrote.
        #expect(run.status == 2 && run.stderr.hasPrefix("salmon: error: --top-k: expected top-65-intersection: k must be in 1…64"),
                "\(run.stderr)")
        #expect(!run.stderr.contains("spec:") && !run.stderr.contains("field '"))
    }
}

/// Progress for CI logs: off a terminal, long work prints whole lines (every 10 % or 30 s, none in
/// the first 5 s), and nothing else is on stderr.
@Suite struct ProgressLogTests {
    @Test func anAuditOffATerminalPrintsWholeProgressLines() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("salmon-progress-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let started = Date()
        let run = runSalmon(["audit", "audit-small.yaml", "--out", root, "--jobs", "1"])
        let seconds = Date().timeIntervalSince(started)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(run.stderr.isEmpty || run.stderr.hasSuffix("\n"))
        #expect(!run.stderr.contains("\r"))
        let pattern = #/salmon: models (\d+)/299 \((\d+) %\), elapsed (\d+) s, left ~(\d+) s/#
        var done: [Int] = []
        for line in lines {
            let match = try #require(try pattern.wholeMatch(in: String(line)), "not a progress line: \(line)")
            done.append(Int(match.1) ?? -1)
            #expect(Int(match.3).map { $0 >= 5 } == true, "a line in the first 5 s: \(line)")
        }
        #expect(done == done.sorted(), "progress went backwards: \(done)")
        #expect(lines.count <= 10 + Int(seconds / 30) + 1)
        if seconds < 5 { #expect(lines.isEmpty) }
        if seconds >= 8 { #expect(!lines.isEmpty, "\(seconds) s without a progress line") }
    }
}

/// Found by the bad-input corpus: a huge `--jobs` overflowed the chunk count (a crash).
@Suite struct CorpusFindingsTests {
    @Test func aHugeJobsCountRunsAsAnyOther() {
        let run = runSalmon(["bootstrap", "--jobs", "9223372036854775807", "--resamples", "200", "a.txt"])
        let reference = runSalmon(["bootstrap", "--jobs", "2", "--resamples", "200", "a.txt"])
        #expect(run.status == 0 && run.stdout == reference.stdout && !run.stdout.isEmpty, "\(run.stderr)")
    }
}
