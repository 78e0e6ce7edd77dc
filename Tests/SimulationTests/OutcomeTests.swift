import ClusterModel
import Reporting
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
                """)
        #expect(r.endTime == ms(7_200_000))
        #expect(r.vmsDownAtEnd.map { r.state.vms[$0.i].name } == ["web-0", "web-1"])
        #expect(r.downtime(of: r.vm("web-0")) == .minutes(110))
        let text = ReportText.render(r)
        #expect(text.contains("  VMs down at the end   2 of 3 (listed under \"Down at the end\")\n"))
        #expect(
            text.contains("  VMs with an outage    2 (shut down, restarted, failed or not started): 3h40m in all, worst 1h50m (web-0)\n"))
        #expect(
            text.contains(
                "  web-0: down since 00:10:00.000 (1h50m), still down at the end: kernel panic on worker-0; awaiting fencing: "
                    + "the VMI still looks Running to KubeVirt\n"))
        let metrics = RunMetrics(r)
        #expect(metrics[.vmsDownAtEnd] == 2 && metrics[.vmsWithOutage] == 2 && metrics[.totalDowntime] == 13_200_000)
    }

    /// The four web VMs live-migrate off worker-0, each paused 65 ms for its stop-and-copy (see
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
        #expect(text.contains("  VMs with an outage    1 (shut down, restarted, failed or not started): 1m in all, worst 1m (batch)\n"))
        #expect(text.contains("  VMs only paused       4 by live migration; longest pause 65ms (web-0)\n"))
        #expect(text.contains("  total downtime        1m0.260s (outages and migration pauses)\n"))
        #expect(text.contains("      paused 00:01:"))
        #expect(RunMetrics(r)[.vmsWithOutage] == 1 && RunMetrics(r)[.vmsWithDowntime] == 5)
    }
}
