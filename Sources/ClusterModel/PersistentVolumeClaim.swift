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

    public init(name: String, sizeBytes: Int64, accessModes: [AccessMode], volumeMode: VolumeMode) {
        self.name = name
        self.sizeBytes = sizeBytes
        self.accessModes = accessModes
        self.volumeMode = volumeMode
    }

    /// Live migration only checks for ReadWriteMany; volumeMode does not matter
    /// (KubeVirt `HasSharedAccessMode`, reference §3.2).
    public var isShared: Bool { accessModes.contains(.ReadWriteMany) }
}
