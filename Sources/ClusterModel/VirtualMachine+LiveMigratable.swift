/// The VMI `LiveMigratable` condition (reference §3.1): True with a method, or False with a reason.
public enum LiveMigratable: Equatable, Sendable, Codable {
    public enum Method: String, Sendable, Codable { case LiveMigration, BlockMigration }

    case migratable(Method)
    case notMigratable(reason: String, message: String)

    public var isMigratable: Bool {
        if case .migratable = self { return true }
        return false
    }
}

extension VirtualMachine {
    /// Computes the condition the way virt-handler does: network, then host devices, then disks;
    /// the first failure wins (KubeVirt `calculateLiveMigrationCondition`).
    public func liveMigratable(claims: [PersistentVolumeClaim]) -> LiveMigratable {
        if podNetworkBinding == .bridge {
            return .notMigratable(
                reason: "InterfaceNotLiveMigratable",
                message: "bridge binding on the pod network is not live-migratable")
        }
        if let device = hostDevices.first {
            return .notMigratable(
                reason: "HostDeviceNotLiveMigratable", message: "host device \(device) is not live-migratable")
        }
        var method = LiveMigratable.Method.LiveMigration
        for volume in volumes {
            switch volume.source {
            case .persistentVolumeClaim(let c), .dataVolume(let c):
                let claim = claims[c.i]
                if !claim.isShared {
                    let modes = claim.accessModes.map(\.rawValue).joined(separator: ",")
                    return .notMigratable(
                        reason: "DisksNotLiveMigratable",
                        message: "PVC \(claim.name) is " + (claim.node == nil ? modes : "a local volume (\(modes))"))
                }
            case .containerDisk, .emptyDisk, .cloudInit:
                method = .BlockMigration
            }
        }
        return .migratable(method)
    }

    /// Data written to node-local disks: their files in the launcher's ephemeral-disk directory.
    public var localDiskWrittenBytes: Int64 {
        var total: Int64 = 0
        for volume in volumes {
            switch volume.source {
            case .containerDisk(let written), .emptyDisk(let written): total += written
            default: break
            }
        }
        return total
    }

    /// KubeVirt's migration data size, which scales the completion timeout: the guest memory size plus
    /// the local disks' files (virt-launcher `getVMIMigrationDataSize`, manager.go).
    public var migrationDataBytes: Int64 { memoryBytes + localDiskWrittenBytes }

    /// What pre-copy's first round sends: the memory in use (QEMU `save_zero_page` sends untouched
    /// pages as headers only) plus the local disks' written data.
    public var firstRoundBytes: Int64 { memoryInUseBytes + localDiskWrittenBytes }
}
