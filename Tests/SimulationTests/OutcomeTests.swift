import ClusterModel
import Reporting
import Scenarios
import Simulation
import Testing

/// What Totals say: VMs still down at the end first, real outages apart from live-migration pauses,
/// and open outages counted to the end of the run.
@Suite struct OutcomeTests {
    /// A kernel panic at 0:10 on worker-0, no remediation, stopAt 2h: nothing fences the node, so
    /// web-0 and web-1 stay down from 0:10 to the end, 1h50m each, 3h40m in all; `other` on worker-1
    /// is untouched.
    @Test func aKernelPanicWithoutRemediationLeavesItsVMsDownToStopAtAndListsThem() throws {
        let r = try simulate(
            threeWorkers + """
                stopAt: 2h
                persistentVolumeClaims: [{name: "d-{i}", count: 2, size: 30Gi, accessModes: [ReadWriteMany]}]
                vms:
                  - {name: "web-{i}", count: 2, cpu: 4, memory: 8Gi, runStrategy: Always, node: worker-0,
                     volumes: [{persistentVolumeClaim: {claimName: "d-{i}"}}]}
                  - {name: other, cpu: 4, memory: 8Gi, runStrategy: Always, node: worker-1}
                timeline: [{at: 10m, kernelPanic: worker-0}]
                expect: {maxVMsDownAtEnd: 1, maxVMsWithOutage: 2}
                """)
        #expect(r.endTime == ms(7_200_000))
        #expect(r.vmsDownAtEnd.map { r.state.vms[$0.i].name } == ["web-0", "web-1"])
        #expect(r.downtime(of: r.vm("web-0")) == .minutes(110))
        let text = ReportText.render(r)
        #expect(text.contains("  VMs down at the end   2 of 3 (listed under \"Down at the end\")\n"))
        #expect(
            text.contains(
                "  VMs with an outage    2 (shut down, restarted, failed or not started): 3h40m00s in all, worst 1h50m00s (web-0)\n"))
        #expect(
            text.mentions(
                "  web-0  +10m00s     1h50m00s  kernel panic on worker-0; awaiting fencing: the VMI still looks Running to KubeVirt\n"))
        #expect(r.expectations.map(\.expectation) == ["maxVMsDownAtEnd ≤ 1", "maxVMsWithOutage ≤ 2"])
        #expect(r.expectations.map(\.passed) == [false, true])
        #expect(r.expectations.first?.actual == "2 (web-0, web-1)")
        let metrics = RunMetrics(r)
        #expect(metrics[.vmsDownAtEnd] == 2 && metrics[.vmsWithOutage] == 2 && metrics[.totalDowntime] == 13_200_000)
    }

    /// The four web VMs live-migrate off worker-0, each paused 74 ms for its stop-and-copy (see
    /// MigrationTests); batch (evictionStrategy None) is shut down (10 s), restarted (launcher 20 s)
    /// and booted (30 s): 1 m. The headline says one real outage and four VMs only paused, not
    /// "5 of 5 with downtime".
    @Test func migrationPausesAreToldApartFromOutages() throws {
        let r = try simulate(
            fourWebVMsDrainedFromWorker0.replacingOccurrences(
                of: "timeline:",
                with: "  - {name: batch, cpu: 2, memory: 4Gi, runStrategy: Always, evictionStrategy: None, node: worker-0}\ntimeline:"))
        let text = ReportText.render(r)
        #expect(text.contains("  VMs down at the end   0 of 5\n"))
        #expect(
            text.contains("  VMs with an outage    1 (shut down, restarted, failed or not started): 1m00s in all, worst 1m00s (batch)\n"))
        #expect(text.contains("  VMs only paused       4 by live migration; longest pause 74ms (web-0)\n"))
        #expect(text.contains("  total downtime        1m01s (outages and migration pauses)\n"))
        #expect(text.contains("    paused +1m"))
        #expect(RunMetrics(r)[.vmsWithOutage] == 1 && RunMetrics(r)[.vmsWithDowntime] == 5)
    }
}

/// A run without stopAt is cut only when nothing has progressed for the horizon (7 days); an
/// unfinished drain is BLOCKED only when it is known to be stuck, and a rolling maintenance says
/// how far it got.
@Suite struct RunEndingTests {
    private func report(_ yaml: String, checkInvariants: Bool = true) throws -> (RunRecord, String) {
        var r: RunRecord
        if checkInvariants {
            r = try simulate(yaml)
        } else {
            var sim = Simulation(scenario: try ScenarioLoader.load(text: yaml, file: "test.yaml"), options: SimulationOptions(trace: false))
            r = sim.run()
        }
        return (r, ReportText.render(r))
    }

    /// 30 empty workers, one at a time, 6 h each: every drain is over at once and each CR is
    /// deleted 6 h later, so the last ends at 0:01 + 30 × 6 h = 180:01 — past 7 days after the
    /// only timeline action, yet not cut, because every node's end is progress.
    @Test func aLongRollingMaintenanceThatKeepsMovingIsNeverCut() throws {
        let (r, text) = try report(
            """
            nodes: [{name: "worker-{i}", count: 30, cpu: "32", memory: 128Gi}]
            timeline: [{at: 1m, rollingMaintenance: {maxUnavailable: 1, maintenanceDuration: 6h}}]
            """)
        #expect(r.ending == .quiet)
        #expect(r.endTime == ms(180 * 3_600_000 + 60_000))
        #expect(
            text.contains(
                "  rolling maintenance of 30 node(s), maxUnavailable 1, started +1m00s: finished at +180h01m00s after 180h00m00s\n"))
    }

    /// db's only disk is ReadWriteOnce under LiveMigrate: the eviction is refused forever, the
    /// cluster goes quiet at 0:01, and the rolling maintenance never gets past worker-0.
    @Test func aStalledRollingMaintenanceSaysWhereItIsStuckWhyAndWhatNeverStarted() throws {
        let (r, text) = try report(
            """
            nodes: [{name: "worker-{i}", count: 3, cpu: "32", memory: 128Gi}]
            persistentVolumeClaims: [{name: db, size: 30Gi, accessModes: [ReadWriteOnce]}]
            vms: [{name: db, cpu: 2, memory: 4Gi, runStrategy: Always, evictionStrategy: LiveMigrate, node: worker-0,
                   volumes: [{persistentVolumeClaim: {claimName: db}}]}]
            timeline: [{at: 1m, rollingMaintenance: {maxUnavailable: 1, maintenanceDuration: 10m}}]
            """)
        #expect(r.ending == .quiet)
        #expect(
            text.mentions(
                "0 of 3 done; stuck at worker-0 since +1m00s because db cannot leave: LiveMigrate and DisksNotLiveMigratable: "
                    + "PVC db is ReadWriteOnce; 2 never started\n"))
        #expect(text.mentions("BLOCKED  0s    drainProgress 0%; the cluster went quiet: it would never finish"))
    }

    /// Empty nodes, 1 h each, stopAt 2h: worker-0 is done at 1:01, worker-1 is in maintenance until
    /// 2:01 when the run stops at 2:00, worker-2 has not started. Cut, not stuck.
    @Test func aRunCutByStopAtSaysWhatWasInProgressAndNotStarted() throws {
        let (r, text) = try report(
            """
            stopAt: 2h
            nodes: [{name: "worker-{i}", count: 3, cpu: "32", memory: 128Gi}]
            timeline: [{at: 1m, rollingMaintenance: {maxUnavailable: 1, maintenanceDuration: 1h}}]
            """)
        #expect(r.ending == .stopAt)
        #expect(text.mentions("1 of 3 done; worker-1 in progress when the run was cut at +2h00m00s; 1 not started\n"))
        #expect(!text.contains("BLOCKED"))
    }

    /// worker-1 (32 Gi) can never hold big (48 Gi): its evacuation is retried with backoff forever.
    /// Without stopAt nothing progresses after the NodeMaintenance at 0:01, so the run is cut 7 days
    /// later, at 168:01, and says why. (About 1,900 retries: run without the per-event invariants.)
    @Test func withoutStopAtARunIsCutAfterSevenDaysWithoutProgressAndSaysSo() throws {
        let (r, text) = try report(
            """
            nodes:
              - {name: worker-0, cpu: "32", memory: 128Gi}
              - {name: worker-1, cpu: "32", memory: 32Gi}
            persistentVolumeClaims: [{name: big, size: 30Gi, accessModes: [ReadWriteMany]}]
            vms: [{name: big, cpu: 2, memory: 48Gi, runStrategy: Always, node: worker-0,
                   volumes: [{persistentVolumeClaim: {claimName: big}}]}]
            timeline: [{at: 1m, nodeMaintenance: {node: worker-0}}]
            """, checkInvariants: false)
        #expect(r.ending == .noProgress(since: ms(60_000), horizon: .minutes(7 * 24 * 60)))
        #expect(r.endTime == ms(168 * 3_600_000 + 60_000))
        #expect(r.stopReason == "nothing progressed for 168h00m00s since +1m00s (no stopAt)")
        #expect(text.mentions("BLOCKED  168h00m00s  drainProgress 0%; nothing progressed for 168h00m00s since +1m00s"))
    }
}
