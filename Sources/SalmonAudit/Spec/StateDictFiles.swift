/// The trained network's state dict, or several (independently trained seeds of one
/// architecture: K_t = their count, as for seeds trained here). One path encodes as a string, so
/// specs written before lists were accepted keep their hash.
public enum StateDictFiles: Sendable, Codable, Equatable {
    case one(String)
    case several([String])

    /// The paths, trained seed s at index s.
    public var paths: [String] {
        switch self {
        case .one(let p): return [p]
        case .several(let ps): return ps
        }
    }

    /// How a report names them.
    public var description: String {
        paths.count == 1 ? paths[0] : "\(paths.count) state dicts (\(paths.joined(separator: ", ")))"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let one = try? c.decode(String.self) { self = .one(one) } else { self = .several(try c.decode([String].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .one(let p): try c.encode(p)
        case .several(let ps): try c.encode(ps)
        }
    }
}
