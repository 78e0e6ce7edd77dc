/// Kubernetes' IntOrString as a count or a percentage of some total: a budget's `minAvailable` /
/// `maxUnavailable` (of its pods' controllers' replicas), NodeHealthCheck's `minHealthy` /
/// `maxUnhealthy` (of the nodes it watches).
public enum IntOrPercent: Equatable, Sendable, Codable {
    case count(Int)
    case percent(Int)

    /// Kubernetes' `GetScaledValueFromIntOrPercent(…, roundUp: true)`, as the disruption controller and
    /// NodeHealthCheck use it.
    public func scaled(_ total: Int) -> Int {
        switch self {
        case .count(let n): return n
        case .percent(let p): return (p * total + 99) / 100
        }
    }

    public var description: String {
        switch self {
        case .count(let n): return "\(n)"
        case .percent(let p): return "\(p)%"
        }
    }
}
