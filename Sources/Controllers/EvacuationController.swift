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
}

/// The evacuation controller's reads of the cluster, as methods: called on the stored state they
/// borrow it in place (a static function taking the state would copy the struct on every 5 s look).
extension ClusterState {
    /// Marked VMIs on the node that need a migration: Running, not shutting down, none in flight,
    /// not External (left to someone else), in VM order.
    public func evacuationCandidates(on node: NodeID) -> [VMID] {
        launchers[node.i].filter { isEvacuationCandidate($0, on: node) }.sorted()
    }

    public func hasEvacuationCandidate(on node: NodeID) -> Bool {
        launchers[node.i].contains { isEvacuationCandidate($0, on: node) }
    }

    func isEvacuationCandidate(_ vm: VMID, on node: NodeID) -> Bool {
        guard let vmi = vmStatus[vm.i].vmi else { return false }
        return vmi.evacuationNodeName == node && vmi.node == node && vmi.phase == .Running && !vmi.terminating
            && vmi.migration == nil && evictionStrategy(of: vm) != .External
    }

    /// KubeVirt ≤ 1.8: how many migrations the controller may create for this node now (running =
    /// Scheduling…Running; a Pending migration takes no slot).
    public func evacuationFreeSpots(on node: NodeID) -> Int {
        let limits = config.liveMigration
        return max(
            0,
            min(
                limits.parallelMigrationsPerCluster - migrationsInFlight,
                limits.parallelOutboundMigrationsPerNode - outboundInFlight[node.i]))
    }
}
