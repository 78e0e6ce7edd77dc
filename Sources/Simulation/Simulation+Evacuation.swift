import ClusterModel
import Controllers
import SimKernel

/// The evacuation controller at work (rules in Controllers/EvacuationController.swift).
extension Simulation {
    /// VMIs marked for evacuation from the node get their migrations: all at once with the priority
    /// queue (1.9), else only into free slots, the node looked at again 5 s later while any wait (≤ 1.8).
    /// Nothing while the node is down: no virt-handler there to migrate from.
    mutating func evacuate(_ node: NodeID) {
        guard state.health[node.i].running else { return }
        let candidates = EvacuationController.candidates(on: node, in: state)
        guard !candidates.isEmpty else { return }
        let creatable = state.config.profile.migrationPriorityQueue ? candidates.count : EvacuationController.freeSpots(on: node, in: state)
        for vm in candidates.prefix(creatable) { createMigration(vm, trigger: .evacuation(node)) }
        if candidates.count > creatable && !evacuationSyncScheduled[node.i] {
            evacuationSyncScheduled[node.i] = true
            schedule(after: EvacuationController.recheck, .evacuationSync(node))
        }
    }
}
