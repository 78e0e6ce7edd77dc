import ClusterModel
import DrainsimCLI
import Foundation
import Scenarios
import Simulation
import SimKernel
import Testing

/// `drainsim import` (issue 12): objects as the API server returns them in, a scenario out.
@Suite struct ImportTests {
    private static let fixtures = packageRoot.appendingPathComponent("Tests/Fixtures/import")

    private static func files(_ names: [String]) throws -> [(path: String, text: String)] {
        try names.map { name in
            let url = fixtures.appendingPathComponent(name)
            return ("Tests/Fixtures/import/\(name)", try String(contentsOf: url, encoding: .utf8))
        }
    }

    private static let all = ["nodes.yaml", "storage.yaml", "vms.yaml", "workloads.yaml", "cluster-config.json"]

    /// Every mapping, read off the scenario text: vCPUs = sockets × cores × threads (fedora 1×2×1 = 2,
    /// rhel9 2×4 = 8), guest memory from domain.memory.guest or the memory request, running: true →
    /// Always, the VMI's node, a DataVolume template's access modes from its class's StorageProfile
    /// (RWX Block), a local claim's selected node, bridge on the pod network, allocatable CPU and
    /// memory as written, the node labeller's CPU models, the cordon and role taints folded into
    /// `unschedulable` and `role`, HCO's settings and version profile, a Deployment's requests summed
    /// over containers (250m + 50m, 256Mi + 64Mi = 320Mi = 335544320 bytes), the NodeMaintenance CR.
    @Test func mapsEachObjectKindAsKubeVirtDoes() throws {
        let text = try ImportCheck.scenario(from: Self.files(Self.all), file: "imported.yaml")
        let expected = [
            #"  - {name: "worker-0", cpu: "63500m", memory: "259744532Ki", cpuModel: "Icelake-Server", cpuModels: ["Cascadelake-Server"], labels: "#,
            #"  - {name: "worker-2", cpu: "63500m", memory: "259744532Ki", unschedulable: true, cpuModel: "Icelake-Server", labels: "#,
            #"  - {name: "master-0", role: control-plane, cpu: "7500m", memory: "31000000Ki", labels: "#,
            #"taints: [{key: "dedicated", value: "storage", effect: NoSchedule}]}"#,
            #"  - {name: "finance/rhel9-db-01-local", size: "20Gi", accessModes: [ReadWriteOnce], node: "worker-1"}"#,
            #"  - {name: "web/fedora-web-01", size: "30Gi", accessModes: [ReadWriteMany], volumeMode: Block}"#,
            #"  - {name: "web/fedora-web-01", cpu: 2, memory: "4Gi", runStrategy: Always, terminationGracePeriodSeconds: 180, volumes: [{name: "rootdisk", dataVolume: {name: "web/fedora-web-01"}}, {name: "cloudinitdisk", cloudInitNoCloud: {}}]"#,
            #"  - {name: "finance/rhel9-db-01", cpu: 8, memory: "16Gi", runStrategy: Always, evictionStrategy: LiveMigrate, volumes: [{name: "data", persistentVolumeClaim: {claimName: "finance/rhel9-db-01-data"}}], node: "worker-0"}"#,
            #"podNetwork: bridge, labels: {"app": "legacy"}, nodeSelector: {"topology.kubernetes.io/zone": "rack-a"}, affinity: {podAntiAffinity: [{matchLabels: {"app": "legacy"}, topologyKey: "kubernetes.io/hostname"}]}, node: "worker-0"}"#,
            "  profile: hco-1.14",
            #"network: "migration-net"}"#,
            #"    - {name: "web-slow", matchLabels: {"app": "fedora-web"}, bandwidthPerMigration: "256Mi"}"#,
            #"  - {name: "web/frontend", kind: Deployment, replicas: 3, cpu: 300m, memory: 335544320, labels: {"app": "frontend"}}"#,
            #"  - {name: "web/frontend", selector: {matchLabels: {"app": "frontend"}}, minAvailable: "2"}"#,
            #"  - {at: 0s, nodeMaintenance: {node: "worker-0", name: "worker-0-firmware", reason: "firmware update"}}"#,
        ]
        for line in expected { #expect(text.contains(line), "missing: \(line)") }
        #expect(!text.contains("node.kubernetes.io/unschedulable"))
    }

    /// The opening comment: each default and guess, the kinds skipped, and the one VMI whose own
    /// LiveMigratable condition drainsim does not reproduce (virtiofs is not modelled); the VMIs that
    /// agree (rhel9: DisksNotLiveMigratable on its RWO claim; legacy-app: a bridge on the pod network)
    /// are not listed.
    @Test func opensWithTheGuessesTheSkippedKindsAndTheDisagreements() throws {
        let text = try ImportCheck.scenario(from: Self.files(Self.all), file: "imported.yaml")
        let header = text.split(separator: "\n").prefix { $0.hasPrefix("#") }.joined(separator: "\n")
        #expect(header.contains("every VM's dirtyRate is 0 (an idle guest)"))
        #expect(header.contains("every node's migrationLink is 10Gbps"))
        #expect(header.contains("# Kinds read but not modelled: ConfigMap (1)"))
        #expect(
            header.contains(
                "# - web/shared-fs: the VMI says LiveMigratable=False (VirtIOFSNotLiveMigratable: VMI uses virtiofs); drainsim judges it live-migratable"
            ))
        #expect(!header.contains("rhel9-db-01:") && !header.contains("legacy-app:"))
    }

    /// Import, validate, run: the imported NodeMaintenance of worker-0 blocks. frontend's three pods
    /// all run on worker-0 (worker-1's taint and worker-2's cordon keep them off): one is evicted at
    /// 0:00 (3 healthy, minAvailable 2), its replacement finds no node, and the other two are refused
    /// for good; rhel9-db-01 is LiveMigrate on a ReadWriteOnce claim.
    @Test func anImportedClusterRunsAndItsDrainBlocksForTheRightReasons() throws {
        let text = try ImportCheck.scenario(from: Self.files(Self.all), file: "imported.yaml")
        let r = try simulate(text.replacingOccurrences(of: "name: imported\n", with: "name: imported\nstopAt: 30m\n"))
        let reasons = r.blockedDrains.first?.blockers.map(\.reason) ?? []
        #expect(reasons.contains("LiveMigrate and DisksNotLiveMigratable: PVC finance/rhel9-db-01-data is ReadWriteOnce"))
        #expect(
            reasons.filter {
                $0 == "eviction refused: PodDisruptionBudget web/frontend (minAvailable 2) needs 2 healthy pod(s) and has 2;"
                    + " waiting for web/frontend-3 Pending"
            }.count == 2)
        #expect(
            r.state.drains.first.map { d in if case .nodeMaintenance(let name, _) = d.method { name } else { "" } } == "worker-0-firmware")
    }

    /// The command: several files in, a scenario file out that `validate` accepts.
    @Test func theCommandWritesAScenarioThatValidates() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("drainsim-import-\(getpid()).yaml").path
        let paths = Self.all.map { Self.fixtures.appendingPathComponent($0).path }
        var stdout = "", stderr = ""
        #expect(CLI.main(["import"] + paths + ["-o", out], out: &stdout, err: &stderr) == 0, "\(stderr)")
        stdout = ""
        #expect(CLI.main(["validate", out], out: &stdout, err: &stderr) == 0, "\(stderr)")
        #expect(stdout == "\(out): ok\n")
    }

    /// Bad input keeps its position: a VM with no memory anywhere, a file with no nodes.
    @Test func badObjectsAreNamedWithTheirPosition() throws {
        let vm = """
            apiVersion: kubevirt.io/v1
            kind: VirtualMachine
            metadata: {name: x, namespace: ns}
            spec:
              runStrategy: Always
              template:
                spec:
                  domain: {cpu: {cores: 2}}
            """
        let nodes = try Self.files(["nodes.yaml"])
        #expect(throws: ScenarioError.self) { try ImportCheck.scenario(from: nodes + [("vm.yaml", vm)], file: "o.yaml") }
        do {
            _ = try ImportCheck.scenario(from: nodes + [("vm.yaml", vm)], file: "o.yaml")
        } catch {
            #expect(
                "\(error)"
                    == "vm.yaml:8:15: document 1.spec.template.spec.domain: VM ns/x has neither domain.memory.guest nor resources.requests.memory"
            )
        }
        do {
            _ = try ImportCheck.scenario(from: [("vm.yaml", vm)], file: "o.yaml")
        } catch {
            #expect("\(error)".hasSuffix("no Node objects in the input: add `oc get nodes -o yaml`"))
        }
    }

    /// A timeline may hold the NodeMaintenance CR as written; budgets select only their namespace's pods.
    @Test func theTimelineTakesANodeMaintenanceAsWrittenAndBudgetsKeepToTheirNamespace() throws {
        let r = try simulate(
            """
            nodes: [{name: "worker-{i}", count: 2, cpu: "32", memory: 128Gi}]
            workloads:
              - {name: a/web, replicas: 1, cpu: "1", memory: 1Gi, labels: {app: web}}
              - {name: b/web, replicas: 1, cpu: "1", memory: 1Gi, labels: {app: web}}
            podDisruptionBudgets: [{name: b/web, selector: {matchLabels: {app: web}}, minAvailable: 1}]
            timeline:
              - at: 1m
                nodeMaintenance:
                  apiVersion: nodemaintenance.medik8s.io/v1beta1
                  kind: NodeMaintenance
                  metadata: {name: upgrade-worker-0, labels: {team: infra}}
                  spec: {nodeName: worker-0, reason: kernel update}
            """)
        #expect(r.state.drains.first?.method == .nodeMaintenance(name: "upgrade-worker-0", reason: "kernel update"))
        // a/web-0 (worker-0) has no budget: evicted at 1:00, gone 1:30; b/web-0 went to worker-1.
        #expect(r.state.budgetsOfWorkload == [[], [0]])
        #expect(r.state.drains.first?.finishedAt == ms(90_000))
    }

    /// The KubeVirt CR when there is no HCO; a DataVolume alone (its access modes and volume mode from
    /// the StorageProfile of its class); a VM with sockets × cores × threads = 2 × 2 × 2 = 8 vCPUs and
    /// its CPU request, a named CPU model, GPUs and host devices, passt, node affinity, tolerations,
    /// an emptyDisk and a sysprep volume (noted, not modelled); a StatefulSet; a percentage budget; and
    /// KubeVirt's own per-VMI budget, left to the eviction webhook.
    @Test func mapsTheKubeVirtCRAndTheLessCommonVMFields() throws {
        let text = try ImportCheck.scenario(
            from: Self.files(["nodes.yaml", "storage.yaml", "kubevirt-cr-and-devices.yaml"]), file: "imported.yaml")
        let expected = [
            "  evictionStrategy: LiveMigrateIfPossible",
            #"  liveMigration: {parallelMigrationsPerCluster: "10", bandwidthPerMigration: "128Mi"}"#,
            #"  - {name: "vdi/win2k22-root", size: "64Gi", accessModes: [ReadWriteMany], volumeMode: Block}"#,
            #"  - {name: "vdi/win2k22", cpu: 8, cpuRequest: "2", memory: "16Gi", runStrategy: Manual, cpuModel: "Cascadelake-Server", "#
                + #"volumes: [{name: "root", dataVolume: {name: "vdi/win2k22-root"}}, {name: "scratch", emptyDisk: {capacity: "2Gi"}}], "#
                + #"hostDevices: ["qat", "gpu1"], podNetwork: passt, affinity: {nodeAffinity: [{key: "topology.kubernetes.io/zone", "#
                + #"operator: In, values: ["rack-a", "rack-b"]}]}, tolerations: [{key: "dedicated", operator: Equal, value: "storage", "#
                + #"effect: NoSchedule}]}"#,
            #"  - {name: "finance/postgres", kind: StatefulSet, replicas: 2, cpu: 1000m, memory: 2147483648, labels: {"app": "postgres"}, terminationGracePeriodSeconds: 60}"#,
            #"  - {name: "finance/postgres", selector: {matchLabels: {"app": "postgres"}}, maxUnavailable: "50%"}"#,
            "# - VM vdi/win2k22: a sysprep volume is not modelled",
            "# - PodDisruptionBudget vdi/kubevirt-disruption-budget-abcde guards virt-launcher pods",
        ]
        for line in expected { #expect(text.contains(line), "missing: \(line)") }
        #expect(!text.contains("kubevirt-disruption-budget-abcde\", selector"))
    }
}
