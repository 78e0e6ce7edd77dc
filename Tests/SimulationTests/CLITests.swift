import ClusterModel
import DrainsimCLI
import Foundation
import Testing

@Suite struct CLITests {
    private func run(_ args: [String]) -> (status: Int32, out: String, err: String) {
        var out = "", err = ""
        let status = CLI.main(args, out: &out, err: &err)
        return (status, out, err)
    }

    private func temporaryScenario(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("drainsim-cli-\(getpid())-\(text.hashValue).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func helpListsTheCommandsAndExitsZero() {
        let r = run(["--help"])
        #expect(r.status == 0)
        #expect(r.out.contains("drainsim run FILE"))
        #expect(run(["run", "--help"]).out.contains("--seed N"))
    }

    @Test func usageErrorsExitTwo() {
        #expect(run([]).status == 2)
        #expect(run(["frobnicate"]).status == 2)
        #expect(run(["run"]).status == 2)
        #expect(run(["run", "x.yaml", "--bogus"]).err.contains("unknown option --bogus"))
        #expect(run(["run", "x.yaml", "--seed", "minus-one"]).status == 2)
    }

    @Test func aMissingFileADirectoryAndABadOutPathEachSayWhatIsWrong() throws {
        let missing = run(["run", "/nonexistent/scenario.yaml"])
        #expect(missing.status == 2)
        #expect(missing.err == "/nonexistent/scenario.yaml: no such file\n")
        let dir = FileManager.default.temporaryDirectory.path
        let directory = run(["run", dir])
        #expect(directory.status == 2)
        #expect(directory.err == "\(dir): is a directory; give a scenario file (e.g. \(dir)/NAME.yaml)\n")
        let scenario = try temporaryScenario("nodes: [{name: w, cpu: '4', memory: 8Gi}]\n")
        let fileInTheWay = run(["run", scenario, "--out", scenario + "/out"])
        #expect(fileInTheWay.status == 2)
        #expect(fileInTheWay.err == "drainsim run: --out \(scenario)/out: \(scenario) is a file, not a directory\n")
        #if os(Linux)
            // Nothing can be made in /proc, not even by root: "/proc is not writable" for a user,
            // the system's refusal for root (to whom every directory looks writable).
            let unwritable = run(["run", scenario, "--out", "/proc/drainsim-out"])
            #expect(unwritable.status == 2)
            #expect(unwritable.err.hasPrefix("drainsim run: --out /proc/drainsim-out: cannot create it"))
        #endif
    }

    @Test func versionFlagsWithEqualsAndDashOJsonWorkAsInOc() throws {
        #expect(run(["--version"]).out == "drainsim \(CLI.version)\n")
        let scenario = packageRoot.appendingPathComponent("scenarios/rolling-small.yaml").path
        let spaced = run(["run", scenario, "--seed", "3", "--json"])
        #expect(spaced.status == 0 && spaced.out.hasPrefix("{"))
        #expect(run(["run", scenario, "--seed=3", "-o", "json"]).out == spaced.out)
        #expect(run(["run", scenario, "--seed=3", "--output=json"]).out == spaced.out)
        #expect(run(["run", scenario, "--seed=3", "-o=json"]).out == spaced.out)
        #expect(run(["run", scenario, "--json=yes"]).err.hasPrefix("drainsim run: --json takes no value (--json=yes)"))
        #expect(run(["run", scenario, "-o", "yaml"]).err.hasPrefix("drainsim run: -o takes json or text, not \"yaml\""))
    }

    /// A VM evicted with strategy None is down 1 m (10 s shutdown, 20 s launcher, 30 s boot):
    /// `maxDowntime: 30s` fails, so `run` exits 1 and lists the failure.
    @Test func aFailedExpectationExitsOneAndIsListed() throws {
        let path = try temporaryScenario(
            """
            nodes: [{name: "w-{i}", count: 2, cpu: "8", memory: 32Gi}]
            vms: [{name: a, cpu: 1, memory: 1Gi, runStrategy: Always, evictionStrategy: None, node: w-0}]
            timeline: [{at: 1m, drain: w-0}]
            expect: {maxDowntime: 30s, blockedDrains: 0}
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let r = run(["run", path])
        #expect(r.status == 1)
        #expect(r.err.contains("FAIL maxDowntime ≤ 30s (actual 1m00s (a))"))
        #expect(r.out.contains("PASS blockedDrains = 0"))
        let json = run(["run", path, "--json"])
        #expect(json.out.hasPrefix("{\n  \"scenario\""))
    }

    @Test func validateReportsEachFile() throws {
        let good = try temporaryScenario("nodes: [{name: n, cpu: 1, memory: 1Gi}]\n")
        let bad = try temporaryScenario("nodes: [{name: n, cpu: 1, memory: 1Gi, colour: blue}]\n")
        defer {
            try? FileManager.default.removeItem(atPath: good)
            try? FileManager.default.removeItem(atPath: bad)
        }
        let r = run(["validate", good, bad])
        #expect(r.status == 2)
        #expect(r.out == "\(good): ok\n")
        #expect(r.err.hasPrefix("\(bad):1:40: nodes[0].colour: unknown field \"colour\""))
    }
}

@Suite struct CapacityCommandTests {
    private func run(_ args: [String]) -> (status: Int32, out: String, err: String) {
        var out = "", err = ""
        let status = CLI.main(args, out: &out, err: &err)
        return (status, out, err)
    }

    private func scenario(_ name: String) -> String { packageRoot.appendingPathComponent("scenarios/\(name)").path }

    @Test func aNodeWhoseVMsAllFitElsewhereCanBeEmptied() {
        let r = run(["capacity", scenario("livemigrate-rwx.yaml"), "--nodes", "worker-0"])
        #expect(r.status == 0)
        #expect(r.out.hasPrefix("Can worker-0 be emptied? Yes"))
        #expect(r.out.contains("web-0 on worker-0: live migration to worker-1"))
    }

    /// Rack r1 (3 × 6 VMs of 36 Gi) cannot go to rack r2, which has room for one more VM per node:
    /// 15 stranded, each requesting 36 Gi + 384 Mi overhead (36/512 Gi + 240 + 4 × 8 + 8 + 32 Mi)
    /// = 36.375 Gi and 400m: 545.6 Gi and 6000m missing, three more 256 Gi nodes.
    @Test func aRackThatCannotBeEmptiedSaysWhoIsStrandedAndWhatIsMissing() {
        let r = run(["capacity", scenario("rack-power-loss.yaml"), "--nodes", "r1-worker-0,r1-worker-1,r1-worker-2", "--json"])
        #expect(r.status == 1)
        #expect(r.out.contains("\"evacuable\": false"))
        #expect(r.out.contains("\"missingCPUMillis\": 6000"))
        #expect(r.out.contains("\"missingMemoryBytes\": \(Int64(15) * (36 * 1024 + 384) * 1024 * 1024)"))
        #expect(r.out.contains("\"nodesNeeded\": 3"))
    }

    /// Strandings whose cause is not room — anti-affinity, a ReadWriteOnce disk under LiveMigrate — are
    /// named and suggest no nodes: more nodes would not move them.
    @Test func strandingByAntiAffinityOrANonMigratableDiskIsNamedAndSuggestsNoNodes() {
        let a = run(["capacity", scenario("anti-affinity-stranding.yaml"), "--nodes", "worker-0"])
        #expect(
            a.out.mentions(
                "db-0 on worker-0: live migration — STRANDED: no node fits (0/3 nodes available: 2 excluded by anti-affinity with db-1"))
        let b = run(["capacity", scenario("livemigrate-rwo.yaml"), "--nodes", "worker-0"])
        #expect(
            b.out.mentions(
                "db-1 on worker-0: blocks the drain — STRANDED: LiveMigrate and DisksNotLiveMigratable: PVC db-1 is ReadWriteOnce"))
        for r in [a, b] {
            #expect(r.status == 1)
            #expect(
                r.out.mentions(
                    "1 VM(s) stranded for other reasons (not live-migratable, External, constraints no node meets): more nodes would not move them\n"
                ))
            #expect(!r.out.contains("Missing"))
        }
        let json = run(["capacity", scenario("livemigrate-rwo.yaml"), "--nodes", "worker-0", "--json"])
        #expect(
            json.out.contains("\"nodesNeeded\": 0") && json.out.contains("\"cause\": \"other\"")
                && json.out.contains("\"missingCPUMillis\": 0"))
    }

    /// A VM held to its node by a nodeSelector on kubernetes.io/hostname is stranded by its constraint
    /// (the other nodes do not match, its own is cordoned), not by room.
    @Test func aVMSelectingItsNodeByHostnameSuggestsNoNodes() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("drainsim-capacity-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/pinned.yaml"
        try """
        nodes: [{name: "worker-{i}", count: 3, cpu: "32", memory: 128Gi}]
        vms: [{name: license, cpu: 2, memory: 4Gi, runStrategy: Always, evictionStrategy: None, nodeSelector: {kubernetes.io/hostname: worker-0}}]
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let r = run(["capacity", file, "--nodes", "worker-0"])
        #expect(r.status == 1)
        #expect(
            r.out.mentions(
                "license on worker-0: shut down and restarted — STRANDED: no node fits (0/3 nodes available: 1 cordoned, 2 not matching nodeSelector"
            ))
        #expect(r.out.contains("1 VM(s) stranded for other reasons") && !r.out.contains("Missing"))
    }

    /// `-l` picks the nodes by label like kubectl: rack r1's three workers, the same answer as naming
    /// them, with the missing CPU in cores (15 × 400m = 6 cores).
    @Test func aLabelSelectorPicksTheNodesAndCPUIsInCores() {
        let r = run(["capacity", scenario("rack-power-loss.yaml"), "-l", "topology.kubernetes.io/rack=r1"])
        #expect(r.status == 1)
        #expect(r.out.hasPrefix("Can r1-worker-0, r1-worker-1, r1-worker-2 be emptied? No: 15 of 18 VM(s) stranded."))
        #expect(
            r.out.mentions(
                "Missing for the 15 VM(s) stranded for lack of room: 6 CPU cores and 545.6Gi memory of requests (at least 3 more node(s) like the largest drained one)"
            ))
        #expect(
            run(["capacity", scenario("rack-power-loss.yaml"), "-l", "topology.kubernetes.io/rack!=r1,!gpu"]).out.hasPrefix(
                "Can r2-worker-0, r2-worker-1, r2-worker-2 be emptied?"))
        let bad = run(["capacity", scenario("rack-power-loss.yaml"), "-l", "=r1"])
        #expect(bad.status == 2 && bad.err.contains("-l =r1: \"=r1\" has no valid label key"))
        let none = run(["capacity", scenario("rack-power-loss.yaml"), "-l", "rack=r9"])
        #expect(none.status == 2 && none.err.contains("no node in"))
    }

    /// N+1 on rack-power-loss: six 256 Gi workers with six 36.375 Gi VMs each have 37.75 Gi free, room
    /// for one more VM. Emptying any one node sends five VMs to the five others and strands the sixth:
    /// no worker can be emptied alone; each lacks 400m (0.4 cores) and 36.4 Gi, one more node.
    @Test func eachModeAnswersTheNPlusOneQuestion() {
        let r = run(["capacity", scenario("rack-power-loss.yaml"), "--each"])
        #expect(r.status == 1)
        #expect(r.out.hasPrefix("Can each node be emptied on its own (N+1)? 0 of 6 can; 6 cannot:\n"))
        #expect(
            r.out.components(separatedBy: "Missing for the 1 VM(s) stranded for lack of room: 0.4 CPU cores and 36.4Gi memory").count == 7)
        let ok = run(["capacity", scenario("livemigrate-rwx.yaml"), "--each"])
        #expect(ok.status == 0 && ok.out == "Can each node be emptied on its own (N+1)? Yes: all 3.\n")
    }

    @Test func anUnknownNodeIsBadInput() {
        let r = run(["capacity", scenario("livemigrate-rwx.yaml"), "--nodes", "worker-9"])
        #expect(r.status == 2)
        #expect(r.err.contains("no node named \"worker-9\""))
    }
}

/// `drainsim generate` (issue 13): the synthetic cluster the Speed section measures.
@Suite struct GenerateCommandTests {
    /// 4 workers × 5 VMs: 5 % of 20 is 1 RWO VM and 1 evictionStrategy None VM, 18 on RWX. The scenario
    /// loads, and its rolling maintenance of the 4 workers, one at a time, finishes with no drain
    /// blocked: the RWO VM restarts elsewhere, the None VM (RerunOnFailure, clean shutdown) stays down.
    @Test func writesAClusterOfTheAskedSizeThatRunsToTheEnd() throws {
        var out = "", err = ""
        #expect(CLI.main(["generate", "--nodes", "4", "--vms-per-node", "5"], out: &out, err: &err) == 0)
        #expect(out.contains(#"{name: "app-{i}", count: 18,"#) && out.contains(#"{name: "db-{i}", count: 1,"#))
        let r = try simulate(out)
        #expect(r.state.nodes.count == 7 && r.state.vms.count == 20)
        #expect(r.blockedDrains.isEmpty && r.state.drains.count == 4)
        #expect(RunMetrics(r)[.vmsDownAtEnd] == 1)
        err = ""
        #expect(CLI.main(["generate", "--nodes", "0"], out: &out, err: &err) == 2)
        #expect(err.hasPrefix("drainsim generate: --nodes needs an integer in 1...50000"))
    }
}
