/// A dense Float32 tensor: a shape and its scalars in row-major (C) order, contiguous.
///
/// A value type (copy-on-write through its array), `Sendable`. Matrix products go through
/// OpenBLAS (``BLAS``); element-wise kernels run over the contiguous buffer.
public struct Tensor: Sendable, Equatable, CustomStringConvertible {
    /// The extent of each dimension, outermost first.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    public var scalars: [Float]

    /// A tensor of the given shape and scalars.
    /// - Precondition: the shape has no negative extent and its element count equals `scalars.count`
    ///   (a programming error here; data from files is validated before it becomes a tensor).
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in \(shape)")
        precondition(shape.reduce(1, *) == scalars.count,
                     "Tensor: shape \(shape) holds \(shape.reduce(1, *)) elements, given \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.init(shape: shape, scalars: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    /// A tensor filled with `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// A matrix from rows of equal length.
    public init(rows: [[Float]]) {
        let columns = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == columns }, "Tensor(rows:): ragged rows")
        self.init(shape: [rows.count, columns], scalars: rows.flatMap { $0 })
    }

    /// The number of elements.
    public var count: Int { scalars.count }
    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// The element at a row and column of a matrix.
    public subscript(row: Int, column: Int) -> Float {
        get { scalars[row * shape[1] + column] }
        set { scalars[row * shape[1] + column] = newValue }
    }

    /// The same scalars under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor { Tensor(shape: newShape, scalars: scalars) }

    /// The rows of a matrix at `indices`, in that order (a minibatch).
    public func rows(_ indices: some Collection<Int>) -> Tensor {
        precondition(rank == 2, "rows(_:) needs a matrix")
        let width = shape[1]
        var out = [Float](repeating: 0, count: indices.count * width)
        scalars.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for (k, i) in indices.enumerated() {
                    for j in 0..<width { target[k * width + j] = source[i * width + j] }
                }
            }
        }
        return Tensor(shape: [indices.count, width], scalars: out)
    }

    public var description: String { "Tensor(shape: \(shape))" }
}
