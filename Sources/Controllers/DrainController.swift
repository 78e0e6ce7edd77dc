import ClusterModel
import SimKernel

/// When a drain looks at its node again (R6).
public enum DrainController {
    /// kubectl's eviction retry after a 429 (`drain.go`: "will retry after 5s").
    public static let evictionRetry = SimDuration.seconds(5)
    /// NMO bounds each drain attempt (30 s), then updates status and pauses 5 s.
    public static let attemptTimeout = SimDuration.seconds(30)
    public static let attemptPause = SimDuration.seconds(5)

    /// NMO's admission webhook refuses a NodeMaintenance for a control-plane node when etcd would lose
    /// quorum (`nodemaintenance_webhook.go`, the `etcd-guard-pdb` of openshift-etcd): the guard allows
    /// as many control-plane nodes to be unavailable — under maintenance, or not Ready — as the members
    /// beyond a majority. nil when the request is admitted.
    public static func etcdQuorumRefusal(_ node: NodeID, in state: borrowing ClusterState) -> String? {
        guard state.nodes[node.i].role == .controlPlane else { return nil }
        let members = state.nodes.indices.filter { state.nodes[$0].role == .controlPlane }
        let allowed = members.count - (members.count / 2 + 1)
        let unavailable = members.filter { i in
            i != node.i && (state.activeDrain[i].map { state.drains[$0.i].isNodeMaintenance } == true || state.health[i].ready != .True)
        }
        guard unavailable.count >= allowed else { return nil }
        return "etcd would lose quorum: the etcd guard allows \(allowed) of \(members.count) control-plane nodes unavailable"
            + (unavailable.isEmpty
                ? ""
                : " and " + unavailable.map { state.nodes[$0].name }.joined(separator: ", ")
                    + (unavailable.count == 1 ? " already is" : " already are"))
    }

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

    /// The start of the NMO attempt under way at `time` for a drain that only repeated its passes since
    /// it began: attempts begin every 35 s from the request, and each one's start is written at the
    /// pass that ends the one before (25 s into it). Lets a quiet run jump to its end.
    public static func attemptStartedAt(_ drain: Drain, at time: SimTime) -> SimTime {
        let cycle = (attemptTimeout + attemptPause).milliseconds
        let lastPass = attemptTimeout.milliseconds - evictionRetry.milliseconds
        let k = (time - drain.requestedAt).milliseconds + cycle - lastPass
        return drain.requestedAt + SimDuration(milliseconds: cycle * max(0, k / cycle))
    }

    /// `oc adm drain --timeout` expired.
    public static func timedOut(_ drain: Drain, now: SimTime) -> Bool {
        if case .ocAdmDrain(let timeout?) = drain.method { return now >= drain.requestedAt + timeout }
        return false
    }
}
