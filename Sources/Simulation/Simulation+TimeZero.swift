import ClusterModel
import Controllers
import Scenarios

extension Simulation {
    /// Loads a scenario and checks what only the scheduler can tell: a scenario describes a cluster
    /// that exists, so every VM that is not Halted has a node at time zero. A VM that fits nowhere is
    /// an error naming each such VM and the scheduler's reason (bad input, never a hidden "Pending").
    public static func load(text: String, file: String, overrides: [SettingOverride] = []) throws(ScenarioError) -> Scenario {
        var scenario = try ScenarioLoader.load(text: text, file: file, overrides: overrides)
        var sim = Simulation(scenario: scenario, options: SimulationOptions(trace: false))
        sim.placeInitialVMs()
        if let p = sim.state.pendingPods.first {
            let pod = sim.state.pods[p.i]
            throw scenario.workloadLocations[pod.workload.i].error(
                "\(sim.state.pendingPods.count) workload pod(s) fit on no node at time zero, so this cluster cannot exist as"
                    + " described: \(pod.name): \(Scheduler.reason(pod: p, in: sim.state))")
        }
        let stranded = sim.state.unscheduledVMIs
        guard let first = stranded.first else {
            scenario.timeZeroPlacement = TimeZeroPlacement(
                vmNodes: sim.state.vmStatus.map { $0.vmi?.node }, podNodes: sim.state.pods.map(\.node))
            return scenario
        }
        var lines = stranded.prefix(5).map { vm in
            "\(sim.vmName(vm)): \(Scheduler.reason(vm, avoiding: -1, in: sim.state))"
        }
        if stranded.count > 5 { lines.append("and \(stranded.count - 5) more") }
        let location = scenario.location(of: first) ?? ScenarioLocation(file: file, line: 1, column: 1, field: "vms")
        throw location.error(
            "\(stranded.count) VM(s) fit on no node at time zero, so this cluster cannot exist as described"
                + " (add or enlarge nodes, or make VMs Halted): " + lines.joined(separator: "; "))
    }
}
