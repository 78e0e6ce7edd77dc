import ClusterModel
import SimKernel

/// virt-controller's evacuation controller (`pkg/virt-controller/watch/drain/evacuation/evacuation.go`):
/// which VMIs marked by the eviction webhook get a migration, and when (R5, §4.3). It differs by release:
/// - KubeVirt ≤ 1.8 (hco-1.10…1.18; MigrationPriorityQueue off): migrations are created only into free
///   slots — min(parallelMigrationsPerCluster − running, parallelOutboundMigrationsPerNode − running from
///   this node) — and the node is looked at again 5 s later while marked VMIs wait (`AddAfter(node, 5s)`).
/// - KubeVirt 1.9 (hco-1.19; the gate is GA): one migration per marked VMI at once, ordered by priority.
public enum EvacuationController {
    /// How often a node with marked VMIs left is looked at again (KubeVirt ≤ 1.8).
    public static let recheck = SimDuration.seconds(5)

    /// Marked VMIs on the node that need a migration: Running, not shutting down, none in flight,
    /// not External (left to someone else), in VM order.
    public static func candidates(on node: NodeID, in state: borrowing ClusterState) -> [VMID] {
        state.launchers[node.i].filter { vm in
            guard let vmi = state.vmStatus[vm.i].vmi else { return false }
            return vmi.evacuationNodeName == node && vmi.node == node && vmi.phase == .Running && !vmi.terminating
                && vmi.migration == nil && state.evictionStrategy(of: vm) != .External
        }.sorted()
    }

    /// KubeVirt ≤ 1.8: how many migrations the controller may create for this node now (running =
    /// Scheduling…Running; a Pending migration takes no slot).
    public static func freeSpots(on node: NodeID, in state: borrowing ClusterState) -> Int {
        let limits = state.config.liveMigration
        return max(
            0,
            min(
                limits.parallelMigrationsPerCluster - state.migrationsInFlight,
                limits.parallelOutboundMigrationsPerNode - state.outboundInFlight[node.i]))
    }
}
