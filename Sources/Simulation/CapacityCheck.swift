import ClusterModel
import Controllers
import Reporting
import Scenarios
import SimKernel

/// Answers "can these nodes be emptied?" on the scenario's cluster as it stands at time zero: the
/// nodes are cordoned and each of their VMs, in declaration order, is placed by the scheduler on the
/// rest of the cluster (with its constraints, and the capacity taken by the VMs placed before it).
/// A VM that would block the drain (LiveMigrate but not live-migratable, External) or finds no node
/// is stranded, with the reason.
public struct CapacityCheck {
    public struct Outcome: Equatable, Sendable {
        public var vm: String
        public var from: String
        /// The node it would land on, nil when stranded.
        public var to: String?
        /// How it leaves: live migration, or shut down and restarted elsewhere.
        public var how: String
        public var reason: String?
    }

    public var nodes: [String]
    public var outcomes: [Outcome] = []
    public var missingCPUMillis: Int64 = 0
    public var missingMemoryBytes: Int64 = 0
    /// Nodes like the largest drained one that would cover what is missing.
    public var nodesNeeded = 0

    public var stranded: [Outcome] { outcomes.filter { $0.to == nil } }

    public init(scenario: Scenario, draining: [NodeID]) {
        var sim = Simulation(scenario: scenario, options: SimulationOptions(trace: false))
        sim.placeInitialVMs()
        var state = sim.state
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
                switch EvictionWebhook.evict(vm, podNode: n, in: state) {
                case .denied(.notLiveMigratable, _):
                    outcome.how = "blocks the drain"
                    outcome.reason = Denial.notLiveMigratable.message(for: vm, in: state)
                case .denied(.evacuationTriggered(.External), _), .denied(.evacuationInProgress(.External), _):
                    outcome.how = "blocks the drain"
                    outcome.reason = "External: left to an external controller"
                case .allowed:
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
                    switch Scheduler.place(vm, avoiding: n, in: state) {
                    case .node(let target):
                        outcome.to = state.nodes[target.i].name
                        state.bindLauncher(vm, to: target)  // the capacity it takes there
                    case .unschedulable(let why):
                        outcome.reason = why
                    }
                }
                if outcome.to == nil {
                    missingCPUMillis += spec.launcherCPURequestMillis
                    missingMemoryBytes += spec.launcherMemoryRequestBytes
                }
                outcomes.append(outcome)
            }
        }
        if !stranded.isEmpty {
            let byCPU = (missingCPUMillis + largestCPU - 1) / largestCPU
            let byMemory = (missingMemoryBytes + largestMemory - 1) / largestMemory
            nodesNeeded = Int(max(byCPU, byMemory))
        }
    }

    public func text() -> String {
        var out = "Can \(nodes.joined(separator: ", ")) be emptied? "
        out += stranded.isEmpty ? "Yes: every VM has somewhere to go.\n" : "No: \(stranded.count) of \(outcomes.count) VM(s) stranded.\n"
        for o in outcomes {
            out += "  \(o.vm) on \(o.from): \(o.how)"
            if let to = o.to, to != "-" { out += " to \(to)" }
            if let r = o.reason { out += " — STRANDED: \(r)" }
            out += "\n"
        }
        if !stranded.isEmpty {
            out += "Missing: \(missingCPUMillis)m CPU and \(ByteFormat.describe(missingMemoryBytes)) memory of requests"
            out += " (at least \(nodesNeeded) more node(s) like the largest drained one, unless the strandings are not about capacity)\n"
        }
        return out
    }

    public func json() -> String {
        JSONValue.object([
            ("nodes", .array(nodes.map(JSONValue.string))),
            ("evacuable", .bool(stranded.isEmpty)),
            (
                "vms",
                .array(
                    outcomes.map {
                        .object([
                            ("vm", .string($0.vm)), ("from", .string($0.from)), ("to", .optional($0.to)), ("how", .string($0.how)),
                            ("reason", .optional($0.reason)),
                        ])
                    })
            ),
            ("missingCPUMillis", .int(missingCPUMillis)),
            ("missingMemoryBytes", .int(missingMemoryBytes)),
            ("nodesNeeded", .int(nodesNeeded)),
        ]).render()
    }
}
