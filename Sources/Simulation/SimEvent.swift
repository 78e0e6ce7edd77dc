import ClusterModel

/// What the engine carries: small values only (IDs and generations), so events never allocate.
enum SimEvent {
    case timeline(Int32)
    /// The VMI's launcher pod finished starting: VMI Running.
    case launcherStarted(VMID, UInt32)
    case guestBooted(VMID, UInt32)
    /// The guest powered off within its grace period (ACPI).
    case guestPoweredOff(VMID, UInt32)
    /// The grace period ran out: virt-handler destroys the domain.
    case forcedOff(VMID, UInt32)
    /// Crash-loop backoff elapsed: create the VM's next VMI.
    case restartVM(VMID, UInt32)
    case migrationHoldElapsed(MigrationID)
    /// KubeVirt ≤ 1.8: the evacuation controller looks at a node with marked VMIs again.
    case evacuationSync(NodeID)
    case migrationTargetStarted(MigrationID)
    case migrationRoundDone(MigrationID)
    case migrationSwitchoverDone(MigrationID)
    case migrationProgressCheck(MigrationID)
    case migrationCompletionTimeout(MigrationID)
    case migrationTargetPendingTimeout(MigrationID)
    /// A drain's eviction pass: the only polling event.
    case drainPass(DrainID)
    /// A rolling maintenance's node has been in maintenance long enough: delete its CR.
    case maintenanceOver(DrainID)
    // Node failure handling; the UInt32 is the node's generation, bumped when it fails or returns.
    case nodeReadyUnknown(NodeID, UInt32)
    case taintManagerEviction(NodeID, UInt32)
    case kubevirtHeartbeatStale(NodeID, UInt32)
    case nodeUnhealthy(NodeID, UInt32)
    case safeTimeElapsed(NodeID, UInt32)
    case fenceAttemptDone(NodeID, UInt32, attempt: Int32)
    case nodeBack(NodeID, UInt32)
    /// An isolated node's SNR agent reboots it.
    case nodeSelfReboot(NodeID, UInt32)
    /// A rebooted node has powered on again.
    case nodeRebooted(NodeID, UInt32)
    /// MachineHealthCheck's replacement (or reprovisioned host) joins as a fresh node.
    case machineReplaced(NodeID, UInt32)
    /// A random failure process's unit fails (process index, unit index).
    case randomFailure(Int32, Int32)

    /// A workload pod finished starting: Ready.
    case podReady(PodID, UInt32)
    /// A workload pod's budgets count it healthy again (their recoveryTime after Ready).
    case podRecovered(PodID, UInt32)
    /// A deleted workload pod's grace period is over: the object is gone.
    case podTerminated(PodID, UInt32)

    /// The workload updater's periodic look (every 5 s, its event throttle), a polling event too.
    case workloadUpdatePass

    var isPoll: Bool {
        switch self {
        case .drainPass, .workloadUpdatePass: return true
        default: return false
        }
    }
}
