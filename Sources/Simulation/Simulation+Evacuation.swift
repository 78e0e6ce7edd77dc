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
        let queue = state.config.profile.migrationPriorityQueue
        let free = queue ? Int.max : state.evacuationFreeSpots(on: node)
        // No slot: only whether any VMI still waits matters (the look is repeated every 5 s).
        let candidates = free > 0 ? state.evacuationCandidates(on: node) : []
        for vm in candidates.prefix(free) { createMigration(vm, trigger: .evacuation(node)) }
        let waiting = free > 0 ? candidates.count > free : state.hasEvacuationCandidate(on: node)
        if waiting && !evacuationSyncScheduled[node.i] {
            evacuationSyncScheduled[node.i] = true
            schedule(after: EvacuationController.recheck, .evacuationSync(node))
        }
    }
}
