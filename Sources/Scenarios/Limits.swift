import SimKernel

/// The largest inputs drainsim accepts. Each bound keeps every sum and product derived from the
/// inputs within 64 bits (total downtime ≤ VMs × longest run ≈ 3.2·10¹⁷ ms; scheduler scores ≤
/// memory × 10⁴; bytes × 1000 ≤ 2⁵⁸ × 1000), so no accepted scenario can overflow. The README's
/// Limits table is this list.
public enum Limits {
    public static let nodes = 50_000
    public static let vms = 1_000_000
    public static let claims = 1_000_000
    /// Workload pods at time zero (replicas and DaemonSet pods), and budgets.
    public static let pods = 100_000
    public static let budgets = 10_000
    public static let timelineEntries = 100_000
    public static let volumesPerVM = 256
    /// Allocatable CPU of a node, and a VM's CPU request, in millicores (100,000 cores).
    public static let cpuMillis: Int64 = 100_000_000
    /// Memory of a node or a VM: 64 TiB.
    public static let memoryBytes: Int64 = 1 << 46
    /// A claim's or a local disk's size: 1 PiB.
    public static let diskBytes: Int64 = 1 << 50
    /// Links, migration bandwidth caps, guest dirty rates: 10 TB/s.
    public static let bytesPerSecond: Int64 = 10_000_000_000_000
    /// Any duration, `at`, or `stopAt`: ten years.
    public static let duration = SimDuration(milliseconds: 3650 * 86_400_000)
    /// QEMU's own cap on the migration downtime limit (MAX_MIGRATE_DOWNTIME_SECONDS).
    public static let downtimeLimit = SimDuration.seconds(2000)
    public static let completionTimeoutPerGiB = 1_000_000
    public static let sweepRuns = 1_000_000
    /// Nesting of mappings and sequences in a scenario (or a sweep's JSON).
    public static let depth = 64
    /// A tolerance in percent.
    public static let tolerancePercent: Int64 = 1_000_000
}
