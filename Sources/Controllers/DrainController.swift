import ClusterModel
import SimKernel

/// When a drain looks at its node again (R6).
public enum DrainController {
    /// kubectl's eviction retry after a 429 (`drain.go`: "will retry after 5s").
    public static let evictionRetry = SimDuration.seconds(5)
    /// NMO bounds each drain attempt (30 s), then updates status and pauses 5 s.
    public static let attemptTimeout = SimDuration.seconds(30)
    public static let attemptPause = SimDuration.seconds(5)

    /// The next look after a pass that left pods behind, and whether an NMO attempt ended.
    public static func nextPass(_ drain: Drain, now: SimTime) -> (at: SimTime, attemptEnded: Bool) {
        switch drain.method {
        case .ocAdmDrain(let timeout):
            var next = now + evictionRetry
            if let timeout { next = min(next, drain.requestedAt + timeout) }
            return (next, false)
        case .nodeMaintenance:
            let attemptEnd = drain.attemptStartedAt + attemptTimeout
            if now + evictionRetry < attemptEnd { return (now + evictionRetry, false) }
            return (attemptEnd + attemptPause, true)
        }
    }

    /// `oc adm drain --timeout` expired.
    public static func timedOut(_ drain: Drain, now: SimTime) -> Bool {
        if case .ocAdmDrain(let timeout?) = drain.method { return now >= drain.requestedAt + timeout }
        return false
    }
}
