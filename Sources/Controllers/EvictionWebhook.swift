import ClusterModel

/// virt-api's `virt-launcher-eviction-interceptor` answer to an eviction of a launcher pod (R4, §2.2).
public enum EvictionResponse: Equatable, Sendable {
    /// The pod is deleted gracefully: the guest shuts down.
    case allowed
    /// 429; when `markEvacuation`, the VMI is marked with `evacuationNodeName` and will be migrated.
    case denied(reason: String, markEvacuation: Bool)
}

public enum EvictionWebhook {
    public static func evict(_ vm: VMID, podNode: NodeID, in state: ClusterState) -> EvictionResponse {
        guard let vmi = state.vmStatus[vm.i].vmi, !vmi.phase.isFinal else { return .allowed }
        let strategy = state.evictionStrategy(of: vm)
        let migratable = state.liveMigratable[vm.i]
        switch (strategy, migratable) {
        case (.None, _):
            return .allowed
        case (.LiveMigrateIfPossible, .notMigratable):
            return .allowed
        case (.LiveMigrate, .notMigratable(let reason, let message)):
            return .denied(reason: "LiveMigrate and \(reason): \(message)", markEvacuation: false)
        case (.External, _):
            if vmi.evacuationNodeName != nil {
                return .denied(reason: "External: evacuation in progress, waiting for the external controller", markEvacuation: false)
            }
            return .denied(reason: "External: evacuation left to an external controller", markEvacuation: true)
        case (.LiveMigrate, .migratable), (.LiveMigrateIfPossible, .migratable):
            if vmi.evacuationNodeName != nil {
                return .denied(reason: "\(strategy.rawValue): evacuation in progress", markEvacuation: false)
            }
            return .denied(reason: "\(strategy.rawValue): eviction triggered evacuation", markEvacuation: true)
        }
    }
}
