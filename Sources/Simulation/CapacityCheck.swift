import ClusterModel
import Controllers
import Reporting
import Scenarios
import SimKernel

/// Answers "can these nodes be emptied?" on the scenario's cluster as it stands at time zero: the
/// nodes are cordoned and each of their VMs, in declaration order, is placed by the scheduler on the
/// rest of the cluster (with its constraints, and the capacity taken by the VMs placed before it).
/// A VM that would block the drain (LiveMigrate but not live-migratable, External) or finds no node
/// is stranded, with the reason. Only a stranding for lack of room counts toward the capacity
/// missing and the nodes suggested: more nodes do not move a VM that cannot migrate or whose
/// constraints no node meets.
public struct CapacityCheck {
    public struct Outcome: Equatable, Sendable {
        public var vm: String
        public var from: String
        /// The node it would land on, nil when stranded.
        public var to: String?
        /// How it leaves: live migration, or shut down and restarted elsewhere.
        public var how: String
        public var reason: String?
        /// Stranded because the nodes that would take it lack room (more capacity would help).
        public var forCapacity = false
        /// A workload pod rather than a VM.
        public var isPod = false
    }

    public var nodes: [String]
    public var outcomes: [Outcome] = []
    public var missingCPUMillis: Int64 = 0
    public var missingMemoryBytes: Int64 = 0
    /// Nodes like the largest drained one that would cover the capacity missing.
    public var nodesNeeded = 0

    public var stranded: [Outcome] { outcomes.filter { $0.to == nil } }

    /// The cluster at time zero, every VM placed: the state each check starts from.
    public static func clusterAtTimeZero(_ scenario: Scenario) -> ClusterState {
        var sim = Simulation(scenario: scenario, options: SimulationOptions(trace: false))
        sim.placeInitialVMs()
        return sim.state
    }

    public init(scenario: Scenario, draining: [NodeID]) {
        self.init(cluster: CapacityCheck.clusterAtTimeZero(scenario), draining: draining)
    }

    public init(cluster: ClusterState, draining: [NodeID]) {
        var state = cluster
        nodes = draining.map { state.nodes[$0.i].name }
        for n in draining { state.setUnschedulable(n, true) }
        var largestCPU: Int64 = 1, largestMemory: Int64 = 1
        for n in draining {
            largestCPU = max(largestCPU, state.nodes[n.i].cpuMillis)
            largestMemory = max(largestMemory, state.nodes[n.i].memoryBytes)
        }
        for n in draining {
            for vm in state.launchers[n.i] {
                let spec = state.vms[vm.i]
                var outcome = Outcome(vm: spec.name, from: state.nodes[n.i].name, to: nil, how: "live migration", reason: nil)
                // A migration target avoids its source; a restarted VM only meets its cordoned node.
                var source: NodeID? = n
                switch EvictionWebhook.evict(vm, podNode: n, in: state) {
                case .denied(.notLiveMigratable, _):
                    outcome.how = "blocks the drain"
                    outcome.reason = Denial.notLiveMigratable.message(for: vm, in: state)
                case .denied(.evacuationTriggered(.External), _), .denied(.evacuationInProgress(.External), _):
                    outcome.how = "blocks the drain"
                    outcome.reason = "External: left to an external controller"
                case .allowed:
                    source = nil
                    outcome.how = "shut down and restarted"
                    // Without a restart there is nothing to place.
                    if spec.runStrategy != .Always && spec.runStrategy != .RerunOnFailure {
                        outcome.how = "shut down (\(spec.runStrategy.rawValue): not restarted)"
                        outcome.to = "-"
                    }
                case .denied:
                    break
                }
                if outcome.reason == nil && outcome.to == nil {
                    switch Scheduler.place(vm, avoiding: source, in: state) {
                    case .node(let target):
                        outcome.to = state.nodes[target.i].name
                        state.bindLauncher(vm, to: target)  // the capacity it takes there
                    case .unschedulable(let why):
                        outcome.reason = why
                        outcome.forCapacity = Scheduler.rejections(vm, avoiding: source?.i ?? -1, in: state).lacksCapacity
                    }
                }
                if outcome.forCapacity {
                    missingCPUMillis += spec.launcherCPURequestMillis
                    missingMemoryBytes += spec.launcherMemoryRequestBytes
                }
                outcomes.append(outcome)
            }
        }
        checkWorkloadPods(draining, &state)
        if missingCPUMillis > 0 || missingMemoryBytes > 0 {
            let byCPU = (missingCPUMillis + largestCPU - 1) / largestCPU
            let byMemory = (missingMemoryBytes + largestMemory - 1) / largestMemory
            nodesNeeded = Int(max(byCPU, byMemory))
        }
    }

    /// The drained nodes' workload pods (DaemonSets' stay). Each leaves by eviction when its budget
    /// allows one more disruption, and its replacement is placed on the rest of the cluster. A
    /// replacement that finds no node never becomes healthy, so it uses up one of its budget's
    /// disruptions for good; a pod whose budget has none left blocks the drain.
    mutating func checkWorkloadPods(_ draining: [NodeID], _ state: inout ClusterState) {
        var disruptionsLeft = state.budgets.indices.map { state.budgetStatus($0, now: .zero).disruptionsAllowed }
        var strandedUnder = Array(repeating: [String](), count: state.budgets.count)
        for n in draining {
            for p in state.evictablePods(on: n) {
                let pod = state.pods[p.i], w = state.workloads[pod.workload.i]
                var outcome = Outcome(vm: "pod \(pod.name)", from: state.nodes[n.i].name, to: nil, how: "evicted and replaced", reason: nil)
                outcome.isPod = true
                let budgets = state.budgetsOfWorkload[pod.workload.i]
                if budgets.count > 1 {
                    outcome.how = "blocks the drain"
                    outcome.reason = "more than one PodDisruptionBudget selects it; the Eviction API refuses it (500)"
                } else if let b = budgets.first, disruptionsLeft[b] <= 0 {
                    let budget = state.budgets[b]
                    outcome.how = "blocks the drain"
                    outcome.reason =
                        "PodDisruptionBudget \(budget.name) (\(budget.describeSpec)) allows no more disruptions"
                        + (strandedUnder[b].isEmpty
                            ? ": it wants every pod it selects healthy"
                            : ": the replacements of \(strandedUnder[b].joined(separator: ", ")) find no node")
                } else {
                    // The replacement is a new pod with the same template (a StatefulSet's only once the old one is gone).
                    let replacement = state.createPod(of: pod.workload, name: pod.name, at: .zero)
                    switch Scheduler.place(pod: replacement, in: state) {
                    case .node(let target):
                        outcome.to = state.nodes[target.i].name
                        state.bindPod(replacement, to: target)
                    case .unschedulable(let why):
                        outcome.reason = "its replacement stays Pending: \(why)"
                        outcome.forCapacity = Scheduler.rejections(pod: replacement, in: state).lacksCapacity
                        if let b = budgets.first {
                            disruptionsLeft[b] -= 1
                            strandedUnder[b].append(pod.name)
                        }
                    }
                }
                if outcome.forCapacity {
                    missingCPUMillis += w.cpuRequestMillis
                    missingMemoryBytes += w.memoryRequestBytes
                }
                outcomes.append(outcome)
            }
        }
    }

    /// What the outcomes are of: VMs, or VMs and workload pods.
    var strandedNoun: String { outcomes.contains(where: \.isPod) ? "VM(s) and pod(s)" : "VM(s)" }

    public func text() -> String {
        var out = "Can \(nodes.joined(separator: ", ")) be emptied? "
        out +=
            stranded.isEmpty
            ? "Yes: every VM has somewhere to go.\n" : "No: \(stranded.count) of \(outcomes.count) \(strandedNoun) stranded.\n"
        for o in outcomes {
            var line = "\(o.vm) on \(o.from): \(o.how)"
            if let to = o.to, to != "-" { line += " to \(to)" }
            if let r = o.reason { line += " — STRANDED: \(r)" }
            out += TextLayout.wrap(line, indent: 2, hanging: 6)
        }
        return out + missingLines().map { TextLayout.wrap($0, indent: 0, hanging: 2) }.joined()
    }

    /// What would make the nodes evacuable: capacity for the VMs stranded by room, nothing for the rest.
    func missingLines() -> [String] {
        var lines: [String] = []
        let byCapacity = stranded.filter(\.forCapacity).count
        if byCapacity > 0 {
            lines.append(
                "Missing for the \(byCapacity) \(strandedNoun) stranded for lack of room: \(ByteFormat.cores(missingCPUMillis)) CPU cores and "
                    + "\(ByteFormat.describe(missingMemoryBytes)) memory of requests (at least \(nodesNeeded) more node(s) like the largest drained one)"
            )
        }
        let other = stranded.count - byCapacity
        if other > 0 {
            lines.append(
                "\(other) \(strandedNoun) stranded for other reasons (not live-migratable, External, constraints no node meets"
                    + (outcomes.contains(where: \.isPod) ? ", budgets):" : "):") + " more nodes would not move them")
        }
        return lines
    }

    func jsonValue() -> JSONValue {
        .object([
            ("nodes", .array(nodes.map(JSONValue.string))),
            ("evacuable", .bool(stranded.isEmpty)),
            (
                "vms",
                .array(
                    outcomes.map {
                        .object([
                            ("vm", .string($0.vm)), ("from", .string($0.from)), ("to", .optional($0.to)), ("how", .string($0.how)),
                            ("reason", .optional($0.reason)),
                            ("cause", $0.to != nil ? .null : .string($0.forCapacity ? "capacity" : "other")),
                        ])
                    })
            ),
            ("strandedForCapacity", .int(stranded.filter(\.forCapacity).count)),
            ("strandedForOtherReasons", .int(stranded.filter { !$0.forCapacity }.count)),
            ("missingCPUMillis", .int(missingCPUMillis)),
            ("missingMemoryBytes", .int(missingMemoryBytes)),
            ("nodesNeeded", .int(nodesNeeded)),
        ])
    }

    public func json() -> String { jsonValue().render() }
}

/// The N+1 question: can each of these nodes be emptied on its own, the rest of the cluster as it
/// stands at time zero? Each node is checked alone from the same starting cluster.
public struct EachNodeCapacityCheck {
    public var checks: [CapacityCheck]

    public init(scenario: Scenario, candidates: [NodeID]) {
        let cluster = CapacityCheck.clusterAtTimeZero(scenario)
        checks = candidates.map { CapacityCheck(cluster: cluster, draining: [$0]) }
    }

    public var allEvacuable: Bool { checks.allSatisfy { $0.stranded.isEmpty } }

    public func text() -> String {
        let cannot = checks.filter { !$0.stranded.isEmpty }
        var out = "Can each node be emptied on its own (N+1)? "
        out +=
            cannot.isEmpty
            ? "Yes: all \(checks.count).\n" : "\(checks.count - cannot.count) of \(checks.count) can; \(cannot.count) cannot:\n"
        for c in cannot {
            var line = "\(c.nodes.joined()): \(c.stranded.count) of \(c.outcomes.count) VM(s) stranded: "
            line += c.stranded.prefix(3).map { "\($0.vm) (\($0.reason ?? ""))" }.joined(separator: "; ")
            if c.stranded.count > 3 { line += "; and \(c.stranded.count - 3) more" }
            out += TextLayout.wrap(line, indent: 2, hanging: 6)
            out += c.missingLines().map { TextLayout.wrap($0, indent: 6, hanging: 8) }.joined()
        }
        let can = checks.filter { $0.stranded.isEmpty }.map { $0.nodes.joined() }
        if !can.isEmpty && !cannot.isEmpty {
            out += TextLayout.wrap("Can be emptied: \(can.joined(separator: ", "))", indent: 0, hanging: 2)
        }
        return out
    }

    public func json() -> String {
        JSONValue.object([("mode", .string("each")), ("evacuable", .bool(allEvacuable)), ("checks", .array(checks.map { $0.jsonValue() }))])
            .render()
    }
}
