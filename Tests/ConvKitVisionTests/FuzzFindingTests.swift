import ConvKitVision
import Testing

/// Inputs scripts/fuzz found crashing a reader, each kept as the one-line error it now gives.
@Suite struct FuzzFindingTests {
    /// fuzz-transform-spec: `resize(=,nearest)` trapped on an index out of range, because
    /// splitting `=` on `=` gave no parts at all.
    @Test func aSpecArgumentWithNoNameBeforeTheEqualsSignIsRefused() {
        for (spec, expected) in [("resize(=,nearest)", "resize: '=' has no argument name before '='"),
                                 ("hflip(=0.5)", "hflip: '=0.5' has no argument name before '='")] {
            #expect(throws: TransformError(expected)) { try TransformSpec(spec) }
        }
    }
}
