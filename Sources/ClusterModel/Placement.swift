/// Where a pod may go: the Kubernetes scheduling constraints a VM carries into its launcher pod.

/// A node taint; VM pods avoid NoSchedule and NoExecute taints they do not tolerate.
public struct Taint: Equatable, Sendable, Codable {
    public enum Effect: String, Sendable, Codable, CaseIterable { case NoSchedule, PreferNoSchedule, NoExecute }
    public var key: String
    public var value: String
    public var effect: Effect
    public init(key: String, value: String, effect: Effect) {
        self.key = key
        self.value = value
        self.effect = effect
    }
}

public struct Toleration: Equatable, Sendable, Codable {
    public enum Operator: String, Sendable, Codable, CaseIterable { case Equal, Exists }
    public var key: String?
    public var `operator`: Operator
    public var value: String
    /// nil tolerates every effect.
    public var effect: Taint.Effect?
    public init(key: String?, operator: Operator, value: String, effect: Taint.Effect?) {
        self.key = key
        self.operator = `operator`
        self.value = value
        self.effect = effect
    }

    /// Kubernetes' rule: an empty key with Exists tolerates everything.
    public func tolerates(_ t: Taint) -> Bool {
        if let effect, effect != t.effect { return false }
        guard let key else { return `operator` == .Exists }
        if key != t.key { return false }
        return `operator` == .Exists || value == t.value
    }
}

/// One `requiredDuringSchedulingIgnoredDuringExecution` node-affinity expression.
public struct NodeSelectorRequirement: Equatable, Sendable, Codable {
    public enum Operator: String, Sendable, Codable, CaseIterable { case In, NotIn, Exists, DoesNotExist }
    public var key: String
    public var `operator`: Operator
    public var values: [String]
    public init(key: String, operator: Operator, values: [String]) {
        self.key = key
        self.operator = `operator`
        self.values = values
    }

    public func matches(_ labels: [Label]) -> Bool {
        let value = labels.first { $0.key == key }?.value
        switch `operator` {
        case .In: return value.map(values.contains) ?? false
        case .NotIn: return value.map { !values.contains($0) } ?? true
        case .Exists: return value != nil
        case .DoesNotExist: return value == nil
        }
    }
}

/// Required pod anti-affinity: never in the same topology domain (a node for `kubernetes.io/hostname`,
/// a zone, a rack) as a pod of a VM whose labels include `matchLabels`.
public struct AntiAffinityTerm: Equatable, Hashable, Sendable, Codable {
    public var matchLabels: [Label]
    public var topologyKey: String
    public init(matchLabels: [Label], topologyKey: String) {
        self.matchLabels = matchLabels
        self.topologyKey = topologyKey
    }

    public static let hostname = "kubernetes.io/hostname"
}

/// How the scheduler ranks the nodes that fit.
public enum ScoringStrategy: String, Sendable, Codable, CaseIterable {
    /// kube-scheduler's default NodeResourcesFit: spread.
    case LeastAllocated
    /// Bin-packing.
    case MostAllocated
}
