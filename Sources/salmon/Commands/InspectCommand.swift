import ArgumentParser
import DeadSalmon
import Foundation

/// `salmon inspect`: the tensors of a safetensors, `.npy` or `.npz` file, one row each.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "List the tensors of a safetensors, .npy or .npz file: dtype, shape, element count, CRC-32.",
        discussion: """
            The format is recognized by the first bytes: \\x93NUMPY for .npy, a zip header (PK) for .npz, \
            anything else is read as safetensors. One row per tensor or array, in file order: its name \
            (for .npy, the file name without .npy), its dtype as the file spells it, its shape, its \
            element count, and the CRC-32 of its data as little-endian bytes (Python: \
            f"{zlib.crc32(data):08x}"). JSON output adds the format and, for safetensors, the header's \
            metadata. A damaged file is reported on one line naming the file, the tensor and what was \
            expected (exit 2).
            """
    )

    @OptionGroup var output: OutputOptions

    @Argument(help: "A .safetensors, .npy or .npz file, or - for standard input.")
    var file: String

    struct Row: Encodable {
        var name: String
        var dtype: String
        var shape: [Int]
        var elements: Int
        var crc32: String
    }

    struct Output: Encodable {
        var format: String
        var metadata: [String: String]?
        var tensors: [Row]
    }

    func run() throws {
        let (data, source) = try InputFile.readData(file)
        let bytes = [UInt8](data)
        let format = try ArrayFileFormat.detect(bytes, source: source)
        var rows: [Row] = []
        var metadata: [String: String]?
        switch format {
        case .safetensors:
            let model = try SafeTensors(parsing: bytes, source: source)
            metadata = model.metadata
            rows = model.tensors.map { tensor in
                Row(name: tensor.name, dtype: tensor.dtype.rawValue, shape: tensor.shape, elements: tensor.elementCount,
                    crc32: CRC32.hex(CRC32.checksum(model.bytes[tensor.byteRange])))
            }
        case .npy:
            let array = try NPYArray(parsing: bytes, source: source)
            let base = file == "-" ? source : URL(fileURLWithPath: file).lastPathComponent
            rows = [row(base.hasSuffix(".npy") ? String(base.dropLast(4)) : base, array)]
        case .npz:
            let archive = try NPZArchive(parsing: bytes, source: source)
            rows = archive.entries.map { row($0.name, $0.array) }
        }
        switch output.format {
        case .json:
            emit(try jsonText(Output(format: format.rawValue, metadata: metadata, tensors: rows)))
        case .csv:
            emit(CSVOutput(header: ["name", "dtype", "shape", "elements", "crc32"],
                           rows: rows.map { [$0.name, $0.dtype, Self.shapeText($0.shape), cell($0.elements), $0.crc32] }).text)
        }
    }

    private func row(_ name: String, _ array: NPYArray) -> Row {
        Row(name: name, dtype: array.descr, shape: array.shape, elements: array.elementCount,
            crc32: CRC32.hex(CRC32.checksum(array.littleEndianData)))
    }

    /// A shape in CSV as a JSON array: `[2,3]`, `[]` for a scalar.
    static func shapeText(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ",") + "]" }
}
