import ClusterModel
import Testing

@Suite struct LifecycleTests {
    /// Every pair of phases: only the listed edges are allowed.
    @Test func vmiPhaseEdges() {
        let allowed: Set<String> = [
            "Pending>Scheduled", "Scheduled>Running", "Pending>Succeeded", "Pending>Failed", "Scheduled>Succeeded",
            "Scheduled>Failed", "Running>Succeeded", "Running>Failed",
        ]
        for a in VMIPhase.allCases {
            for b in VMIPhase.allCases { #expect(a.canTransition(to: b) == allowed.contains("\(a)>\(b)"), "\(a) -> \(b)") }
        }
    }

    @Test func migrationPhaseEdges() {
        let allowed: Set<String> = [
            "Pending>Scheduling", "Scheduling>Scheduled", "Scheduled>Running", "Running>Succeeded", "Pending>Failed",
            "Scheduling>Failed", "Scheduled>Failed", "Running>Failed",
        ]
        for a in MigrationPhase.allCases {
            for b in MigrationPhase.allCases { #expect(a.canTransition(to: b) == allowed.contains("\(a)>\(b)"), "\(a) -> \(b)") }
        }
    }

    @Test func drainPhaseEdges() {
        for a in DrainPhase.allCases {
            for b in DrainPhase.allCases { #expect(a.canTransition(to: b) == (a == .Running && b != .Running), "\(a) -> \(b)") }
        }
    }
}
