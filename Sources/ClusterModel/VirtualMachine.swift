import SimKernel

public enum RunStrategy: String, Sendable, Codable, CaseIterable {
    case Always, RerunOnFailure, Manual, Halted, Once
}

public enum EvictionStrategy: String, Sendable, Codable, CaseIterable {
    case LiveMigrate, LiveMigrateIfPossible, None, External
}

/// How the VM's interface on the pod network is bound; `bridge` is not live-migratable (reference §3.2).
public enum PodNetworkBinding: String, Sendable, Codable, CaseIterable {
    case masquerade, passt, bridge
}

public enum VolumeSource: Equatable, Sendable, Codable {
    case persistentVolumeClaim(ClaimID)
    case dataVolume(ClaimID)
    /// Node-local disks (they force BlockMigration): what a BlockMigration copies is the data written to their files on the node
    /// (the containerDisk's overlay, the emptyDisk's image) since the VMI started, not their size.
    case containerDisk(writtenBytes: Int64)
    case emptyDisk(writtenBytes: Int64)
    case cloudInit
}

public struct Volume: Equatable, Sendable, Codable {
    public var name: String
    public var source: VolumeSource
    public init(name: String, source: VolumeSource) {
        self.name = name
        self.source = source
    }
}

/// A VirtualMachine as the scenario declares it. What changes during a run lives in `VMStatus`.
public struct VirtualMachine: Equatable, Sendable, Codable {
    public var name: String
    public var cpuCores: Int64
    /// Explicit CPU request; nil means vCPUs / cpuAllocationRatio (reference §4.4).
    public var cpuRequestMillis: Int64?
    public var memoryBytes: Int64
    public var runStrategy: RunStrategy
    /// nil: the cluster-wide strategy applies.
    public var evictionStrategy: EvictionStrategy?
    public var volumes: [Volume]
    public var hostDevices: [String]
    public var podNetworkBinding: PodNetworkBinding
    /// Bytes per second the guest writes to memory while it runs.
    public var dirtyBytesPerSecond: Int64
    /// Upper bound on what one pre-copy round can find dirty.
    public var workingSetBytes: Int64
    /// Guest memory the guest has touched: what pre-copy's first round sends (QEMU sends zero and
    /// never-written pages as headers only). Default: all of it.
    public var memoryInUseBytes: Int64
    /// From launcher Running to the guest's services answering.
    public var bootTime: SimDuration
    /// How long the guest takes to power off after ACPI; past the grace period it is forced off.
    public var shutdownTime: SimDuration
    /// VMI `terminationGracePeriodSeconds` (KubeVirt default 30 s).
    public var terminationGracePeriod: SimDuration
    public var initialNode: NodeID?
    public var labels: [Label]
    public var nodeSelector: [Label] = []
    public var nodeAffinity: [NodeSelectorRequirement] = []
    public var tolerations: [Toleration] = []
    public var antiAffinity: [AntiAffinityTerm] = []
    /// `spec.domain.cpu.model`: nil is KubeVirt's default, host-model.
    public var cpuModel: String?

    /// The claims its PVC and DataVolume disks use, in volume order.
    public var claims: [ClaimID] {
        volumes.compactMap { v in
            switch v.source {
            case .persistentVolumeClaim(let c), .dataVolume(let c): return c
            default: return nil
            }
        }
    }

    public init(
        name: String, cpuCores: Int64, cpuRequestMillis: Int64? = nil, memoryBytes: Int64,
        runStrategy: RunStrategy, evictionStrategy: EvictionStrategy? = nil, volumes: [Volume] = [],
        hostDevices: [String] = [], podNetworkBinding: PodNetworkBinding = .masquerade,
        dirtyBytesPerSecond: Int64 = 0, workingSetBytes: Int64? = nil, memoryInUseBytes: Int64? = nil, bootTime: SimDuration = .seconds(30),
        shutdownTime: SimDuration = .seconds(10), terminationGracePeriod: SimDuration = .seconds(30),
        initialNode: NodeID? = nil, labels: [Label] = []
    ) {
        self.name = name
        self.cpuCores = cpuCores
        self.cpuRequestMillis = cpuRequestMillis
        self.memoryBytes = memoryBytes
        self.runStrategy = runStrategy
        self.evictionStrategy = evictionStrategy
        self.volumes = volumes
        self.hostDevices = hostDevices
        self.podNetworkBinding = podNetworkBinding
        self.dirtyBytesPerSecond = dirtyBytesPerSecond
        self.workingSetBytes = workingSetBytes ?? memoryBytes
        self.memoryInUseBytes = memoryInUseBytes ?? memoryBytes
        self.bootTime = bootTime
        self.shutdownTime = shutdownTime
        self.terminationGracePeriod = terminationGracePeriod
        self.initialNode = initialNode
        self.labels = labels
    }
}
