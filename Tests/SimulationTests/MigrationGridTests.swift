import ClusterModel
import SimKernel
import Testing

/// The simulator against the model's closed-form recurrence (docs/migration-model.md), on a grid of
/// memory sizes, link speeds and dirty rates: a lone migration between two nodes. The payload rate is
/// 97 % of the nominal link (the default migrationLinkEfficiency: SimGrid's LV08 bandwidth factor),
/// and rounds carry their sub-millisecond remainder, so the simulator follows the continuous
/// recurrence to within the last event's rounding.
@Suite struct MigrationGridTests {
    struct Case: CustomStringConvertible, Sendable {
        var memoryGiB: Int64
        var gbps: Int64
        /// Dirty rate as a fraction of the bandwidth, in percent.
        var dirtyPercent: Int64
        var description: String { "\(memoryGiB)GiB \(gbps)Gbps dirty \(dirtyPercent)%" }
    }

    static let cases: [Case] = [2, 8, 32].flatMap { m in
        [1, 10, 25].flatMap { g in [0, 25, 60, 90, 120].map { Case(memoryGiB: m, gbps: g, dirtyPercent: $0) } }
    }

    /// Expected (transfer duration, pause) by the recurrence in Double arithmetic, or nil when it
    /// cannot converge (dirty rate at or above the bandwidth).
    static func expected(_ c: Case) -> (duration: Double, pause: Double, rounds: Int)? {
        let b = Double(c.gbps * 1_000_000_000 / 8 * 97 / 100)
        let r = Double((Int64(Double(c.gbps) * 1e9 / 8) * c.dirtyPercent / 100))
        if r >= b { return nil }
        var x = Double(c.memoryGiB << 30)
        var total = 0.0
        var rounds = 0
        while true {
            rounds += 1
            let t = x / b
            total += t
            let d = min(Double(c.memoryGiB << 30), r * t)
            if d <= b * 0.3 { return (total, d / b, rounds) }
            x = d
        }
    }

    @Test(arguments: cases)
    func aLoneMigrationMatchesTheRecurrence(_ c: Case) throws {
        let rate = c.gbps * 1_000_000_000 / 8 * c.dirtyPercent / 100
        let r = try simulate(
            """
            stopAt: 3h
            nodes: [{name: "w-{i}", count: 2, cpu: "64", memory: 256Gi, migrationLink: \(c.gbps)Gbps}]
            persistentVolumeClaims: [{name: d, size: 10Gi, accessModes: [ReadWriteMany]}]
            vms: [{name: v, cpu: 2, memory: \(c.memoryGiB)Gi, dirtyRate: "\(rate)", runStrategy: Always, node: w-0,
                   volumes: [{persistentVolumeClaim: {claimName: d}}]}]
            timeline: [{at: 0s, migrate: v}]
            """)
        let m = try #require(r.migrations(of: "v").first)
        let start = try #require(m.transfer?.startedAt)
        guard let e = Self.expected(c) else {
            // Never converges, but bytes flow, so virt-launcher's progress rule never fires: it runs to
            // the completion timeout, 150 s × ⌈GB⌉ on the default profile (2 GiB → 3, 8 → 9, 32 → 35).
            let gb = (c.memoryGiB << 30 + 999_999_999) / 1_000_000_000
            #expect(m.phase == .Failed, "\(c)")
            #expect(m.endedAt.map { $0 - start } == .seconds(150 * gb), "\(c)")
            #expect(m.failureReason?.hasPrefix("completion timeout") == true, "\(c)")
            return
        }
        #expect(m.phase == .Succeeded, "\(c)")
        #expect(m.transfer?.rounds == e.rounds, "\(c)")
        // Rounds end at exact microseconds (each rounded up by under 1 µs, each round's dirtied bytes
        // floored); the last round's event (up to 1 ms later) and the pause (rounded up to a
        // millisecond) add the rest: within 2 ms + 10 µs per round, and 1 ms for the pause.
        let duration = Double(((m.endedAt ?? start) - start).milliseconds) / 1000
        #expect(
            abs(duration - (e.duration + e.pause)) <= 0.002 + 0.000_01 * Double(e.rounds), "\(c): \(duration) vs \(e.duration + e.pause)")
        #expect(abs(Double(m.pause?.milliseconds ?? -1) / 1000 - e.pause) <= 0.001, "\(c)")
    }
}
