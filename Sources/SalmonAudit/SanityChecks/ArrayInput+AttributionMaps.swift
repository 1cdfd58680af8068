import SalmonIO

extension ArrayInput {
    /// Attribution maps exported from any tool (Captum, Quantus, …): one map per input row, the
    /// first axis the rows, every other axis the map's (for example `[n, 64]`, `[n, 8, 8]` or
    /// Captum's `[n, 1, 8, 8]`).
    ///
    /// - Returns: the values (row-major, as stored), the shape, and the source's name.
    /// - Throws: ``InputError`` naming the file for an array with no rows or fewer than two axes,
    ///   and for a non-finite value (its flat index, row and position within the row).
    public static func attributionMaps(_ reference: String) throws -> (values: [Double], shape: [Int], source: String) {
        let (values, shape, source) = try read(reference)
        guard shape.count >= 2, let rows = shape.first, rows > 0, values.count > 0 else {
            throw InputError(file: source, expected: "attribution maps [rows, features…] with at least one row and one feature, found shape \(shape)")
        }
        let width = values.count / rows
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw InputError(file: source, expected: "finite attributions, found \(values[bad]) at index \(bad) (row \(bad / width), feature \(bad % width))")
        }
        return (values, shape, source)
    }
}
