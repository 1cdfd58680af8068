import Testing

/// A bad command line or input file and what its one-line error message must name.
struct BadInput: Sendable, CustomTestStringConvertible {
    var name: String
    var args: [String]
    var stdin: String? = nil
    /// Text the message must contain: the file (and line), the option, the value at fault.
    var mentions: [String]
    /// The whole of stderr, when it is pinned exactly.
    var exactly: String? = nil

    var testDescription: String { name }
}

/// Exit status 2, exactly one line on stderr starting `salmon: error: `, nothing on stdout.
@Suite("CLI bad input")
struct BadInputTests {
    static let cases: [BadInput] = [
        BadInput(name: "empty file", args: ["adjust", "empty.txt"], mentions: ["empty.txt"],
                 exactly: "salmon: error: empty.txt: expected at least one number, found none\n"),
        BadInput(name: "non-numeric CSV cell", args: ["bootstrap", "--column", "accuracy", "bad_cell.csv"],
                 mentions: ["bad_cell.csv:3:", "column \"accuracy\"", "\"high\""],
                 exactly: "salmon: error: bad_cell.csv:3: column \"accuracy\": expected a number, found \"high\"\n"),
        BadInput(name: "NaN on line 3", args: ["adjust", "nan_line3.txt"], mentions: ["nan_line3.txt:3:"],
                 exactly: "salmon: error: nan_line3.txt:3: expected a finite number, found \"NaN\"\n"),
        BadInput(name: "NaN in the second sample", args: ["permutation-test", "a.txt", "nan_line3.txt"],
                 mentions: ["nan_line3.txt:3:", "finite"]),
        BadInput(name: "+Inf", args: ["bootstrap", "inf.txt"], mentions: ["inf.txt:2:", "+Inf", "finite"]),
        BadInput(name: "p-value 1.5", args: ["adjust", "p_out_of_range.txt"],
                 // 1.5 is the third value but on line 4 (after a blank line): the line is named.
                 mentions: ["p_out_of_range.txt:4:", "1.5", "[0, 1]"]),
        BadInput(name: "--resamples 0", args: ["bootstrap", "--resamples", "0", "a.txt"],
                 mentions: ["--resamples", "found 0"]),
        BadInput(name: "--resamples 0 (permutation-test)", args: ["permutation-test", "--resamples", "0", "a.txt", "b.txt"],
                 mentions: ["--resamples"]),
        BadInput(name: "--jobs 0", args: ["bootstrap", "--jobs", "0", "a.txt"], mentions: ["--jobs"]),
        BadInput(name: "--level 1", args: ["bootstrap", "--level", "1", "a.txt"], mentions: ["--level"]),
        BadInput(name: "--level 0", args: ["compare", "--observed", "observed.txt", "--null", "null.txt", "--level", "0"],
                 mentions: ["--level"]),
        BadInput(name: "--alpha 0", args: ["adjust", "--alpha", "0", "pvalues.txt"], mentions: ["--alpha"]),
        BadInput(name: "--alpha 1", args: ["adjust", "--alpha", "1", "pvalues.txt"], mentions: ["--alpha"]),
        BadInput(name: "--trim 0.5", args: ["bootstrap", "--statistic", "trimmed-mean", "--trim", "0.5", "a.txt"],
                 mentions: ["--trim"]),
        BadInput(name: "unknown --column", args: ["bootstrap", "--column", "loss", "scores.csv"],
                 mentions: ["scores.csv:1:", "column \"loss\"", "\"model\", \"accuracy\""]),
        BadInput(name: "missing file", args: ["adjust", "does_not_exist.txt"],
                 mentions: ["does_not_exist.txt", "does not exist"]),
        BadInput(name: "directory", args: ["bootstrap", "."], mentions: ["directory"]),
        BadInput(name: "invalid UTF-8", args: ["adjust", "bad_utf8.txt"], mentions: ["bad_utf8.txt", "UTF-8"]),
        BadInput(name: "unterminated quote", args: ["bootstrap", "--column", "accuracy", "unterminated.csv"],
                 mentions: ["unterminated.csv:3:", "closing quote"]),
        BadInput(name: "quoted cell spanning two lines", args: ["bootstrap", "--column", "x", "-"], stdin: "x\n\"1\n2\"\n",
                 // The offending text's line break is escaped, so the message stays on one line.
                 mentions: ["<stdin>:2:", "column \"x\"", "\\n"]),
        BadInput(name: "unknown option", args: ["adjust", "--bogus", "pvalues.txt"], mentions: ["--bogus"]),
        BadInput(name: "unknown subcommand", args: ["frobnicate"], mentions: ["frobnicate"]),
        BadInput(name: "missing argument", args: ["permutation-test", "a.txt"], mentions: ["<b>"]),
        BadInput(name: "unknown --method", args: ["adjust", "--method", "magic", "pvalues.txt"],
                 // ArgumentParser lists the allowed values one per line; `fail` folds them into one.
                 mentions: ["magic", "--method", "holm-sidak"]),
        BadInput(name: "unknown --format", args: ["adjust", "--format", "xml", "pvalues.txt"], mentions: ["xml", "--format"]),
        BadInput(name: "paired samples of different lengths", args: ["permutation-test", "--paired", "small_x.txt", "a.txt"],
                 mentions: ["a.txt", "small_x.txt", "paired"],
                 exactly: "salmon: error: a.txt: expected as many numbers as small_x.txt (6) for a paired test, found 30\n"),
        BadInput(name: "compare with a 1-value null", args: ["compare", "--observed", "observed.txt", "--null", "one_null.txt"],
                 mentions: ["one_null.txt", "at least 2"]),
        BadInput(name: "std of one number", args: ["bootstrap", "--statistic", "std", "one_null.txt"],
                 mentions: ["one_null.txt", "at least 2"]),
        BadInput(name: "degenerate BCa", args: ["bootstrap", "constant.txt"], mentions: ["constant.txt", "degenerate"]),
        BadInput(name: "NaN on standard input", args: ["adjust", "-"], stdin: "0.1\nNaN\n", mentions: ["<stdin>:2:"]),
        BadInput(name: "both samples on standard input", args: ["permutation-test", "-", "-"], stdin: "1\n",
                 mentions: ["standard input"]),
        BadInput(name: "1-value null on standard input",
                 args: ["compare", "--observed", "observed.txt", "--null", "-"], stdin: "0.5\n",
                 mentions: ["at least 2", "<stdin>"]),
    ]

    @Test(arguments: cases)
    func rejected(_ input: BadInput) {
        let run = runSalmon(input.args, stdin: input.stdin)
        #expect(run.status == 2, "exit status \(run.status); stderr: \(run.stderr)")
        #expect(run.stdout.isEmpty, "stdout: \(run.stdout)")
        #expect(run.stderr.hasPrefix("salmon: error: "), "stderr: \(run.stderr)")
        #expect(run.stderr.hasSuffix("\n"))

        let oneLine = run.stderr.utf8.filter { $0 == UInt8(ascii: "\n") }.count == 1
        #expect(oneLine, "stderr: \(run.stderr)")

        for text in input.mentions {
            #expect(run.stderr.contains(text), "stderr does not mention \(text): \(run.stderr)")
        }
        if let exactly = input.exactly {
            #expect(run.stderr == exactly)
        }
    }

    /// The line number counts every physical line, blank ones included.
    @Test func nanOnLineThreeAfterBlankLines() throws {
        let run = runSalmon(["adjust", "-"], stdin: "\n0.5\nNaN\n")
        #expect(run.status == 2)
        #expect(run.stderr == "salmon: error: <stdin>:3: expected a finite number, found \"NaN\"\n")
    }
}
