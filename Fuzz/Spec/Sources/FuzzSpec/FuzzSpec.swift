// Fuzz target: the YAML spec loader (audit and identifiability specs), as `salmon audit` reads a
// user's file.
// Invariants: parsing never crashes; a refused spec throws an error of the tool's one error
// protocol (SalmonError) whose message is one line; an accepted spec validates, its canonical JSON
// is the same every time, and that JSON decodes back to an equal spec with the same hash.
import Foundation
import SalmonAudit
import SalmonDiagnostics

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    check(AuditSpec.self, text)
    check(IdentifiabilitySpec.self, text)
    return 0
}

func check<Spec: YAMLSpecification & Equatable>(_ kind: Spec.Type, _ text: String) {
    let spec: Spec
    do {
        spec = try Spec.parse(yaml: text, file: "fuzz.yaml")
    } catch let error as any SalmonError {
        if error.description.contains(where: \.isNewline) { fatalError("a message of several lines: \(error.description)") }
        return
    } catch {
        fatalError("an error outside the tool's error protocol: \(type(of: error)): \(error)")
    }
    let json = spec.canonicalJSON()
    if json != spec.canonicalJSON() { fatalError("canonical JSON differs between two encodings") }
    do {
        let back = try CanonicalSpecDecoding.jsonDecoder().decode(Spec.self, from: json)
        if back != spec || back.hash != spec.hash { fatalError("canonical JSON does not decode to the same spec") }
    } catch {
        fatalError("canonical JSON does not decode: \(error)")
    }
}

// SwiftPM links an executable with `main` aliased to `<module>_main`; with `-parse-as-library`
// there is none, so this one hands control to libFuzzer's driver, as its own `main` would.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt) -> CInt

@_cdecl("fuzz_spec_main")
public func fuzzSpecMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var count = argc
    var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
    return runFuzzerDriver(&count, &arguments) { data, size in fuzz(data, size) }
}
