import SimKernel

public enum NodeRole: String, Sendable, Codable, CaseIterable {
    case worker
    case controlPlane = "control-plane"
}

/// A Kubernetes label, kept as a sorted list on its owner so iteration order is stable.
public struct Label: Hashable, Sendable, Codable {
    public var key: String
    public var value: String
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A cluster node: what it can hold and whether new pods may land on it.
public struct Node: Equatable, Sendable, Codable {
    public var name: String
    public var role: NodeRole
    /// Allocatable CPU in millicores.
    public var cpuMillis: Int64
    /// Allocatable memory in bytes.
    public var memoryBytes: Int64
    /// Speed of the link live migrations use, in bytes per second (shared by all of the node's migrations).
    public var migrationLinkBytesPerSecond: Int64
    public var labels: [Label]
    public var taints: [Taint] = []
    /// `spec.unschedulable`: set by cordon, NodeMaintenance and drain.
    public var unschedulable: Bool = false
    /// From power-on (or reboot) to Ready: after a fence, a kdump reboot or a repair.
    public var bootTime: SimDuration = .minutes(5)
    /// The CPU model virt-handler's node labeller publishes as this node's host model
    /// (`host-model-cpu.node.kubevirt.io/…`), and the other models its CPU can run
    /// (`cpu-model.node.kubevirt.io/…`). Without a model the node is taken to run any.
    public var cpuModel: String?
    public var otherCPUModels: [String] = []

    /// Whether a guest of this CPU model can run here.
    public func runs(cpuModel model: String) -> Bool {
        cpuModel == nil || cpuModel == model || otherCPUModels.contains(model)
    }

    public init(
        name: String, role: NodeRole, cpuMillis: Int64, memoryBytes: Int64,
        migrationLinkBytesPerSecond: Int64, labels: [Label]
    ) {
        self.name = name
        self.role = role
        self.cpuMillis = cpuMillis
        self.memoryBytes = memoryBytes
        self.migrationLinkBytesPerSecond = migrationLinkBytesPerSecond
        self.labels = labels
    }
}
