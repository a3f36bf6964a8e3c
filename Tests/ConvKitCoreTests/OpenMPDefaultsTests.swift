import ConvKitCore
import Testing

@Suite struct OpenMPDefaultsTests {
    @Test func onlyUnsetChoicesGetTheDefault() {
        #expect(OpenMPDefaults.missing(from: [:]) == ["OMP_WAIT_POLICY": "PASSIVE"])
        #expect(OpenMPDefaults.missing(from: ["OMP_NUM_THREADS": "1"]) == ["OMP_WAIT_POLICY": "PASSIVE"])
        #expect(OpenMPDefaults.missing(from: ["OMP_WAIT_POLICY": "ACTIVE"]).isEmpty)
        #expect(OpenMPDefaults.missing(from: ["GOMP_SPINCOUNT": "1000"]).isEmpty)
        // What the re-executed program sees: nothing left to add, so it runs on.
        #expect(OpenMPDefaults.missing(from: OpenMPDefaults.missing(from: [:])).isEmpty)
    }
}
