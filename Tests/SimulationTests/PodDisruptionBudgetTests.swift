import ClusterModel
import Reporting
import Scenarios
import Simulation
import SimKernel
import Testing

/// Workload pods and PodDisruptionBudgets (issue 11 part 1): the Eviction API's 429, the drain's
/// retries, replacements that count again only once Ready, and rook-ceph's recovery time.
@Suite struct PodDisruptionBudgetTests {
    private let workers = "nodes: [{name: \"worker-{i}\", count: 3, cpu: \"32\", memory: 128Gi}]\n"
    private let osds = """
        workloads:
          - name: "osd-{i}"
            count: 3
            cpu: "2"
            memory: 5Gi
            labels: {app: rook-ceph-osd}
            nodeSelector:
              kubernetes.io/hostname: "worker-{i}"
            startupTime: 2m
        podDisruptionBudgets:
          - {name: rook-ceph-osd, selector: {matchLabels: {app: rook-ceph-osd}}, maxUnavailable: 1, recoveryTime: 10m}

        """

    private func drain(_ r: RunRecord, _ node: String) -> Drain? {
        r.state.drains.first { r.state.nodes[$0.node.i].name == node }
    }

    /// One OSD per node, rolling one node at a time, 20 minutes each, from 1:00 (NMO passes every 5 s
    /// in 30 s attempts with a 5 s pause: passes at +0, 5, …, 25, then +35).
    /// - worker-0: osd-0 evicted at 1:00 (3 healthy, 2 wanted), gone after its 30 s grace: Succeeded
    ///   1:30; CR deleted 21:30. Its replacement waits Pending (pinned to a cordoned node) until then.
    /// - worker-1 from 21:30: osd-0's replacement is scheduled at the uncordon, Ready 23:30 (2m),
    ///   recovered 33:30 (10m): until then 2 healthy = 2 wanted, 429. 33:30 is 720 s = 20 × 35 + 20 into
    ///   the drain, a pass: evicted, gone 34:00 → Succeeded after 12m30s, held 21:30–33:30 = 12m.
    /// - worker-2 from 54:00 the same: Succeeded 1:06:30; CR deleted 1:26:30. Span 1:00–1:26:30.
    @Test func eachStorageNodeWaitsForThePreviousOSDToRecover() throws {
        let r = try simulate(
            workers + osds + """
                timeline: [{at: 1m, rollingMaintenance: {maxUnavailable: 1, maintenanceDuration: 20m}}]
                """)
        #expect(drain(r, "worker-0")?.finishedAt == ms(90_000))
        #expect(drain(r, "worker-0")?.budgetHolds == [])
        #expect(drain(r, "worker-1")?.requestedAt == ms(1_290_000))
        #expect(drain(r, "worker-1")?.finishedAt == ms(2_040_000))
        #expect(drain(r, "worker-1")?.budgetHolds == [BudgetHold(budget: 0, from: ms(1_290_000), until: ms(2_010_000))])
        #expect(drain(r, "worker-2")?.finishedAt == ms(3_990_000))
        #expect(r.maintenanceSpan.map { $0.to - $0.from } == .minutes(85) + .seconds(30))
        let text = ReportText.render(r)
        #expect(text.mentions("Succeeded  12m30s  CR deleted at +54m00s; waited 12m00s on PodDisruptionBudget rook-ceph-osd"))
        #expect(text.mentions("held drains 2 time(s), 24m00s in all"))
    }

    /// maxUnavailable 2 on the rolling maintenance, one OSD per node: worker-0 and worker-1 are drained
    /// together from 1:00. worker-0's pass runs first and takes the budget's one disruption; worker-1's
    /// OSD is refused. worker-0's CR is deleted at 21:30 and worker-2's drain starts; osd-0 is back
    /// (Ready 23:30) and recovered at 33:30, where both drains retry and worker-2's retry is queued
    /// first: it takes the disruption (evicted 33:30, Succeeded 34:00, CR deleted 54:00). worker-1 waits
    /// for osd-2 in turn: Ready 56:00, recovered 1:06:00, evicted, gone 1:06:30 — 1h05m30s to drain a
    /// node with nothing on it but one OSD. Two storage nodes at once buy nothing.
    @Test func twoStorageNodesAtOnceWaitForEachOther() throws {
        let r = try simulate(
            workers + osds + """
                timeline: [{at: 1m, rollingMaintenance: {maxUnavailable: 2, maintenanceDuration: 20m}}]
                """)
        #expect(drain(r, "worker-0")?.finishedAt == ms(90_000))
        #expect(drain(r, "worker-1")?.budgetHolds.first?.from == ms(60_000))
        #expect(drain(r, "worker-1")?.budgetHolds.first?.until == ms(3_960_000))
        #expect(drain(r, "worker-1")?.finishedAt == ms(3_990_000))
        #expect(drain(r, "worker-2")?.budgetHolds == [BudgetHold(budget: 0, from: ms(1_290_000), until: ms(2_010_000))])
        #expect(drain(r, "worker-2")?.finishedAt == ms(2_040_000))
        #expect(r.maintenanceSpan.map { $0.to - $0.from } == .minutes(85) + .seconds(30))
    }

    /// minAvailable equal to the replicas: no eviction is ever allowed, the drain blocks for good and
    /// the report names the budget and its counts.
    @Test func aBudgetThatCanNeverBeMetBlocksTheDrainForever() throws {
        let r = try simulate(
            workers + """
                workloads: [{name: web, replicas: 3, cpu: "1", memory: 1Gi, labels: {app: web}}]
                podDisruptionBudgets: [{name: web, selector: {matchLabels: {app: web}}, minAvailable: 3}]
                timeline: [{at: 1m, nodeMaintenance: {node: worker-0}}]
                """)
        #expect(r.blockedDrains.count == 1)
        #expect(
            r.blockedDrains.first?.blockers.map(\.reason) == [
                "eviction refused: PodDisruptionBudget web (minAvailable 3) needs 3 healthy pod(s) and has 3"
            ])
        #expect(RunMetrics(r)[.blockedDrains] == 1)
        #expect(ReportText.render(r).contains("web-0: eviction refused: PodDisruptionBudget web (minAvailable 3)"))
    }

    /// web has 2 replicas: web-0 on worker-0, web-1 on worker-1 (spread, lowest index on ties);
    /// maxUnavailable 1 wants 1 healthy. The NodeMaintenance of worker-0 at 1:00 evicts web-0 (2
    /// healthy); the ReplicaSet creates web-2 at once, on worker-2 (the emptiest), Ready at 1:20. web-0
    /// is gone at 1:30. `oc adm drain worker-1` at 1:05: web-1 is refused at 1:05, 1:10, 1:15 (web-2
    /// not Ready: 1 healthy, 1 wanted) and evicted at 1:20 once web-2 is Ready; gone 1:50. Its
    /// replacement web-3 goes to worker-2 too: the other two are cordoned.
    @Test func aReplacementCountsOnlyOnceReady() throws {
        let r = try simulate(
            workers + """
                workloads: [{name: web, replicas: 2, cpu: "1", memory: 1Gi, labels: {app: web}, startupTime: 20s}]
                podDisruptionBudgets: [{name: web, selector: {matchLabels: {app: web}}, maxUnavailable: 1}]
                timeline:
                  - {at: 1m, nodeMaintenance: {node: worker-0}}
                  - {at: 65s, drain: worker-1}
                """)
        #expect(drain(r, "worker-0")?.finishedAt == ms(90_000))
        #expect(drain(r, "worker-1")?.finishedAt == ms(110_000))
        #expect(drain(r, "worker-1")?.budgetHolds == [BudgetHold(budget: 0, from: ms(65_000), until: ms(80_000))])
        let live = r.state.pods.filter { !$0.gone }
        #expect(live.map(\.name) == ["web-2", "web-3"])
        #expect(live.map { $0.node?.i } == [2, 2])
        #expect(live.allSatisfy { $0.ready })
    }

    /// A StatefulSet's pod keeps its name: db-0 is evicted at 1:00, gone at 1:30 (grace 30 s), and only
    /// then created again, on worker-1, Ready at 1:50. A DaemonSet's pods are not evicted: the drain
    /// ends with agent-worker-0 still there, and counts only db-0 (evictionPods 1).
    @Test func aStatefulSetPodComesBackUnderItsNameAfterTheOldOneIsGone() throws {
        let r = try simulate(
            workers + """
                workloads:
                  - {name: db, kind: StatefulSet, replicas: 1, cpu: "1", memory: 1Gi, labels: {app: db}, startupTime: 20s}
                  - {name: agent, kind: DaemonSet, cpu: 100m, memory: 100Mi, labels: {app: agent}}
                timeline: [{at: 1m, nodeMaintenance: {node: worker-0}}]
                """)
        #expect(drain(r, "worker-0")?.finishedAt == ms(90_000))
        #expect(drain(r, "worker-0")?.evictionPods == 1)
        let live = r.state.pods.filter { !$0.gone }
        #expect(live.map(\.name) == ["agent-worker-0", "agent-worker-1", "agent-worker-2", "db-0"])
        #expect(live.last?.node == NodeID(1))
        #expect(live.last?.createdAt == ms(90_000))
        #expect(live.last?.readySince == ms(110_000))
        #expect(r.state.workloads[1].replicas == 3)
    }

    /// A kernel panic on worker-0 at 1:00: the API shows web-0 Ready until the node is Ready=Unknown at
    /// 1:50 (node-monitor grace 50 s); the taint manager deletes it 300 s later, at 6:50, and its
    /// replacement web-1 starts on worker-1, Ready at 7:10. The deleted pod stays Terminating on the
    /// dead node (no kubelet), so its room there stays taken.
    @Test func aPodOnAFailedNodeIsReplacedWhenTheTaintManagerDeletesIt() throws {
        let r = try simulate(
            workers + """
                stopAt: 10m
                workloads: [{name: web, replicas: 1, cpu: "1", memory: 1Gi, labels: {app: web}, startupTime: 20s}]
                timeline: [{at: 1m, kernelPanic: {node: worker-0}}]
                """)
        #expect(r.state.pods.map(\.name) == ["web-0", "web-1"])
        #expect(r.state.pods[0].terminating && !r.state.pods[0].gone)
        #expect(r.state.pods[1].createdAt == ms(410_000))
        #expect(r.state.pods[1].readySince == ms(430_000))
        #expect(r.state.pods[1].node == NodeID(1))
    }

    /// Launcher and workload pods share a node's memory: a 100 GiB cache on a 128 GiB worker leaves no
    /// room for a 32 GiB VM, and loading says so in the scheduler's words.
    @Test func workloadPodsAndVMsShareNodeCapacity() throws {
        let yaml = """
            nodes: [{name: worker-0, cpu: "32", memory: 128Gi}]
            workloads: [{name: cache, replicas: 1, cpu: "1", memory: 100Gi, labels: {app: cache}}]
            vms: [{name: big, cpu: 4, memory: 32Gi, runStrategy: Always}]
            """
        let error = #expect(throws: ScenarioError.self) { try Simulation.load(text: yaml, file: "test.yaml") }
        #expect(error?.message.contains("1 VM(s) fit on no node at time zero") == true)
        #expect(error?.message.contains("(0/1 nodes available: 1 lack 32.4Gi memory)") == true)
    }

    /// `capacity` on two storage nodes at once: osd-0 is pinned to worker-0, so its replacement finds
    /// no node and uses up the budget's one disruption for good; osd-1 then blocks the drain, and the
    /// answer names the budget. On one node alone the OSD is stranded but does not block.
    @Test func capacityNamesTheBudgetThatBlocks() throws {
        let scenario = try Simulation.load(text: workers + osds, file: "test.yaml")
        let both = CapacityCheck(scenario: scenario, draining: [NodeID(0), NodeID(1)])
        #expect(both.outcomes.map(\.how) == ["evicted and replaced", "blocks the drain"])
        #expect(
            both.outcomes.last?.reason
                == "PodDisruptionBudget rook-ceph-osd (maxUnavailable 1) allows no more disruptions: the replacements of osd-0-0 find no node"
        )
        #expect(both.stranded.allSatisfy { !$0.forCapacity })
        let one = CapacityCheck(scenario: scenario, draining: [NodeID(0)])
        #expect(
            one.outcomes.first?.reason
                == "its replacement stays Pending: 0/3 nodes available: 1 cordoned, 2 not matching nodeSelector, node affinity or tolerations"
        )
    }

    /// A percentage is taken of the replicas and rounded up (the disruption controller's
    /// GetScaledValueFromIntOrPercent). web has 3 replicas, one per worker; worker-0 and worker-1 get a
    /// NodeMaintenance at 1:00. maxUnavailable 50% → ⌈1.5⌉ = 2 may be down: both evictions go through
    /// at 1:00 and both drains end at 1:30. maxUnavailable 33% → ⌈0.99⌉ = 1: worker-1's is refused
    /// until worker-0's replacement (on worker-2) is Ready at 1:10 (startupTime 10 s), a pass of
    /// worker-1's drain: evicted 1:10, gone 1:40.
    @Test(arguments: [("50%", 90_000), ("33%", 100_000)])
    func aPercentageIsTakenOfTheReplicasRoundedUp(maxUnavailable: String, worker1DrainedAt: Int64) throws {
        let r = try simulate(
            workers + """
                workloads: [{name: web, replicas: 3, cpu: "1", memory: 1Gi, labels: {app: web}}]
                podDisruptionBudgets: [{name: web, selector: {matchLabels: {app: web}}, maxUnavailable: "\(maxUnavailable)"}]
                timeline:
                  - {at: 1m, nodeMaintenance: {node: worker-0}}
                  - {at: 1m, nodeMaintenance: {node: worker-1}}
                """)
        #expect(drain(r, "worker-0")?.finishedAt == ms(90_000))
        #expect(drain(r, "worker-1")?.finishedAt == ms(worker1DrainedAt))
    }
}
