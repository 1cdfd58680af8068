import Testing

/// The model and array fixtures of the IO tests, from the CLI's working directory (`Inputs`).
private func fixture(_ name: String) -> String { "../../../SalmonIOTests/Fixtures/\(name)" }

/// `salmon inspect` on files written by the safetensors package and numpy: exact output, pinned
/// by snapshots whose CRC-32s and shapes come from `Tests/SalmonIOTests/Fixtures/formats_expected.json`
/// (made by the same Python run that wrote the files).
@Suite("CLI inspect")
struct InspectTests {
    @Test func safetensorsCSV() {
        checkSnapshot("inspect-all-dtypes.csv", ["inspect", fixture("all_dtypes.safetensors")])
    }

    @Test func safetensorsJSONWithMetadata() {
        checkSnapshot("inspect-all-dtypes.json", ["inspect", "--format", "json", fixture("all_dtypes.safetensors")])
    }

    @Test func emptyTensorAndScalars() {
        checkSnapshot("inspect-empty-and-scalar.csv", ["inspect", fixture("empty_and_scalar.safetensors")])
    }

    @Test func bigEndianNpy() {
        checkSnapshot("inspect-float16-be.csv", ["inspect", fixture("float16_be.npy")])
    }

    @Test func npzStoredAndDeflatedAgree() {
        checkSnapshot("inspect-arrays-npz.csv", ["inspect", fixture("arrays.npz")])
        let stored = runSalmon(["inspect", fixture("arrays.npz")])
        let deflated = runSalmon(["inspect", fixture("arrays_compressed.npz")])
        #expect(deflated.status == 0, "stderr: \(deflated.stderr)")
        #expect(deflated.stdout == stored.stdout)
    }

    @Test func npzJSON() {
        checkSnapshot("inspect-arrays-npz.json", ["inspect", "--format", "json", fixture("arrays_compressed.npz")])
    }

    @Test func emptyArchivePrintsTheHeaderOnly() {
        let run = runSalmon(["inspect", fixture("empty.npz")])
        #expect(run.status == 0)
        #expect(run.stdout == "name,dtype,shape,elements,crc32\n")
    }

    /// A safetensors file whose bytes are all valid UTF-8 can come through standard input.
    @Test func standardInput() {
        let header = "{\"t\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2]}}"
        let padded = header + String(repeating: " ", count: (8 - header.utf8.count % 8) % 8)
        let length = String(decoding: [UInt8(padded.utf8.count), 0, 0, 0, 0, 0, 0, 0], as: UTF8.self)
        let run = runSalmon(["inspect", "-"], stdin: length + padded + "hi")
        #expect(run.status == 0, "stderr: \(run.stderr)")
        // zlib.crc32(b"hi") == 0xd8932aac
        #expect(run.stdout == "name,dtype,shape,elements,crc32\nt,U8,[2],2,d8932aac\n")
    }

    @Test(arguments: [
        ("truncated.safetensors",
         "tensor \"bool\": expected data_offsets within the data section of 287 bytes, found [285, 290]"),
        ("unsupported_object.npy",
         "expected a dtype among '<f8', '<f4', '<f2', '<i8', '<i4', '<i2', '|i1', '|u1', '|b1' or a big-endian '>' form, found \"|O\": an object array (pickled Python objects) is not supported"),
        ("unsupported_fortran.npy",
         "expected 'fortran_order': False (C order); Fortran-ordered arrays are not supported, found True"),
    ])
    func badFile(name: String, message: String) {
        let run = runSalmon(["inspect", fixture(name)])
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr == "salmon: error: \(fixture(name)): \(message)\n")
    }

    /// Text that is none of the formats is told which formats are read (it used to be parsed as
    /// safetensors and reported as a bad header length; issue 13).
    @Test func textFileIsToldTheFormatsRead() {
        let run = runSalmon(["inspect", "pvalues.txt"])
        #expect(run.status == 2)
        #expect(run.stdout.isEmpty)
        #expect(run.stderr.hasPrefix("salmon: error: pvalues.txt: expected an array file: .npy (starting with \\x93NUMPY), .npz (a zip archive of .npy files) or safetensors"))
        #expect(run.stderr.utf8.filter { $0 == 0x0A }.count == 1)
    }
}
