import SalmonAudit
import Testing

/// Spec parsing and validation: every bad spec gets one line naming the field and what was expected.
@Suite struct AuditSpecTests {
    static let minimal = """
    name: t
    model: {task: planted-concepts}
    claims:
      - {name: c, method: {name: logistic-probe}}
    nulls:
      - {family: random-init, K: 9}
    """

    func error(_ yaml: String) -> SpecError? {
        do { _ = try AuditSpec.parse(yaml: yaml, file: "s.yaml"); return nil } catch let e as SpecError { return e } catch { return nil }
    }

    @Test func defaults() throws {
        let spec = try AuditSpec.parse(yaml: Self.minimal)
        #expect(spec.seed == 1 && spec.alpha == 0.05 && spec.correction == .holm)
        #expect(spec.claims[0].statistic == "accuracy" && spec.claims[0].target == "label" && spec.claims[0].expect == .distinguishable)
        #expect(spec.resampling.bootstrap == 2000 && spec.resampling.interval == .bca)
        #expect(AuditPlan.sites(for: spec.claims[0], in: spec) == ["layers.0.post", "layers.1.post"])
        #expect(AuditPlan.units(spec).count == 1 + 9)
    }

    @Test func unknownKeyNamesTheNearestValidOne() throws {
        let e = try #require(error(Self.minimal + "\nalpah: 0.01"))
        #expect(e.field == "alpah")
        #expect(e.description.contains("did you mean 'alpha'?"))
        #expect(!e.description.contains("\n"))
        let nested = try #require(error(Self.minimal.replacingOccurrences(of: "{family: random-init, K: 9}", with: "{family: random-init, k: 9}")))
        #expect(nested.field == "nulls[0].k" && nested.description.contains("did you mean 'K'?"), "\(nested)")
    }

    @Test func wrongTypesAndRangesNameTheField() throws {
        let type = try #require(error(Self.minimal.replacingOccurrences(of: "K: 9", with: "K: many")))
        #expect(type.field == "nulls[0].K" && type.message == "expected an integer, found 'many' (line 6)", "\(type)")
        let mapping = try #require(error(Self.minimal.replacingOccurrences(of: "{task: planted-concepts}", with: "[planted-concepts]")))
        #expect(mapping.field == "model" && mapping.message == "expected a mapping, found a list (line 2)", "\(mapping)")
        // A YAML syntax error names the line and column (it read "The given data was not valid YAML.").
        let syntax = try #require(error(Self.minimal.replacingOccurrences(of: "{task: planted-concepts}", with: "{task: planted-concepts")))
        #expect(syntax.description == "s.yaml: not valid YAML: line 3, column 7: did not find expected ',' or '}' (while parsing a flow mapping)",
                "\(syntax)")
        let k = try #require(error(Self.minimal.replacingOccurrences(of: "K: 9", with: "K: 0")))
        #expect(k.field == "nulls[0].K" && k.message.contains("K ≥ 1"))
        let alpha = try #require(error(Self.minimal + "\nalpha: 1.5"))
        #expect(alpha.field == "alpha" && alpha.message.contains("strictly between 0 and 1"))
        let family = try #require(error(Self.minimal.replacingOccurrences(of: "random-init", with: "random-inti")))
        #expect(family.message.contains("did you mean 'random-init'?"))
        let missing = try #require(error("name: t\nmodel: {task: planted-concepts}\nnulls: []"))
        #expect(missing.field == "claims" && missing.message.contains("missing"))
    }

    @Test func statisticsMustBeOfferedAndControlTypesGiven() throws {
        let stat = try #require(error(Self.minimal.replacingOccurrences(of: "method: {name: logistic-probe}}", with: "method: {name: logistic-probe}, statistic: acuracy}")))
        #expect(stat.description.contains("did you mean 'accuracy'?"))
        let selectivity = try #require(error(Self.minimal.replacingOccurrences(of: "method: {name: logistic-probe}}", with: "method: {name: logistic-probe}, statistic: selectivity}")))
        #expect(selectivity.field.hasSuffix("controlTypes"))
        let method = try #require(error(Self.minimal.replacingOccurrences(of: "logistic-probe", with: "logistic")))
        #expect(method.description.contains("did you mean 'logistic-probe'?"), "\(method)")
    }

    @Test func theHashIdentifiesTheSpec() throws {
        let a = try AuditSpec.parse(yaml: Self.minimal)
        let b = try AuditSpec.parse(yaml: Self.minimal + "\nseed: 1")  // the default, written out
        let c = try AuditSpec.parse(yaml: Self.minimal + "\nseed: 2")
        #expect(a.hash == b.hash && a.hash != c.hash && a.hash.count == 16)
    }

    @Test func aScalarWhereAListBelongsIsCalledAList() throws {
        let e = try #require(error(Self.minimal + "\nsites: layers.0.post"))
        #expect(e.field == "sites" && e.message.hasPrefix("expected a list"), "\(e)")
    }

    @Test func kindAuditMayBeWrittenOutAndChangesNothing() throws {
        let plain = try AuditSpec.parse(yaml: Self.minimal)
        let declared = try AuditSpec.parse(yaml: "kind: audit\n" + Self.minimal)
        #expect(declared == plain && declared.hash == plain.hash)
        let other = try #require(error("kind: identifiability\n" + Self.minimal))
        #expect(other.field == "kind" && other.message.contains("identifiability"))
    }
}

/// Found by the bad-input corpus: an unquoted `expect: null` (YAML's null) was read as absent and
/// silently became `distinguishable`, turning a negative control into a claim of structure.
@Suite struct UnquotedNullExpectationTests {
    @Test func anUnquotedNullExpectationIsTheNullExpectation() throws {
        let spec = """
            version: 1
            name: n
            model: {task: planted-concepts}
            claims:
              - {name: label, method: {name: logistic-probe}}
              - name: ignored
                method: {name: logistic-probe}
                target: concept:2
                expect: "null"
            nulls: [{family: random-init, K: 9}]
            """
        let quoted = try AuditSpec.parse(yaml: spec)
        #expect(quoted.claims[1].expect == .null && quoted.claims[0].expect == .distinguishable)
        for form in ["null", "~", "Null"] {
            let unquoted = try AuditSpec.parse(yaml: spec.replacingOccurrences(of: "expect: \"null\"", with: "expect: \(form)"))
            #expect(unquoted == quoted && unquoted.hash == quoted.hash, "expect: \(form)")
        }
    }
}
