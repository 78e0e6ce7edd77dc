import DrainsimCLI
import Foundation
import Testing

/// `drainsim check` on a scratch copy of a scenario and its accepted results.
@Suite struct CheckTests {
    /// Four LiveMigrate VMs on RWX leave worker-0, each down only for its 74 ms stop-and-copy pause
    /// (the worked example of docs/migration-model.md): 296 ms in all.
    private let accepted = """
        nodes: [{name: "worker-{i}", count: 3, cpu: "32", memory: 128Gi}]
        persistentVolumeClaims: [{name: "d-{i}", count: 4, size: 30Gi, accessModes: [ReadWriteMany]}]
        vms:
          - {name: "web-{i}", count: 4, cpu: 4, memory: 8Gi, runStrategy: Always, dirtyRate: 100MiB/s, node: worker-0,
             volumes: [{persistentVolumeClaim: {claimName: "d-{i}"}}]}
        timeline: [{at: 1m, nodeMaintenance: {node: worker-0}}]

        """

    private func workspace(_ scenario: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "drainsim-check-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
        try FileManager.default.createDirectory(atPath: dir + "/scenarios", withIntermediateDirectories: true)
        try scenario.write(toFile: dir + "/scenarios/web.yaml", atomically: true, encoding: .utf8)
        return dir
    }

    private func check(_ args: [String]) -> (status: Int32, out: String) {
        var out = "", err = ""
        let status = CLI.main(["check"] + args, out: &out, err: &err)
        return (status, out + err)
    }

    /// Switching the VMs to evictionStrategy None shuts each down for 10 s + 20 s + 30 s = 1 m instead
    /// of a 74 ms pause (4 m in all instead of 296 ms): check fails and names both metrics.
    @Test func aWorsePolicyFailsAndNamesTheMetric() throws {
        let dir = try workspace(accepted)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/scenarios/web.yaml"
        #expect(check([file, "--record"]).status == 0)
        #expect(check([file]).status == 0)
        try (accepted + "cluster: {evictionStrategy: None}\n").write(toFile: file, atomically: true, encoding: .utf8)
        let junit = dir + "/junit.xml"
        let r = check([file, "--junit", junit])
        #expect(r.status == 1)
        #expect(r.out.contains("FAIL"))
        #expect(
            r.out.contains(
                "totalDowntime 296ms -> 4m00s (worse, beyond tolerance 0); maxDowntime 74ms -> 1m00s (worse, beyond tolerance 0)"))
        #expect(r.out.contains("first divergence at trace line 3"))
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains("<testsuites name=\"drainsim check\" tests=\"1\" failures=\"1\">"))
        #expect(
            xml.contains("<failure message=\"totalDowntime 296ms -&gt; 4m00s (worse, beyond tolerance 0); maxDowntime 74ms -&gt; 1m00s"))
    }

    /// A guest that shuts down at 1:00 and, being Always, is back at 1:50 (launcher 20 s + boot 30 s):
    /// 50 s down, accepted. Made RerunOnFailure, the clean shutdown keeps it down, and without stopAt
    /// the run ends at 1:00 with that outage open (0 ms counted): totalDowntime looks better, but
    /// vmsDownAtEnd goes 0 -> 1 and vmsWithOutage stays 1, so check fails naming vmsDownAtEnd.
    @Test func aVMThatNoLongerComesBackFailsCheckThoughItsDowntimeShrank() throws {
        let restarts = """
            nodes: [{name: "worker-{i}", count: 2, cpu: "32", memory: 128Gi}]
            vms: [{name: app, cpu: 2, memory: 4Gi, runStrategy: Always}]
            timeline: [{at: 1m, guestShutdown: app}]

            """
        let dir = try workspace(restarts)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/scenarios/web.yaml"
        #expect(check([file, "--record"]).status == 0)
        try restarts.replacingOccurrences(of: "runStrategy: Always", with: "runStrategy: RerunOnFailure")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let r = check([file])
        #expect(r.status == 1, "\(r.out)")
        #expect(r.out.contains("totalDowntime 50s -> 0s (better)"))
        #expect(r.out.contains("vmsDownAtEnd 0 -> 1 (worse, beyond tolerance 0)"))
        #expect(!r.out.contains("vmsWithOutage"))
    }

    /// Metrics added after an outcome was accepted are named, not judged (never a silent pass or a
    /// spurious failure): the accepted metrics.json here predates vmsDownAtEnd and vmsWithOutage.
    @Test func metricsMissingFromTheAcceptedOutcomeAreNamed() throws {
        let dir = try workspace(accepted)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/scenarios/web.yaml"
        #expect(check([file, "--record"]).status == 0)
        let metrics = dir + "/results/web/metrics.json"
        let old = try String(contentsOfFile: metrics, encoding: .utf8).split(separator: "\n")
            .filter { !$0.contains("\"vmsDownAtEnd\"") && !$0.contains("\"vmsWithOutage\"") }.joined(separator: "\n")
        try old.write(toFile: metrics, atomically: true, encoding: .utf8)
        let r = check([file])
        #expect(r.status == 0, "\(r.out)")
        #expect(r.out.contains("not in the accepted metrics.json (added since): vmsDownAtEnd, vmsWithOutage; run drainsim check --record"))
    }

    /// A tolerance lets a metric worsen up to its bound: maxDowntime may grow by 2 m here.
    @Test func aToleranceAllowsBoundedWorsening() throws {
        let dir = try workspace(accepted)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/scenarios/web.yaml"
        _ = check([file, "--record"])
        let tolerated =
            accepted
            + "cluster: {evictionStrategy: None}\nexpect: {tolerances: {maxDowntime: 2m, totalDowntime: 100000%, vmsWithOutage: 4}}\n"
        try tolerated.write(toFile: file, atomically: true, encoding: .utf8)
        let r = check([file])
        #expect(r.status == 0, "\(r.out)")
        #expect(r.out.contains("maxDowntime 74ms -> 1m00s (worse, within tolerance 2m00s)"))
    }

    /// Faster migration links shorten the pauses: better, reported, and it passes.
    @Test func aBetterOutcomeIsReportedAndPasses() throws {
        let dir = try workspace(accepted)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/scenarios/web.yaml"
        _ = check([file, "--record"])
        try accepted.replacingOccurrences(of: "memory: 128Gi}", with: "memory: 128Gi, migrationLink: 25Gbps}")
            .write(toFile: file, atomically: true, encoding: .utf8)
        let r = check([file])
        #expect(r.status == 0)
        #expect(r.out.contains("BETTER"))
        #expect(r.out.contains("maxDowntime 74ms -> "))
    }

    @Test func aScenarioWithoutAcceptedResultsFails() throws {
        let dir = try workspace(accepted)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = check([dir + "/scenarios/web.yaml"])
        #expect(r.status == 1)
        #expect(r.out.contains("no accepted outcome"))
    }
}

@Suite struct SweepCheckTests {
    /// Random kernel panics with SNR, swept over 6 seeds: without remediation the VMs wait for the
    /// repair (1 h instead of about 9 min), so every percentile of totalDowntime gets worse.
    private let swept = """
        stopAt: 10d
        cluster: {remediation: {type: SelfNodeRemediation}}
        nodes: [{name: "w-{i}", count: 4, cpu: "32", memory: 128Gi}]
        vms: [{name: "v-{i}", count: 8, cpu: 2, memory: 4Gi, runStrategy: Always}]
        failures:
          - {name: crashes, fault: kernelPanic, timeBetweenFailures: {exponential: {mean: 2d}}, timeToRepair: {constant: 1h}}
        sweep: {runs: 6}

        """

    @Test func aSweepPercentileBeyondItsToleranceFails() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("drainsim-sweepcheck-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir + "/scenarios", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/scenarios/swept.yaml"
        try swept.write(toFile: file, atomically: true, encoding: .utf8)
        var out = "", err = ""
        #expect(CLI.main(["check", file, "--record"], out: &out, err: &err) == 0)
        #expect(FileManager.default.fileExists(atPath: dir + "/results/swept/sweep.json"))
        try swept.replacingOccurrences(of: "type: SelfNodeRemediation", with: "type: none").write(
            toFile: file, atomically: true, encoding: .utf8)
        out = ""
        #expect(CLI.main(["check", file], out: &out, err: &err) == 1)
        #expect(out.contains("sweep [as written] p95 totalDowntime"))
        #expect(out.contains("(worse, beyond tolerance 0)"))
    }
}
