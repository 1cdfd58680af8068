import Foundation
import SalmonIO
import SalmonNetworks

/// Arrays a user brings — activations, labels, control types, real-valued targets — read from
/// `.npy`, `.npz` or safetensors (told apart by their first bytes) and checked before use.
/// Floating-point data is read at full precision (float64 stays float64); activations are
/// rounded to Float32 once, at the end.
///
/// A file holding several arrays (npz, safetensors) needs the array named: `file.npz#name`.
public enum ArrayInput {
    /// The raw numbers of the array at `reference` with their shape and source name.
    static func read(_ reference: String) throws -> (values: [Double], shape: [Int], source: String) {
        let (file, name) = split(reference)
        let (data, path) = try InputFile.readData(file)  // `path`: the name in messages (`<stdin>` for `-`)
        let bytes = [UInt8](data)
        switch try ArrayFileFormat.detect(bytes, source: path) {
        case .npy:
            let array = try NPYArray(parsing: bytes, source: path)
            return (try numbers(array), array.shape, path)
        case .npz:
            let archive = try NPZArchive(parsing: bytes, source: path)
            let names = archive.entries.map(\.name)
            guard let chosen = name ?? (names.count == 1 ? names[0] : nil) else {
                throw InputError(file: path, expected: "one array, or the array named as '\(path)#NAME' (it holds \(names.joined(separator: ", ")))")
            }
            let array = try archive.array(named: chosen)
            return (try numbers(array), array.shape, "\(path)#\(chosen)")
        case .safetensors:
            let file = try SafeTensors(parsing: bytes, source: path)
            let names = file.tensors.map(\.name)
            guard let chosen = name ?? (names.count == 1 ? names[0] : nil) else {
                throw InputError(file: path, expected: "one tensor, or the tensor named as '\(path)#NAME' (it holds \(names.joined(separator: ", ")))")
            }
            let tensor = try file.tensor(named: chosen)
            let values: [Double]
            if tensor.dtype.elementType.isFloatingPoint {
                values = try file.doubles(named: chosen)
            } else {
                values = try file.integers(named: chosen).map(Double.init)
            }
            return (values, tensor.shape, "\(path)#\(chosen)")
        }
    }

    static func numbers(_ array: NPYArray) throws(InputError) -> [Double] {
        array.elementType.isFloatingPoint ? try array.doubles() : try array.integers().map(Double.init)
    }

    static func split(_ reference: String) -> (String, String?) {
        guard let hash = reference.lastIndex(of: "#") else { return (reference, nil) }
        return (String(reference[..<hash]), String(reference[reference.index(after: hash)...]))
    }

    /// A 2-D activation matrix `[rows, width]` (a 1-D array is one feature per row; higher ranks
    /// are flattened after the first axis), every value finite.
    /// - Throws: ``InputError`` naming the file and, for a non-finite value, its flat index, row and column.
    public static func activations(_ reference: String) throws -> Tensor {
        let (values, shape, source) = try read(reference)
        guard let rows = shape.first, rows > 0, values.count > 0 else {
            throw InputError(file: source, expected: "a non-empty array of activations [rows, features], found shape \(shape)")
        }
        let width = values.count / rows
        if let bad = values.firstIndex(where: { !$0.isFinite || abs($0) > Double(Float.greatestFiniteMagnitude) }) {
            let what = values[bad].isFinite ? "\(values[bad]), beyond Float32's range," : "\(values[bad])"
            throw InputError(file: source, expected: "finite activations, found \(what) at index \(bad) (row \(bad / width), column \(bad % width))")
        }
        return Tensor(shape: [rows, width], scalars: values.map(Float.init))
    }

    /// Integer labels (class indices or types), one per row.
    public static func integers(_ reference: String, what: String) throws -> [Int] {
        let (values, source) = try column(reference, what: what)
        return try values.enumerated().map { i, v in
            guard v.isFinite, v == v.rounded(), abs(v) < 1e15 else {
                throw InputError(file: source, expected: "integer \(what), found \(v) at index \(i)")
            }
            return Int(v)
        }
    }

    /// Token sequences `[n, length]` (a 2-D integer array), every token in `0..<vocabulary` and
    /// `length ≤ context`.
    /// - Throws: ``InputError`` naming the file and the first token at fault.
    public static func tokenSequences(_ reference: String, vocabulary: Int, context: Int) throws -> [[Int]] {
        let (values, shape, source) = try read(reference)
        guard shape.count == 2, shape[0] >= 1, shape[1] >= 1 else {
            throw InputError(file: source, expected: "token sequences as a 2-D integer array [sequences, length], found shape \(shape)")
        }
        let (n, length) = (shape[0], shape[1])
        guard length <= context else {
            throw InputError(file: source, expected: "sequences of at most \(context) tokens (the model's context), found length \(length)")
        }
        if let i = values.firstIndex(where: { !($0 == $0.rounded() && $0 >= 0 && $0 < Double(vocabulary)) }) {
            throw InputError(file: source, expected: "tokens in 0..<\(vocabulary), found \(values[i]) at sequence \(i / length), position \(i % length)")
        }
        return (0..<n).map { r in (0..<length).map { Int(values[r * length + $0]) } }
    }

    /// Real-valued targets (for a regression probe), one per row, every value finite.
    /// - Throws: ``InputError`` naming the file and the index of the first non-finite value.
    public static func reals(_ reference: String, what: String) throws -> [Double] {
        let (values, source) = try column(reference, what: what)
        if let i = values.firstIndex(where: { !$0.isFinite }) {
            throw InputError(file: source, expected: "finite \(what), found \(values[i]) at index \(i)")
        }
        return values
    }

    /// The values of a 1-D array (or `[rows, 1, …, 1]`): one per row.
    static func column(_ reference: String, what: String) throws -> (values: [Double], source: String) {
        let (values, shape, source) = try read(reference)
        guard shape.count <= 1 || shape.dropFirst().allSatisfy({ $0 == 1 }) else {
            throw InputError(file: source, expected: "one \(what) per row (a 1-D array), found shape \(shape)")
        }
        return (values, source)
    }
}
