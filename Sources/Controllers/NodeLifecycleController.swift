import ClusterModel
import SimKernel

/// When the control plane notices a node that stopped answering (reference §7.1, §7.2, R7).
public enum NodeLifecycleController {
    /// Ready becomes Unknown and the unreachable taints go on after the node-monitor grace period.
    public static func readyUnknownAt(faultAt t: SimTime, _ c: NodeLifecycleConfig) -> SimTime {
        t + c.nodeMonitorGracePeriod
    }

    /// The taint manager deletes the node's pods once the default 300 s toleration of the unreachable
    /// NoExecute taint has run out.
    public static func podDeletionAt(readyUnknownAt t: SimTime, _ c: NodeLifecycleConfig) -> SimTime {
        t + c.unreachableToleration
    }

    /// virt-controller marks the node `kubevirt.io/schedulable=false` at its first once-a-minute check
    /// after virt-handler's last heartbeat turns 5 minutes old. The heartbeat interval is U(60, 132) s and
    /// the fault falls anywhere within one, so the last heartbeat was 0–2.2 min before it: the mark lands
    /// 2.8–6 minutes after the fault.
    public static func kubevirtUnschedulableAt(faultAt t: SimTime, _ c: NodeLifecycleConfig, _ rng: inout SplitMix64) -> SimTime {
        let span = UInt64(c.kubevirtHeartbeatMax.milliseconds - c.kubevirtHeartbeatMin.milliseconds)
        let interval = c.kubevirtHeartbeatMin.milliseconds + Int64(rng.next(upToInclusive: span))
        let sinceLastHeartbeat = Int64(rng.next(upToInclusive: UInt64(interval - 1)))
        let checkPhase = Int64(rng.next(upToInclusive: UInt64(c.kubevirtNodeRecheck.milliseconds - 1)))
        return t + SimDuration(milliseconds: c.kubevirtHeartbeatTimeout.milliseconds - sinceLastHeartbeat + checkPhase)
    }
}
