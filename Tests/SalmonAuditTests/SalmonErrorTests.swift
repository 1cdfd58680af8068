import SalmonAudit
import SalmonDiagnostics
import SalmonIO
import SalmonMethods
import SalmonStatistics
import Testing

/// Every error type of the toolkit is a `SalmonError`: one line, with its location.
@Suite struct SalmonErrorTests {
    @Test func everyErrorTypeIsASalmonErrorWithItsLocation() {
        let errors: [any SalmonError] = [
            InputError(file: "scores.csv", line: 14, field: "accuracy", expected: "a finite number, found \"NaN\""),
            SpecError(file: "spec.yaml", field: "claims[0].method", "unknown method 'gradiant'"),
            StatisticsError("alpha", expected: "a level in (0, 1), found -0.1"),
            MethodError("the label is constant"),
            AuditError("null/random-init/3, claim c at layers.0.post: accuracy is nan"),
        ]
        #expect(errors.allSatisfy { !$0.description.contains("\n") && !$0.expected.isEmpty })
        #expect(errors[0].location == ErrorLocation(file: "scores.csv", field: "accuracy", line: 14))
        #expect(errors[0].description == "scores.csv:14: accuracy: expected a finite number, found \"NaN\"")
        #expect(errors[1].location == ErrorLocation(file: "spec.yaml", field: "claims[0].method"))
        #expect(errors[2].location.field == "alpha")
        // A thrown error is caught as a SalmonError whatever its type.
        func caught(_ error: any Error) -> Bool { error is any SalmonError }
        #expect(errors.allSatisfy(caught))
    }
}
