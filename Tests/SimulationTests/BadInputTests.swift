import DrainsimCLI
import Foundation
import Testing

/// Bad input of issue 8, each a regression: the exact message with its position, exit 2, no crash.
@Suite struct BadInputTests {
    private func run(_ args: [String]) -> (status: Int32, out: String, err: String) {
        var out = "", err = ""
        let status = CLI.main(args, out: &out, err: &err)
        return (status, out, err)
    }

    private func file(_ name: String, _ data: Data) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("drainsim-bad-\(getpid())-\(name)").path
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    private static let node = "nodes: [{name: w, cpu: \"8\", memory: 32Gi}]\n"

    /// Each input and the message `validate` gives (after the file name).
    static let cases: [(String, String)] = [
        ("nodes: [{name: w, cpu: \"8\", memory: 1Pi}]\n", ":1:37: nodes[0].memory: 1Pi is out of range; expected 1...64Ti"),
        (
            node + "vms: [{name: a, cpu: 1, memory: 9223372036854775807, runStrategy: Always}]\n",
            ":2:33: vms[0].memory: 9223372036854775807 is out of range; expected 1...64Ti"
        ),
        (node + "cluster: {downtimeLimit: 90d}\n", ":2:26: cluster.downtimeLimit: 90d is out of range; expected 1ms...33m20s"),
        (
            node + "timeline: [{at: 106751991167d, cordon: w}]\n",
            ":2:17: timeline[0].at: 106751991167d is out of range; expected 0s...87600h00m00s"
        ),
        (
            node + "cluster: {liveMigration: {bandwidthPerMigration: 7bps}}\n",
            ":2:50: cluster.liveMigration.bandwidthPerMigration: 7bps rounds to 0 bytes per second; give at least 8bps (1 B/s), or 0 for none"
        ),
        (
            node + "cluster: {liveMigration: {completionTimeoutPerGiB: 9223372036854775807}}\n",
            ":2:52: cluster.liveMigration.completionTimeoutPerGiB: 9223372036854775807 is out of range; expected 1...1000000"
        ),
        (
            node + "vms: [{name: a, cpu: 1, memory: 1Gi, runStrategy: Always, dirtyRate: 1PB/s}]\n",
            ":2:70: vms[0].dirtyRate: 1PB/s is out of range; expected at most 10TB/s"
        ),
        (
            node + "stopAt: 1h\ntimeline: [{at: 2h, cordon: w}]\n",
            ":3:17: timeline[0].at: this action comes after stopAt (1h00m00s), so it would never happen; move it or stopAt"
        ),
        (
            node + "vms: [{name: a, cpu: 1, memory: 1Gi, runStrategy: Always, node: \"w{i}\"}]\n",
            ":2:65: vms[0].node: \"{i}\" needs a count on the VM"
        ),
        (
            node + "vms: [{name: \"a-{i}\", count: 2, cpu: 1, memory: 1Gi, runStrategy: Always, node: \"w{i % 0}\"}]\n",
            ":2:81: vms[0].node: unknown placeholder {i%0}; use {i} or {i % N} with N ≥ 1"
        ),
        (
            node + "vms: [{name: \"a-{i}\", count: 2, cpu: 1, memory: 1Gi, runStrategy: Always, node: \"w{j}\"}]\n",
            ":2:81: vms[0].node: unknown placeholder {j}; use {i} or {i % N}"
        ),
        (
            node + "sweep: {set: [cluster.evictionStrategy]}\n",
            ":2:14: sweep.set: expected a mapping of setting paths to values, like {cluster.evictionStrategy: [LiveMigrate, None]}"
        ),
        (
            node + "sweep: {set: {cluster.downtimeLimit: [1s, 90d]}}\n",
            " with --set cluster.downtimeLimit=90d: cluster.downtimeLimit: 90d is out of range; expected 1ms...33m20s"
        ),
        (
            node + "expect: {tolerances: {totalDowntime: 99999999999%}}\n",
            ":2:38: expect.tolerances.totalDowntime: 99999999999% is out of range; expected 0%...1000000%"
        ),
        ("nodes: " + String(repeating: "[", count: 10_000) + "\n", ":1:71: nested more than 64 levels deep"),
        ("nodes: " + String(repeating: "- ", count: 20_000) + "x\n", ":1:134: nested more than 64 levels deep"),
        (
            node + "timeline: [{at: 1m, nicFault: {node: w, network: migration}}]\n",
            ":2:50: timeline[0].nicFault.network: there is no dedicated migration network (cluster.liveMigration.network is not set):"
                + " migrations ride the primary network, so fault the primary NIC, or set the network"
        ),
        // Workloads and budgets (issue 11).
        (
            node + "workloads: [{name: a, kind: DaemonSet, replicas: 2}]\n",
            ":2:50: workloads[0].replicas: a DaemonSet has no replicas: it runs one pod on each node it allows"
        ),
        (
            node + "workloads: [{name: a, labels: {app: a}}]\n"
                + "podDisruptionBudgets: [{name: p, selector: {matchLabels: {app: a}}, minAvailable: 1, maxUnavailable: 1}]\n",
            ":3:102: podDisruptionBudgets[0].maxUnavailable: minAvailable and maxUnavailable are mutually exclusive (the API server refuses both)"
        ),
        (
            node
                + "workloads: [{name: a, labels: {app: a}}]\npodDisruptionBudgets: [{name: p, selector: {matchLabels: {app: b}}, minAvailable: 1}]\n",
            ":3:58: podDisruptionBudgets[0].selector.matchLabels: selects no workload's pods: no workload in its namespace has all of these labels"
        ),
        (
            node + "workloads: [{name: a, labels: {app: a}}]\n"
                + "podDisruptionBudgets: [{name: p, selector: {matchLabels: {app: a}}, maxUnavailable: 120%}]\n",
            ":3:85: podDisruptionBudgets[0].maxUnavailable: \"120%\" is not a pod count (0...100000) or a percentage like 25%"
        ),
        (
            node + "workloads: [{name: a, replicas: 2, memory: 20Gi}]\n",
            ":2:13: workloads[0]: 1 workload pod(s) fit on no node at time zero, so this cluster cannot exist as described:"
                + " a-1: 0/1 nodes available: 1 lack 20Gi memory"
        ),
        (
            node + "workloads: [{name: a, nodeSelector: {disk: ssd}}]\n",
            ":2:37: workloads[0].nodeSelector: no worker node matches a's nodeSelector, node affinity and tolerations"
        ),
    ]

    @Test(arguments: 0..<BadInputTests.cases.count)
    func badInputNamesItsPositionAndExitsTwo(_ k: Int) throws {
        let (text, message) = BadInputTests.cases[k]
        let path = try file("case-\(k).yaml", Data(text.utf8))
        let r = run(["validate", path])
        #expect(r.status == 2)
        #expect(r.err == path + message + "\n")
    }

    @Test func nonUTF8InputNamesTheByteAndItsPosition() throws {
        let path = try file("latin1.yaml", Data(BadInputTests.node.utf8) + Data([0x23, 0x20, 0x63, 0x61, 0x66, 0xE9, 0x0A]))
        #expect(run(["validate", path]).err == path + ":2:6: byte 0xE9: the file is not UTF-8 text\n")
    }

    @Test func sweepFlagsAreChecked() throws {
        let path = try file("sweep.yaml", Data((BadInputTests.node + "vms: [{name: a, cpu: 1, memory: 1Gi, runStrategy: Always}]\n").utf8))
        #expect(run(["sweep", path, "--set", "cluster.downtimeLimit="]).err.contains("gives no values"))
        let r = run(["sweep", path, "--runs", "1", "--set", "cluster.downtimeLimit=90d"])
        #expect(
            r.err
                == "drainsim sweep: \(path) with --set cluster.downtimeLimit=90d: cluster.downtimeLimit: 90d is out of range; expected 1ms...33m20s\n"
        )
        // An explicit --shard I/N wins over JOB_COMPLETION_INDEX (which only fills in --shard N).
        setenv("JOB_COMPLETION_INDEX", "1", 1)
        defer { unsetenv("JOB_COMPLETION_INDEX") }
        let shard = run(["sweep", path, "--runs", "2", "--shard", "0/2", "--json"])
        #expect(shard.out.contains("\"shard\": \"0/2\""), "\(shard.out.prefix(300))")
    }

    /// merge validates shards like scenarios: a negative or huge run count, or a metric no run can
    /// produce, is refused with the file's name.
    @Test func mergeRefusesShardsNoRunCouldProduce() throws {
        let good = try file("good.yaml", Data((BadInputTests.node + "vms: [{name: a, cpu: 1, memory: 1Gi, runStrategy: Always}]\n").utf8))
        let shard = run(["sweep", good, "--runs", "2", "--json"]).out
        for (bad, replacing, with) in [
            ("runs-negative", "\"runs\": 2", "\"runs\": -1"), ("runs-huge", "\"runs\": 2", "\"runs\": 1000000000000"),
            ("metric-max", "[\n          0,\n          1,\n          0,", "[\n          0,\n          1,\n          9223372036854775807,"),
        ] {
            let text = shard.replacingOccurrences(of: replacing, with: with)
            #expect(text != shard, "\(bad): the shard's text changed")
            let path = try file("\(bad).json", Data(text.utf8))
            let r = run(["merge", path])
            #expect(r.status == 2, "\(bad)")
            #expect(r.err.hasPrefix("drainsim merge: \(path): "), "\(bad): \(r.err)")
        }
        let deep = try file("deep.json", Data(("{\"a\": " + String(repeating: "[", count: 10_000)).utf8))
        #expect(run(["merge", deep]).err.contains("nested more than 64 levels deep"))
    }
}
