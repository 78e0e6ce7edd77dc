import ClusterModel
import Scenarios
import Testing

/// Release profiles, clusters upgraded from older releases, and OpenShift's worker latency profiles
/// (upstream audit #12, #13, #15).
@Suite struct ProfileTests {
    private let panic = """
        stopAt: 30m
        nodes: [{name: "worker-{i}", count: 3, cpu: "32", memory: 128Gi}]
        vms: [{name: app, cpu: 2, memory: 4Gi, runStrategy: Always, node: worker-0}]
        timeline: [{at: 10m, kernelPanic: worker-0}]

        """

    /// A kernel panic at 10:00 with no remediation: Ready turns Unknown after the node-monitor grace
    /// period, and the taint manager marks the pods for deletion after the unreachable toleration.
    /// hco-1.14 builds on Kubernetes 1.31 (40 s), hco-1.16 on 1.33 (50 s, the default since 1.32);
    /// OpenShift's MediumUpdateAverageReaction is 2 min + 60 s, LowUpdateSlowReaction 5 min + 60 s,
    /// Default 40 s + 300 s.
    @Test(arguments: [
        ("profile: hco-1.14", 640_000, 940_000), ("profile: hco-1.16", 650_000, 950_000),
        ("workerLatencyProfile: MediumUpdateAverageReaction", 720_000, 780_000),
        ("workerLatencyProfile: LowUpdateSlowReaction", 900_000, 960_000), ("workerLatencyProfile: Default", 640_000, 940_000),
    ])
    func nodeLifecycleTimersFollowTheReleaseAndTheWorkerLatencyProfile(_ setting: String, _ unknown: Int64, _ deleted: Int64) throws {
        let r = try simulate(panic + "cluster: {\(setting)}")
        let fault = try #require(r.state.faults.first)
        #expect(fault.detectedAt == ms(unknown), "\(setting)")
        #expect(fault.podsMarkedForDeletionAt == ms(deleted), "\(setting)")
    }

    /// SNR's remediation strategy defaults to Automatic (selfnoderemediation_types.go): the
    /// out-of-service taint where Kubernetes has it (1.28, hco-1.11 on), else resource deletion.
    /// FAR's default is ResourceDeletion.
    @Test func selfNodeRemediationDefaultsToTheOutOfServiceTaintWhereKubernetesHasIt() throws {
        func strategy(_ cluster: String) throws -> RemediationStrategy {
            try ScenarioLoader.load(text: "cluster: {\(cluster)}\n" + panic, file: "t.yaml").state.config.remediation.strategy
        }
        #expect(try strategy("remediation: {type: SelfNodeRemediation}") == .OutOfServiceTaint)
        #expect(try strategy("profile: hco-1.10, remediation: {type: SelfNodeRemediation}") == .ResourceDeletion)
        #expect(try strategy("profile: hco-1.10, remediation: {type: SelfNodeRemediation, strategy: Automatic}") == .ResourceDeletion)
        #expect(try strategy("remediation: {type: SelfNodeRemediation, strategy: ResourceDeletion}") == .ResourceDeletion)
        #expect(try strategy("remediation: {type: FenceAgentsRemediation}") == .ResourceDeletion)
        #expect(throws: ScenarioError.self) { try strategy("remediation: {type: SelfNodeRemediation, strategy: Automatik}") }
    }

    /// HCO 1.14 changed completionTimeoutPerGiB 800 → 150 for new installs only; the 1.19 upgrade
    /// patches 150 → 20 (test-and-replace) and leaves parallelOutboundMigrationsPerNode at 2.
    @Test func anUpgradedClusterKeepsTheSettingsItsUpgradeDidNotPatch() throws {
        func settings(_ cluster: String) throws -> (Int64, Int) {
            let s = try ScenarioLoader.load(text: "cluster: {\(cluster)}\n" + panic, file: "t.yaml").state.config.liveMigration
            return (s.completionTimeoutPerGiB, s.parallelOutboundMigrationsPerNode)
        }
        #expect(try settings("profile: hco-1.19") == (20, 1))
        #expect(try settings("profile: hco-1.19, installedWith: hco-1.16") == (20, 2))
        #expect(try settings("profile: hco-1.19, installedWith: hco-1.12") == (800, 2))
        #expect(try settings("profile: hco-1.17, installedWith: hco-1.13") == (800, 2))
        #expect(try settings("profile: hco-1.17, installedWith: hco-1.13, liveMigration: {completionTimeoutPerGiB: 150}") == (150, 2))
        #expect(throws: ScenarioError.self) { try settings("profile: hco-1.16, installedWith: hco-1.18") }
    }
}
