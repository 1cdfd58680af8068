import Foundation
import Testing
@testable import SalmonAudit

/// The pieces of ``SlurmJobArray`` checked against Slurm's and the shell's own rules: time limits
/// in every format sbatch(1) lists, array index lists, job ids from `sbatch --parsable`, and
/// words quoted so that `/bin/sh` gives them back unchanged.
@Suite struct SlurmJobArrayTests {
    @Test(arguments: [
        ("30", 1_800), ("30:15", 1_815), ("2:00:00", 7_200), ("1-0", 86_400), ("1-12", 129_600),
        ("0-1:30", 5_400), ("2-03:04:05", 183_845), ("90", 5_400),
    ])
    func slurmsTimeFormatsAreRead(text: String, seconds: Int) {
        #expect(SlurmTimeLimit(parsing: text)?.seconds == seconds)
        #expect(SlurmTimeLimit(parsing: text)?.text == text)
    }

    @Test func unlimitedAndMalformedLimits() {
        #expect(SlurmTimeLimit(parsing: "UNLIMITED")?.seconds == nil && SlurmTimeLimit(parsing: "UNLIMITED") != nil)
        #expect(SlurmTimeLimit(parsing: "INFINITE") != nil)
        for bad in ["", "0", "0:00", "1:2:3:4", "1-2-3", "-5", "1-", "a", "1h", " 30", "30 ", "1:", "9999999", "1-1:1:1:1", "unlimited"] {
            #expect(SlurmTimeLimit(parsing: bad) == nil, "'\(bad)' was accepted")
        }
    }

    @Test func indexListsCompressRuns() {
        #expect(SlurmJobArray.indexList([0, 1, 2, 3]) == "0-3")
        #expect(SlurmJobArray.indexList([1, 3, 4, 5, 9]) == "1,3-5,9")
        #expect(SlurmJobArray.indexList([7]) == "7")
        #expect(SlurmJobArray.indexList([]) == "")
        let pending = SlurmJobArray(name: "x", executable: "/s", spec: "/a.yaml", out: "/o", tasks: 5, throttle: 2, pending: [])
        #expect(pending.arrayDirective == "0-4%2", "nothing pending: the whole array, each task resuming")
        let some = SlurmJobArray(name: "x", executable: "/s", spec: "/a.yaml", out: "/o", tasks: 5, pending: [0, 4])
        #expect(some.arrayDirective == "0,4")
    }

    @Test func jobIDsFromSbatchParsable() {
        #expect(SlurmJobArray.jobID(parsableOutput: "4321\n") == "4321")
        #expect(SlurmJobArray.jobID(parsableOutput: "4321;cluster-a\n") == "4321")
        #expect(SlurmJobArray.jobID(parsableOutput: "sbatch: warning: x\n77\n") == "77")
        #expect(SlurmJobArray.jobID(parsableOutput: "") == nil)
        #expect(SlurmJobArray.jobID(parsableOutput: "Submitted batch job 5\n") == nil)
    }

    @Test func directivePathsAndPartitions() {
        #expect(SlurmJobArray.isUsableInDirective("/scratch/me/audit-1"))
        for bad in ["", "/a b", "/a%j", "/a'b", "/a\"b", "/a\\b", "/a\nb", "/a\tb"] {
            #expect(!SlurmJobArray.isUsableInDirective(bad), "'\(bad)' was accepted")
        }
        #expect(SlurmJobArray.isPartition("gpu") && SlurmJobArray.isPartition("short,long") && SlurmJobArray.isPartition("a_b-c.d"))
        for bad in ["", "a b", "a;b", "a\n", "$(x)", "ü"] { #expect(!SlurmJobArray.isPartition(bad), "'\(bad)' was accepted") }
        let named = SlurmJobArray(name: "my audit/ü", executable: "/s", spec: "/a.yaml", out: "/o", tasks: 1, pending: [0])
        #expect(named.jobName == "salmon-my_audit__")
    }

    @Test(arguments: ["plain", "with space", "it's", "'", "''", "$HOME `id` $(id) \\ \" * ?", "", "a\nb"])
    func shellWordsComeBackUnchanged(word: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "printf '%s' " + ShellWord.quoted(word)]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(String(decoding: data, as: UTF8.self) == word)
    }
}
