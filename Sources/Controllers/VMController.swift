import ClusterModel
import SimKernel

/// What virt-controller does when a VMI reaches a final phase (R2, restart matrix §1.4).
public enum FinalVMIDecision: Equatable, Sendable {
    /// Delete the VMI and create a new one after `delay` (crash-loop backoff, zero if it had run).
    case restart(delay: SimDuration)
    /// Leave the VM down, for this reason.
    case stayDown(String)
}

/// A virtctl command's effect (reference §1.5), or its refusal.
public enum VirtctlEffect: Equatable, Sendable {
    case refused(String)
    /// Set the run strategy, then stop the running VMI and/or start a new one.
    case apply(runStrategy: RunStrategy, stop: Bool, start: Bool)
}

public enum VirtctlCommand: String, Sendable {
    case start, stop, restart
}

public enum VMController {
    public static func onFinal(
        phase: VMIPhase, everRunning: Bool, status: VMStatus, startFailuresRandom rng: inout SplitMix64
    ) -> FinalVMIDecision {
        if status.startRequested { return .restart(delay: .zero) }
        if status.stopRequested { return .stayDown("stopped by virtctl stop") }
        let restart: Bool
        switch status.runStrategy {
        case .Always: restart = true
        case .RerunOnFailure:
            if phase == .Succeeded {
                return .stayDown("RerunOnFailure and the VMI Succeeded (clean shutdown): not restarted (kubevirt/kubevirt#9823)")
            }
            restart = true
        case .Manual: return .stayDown("Manual: never restarted automatically")
        case .Once: return .stayDown("Once: never restarted")
        case .Halted: return .stayDown("Halted")
        }
        guard restart else { return .stayDown("") }
        if everRunning { return .restart(delay: .zero) }
        return .restart(delay: startFailureBackoff(n: status.startFailures + 1, &rng))
    }

    /// Crash-loop protection for a VMI that never reached Running: min(300 s, 10·n² + U(0, 5·n²)) s
    /// for the n-th consecutive early failure (KubeVirt `calculateStartBackoffTime`).
    public static func startFailureBackoff(n: Int, _ rng: inout SplitMix64) -> SimDuration {
        let base = Int64(10 * n * n) * 1000
        let jitter = Int64(rng.next(upToInclusive: UInt64(5 * n * n) * 1000))
        return SimDuration(milliseconds: min(300_000, base + jitter))
    }

    /// virtctl start / stop / restart as KubeVirt's subresource API answers them (`lifecycle.go`).
    public static func virtctl(_ command: VirtctlCommand, status: VMStatus) -> VirtctlEffect {
        let strategy = status.runStrategy
        let live = status.vmi.map { !$0.phase.isFinal } ?? false
        switch command {
        case .start:
            switch strategy {
            case .Halted: return live ? .refused("VM is already running") : .apply(runStrategy: .Always, stop: false, start: true)
            case .Always, .Once: return .refused("409: runStrategy \(strategy.rawValue) does not support manual start requests")
            case .RerunOnFailure where status.vmi?.phase == .Failed:
                return .refused("409 Conflict: RerunOnFailure VM with a Failed VMI")
            case .Manual, .RerunOnFailure:
                return live ? .refused("409: VM is already running") : .apply(runStrategy: strategy, stop: false, start: true)
            }
        case .stop:
            guard live else { return .refused("409: VM is not running") }
            switch strategy {
            case .Always, .Once: return .apply(runStrategy: .Halted, stop: true, start: false)
            case .Manual, .RerunOnFailure: return .apply(runStrategy: strategy, stop: true, start: false)
            case .Halted: return .refused("409: VM is Halted; only a forced stop is allowed")
            }
        case .restart:
            switch strategy {
            case .Halted, .Once: return .refused("409: runStrategy \(strategy.rawValue) does not support restart")
            case .Always, .Manual, .RerunOnFailure:
                return live ? .apply(runStrategy: strategy, stop: true, start: true) : .refused("409: VM is not running")
            }
        }
    }
}
