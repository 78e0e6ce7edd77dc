import SimKernel

/// KubeVirt `spec.configuration.migrations` (HCO `liveMigrationConfig`), with the defaults of the
/// reference's default profile: KubeVirt 1.4–1.8 / HCO 1.14–1.18 (reference §4.2, R1).
public struct LiveMigrationConfig: Equatable, Sendable, Codable {
    public var parallelMigrationsPerCluster: Int = 5
    public var parallelOutboundMigrationsPerNode: Int = 2
    /// nil = unlimited (`0Mi`): only the node links limit a migration.
    public var bandwidthPerMigrationBytesPerSecond: Int64? = nil
    public var completionTimeoutPerGiB: Int64 = 150
    public var progressTimeout: SimDuration = .seconds(150)
    public var allowAutoConverge = false
    public var allowPostCopy = false

    public init() {}
}

/// Cluster-wide settings of a scenario.
public struct ClusterConfig: Equatable, Sendable, Codable {
    /// KubeVirt CR `evictionStrategy`; nil = HCO's default (LiveMigrate with ≥ 2 workers, else None).
    public var evictionStrategy: EvictionStrategy?
    public var liveMigration = LiveMigrationConfig()
    /// QEMU's allowed stop-and-copy downtime (`DEFAULT_MIGRATE_SET_DOWNTIME`, 300 ms).
    public var downtimeLimit: SimDuration = SimDuration(milliseconds: 300)
    /// Launcher pod bound → VMI Running (reference §8: P50 15–25 s); also a migration target pod's start.
    public var launcherStartup: SimDuration = .seconds(20)
    /// Migration target pod unschedulable this long → migration Failed (KubeVirt 300 s).
    public var targetPendingUnschedulableTimeout: SimDuration = .seconds(300)

    public init() {}
}
