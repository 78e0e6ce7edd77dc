import ClusterModel
import Reporting
import Scenarios
import Simulation
import SimKernel
import Testing

/// Seeded random scenarios — nodes, PVCs of every access mode, VMs of every run and eviction strategy,
/// timelines mixing maintenance, virtctl, faults, force-deletes and remediations — run with every
/// invariant checked after every event. A failure names the seed; `RandomScenario(seed:).yaml` gives
/// the scenario to replay with `drainsim run FILE --check-invariants`.
@Suite struct PropertyTests {
    /// 500 scenarios in ten chunks of 50 (chunks run in parallel).
    static let chunkSize: UInt64 = 50

    @Test(arguments: 0..<UInt64(10))
    func randomScenariosKeepEveryInvariant(_ chunk: UInt64) throws {
        var loaded = 0
        for seed in chunk * PropertyTests.chunkSize..<(chunk + 1) * PropertyTests.chunkSize {
            let yaml = RandomScenario(seed: seed).yaml
            guard let scenario = try? Simulation.load(text: yaml, file: "random-\(seed).yaml") else { continue }
            loaded += 1
            var sim = Simulation(scenario: scenario, options: SimulationOptions(checkInvariants: true, trace: false))
            let record = sim.run()
            #expect(record.endTime <= scenario.stopAt ?? record.endTime, "seed \(seed)")
            guard sim.invariantViolations.isEmpty else {
                Issue.record("seed \(seed): \(sim.invariantViolations.prefix(3))\n\(yaml)")
                return
            }
            if let problem = PropertyTests.timelineDisagrees(record) {
                Issue.record("seed \(seed): timeseries: \(problem)\n\(yaml)")
                return
            }
        }
        // Most generated clusters are valid; the rest are refused at load with a message (tested elsewhere).
        #expect(loaded >= Int(PropertyTests.chunkSize) * 8 / 10, "only \(loaded) random scenarios of chunk \(chunk) loaded")
    }

    /// The timeline's counts never go negative, and at the end they are what the report says: the VMs
    /// down at the end, the migrations still waiting or running, the nodes still cordoned or down.
    static func timelineDisagrees(_ r: RunRecord) -> String? {
        let t = RunTimeline(r)
        for x in t.samples {
            let counts = [x.nodesUnavailable, x.vmsDown, x.migrationsPending, x.migrationsScheduling, x.migrationsRunning]
            if counts.contains(where: { $0 < 0 }) { return "a count below zero at \(x.time): \(counts)" }
            if x.nodesUnavailable > r.state.nodes.count || x.vmsDown > r.state.vms.count {
                return "more than there are at \(x.time): \(counts)"
            }
        }
        guard let last = t.samples.last else { return "no samples" }
        if last.vmsDown != r.vmsDownAtEnd.count { return "VMs down at the end \(last.vmsDown), report \(r.vmsDownAtEnd.count)" }
        let unfinished = r.state.migrations.filter { !$0.phase.isFinal }.count
        if last.migrationsPending + last.migrationsScheduling + last.migrationsRunning != unfinished {
            return "migrations in flight at the end \(last), unfinished \(unfinished)"
        }
        let openNodes = Set(t.nodeSpans.filter { $0.open && $0.condition.unavailable }.map(\.node)).count
        if last.nodesUnavailable != openNodes { return "nodes unavailable at the end \(last.nodesUnavailable), open spans \(openNodes)" }
        return nil
    }
}

/// A random scenario as YAML text, so it goes through the same reader and checks as a user's file.
struct RandomScenario {
    var random: SplitMix64
    var lines: [String] = []

    init(seed: UInt64) { random = SplitMix64(seed: seed, stream: "property-test") }

    mutating func pick<T>(_ options: [T]) -> T { options[Int(random.next(upToInclusive: UInt64(options.count - 1)))] }
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(random.next(upToInclusive: UInt64(range.upperBound - range.lowerBound)))
    }
    mutating func chance(_ percent: Int) -> Bool { int(1...100) <= percent }

    var yaml: String {
        var g = self
        return g.build()
    }

    mutating func build() -> String {
        let workers = int(1...5)
        let controlPlane = chance(20)
        lines.append("stopAt: \(pick(["90m", "3h"]))")
        lines.append("cluster:")
        if chance(70) { lines.append("  evictionStrategy: \(pick(["LiveMigrate", "LiveMigrateIfPossible", "None", "External"]))") }
        lines.append(
            "  liveMigration: {parallelMigrationsPerCluster: \(int(1...5)), parallelOutboundMigrationsPerNode: \(int(1...3)), network: mig}"
        )
        let remediation = pick(["none", "SelfNodeRemediation", "FenceAgentsRemediation", "MachineHealthCheck"])
        lines.append("  remediation: {type: \(remediation), strategy: \(pick(["ResourceDeletion", "OutOfServiceTaint"]))}")
        lines.append("nodes:")
        for n in 0..<workers {
            lines.append(
                "  - {name: w\(n), cpu: \"\(pick([16, 32, 64]))\", memory: \(pick(["64Gi", "128Gi", "256Gi"])), labels: {rack: r\(n % 2)}}")
        }
        if controlPlane { lines.append("  - {name: cp, role: control-plane, cpu: \"8\", memory: 32Gi}") }
        let vms = int(2...10)
        lines.append("persistentVolumeClaims:")
        for v in 0..<vms {
            let mode = pick(["ReadWriteOnce", "ReadWriteMany", "ReadWriteMany", "ReadOnlyMany", "ReadWriteOncePod"])
            lines.append("  - {name: d\(v), size: 20Gi, accessModes: [\(mode)]}")
        }
        lines.append("  - {name: shared, size: 20Gi, accessModes: [\(pick(["ReadWriteOnce", "ReadWriteMany"]))]}")
        lines.append("vms:")
        var names: [String] = []
        for v in 0..<vms {
            let name = "vm\(v)"
            names.append(name)
            var fields = ["name: \(name)", "cpu: \(int(1...8))", "memory: \(pick(["1Gi", "4Gi", "8Gi", "16Gi"]))"]
            fields.append("runStrategy: \(pick(["Always", "Always", "RerunOnFailure", "Manual", "Halted", "Once"]))")
            if chance(50) { fields.append("evictionStrategy: \(pick(["LiveMigrate", "LiveMigrateIfPossible", "None", "External"]))") }
            if chance(60) { fields.append("dirtyRate: \(pick(["10MiB/s", "200MiB/s", "2GiB/s"]))") }
            var volumes = ["{persistentVolumeClaim: {claimName: d\(v)}}"]
            if chance(20) { volumes.append("{persistentVolumeClaim: {claimName: shared}}") }
            if chance(20) { volumes.append("{containerDisk: {image: x, size: 2Gi}}") }
            fields.append("volumes: [\(volumes.joined(separator: ", "))]")
            if chance(30) && !volumes.contains(where: { $0.contains("shared") }) { fields.append("node: w\(int(0...workers - 1))") }
            lines.append("  - {\(fields.joined(separator: ", "))}")
        }
        // Workload pods with budgets share the nodes: replacements, 429s and failures keep every invariant.
        lines.append("workloads:")
        lines.append("  - {name: web, replicas: \(int(1...4)), cpu: 500m, memory: 1Gi, labels: {app: web}, startupTime: \(int(5...60))s}")
        lines.append("  - {name: db, kind: StatefulSet, replicas: \(int(1...3)), cpu: \"1\", memory: 2Gi, labels: {app: db}}")
        lines.append("  - {name: agent, kind: DaemonSet, cpu: 100m, memory: 128Mi, labels: {app: agent}}")
        lines.append("podDisruptionBudgets:")
        lines.append(
            "  - {name: web, selector: {matchLabels: {app: web}}, maxUnavailable: \(pick(["1", "50%", "0"])), recoveryTime: \(int(0...5))m}"
        )
        lines.append("  - {name: db, selector: {matchLabels: {app: db}}, minAvailable: \(int(0...3))}")
        lines.append("timeline:")
        let nodes = (0..<workers).map { "w\($0)" }
        for _ in 0..<int(2...10) {
            let at = "\(int(0...80))m"
            let node = pick(nodes), vm = pick(names)
            let action: String
            switch int(0...18) {
            case 0, 1: action = "nodeMaintenance: {node: \(node)}"
            case 2: action = "deleteNodeMaintenance: \(node)"
            case 3: action = "cordon: \(node)"
            case 4: action = "uncordon: \(node)"
            case 5: action = "drain: \(chance(50) ? node : "{node: \(node), timeout: 10m}")"
            case 6: action = "\(pick(["start", "stop", "restart", "migrate"])): \(vm)"
            case 7: action = "\(pick(["guestShutdown", "guestCrash"])): \(vm)"
            case 8, 9: action = "kernelPanic: " + (chance(50) ? node : "{node: \(node), rebootAfter: \(int(1...30))m}")
            case 10: action = "nicFault: {node: \(node), network: \(pick(["primary", "migration", "storage"])), duration: \(int(1...40))m}"
            case 11: action = "powerLoss: {matchLabels: {rack: r\(int(0...1))}, restoreAfter: \(int(5...60))m}"
            case 12, 13: action = "repair: \(node)"
            case 14: action = "forceDeletePods: \(node)"
            case 15: action = "outOfServiceTaint: \(node)"
            case 16: action = "rollingMaintenance: {maxUnavailable: \(int(1...2)), maintenanceDuration: \(int(1...20))m}"
            case 17: action = "workloadUpdate: {methods: [\(pick(["LiveMigrate", "Evict", "LiveMigrate, Evict"]))]}"
            default: action = "powerLoss: \(node)"
            }
            lines.append("  - {at: \(at), \(action)}")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
