import ClusterModel
import Scenarios
import SimKernel
import Testing

@Suite struct VersionProfileTests {
    private func config(_ cluster: String) throws -> ClusterConfig {
        try ScenarioLoader.load(text: "cluster: \(cluster)\nnodes: [{name: n, cpu: 1, memory: 1Gi}]", file: "t.yaml").state.config
    }

    /// completionTimeoutPerGiB 800 / 150 / 20, outbound 2 / 2 / 1, node-monitor grace 40 / 50 / 50 s.
    @Test func aProfileSetsItsReleasesDefaultsAndExplicitValuesWin() throws {
        let old = try config("{profile: hco-1.13}")
        #expect(old.liveMigration.completionTimeoutPerGiB == 800)
        #expect(old.nodeLifecycle.nodeMonitorGracePeriod == .seconds(40))
        let new = try config("{profile: hco-1.19}")
        #expect(new.liveMigration.completionTimeoutPerGiB == 20)
        #expect(new.liveMigration.parallelOutboundMigrationsPerNode == 1)
        #expect(new.nodeLifecycle.nodeMonitorGracePeriod == .seconds(50))
        let mixed = try config(
            "{profile: hco-1.19, liveMigration: {completionTimeoutPerGiB: 150}, nodeLifecycle: {nodeMonitorGracePeriod: 40s}}")
        #expect(mixed.liveMigration.completionTimeoutPerGiB == 150)
        #expect(mixed.liveMigration.parallelOutboundMigrationsPerNode == 1)
        #expect(mixed.nodeLifecycle.nodeMonitorGracePeriod == .seconds(40))
        #expect(try config("{}").profile == .hco118)
    }
}

@Suite struct MigrationPolicyTests {
    /// KubeVirt (`migrationpolicy.go`, matchPolicy): the policy matching the most labels wins; on a tie,
    /// the lexicographically smallest policy name.
    @Test func theMostSpecificPolicyApplies() {
        let lm = LiveMigrationConfig()
        var a = MigrationPolicy(name: "a", matchLabels: [Label(key: "workload", value: "db")])
        a.completionTimeoutPerGiB = 300
        var b = MigrationPolicy(name: "b", matchLabels: [Label(key: "tier", value: "gold"), Label(key: "workload", value: "db")])
        b.completionTimeoutPerGiB = 600
        var c = MigrationPolicy(name: "c", matchLabels: [Label(key: "app", value: "x")])
        c.allowPostCopy = true
        let labels = [Label(key: "app", value: "x"), Label(key: "tier", value: "gold"), Label(key: "workload", value: "db")]
        let s = MigrationSettings(cluster: lm, policies: [a, b, c], vmLabels: labels)
        #expect(s.policy == "b")
        #expect(s.completionTimeoutPerGiB == 600)
        // a and c both match one label: the name "a" sorts before "c", so a wins, whatever the keys
        // ("app" of c sorts before "workload" of a) and the order given.
        let tie = MigrationSettings(cluster: lm, policies: [c, a], vmLabels: labels)
        #expect(tie.policy == "a")
        #expect(tie.completionTimeoutPerGiB == 300 && !tie.allowPostCopy)
        #expect(MigrationSettings(cluster: lm, policies: [a, b], vmLabels: []).policy == nil)
    }

    /// A policy capping bandwidth at 100 MiB/s: a lone 4 GiB migration over 10 Gbit/s takes
    /// 4 GiB / 104,857,600 B/s = 40.96 s instead of 3.4 s.
    @Test func aPolicyCapsTheBandwidthOfTheVMsItSelects() throws {
        let r = try simulate(
            """
            stopAt: 2m
            cluster:
              migrationPolicies: [{name: slow, matchLabels: {tier: bulk}, bandwidthPerMigration: 100Mi}]
            nodes: [{name: "w-{i}", count: 2, cpu: "32", memory: 128Gi}]
            persistentVolumeClaims: [{name: "d-{i}", count: 2, size: 10Gi, accessModes: [ReadWriteMany]}]
            vms:
              - {name: bulk, cpu: 2, memory: 4Gi, runStrategy: Always, node: w-0, labels: {tier: bulk}, volumes: [{persistentVolumeClaim: {claimName: d-0}}]}
            timeline: [{at: 10s, migrate: bulk}]
            """)
        let m = try #require(r.migrations(of: "bulk").first)
        #expect(m.transfer?.bandwidthBytesPerSecond == 104_857_600)
        #expect(m.endedAt == ms(10_000 + 20_000 + 40_960))
    }

    /// allowWorkloadDisruption without post-copy: at the completion timeout (20 × 5 GB = 100 s after the
    /// transfer started at 1:20, so 3:00) the guest is paused; it stops dirtying, the round in flight
    /// ends and the next is empty, so the migration completes — the guest is down from 3:00 to the handover.
    @Test func workloadDisruptionPausesTheGuestUntilTheCopyConverges() throws {
        let r = try simulate(
            """
            stopAt: 10m
            cluster: {liveMigration: {completionTimeoutPerGiB: 20, allowWorkloadDisruption: true}}
            nodes: [{name: "w-{i}", count: 2, cpu: "32", memory: 128Gi, migrationLink: 1Gbps}]
            persistentVolumeClaims: [{name: d, size: 10Gi, accessModes: [ReadWriteMany]}]
            vms:
              - {name: busy, cpu: 2, memory: 4Gi, dirtyRate: 100MiB/s, runStrategy: Always, node: w-0,
                 volumes: [{persistentVolumeClaim: {claimName: d}}]}
            timeline: [{at: 1m, migrate: busy}]
            """)
        let m = try #require(r.migrations(of: "busy").first)
        #expect(m.phase == .Succeeded)
        #expect(m.guestPausedAt == ms(180_000))
        let outage = try #require(r.outages[r.vm("busy").i].first)
        #expect(outage.from == ms(180_000))
        #expect(outage.to == m.endedAt)
        #expect(m.pause == (m.endedAt ?? .zero) - ms(180_000))
    }

    /// A post-copy migration whose target dies cannot fall back: the guest's memory is split between
    /// the hosts, the VMI fails and runStrategy Always restarts it.
    @Test func aFailedPostCopyKillsTheVM() throws {
        let r = try simulate(
            """
            stopAt: 10m
            cluster: {liveMigration: {completionTimeoutPerGiB: 20, allowPostCopy: true}}
            nodes: [{name: "w-{i}", count: 3, cpu: "32", memory: 128Gi, migrationLink: 1Gbps}]
            persistentVolumeClaims: [{name: d, size: 10Gi, accessModes: [ReadWriteMany]}]
            vms:
              - {name: busy, cpu: 2, memory: 4Gi, dirtyRate: 100MiB/s, runStrategy: Always, node: w-0,
                 volumes: [{persistentVolumeClaim: {claimName: d}}]}
            timeline:
              - {at: 1m, migrate: busy}
              - {at: 3m0s500ms, kernelPanic: w-1}
            """)
        let m = try #require(r.migrations(of: "busy").first)
        #expect(m.postCopyStartedAt == ms(180_000))
        #expect(m.phase == .Failed)
        #expect(r.restarts[r.vm("busy").i] == 1)
        #expect(r.trace.contains { $0.text.contains("post-copy migration migrate-busy-1 failed: state split between hosts") })
    }
}
