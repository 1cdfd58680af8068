import ArgumentParser
import DeadSalmon
import Foundation

/// The `salmon` command: interpretability claims tested against null networks.
struct Salmon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "salmon",
        abstract: "Test interpretability claims against null models, with uncertainty and multiple-comparison control.",
        discussion: """
            Exit codes: 0 success; 1 a claim failed; 2 bad usage or bad input (one line on stderr \
            naming the file, line and what was expected; nothing on stdout).
            """,
        version: AuditPlan.packageVersion,
        subcommands: [
            DemoCommand.self, AuditCommand.self, ProbeCommand.self, SAECommand.self, ReportCommand.self, MergeCommand.self,
            BaselineCommand.self, GateCommand.self, CircuitsCommand.self, IdentifiabilityCommand.self,
            AdjustCommand.self, BootstrapCommand.self, PermutationTestCommand.self, CompareCommand.self,
            InspectCommand.self, FMRIDemoCommand.self,
            SanityChecksCommand.self, AttributionCommand.self,
        ]
    )
}

/// Exit code 2 for bad usage or bad input, as the whole toolkit promises.
let badInputExitCode: Int32 = 2

@main
enum SalmonMain {
    static func main() async {
        // Keep freed memory for reuse: training and audit loops would otherwise page-fault their
        // buffers back in on every step (AllocatorTuning's comment has the measurements).
        AllocatorTuning.retainFreedMemory()
        // ArgumentParser's `help` prints the root help and exits 0 for a name it does not know
        // (`salmon help frobnicate`): that is bad usage.
        let arguments = CommandLine.arguments.dropFirst()
        if arguments.first == "help", let name = arguments.dropFirst().first(where: { !$0.hasPrefix("-") }) {
            let known = Salmon.configuration.subcommands.map { $0.configuration.commandName ?? "" }
            if !known.contains(name) {
                fail("help: expected a command (\(known.sorted().joined(separator: ", "))), found '\(name)'")
            }
        }
        var command: ParsableCommand
        do {
            command = try Salmon.parseAsRoot()
        } catch {
            // --help and --version exit 0 with their text; every parsing error is bad usage.
            if Salmon.exitCode(for: error) == .success { Salmon.exit(withError: error) }
            // ArgumentParser's message may span lines (a list of allowed values): fold it to one.
            let message = Salmon.message(for: error).split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
            fail("\(message) (see 'salmon --help')")
        }
        do {
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as StatisticsError where error.parameter == "resamples" {
            // The library names its parameter; the user typed the option.
            fail("--resamples: expected \(error.expected)")
        } catch let error as any SalmonError {
            fail(error.description)
        } catch let error as ExitCode {
            exit(error.rawValue)
        } catch {
            // Help requested by a command with subcommands exits 0 through ArgumentParser; any other
            // error (a file system error, say) is bad input or environment: one line, exit 2 — never
            // exit 1, which means "a claim failed".
            if Salmon.exitCode(for: error) == .success { Salmon.exit(withError: error) }
            let message = String(describing: error).split(whereSeparator: \.isNewline).first.map(String.init) ?? "\(error)"
            fail(message)
        }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("salmon: error: \(message.escapingLineBreaks)\n".utf8))
        exit(badInputExitCode)
    }
}

/// A bad option value found by a command's own validation (printed on one line, exit 2).
struct UsageError: SalmonError {
    var option: String
    var expected: String
    var description: String { "\(option): expected \(expected)" }
    var location: ErrorLocation { ErrorLocation(field: option) }
}
