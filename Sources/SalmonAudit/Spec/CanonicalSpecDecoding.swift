import Foundation

/// Reading back a spec the tool itself wrote as canonical JSON (inside `results.json`, a
/// baseline, a shard manifest).
///
/// A method block in YAML takes only the keys of its method (a `C` on a ridge probe is an error);
/// the canonical JSON writes every key of the method's family, defaults included, so that the
/// spec's hash is stable. A decoder made by ``jsonDecoder()`` tells the families to accept the
/// family's whole key set, as written.
public enum CanonicalSpecDecoding {
    static let key = CodingUserInfoKey(rawValue: "deadsalmon.canonicalSpec")!

    /// A JSON decoder for documents embedding canonical specs.
    public static func jsonDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.userInfo[key] = true
        return decoder
    }
}

extension Decoder {
    /// Whether the spec being decoded is canonical JSON the tool wrote (see ``CanonicalSpecDecoding``).
    var readsCanonicalSpec: Bool { userInfo[CanonicalSpecDecoding.key] as? Bool == true }
}
