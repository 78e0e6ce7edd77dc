import SimKernel

/// Names may carry their namespace: `finance/db-01`; a name without one is in the default namespace.
public enum Namespace {
    public static func of(_ name: String) -> Substring {
        name.firstIndex(of: "/").map { name[..<$0] } ?? ""
    }
}

/// A `policy/v1` PodDisruptionBudget over workload pods: the Eviction API refuses (429) an eviction
/// that would leave fewer healthy pods than it wants.
public struct PodDisruptionBudget: Equatable, Sendable, Codable {
    public var name: String
    /// `spec.selector.matchLabels`; an empty selector selects nothing (the Eviction API's rule).
    public var matchLabels: [Label]
    public var minAvailable: IntOrPercent?
    public var maxUnavailable: IntOrPercent?
    /// drainsim's own field: a pod counts as healthy only this long after it is Ready again. It models
    /// a storage system's data recovery, as rook-ceph's managed OSD budgets do (they block every other
    /// failure domain until Ceph's placement groups are active+clean again).
    public var recoveryTime: SimDuration = .zero

    public init(name: String, matchLabels: [Label], minAvailable: IntOrPercent?, maxUnavailable: IntOrPercent?) {
        self.name = name
        self.matchLabels = matchLabels
        self.minAvailable = minAvailable
        self.maxUnavailable = maxUnavailable
    }

    /// A budget selects the pods of workloads in its own namespace (the part of a name before `/`)
    /// that carry all of its labels.
    public func selects(_ workload: Workload) -> Bool {
        !matchLabels.isEmpty && Namespace.of(name) == Namespace.of(workload.name) && matchLabels.allSatisfy { workload.labels.contains($0) }
    }

    public var describeSpec: String {
        if let m = minAvailable { return "minAvailable \(m.description)" }
        return "maxUnavailable \(maxUnavailable?.description ?? "0")"
    }
}
