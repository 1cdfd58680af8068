import Foundation

/// Arrays read from a NumPy `.npz` file: a zip archive of `.npy` members.
///
/// As `numpy.load` names them, a member `x.npy` is the array `x` (`np.savez` stores each
/// keyword argument `x` as `x.npy`, positional ones as `arr_0.npy`, …). Members may be stored
/// (`np.savez`) or deflated (`np.savez_compressed`); see ``ZipArchive`` for what is checked. A
/// member that is not a `.npy` array is an error, as are two members giving the same name.
public struct NPZArchive: Sendable {
    /// One array and its name.
    public struct Entry: Sendable, Equatable {
        public var name: String
        public var array: NPYArray
    }

    /// The file name used in messages.
    public let source: String
    /// The arrays in the order of the archive's central directory.
    public let entries: [Entry]

    /// Parses a complete `.npz` file, decompressing and checking every member.
    public init(parsing data: Data, source: String) throws(InputError) {
        try self.init(parsing: [UInt8](data), source: source)
    }

    /// Parses a complete `.npz` file, decompressing and checking every member.
    public init(parsing bytes: [UInt8], source: String) throws(InputError) {
        let archive = try ZipArchive(parsing: bytes, source: source)
        var entries: [Entry] = []
        var names = Set<String>()
        for member in archive.members {
            let name = member.name.hasSuffix(".npy") ? String(member.name.dropLast(4)) : member.name
            let field = "array \(InputError.quoted(name, limit: 120))"
            guard names.insert(name).inserted else {
                throw InputError(file: source, field: field, expected: "each array name once, found it twice (\(InputError.quoted(member.name, limit: 120)))")
            }
            try archive.requireDeclaredSize(of: member)
            let contents = try archive.contents(of: member)
            guard contents.starts(with: NPYArray.magic) else {
                throw InputError(file: source, field: field, expected: "a .npy array (starting with \\x93NUMPY) in member \(InputError.quoted(member.name, limit: 120))")
            }
            entries.append(Entry(name: name, array: try NPYArray(parsing: contents, source: source, field: field)))
        }
        self.source = source
        self.entries = entries
    }

    /// The array called `name`.
    public func array(named name: String) throws(InputError) -> NPYArray {
        guard let entry = entries.first(where: { $0.name == name }) else {
            let names = entries.prefix(5).map { InputError.quoted($0.name, limit: 120) }.joined(separator: ", ")
            throw InputError(file: source, field: "array \(InputError.quoted(name, limit: 120))",
                             expected: "an array of that name; the archive has \(entries.count) array\(entries.count == 1 ? "" : "s")"
                                 + (entries.isEmpty ? "" : " (\(names)\(entries.count > 5 ? ", …" : ""))"))
        }
        return entry.array
    }

    /// The elements of the floating-point array called `name` as `Float` (see ``NPYArray/floats()``).
    public func floats(named name: String) throws(InputError) -> [Float] { try array(named: name).floats() }

    /// The elements of the integer or bool array called `name` as `Int64` (see ``NPYArray/integers()``).
    public func integers(named name: String) throws(InputError) -> [Int64] { try array(named: name).integers() }
}
