import SimKernel

/// KubeVirt `spec.configuration.migrations` (HCO `liveMigrationConfig`), with the defaults of the
/// reference's default profile: KubeVirt 1.4–1.8 / HCO 1.14–1.18 (reference §4.2, R1).
public struct LiveMigrationConfig: Equatable, Sendable, Codable {
    public var parallelMigrationsPerCluster: Int = 5
    /// HCO's `liveMigrationConfig.network`: the NetworkAttachmentDefinition of a dedicated migration
    /// network. Without one, migrations ride the pod network on the primary NIC. Either way a node's
    /// `migrationLink` is the link they get.
    public var network: String?
    public var parallelOutboundMigrationsPerNode: Int = 2
    /// nil = unlimited (`0Mi`): only the node links limit a migration.
    public var bandwidthPerMigrationBytesPerSecond: Int64? = nil
    public var completionTimeoutPerGiB: Int64 = 150
    public var progressTimeout: SimDuration = .seconds(150)
    public var allowAutoConverge = false
    public var allowPostCopy = false
    /// nil: follows allowPostCopy (KubeVirt `GetMigrationConfiguration`).
    public var allowWorkloadDisruption: Bool? = nil

    public init() {}
}

/// A MigrationPolicy: overrides for the VMIs whose labels include all of `matchLabels` (§4.2).
public struct MigrationPolicy: Equatable, Sendable, Codable {
    public var name: String
    public var matchLabels: [Label]
    public var bandwidthPerMigrationBytesPerSecond: Int64??
    public var completionTimeoutPerGiB: Int64?
    public var allowAutoConverge: Bool?
    public var allowPostCopy: Bool?
    public var allowWorkloadDisruption: Bool?

    public init(name: String, matchLabels: [Label]) {
        self.name = name
        self.matchLabels = matchLabels
    }
}

/// The migration settings in force for one VM: the cluster's, overridden by its MigrationPolicy.
public struct MigrationSettings: Equatable, Sendable, Codable {
    public var bandwidthPerMigrationBytesPerSecond: Int64?
    public var completionTimeoutPerGiB: Int64
    public var allowAutoConverge: Bool
    public var allowPostCopy: Bool
    public var allowWorkloadDisruption: Bool
    /// The MigrationPolicy that applies, if any.
    public var policy: String?

    /// KubeVirt's choice among matching policies (`watch/migration/migrationpolicy.go`, matchPolicy):
    /// the most matching labels wins; on a tie the lexicographically smallest policy name.
    public init(cluster c: LiveMigrationConfig, policies: [MigrationPolicy], vmLabels: [Label]) {
        bandwidthPerMigrationBytesPerSecond = c.bandwidthPerMigrationBytesPerSecond
        completionTimeoutPerGiB = c.completionTimeoutPerGiB
        allowAutoConverge = c.allowAutoConverge
        allowPostCopy = c.allowPostCopy
        var workloadDisruption = c.allowWorkloadDisruption
        let matching = policies.filter { p in p.matchLabels.allSatisfy { vmLabels.contains($0) } }
        let chosen = matching.min { a, b in
            a.matchLabels.count != b.matchLabels.count ? a.matchLabels.count > b.matchLabels.count : a.name < b.name
        }
        if let p = chosen {
            policy = p.name
            if let bw = p.bandwidthPerMigrationBytesPerSecond { bandwidthPerMigrationBytesPerSecond = bw }
            if let v = p.completionTimeoutPerGiB { completionTimeoutPerGiB = v }
            if let v = p.allowAutoConverge { allowAutoConverge = v }
            if let v = p.allowPostCopy { allowPostCopy = v }
            if let v = p.allowWorkloadDisruption { workloadDisruption = v }
        }
        allowWorkloadDisruption = workloadDisruption ?? allowPostCopy
    }
}

/// Defaults that differ by release (reference §4.2, §7.1; upstream audit #11–#15). Profiles assume the
/// Kubernetes each HCO branch builds against (its go.mod): node-monitor grace 40 s before Kubernetes
/// 1.32 (hco-1.10…1.14), 50 s from it (hco-1.15 on 1.32 and later).
public enum VersionProfile: String, Sendable, Codable, CaseIterable, Comparable {
    case hco110 = "hco-1.10", hco111 = "hco-1.11", hco112 = "hco-1.12", hco113 = "hco-1.13"
    case hco114 = "hco-1.14", hco115 = "hco-1.15", hco116 = "hco-1.16", hco117 = "hco-1.17"
    case hco118 = "hco-1.18", hco119 = "hco-1.19"

    public var completionTimeoutPerGiB: Int64 {
        switch self {
        case .hco110, .hco111, .hco112, .hco113: return 800
        case .hco119: return 20
        default: return 150
        }
    }

    public var parallelOutboundMigrationsPerNode: Int { self == .hco119 ? 1 : 2 }

    /// KubeVirt's MigrationPriorityQueue: GA in 1.9 (hco-1.19); Alpha/Beta and off before (HCO 1.17
    /// and 1.18 do not enable it). Without it the evacuation controller creates migrations only into
    /// free slots and a Pending migration is looked at again every 5 s; with it all are created at
    /// once and Pending ones start, by priority, as soon as a slot frees.
    public var migrationPriorityQueue: Bool { self == .hco119 }

    public var nodeMonitorGracePeriod: SimDuration {
        switch self {
        case .hco110, .hco111, .hco112, .hco113, .hco114: return .seconds(40)
        default: return .seconds(50)
        }
    }

    /// The release's migration defaults on a cluster first installed with `installed`: an HCO upgrade
    /// keeps the values it does not patch. 1.14 changed the completionTimeoutPerGiB default 800 → 150
    /// for new installs only; the 1.19 upgrade patches 150 → 20 and nothing else
    /// (`assets/upgradePatches.json`, test-and-replace), so 800 stays and outbound stays 2.
    public func migrationDefaults(installedWith installed: VersionProfile) -> (completionTimeoutPerGiB: Int64, outbound: Int) {
        var perGiB = installed.completionTimeoutPerGiB
        if self == .hco119 && perGiB == 150 { perGiB = 20 }
        return (perGiB, installed.parallelOutboundMigrationsPerNode)
    }

    var order: Int { VersionProfile.allCases.firstIndex(of: self) ?? 0 }
    public static func < (a: VersionProfile, b: VersionProfile) -> Bool { a.order < b.order }
}

/// OpenShift's worker latency profiles (`nodes.config.openshift.io` `workerLatencyProfile`), from
/// OpenShift's documentation: how long a silent node stays Ready, and how long pods tolerate its
/// unreachable taint. Unset, the Kubernetes defaults of the profile apply.
public enum WorkerLatencyProfile: String, Sendable, Codable, CaseIterable {
    case Default, MediumUpdateAverageReaction, LowUpdateSlowReaction

    public var nodeMonitorGracePeriod: SimDuration {
        switch self {
        case .Default: return .seconds(40)
        case .MediumUpdateAverageReaction: return .minutes(2)
        case .LowUpdateSlowReaction: return .minutes(5)
        }
    }

    public var unreachableToleration: SimDuration { self == .Default ? .seconds(300) : .seconds(60) }
}

/// Kubernetes and KubeVirt timers that decide how fast a failed node is noticed (reference §7.1, §7.2, R1).
public struct NodeLifecycleConfig: Equatable, Sendable, Codable {
    /// Time without kubelet status before Ready becomes Unknown: 50 s from Kubernetes 1.32 (40 s before).
    public var nodeMonitorGracePeriod: SimDuration = .seconds(50)
    /// Default toleration of the unreachable NoExecute taint before the taint manager deletes pods.
    public var unreachableToleration: SimDuration = .seconds(300)
    /// virt-handler heartbeat interval: 1 min with jitter 1.2 → U(60, 132) s.
    public var kubevirtHeartbeatMin: SimDuration = .seconds(60)
    public var kubevirtHeartbeatMax: SimDuration = .seconds(132)
    /// virt-controller marks a node unschedulable when its heartbeat is older than this, checking every minute.
    public var kubevirtHeartbeatTimeout: SimDuration = .seconds(300)
    public var kubevirtNodeRecheck: SimDuration = .seconds(60)
    /// The attach/detach controller force-detaches a volume this long after its pod is gone
    /// (`reconcilerMaxWaitForUnmountDuration`); the out-of-service taint skips the wait.
    public var volumeDetachWait: SimDuration = .minutes(6)

    public init() {}
}

/// How the cluster remediates unhealthy nodes (reference §7.3–7.6, R7).
public enum RemediationKind: String, Sendable, Codable, CaseIterable {
    /// Nothing: VMs on a dead node stay down until it returns or an administrator acts.
    case none
    /// NodeHealthCheck + Self Node Remediation.
    case SelfNodeRemediation
    /// NodeHealthCheck + Fence Agents Remediation.
    case FenceAgentsRemediation
    /// OpenShift Machine API MachineHealthCheck: delete the Machine; a replacement joins.
    case MachineHealthCheck
}

public enum MachinePlatform: String, Sendable, Codable, CaseIterable {
    case cloud, baremetal
}

/// What a bare-metal MachineHealthCheck does with an unhealthy host (reference §7.3).
public enum BareMetalRemediation: String, Sendable, Codable, CaseIterable {
    /// Default: the Machine is deleted and the host reprovisioned (lengthy).
    case reprovision
    /// `external-baremetal` / Metal3 Reboot: power off, delete the Node, power on.
    case powerCycle
}

/// What remediation does with the failed node's pods once it is fenced.
public enum RemediationStrategy: String, Sendable, Codable, CaseIterable {
    /// Delete the node's pods (and, for SNR, its VolumeAttachments).
    case ResourceDeletion
    /// Apply the out-of-service taint: pod GC force-deletes the pods and volumes detach at once.
    case OutOfServiceTaint
}

public struct RemediationConfig: Equatable, Sendable, Codable {
    public var kind = RemediationKind.none
    /// NHC remediates only while at least this many watched nodes are healthy (docs example 51 %).
    public var minHealthy: IntOrPercent? = .percent(51)
    /// The alternative form: remediate only while at most this many are unhealthy.
    public var maxUnhealthy: IntOrPercent?
    public var strategy = RemediationStrategy.ResourceDeletion
    /// NHC: Ready False or Unknown this long → unhealthy.
    public var unhealthyAfter: SimDuration = .seconds(300)
    /// SNR `safeTimeToAssumeNodeRebootedSeconds`; nil = the computed minimum (§7.5).
    public var safeTime: SimDuration?
    /// SNR watchdog timeout used in the safe-time minimum (60 s when unreadable).
    public var watchdogTimeout: SimDuration = .seconds(60)
    /// FAR: how long one fence-agent call takes, whether it succeeds, and its retry settings.
    public var fenceDuration: SimDuration = .seconds(10)
    public var fenceSucceeds = true
    public var fenceRetryCount = 5
    public var fenceRetryInterval: SimDuration = .seconds(5)
    public var fenceTimeout: SimDuration = .seconds(60)
    /// MachineHealthCheck: where the machines are, and how long a replacement takes to join.
    public var platform = MachinePlatform.baremetal
    public var bareMetalRemediation = BareMetalRemediation.reprovision
    public var provisioningTime: SimDuration = .minutes(5)
    /// Not quantified by the sources ("lengthy"); two hours unless the scenario says.
    public var reprovisionTime: SimDuration = .minutes(120)
    /// A replacement that has no node by then is itself remediated (it never joins).
    public var nodeStartupTimeout: SimDuration = .minutes(10)

    public init() {}
}
/// Cluster-wide settings of a scenario.
public struct ClusterConfig: Equatable, Sendable, Codable {
    /// The release whose defaults apply before the scenario's own settings (default hco-1.18).
    public var profile = VersionProfile.hco118
    public var migrationPolicies: [MigrationPolicy] = []
    /// KubeVirt CR `evictionStrategy`; nil = HCO's default (LiveMigrate with ≥ 2 workers, else None).
    public var evictionStrategy: EvictionStrategy?
    public var liveMigration = LiveMigrationConfig()
    /// The share of a migration link's nominal rate left for payload after TCP/IP framing (percent):
    /// SimGrid's validated LV08 network model uses 0.97.
    public var migrationLinkEfficiencyPercent: Int64 = 97
    /// QEMU's allowed stop-and-copy downtime (`DEFAULT_MIGRATE_SET_DOWNTIME`, 300 ms).
    public var downtimeLimit: SimDuration = SimDuration(milliseconds: 300)
    /// Launcher pod bound → VMI Running (reference §8: P50 15–25 s); also a migration target pod's start.
    public var launcherStartup: SimDuration = .seconds(20)
    /// Migration target pod unschedulable this long → migration Failed (KubeVirt 300 s).
    public var targetPendingUnschedulableTimeout: SimDuration = .seconds(300)
    public var scoring = ScoringStrategy.LeastAllocated
    public var nodeLifecycle = NodeLifecycleConfig()
    public var remediation = RemediationConfig()

    public init() {}
}
