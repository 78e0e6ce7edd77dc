import ClusterModel

/// virt-api's `virt-launcher-eviction-interceptor` answer to an eviction of a launcher pod (R4, §2.2).
public enum EvictionResponse: Equatable, Sendable {
    /// The pod is deleted gracefully: the guest shuts down.
    case allowed
    /// 429; when `markEvacuation`, the VMI is marked with `evacuationNodeName` and will be migrated.
    case denied(Denial, markEvacuation: Bool)
}

/// Why the webhook answered 429. Kept as a small value: drains ask every 5 s, the text is only
/// needed for the report.
public enum Denial: Equatable, Sendable {
    case notLiveMigratable
    case evacuationTriggered(EvictionStrategy)
    case evacuationInProgress(EvictionStrategy)

    public func message(for vm: VMID, in state: ClusterState) -> String {
        switch self {
        case .notLiveMigratable:
            if case .notMigratable(let reason, let message) = state.liveMigratable[vm.i] {
                return "LiveMigrate and \(reason): \(message)"
            }
            return "LiveMigrate and not live-migratable"
        case .evacuationTriggered(.External): return "External: evacuation left to an external controller"
        case .evacuationInProgress(.External): return "External: evacuation in progress, waiting for the external controller"
        case .evacuationTriggered(let s): return "\(s.rawValue): eviction triggered evacuation"
        case .evacuationInProgress(let s): return "\(s.rawValue): evacuation in progress"
        }
    }
}

public enum EvictionWebhook {
    public static func evict(_ vm: VMID, podNode: NodeID, in state: borrowing ClusterState) -> EvictionResponse {
        // Fields are read in place: copying the VMI (it holds strings) would cost on every drain pass.
        guard let phase = state.vmStatus[vm.i].vmi?.phase, !phase.isFinal else { return .allowed }
        let marked = state.vmStatus[vm.i].vmi?.evacuationNodeName != nil
        let strategy = state.evictionStrategy(of: vm)
        let migratable = state.liveMigratableVM[vm.i]
        switch strategy {
        case .None:
            return .allowed
        case .LiveMigrateIfPossible where !migratable:
            return .allowed
        case .LiveMigrate where !migratable:
            return .denied(.notLiveMigratable, markEvacuation: false)
        case .LiveMigrate, .LiveMigrateIfPossible, .External:
            if marked { return .denied(.evacuationInProgress(strategy), markEvacuation: false) }
            return .denied(.evacuationTriggered(strategy), markEvacuation: true)
        }
    }
}
