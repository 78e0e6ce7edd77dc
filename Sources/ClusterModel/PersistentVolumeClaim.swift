public enum AccessMode: String, Sendable, Codable, CaseIterable {
    case ReadWriteOnce, ReadWriteMany, ReadOnlyMany, ReadWriteOncePod
}

public enum VolumeMode: String, Sendable, Codable, CaseIterable {
    case Filesystem, Block
}

public struct PersistentVolumeClaim: Equatable, Sendable, Codable {
    public var name: String
    public var sizeBytes: Int64
    public var accessModes: [AccessMode]
    public var volumeMode: VolumeMode
    /// The node a node-local volume lives on (LVM Storage, the local-storage operator, the hostpath
    /// provisioner): its pods can run only there (the PV's node affinity).
    public var node: NodeID?

    public init(name: String, sizeBytes: Int64, accessModes: [AccessMode], volumeMode: VolumeMode, node: NodeID? = nil) {
        self.name = name
        self.sizeBytes = sizeBytes
        self.accessModes = accessModes
        self.volumeMode = volumeMode
        self.node = node
    }

    /// Live migration only checks for ReadWriteMany; volumeMode does not matter
    /// (KubeVirt `HasSharedAccessMode`, reference §3.2). A node-local volume is never shared.
    public var isShared: Bool { accessModes.contains(.ReadWriteMany) && node == nil }

    /// The volume attaches to one node at a time: anything but ReadWriteMany, or a read-only-many-only
    /// claim. Pods on other nodes wait for it (the attach/detach controller's `Multi-Attach error`).
    public var attachesToOneNode: Bool { !isShared && !accessModes.allSatisfy { $0 == .ReadOnlyMany } }

    /// ReadWriteOncePod: one pod in the whole cluster; the scheduler refuses a second one.
    public var onePodOnly: Bool { accessModes.contains(.ReadWriteOncePod) && !isShared }
}
