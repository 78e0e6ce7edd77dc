import ClusterModel
import SimKernel

/// Turns a scenario file's text into a checked `Scenario`, or throws the first problem found.
public enum ScenarioLoader {
    public static func load(text: String, file: String) throws(ScenarioError) -> Scenario {
        try load(root: try YAMLReader.parse(text, file: file), file: file)
    }

    public static func load(root node: YAMLNode, file: String) throws(ScenarioError) -> Scenario {
        let root = Field(node: node, path: "", file: file)
        let top = try root.mapping([
            "name", "description", "seed", "stopAt", "cluster", "nodes", "persistentVolumeClaims", "vms", "workloads",
            "podDisruptionBudgets", "timeline", "failures", "expect", "sweep",
        ])
        var builder = Builder(file: file)
        let config = try top["cluster"].map { f throws(ScenarioError) in try builder.cluster(f) } ?? ClusterConfig()
        builder.dedicatedMigrationNetwork = config.liveMigration.network != nil
        try builder.nodes(try top.required("nodes"))
        if let f = top["persistentVolumeClaims"] { try builder.claims(f) }
        if let f = top["vms"] { try builder.vms(f) }
        if let f = top["workloads"] { try builder.workloads(f) }
        if let f = top["podDisruptionBudgets"] { try builder.budgets(f) }
        var state = ClusterState(
            config: config, nodes: builder.nodeList, claims: builder.claimList, vms: builder.vmList, workloads: builder.workloadList,
            budgets: builder.budgetList)
        try builder.checkInitialPlacement(&state)
        let stopAt = try top["stopAt"].map { f throws(ScenarioError) in SimTime.zero + (try f.duration()) }
        let timeline = try top["timeline"].map { f throws(ScenarioError) in try builder.timeline(f, stopAt: stopAt) } ?? []
        let expectations = try top["expect"].map { f throws(ScenarioError) in try builder.expectations(f) } ?? []
        let tolerances = try top["expect"].map { f throws(ScenarioError) in try builder.tolerances(f) } ?? [:]
        let failures = try top["failures"].map { f throws(ScenarioError) in try builder.failures(f) } ?? []
        if let f = top["failures"], !failures.isEmpty, top["stopAt"] == nil {
            throw f.fail("random failures never let the cluster go quiet: set stopAt (for example stopAt: 30d)")
        }
        let seed = try top["seed"].map { f throws(ScenarioError) in UInt64(try f.int()) } ?? 1
        var scenario = Scenario(
            name: try top["name"]?.string() ?? defaultName(file), file: file,
            description: try top["description"]?.string() ?? "", seed: seed, stopAt: stopAt, state: state,
            timeline: timeline, expectations: expectations)
        scenario.failures = failures
        scenario.tolerances = tolerances
        scenario.vmLocations = builder.vmEntries.map {
            ($0.start, ScenarioLocation(file: file, line: $0.item.node.line, column: $0.item.node.column, field: $0.item.path))
        }
        scenario.workloadLocations = builder.workloadFields.map {
            ScenarioLocation(file: file, line: $0.node.line, column: $0.node.column, field: $0.path)
        }
        if let sw = top["sweep"] {
            // `sweep: {runs: 100, set: {cluster.liveMigration.parallelMigrationsPerCluster: [5, 10, 20]}}`
            let m = try sw.mapping(["runs", "set"])
            scenario.sweepRuns = try m["runs"]?.int(min: 1, max: Limits.sweepRuns)
            if let set = m["set"] {
                guard case .mapping(let entries) = set.node.kind else {
                    throw set.fail("expected a mapping of setting paths to values, like {cluster.evictionStrategy: [LiveMigrate, None]}")
                }
                for e in entries {
                    let f = set.child(e.key, e.value)
                    let values = try f.sequence().map { v throws(ScenarioError) in try v.plain("a value") }
                    if values.isEmpty { throw f.fail("give at least one value") }
                    scenario.sweepSettings.append((e.key, values))
                }
            }
        }
        return scenario

    }

    static func defaultName(_ file: String) -> String {
        var base = Substring(file)
        if let slash = base.lastIndex(of: "/") { base = base[base.index(after: slash)...] }
        if let dot = base.lastIndex(of: ".") { base = base[..<dot] }
        return String(base)
    }
}

/// Accumulates the cluster while reading, with name → ID maps that only loading uses.
private struct Builder {
    let file: String
    var nodeList: [Node] = []
    var nodeIDs: [String: NodeID] = [:]
    var claimList: [PersistentVolumeClaim] = []
    var claimIDs: [String: ClaimID] = [:]
    var vmList: [VirtualMachine] = []
    var vmIDs: [String: VMID] = [:]
    /// Per `vms` entry: the first VM it stamped, the entry and its `node` field (one per entry, not per
    /// VM: a count of a million costs nothing here).
    var vmEntries: [(start: Int, item: Field, node: Field?)] = []
    var workloadList: [Workload] = []
    var workloadFields: [Field] = []
    var budgetList: [PodDisruptionBudget] = []
    /// `cluster.liveMigration.network` is set: there is a migration NIC to fault.
    var dedicatedMigrationNetwork = false

    init(file: String) { self.file = file }

    /// Names stamped from `name` and `count`: `worker-{i}` with count 3 → worker-0, worker-1, worker-2.
    /// `namespaced`: the name may carry its namespace, `finance/db-01`.
    func stamp(_ m: Mapping, namespaced: Bool = true) throws(ScenarioError) -> [(name: String, index: Int)] {
        let nameField = try m.required("name")
        let name = try nameField.string()
        guard let countField = m["count"] else {
            if name.contains("{i}") { throw nameField.fail("\"{i}\" in a name needs a count") }
            try checkName(name, nameField, namespaced: namespaced)
            return [(name, 0)]
        }
        let count = try countField.int(min: 1, max: 1_000_000)
        guard name.contains("{i}") else { throw nameField.fail("with count set, the name must contain {i}, e.g. \(name)-{i}") }
        try checkName(name.replacingOccurrences("{i}", "0"), nameField, namespaced: namespaced)
        // Split once, joined per copy.
        let parts = name.split(separator: "{i}", omittingEmptySubsequences: false)
        return (0..<count).map { (parts.joined(separator: String($0)), $0) }
    }

    func checkName(_ name: String, _ f: Field, namespaced: Bool = false) throws(ScenarioError) {
        func valid(_ part: Substring) -> Bool {
            !part.isEmpty && part.utf8.count <= 253
                && part.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 || $0 == 46 }
        }
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count == 2 && namespaced && parts.allSatisfy(valid) { return }
        if parts.count == 1 && valid(parts[0]) { return }
        throw f.fail(
            "\"\(name)\" is not a valid Kubernetes name (lower-case letters, digits, '-' and '.'"
                + (namespaced ? ", with an optional namespace: namespace/name)" : ")"))
    }

    // MARK: cluster

    func cluster(_ f: Field) throws(ScenarioError) -> ClusterConfig {
        let m = try f.mapping([
            "profile", "installedWith", "workerLatencyProfile", "evictionStrategy", "liveMigration", "migrationPolicies", "downtimeLimit",
            "launcherStartup", "nodeLifecycle", "remediation", "scoring", "migrationLinkEfficiency",
        ])
        var c = ClusterConfig()
        if let v = m["scoring"] { c.scoring = try v.oneOf(ScoringStrategy.self) }
        // The profile's release defaults first; every setting the scenario gives overrides them.
        if let v = m["profile"] { c.profile = try v.oneOf(VersionProfile.self) }
        var installed = c.profile
        if let v = m["installedWith"] {
            installed = try v.oneOf(VersionProfile.self)
            if c.profile < installed {
                throw v.fail("installedWith \(installed.rawValue) is newer than the profile \(c.profile.rawValue) the cluster runs")
            }
        }
        if m["profile"] != nil || m["installedWith"] != nil {
            (c.liveMigration.completionTimeoutPerGiB, c.liveMigration.parallelOutboundMigrationsPerNode) =
                c.profile.migrationDefaults(installedWith: installed)
            c.nodeLifecycle.nodeMonitorGracePeriod = c.profile.nodeMonitorGracePeriod
        }
        if let v = m["workerLatencyProfile"] {
            let w = try v.oneOf(WorkerLatencyProfile.self)
            c.nodeLifecycle.nodeMonitorGracePeriod = w.nodeMonitorGracePeriod
            c.nodeLifecycle.unreachableToleration = w.unreachableToleration
        }
        if let v = m["nodeLifecycle"] { c.nodeLifecycle = try nodeLifecycle(v, defaults: c.nodeLifecycle) }
        if let v = m["migrationPolicies"] { c.migrationPolicies = try migrationPolicies(v) }
        if let v = m["remediation"] { c.remediation = try remediation(v, profile: c.profile) }
        c.evictionStrategy = try m["evictionStrategy"]?.oneOf(EvictionStrategy.self)
        if let v = m["downtimeLimit"] { c.downtimeLimit = try v.duration(min: SimDuration(milliseconds: 1), max: Limits.downtimeLimit) }
        if let v = m["launcherStartup"] { c.launcherStartup = try v.duration() }
        if let v = m["migrationLinkEfficiency"] {
            let text = try v.plain("a percentage")
            guard text.hasSuffix("%"), let p = Int64(text.dropLast()), (1...100).contains(p) else {
                throw v.fail("\"\(text)\" is not a percentage from 1% to 100%")
            }
            c.migrationLinkEfficiencyPercent = p
        }
        if let lm = m["liveMigration"] {
            let l = try lm.mapping([
                "parallelMigrationsPerCluster", "parallelOutboundMigrationsPerNode", "bandwidthPerMigration",
                "completionTimeoutPerGiB", "progressTimeout", "allowAutoConverge", "allowPostCopy", "allowWorkloadDisruption", "network",
            ])
            if let v = l["network"] {
                let name = try v.string()
                if name.isEmpty { throw v.fail("name the NetworkAttachmentDefinition of the migration network, or leave network out") }
                c.liveMigration.network = name
            }
            if let v = l["allowWorkloadDisruption"] { c.liveMigration.allowWorkloadDisruption = try v.bool() }
            if let v = l["parallelMigrationsPerCluster"] { c.liveMigration.parallelMigrationsPerCluster = try v.int(min: 1) }
            if let v = l["parallelOutboundMigrationsPerNode"] {
                c.liveMigration.parallelOutboundMigrationsPerNode = try v.int(min: 1)
            }
            if let v = l["bandwidthPerMigration"] {
                let bw = try v.bytesPerSecond()
                c.liveMigration.bandwidthPerMigrationBytesPerSecond = bw == 0 ? nil : bw  // 0Mi = unlimited
            }
            if let v = l["completionTimeoutPerGiB"] {
                c.liveMigration.completionTimeoutPerGiB = Int64(try v.int(min: 1, max: Limits.completionTimeoutPerGiB))
            }
            // KubeVirt writes progressTimeout in seconds; a duration is accepted too.
            if let v = l["progressTimeout"] {
                let text = try v.plain("seconds or a duration")
                if !text.isEmpty && text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) {
                    c.liveMigration.progressTimeout = .seconds(Int64(try v.int(min: 1, max: Int(Limits.duration.milliseconds / 1000))))
                } else {
                    c.liveMigration.progressTimeout = try v.duration(min: .seconds(1))
                }
            }
            if let v = l["allowAutoConverge"] { c.liveMigration.allowAutoConverge = try v.bool() }
            if let v = l["allowPostCopy"] { c.liveMigration.allowPostCopy = try v.bool() }
        }
        return c
    }

    func migrationPolicies(_ f: Field) throws(ScenarioError) -> [MigrationPolicy] {
        var out: [MigrationPolicy] = []
        for item in try f.sequence() {
            let m = try item.mapping([
                "name", "matchLabels", "bandwidthPerMigration", "completionTimeoutPerGiB", "allowAutoConverge", "allowPostCopy",
                "allowWorkloadDisruption",
            ])
            let name = try m.required("name").string()
            if out.contains(where: { $0.name == name }) { throw (m["name"] ?? item).fail("MigrationPolicy \"\(name)\" is declared twice") }
            var p = MigrationPolicy(name: name, matchLabels: try readLabels(try m.required("matchLabels")))
            if let v = m["bandwidthPerMigration"] {
                let bw = try v.bytesPerSecond()
                p.bandwidthPerMigrationBytesPerSecond = .some(bw == 0 ? nil : bw)
            }
            if let v = m["completionTimeoutPerGiB"] {
                p.completionTimeoutPerGiB = Int64(try v.int(min: 1, max: Limits.completionTimeoutPerGiB))
            }
            if let v = m["allowAutoConverge"] { p.allowAutoConverge = try v.bool() }
            if let v = m["allowPostCopy"] { p.allowPostCopy = try v.bool() }
            if let v = m["allowWorkloadDisruption"] { p.allowWorkloadDisruption = try v.bool() }
            out.append(p)
        }
        return out
    }

    func nodeLifecycle(_ f: Field, defaults: NodeLifecycleConfig) throws(ScenarioError) -> NodeLifecycleConfig {
        let m = try f.mapping(["nodeMonitorGracePeriod", "unreachableToleration", "kubevirtHeartbeatTimeout", "volumeDetachWait"])
        var c = defaults
        if let v = m["nodeMonitorGracePeriod"] { c.nodeMonitorGracePeriod = try v.duration() }
        if let v = m["unreachableToleration"] { c.unreachableToleration = try v.duration() }
        if let v = m["kubevirtHeartbeatTimeout"] { c.kubevirtHeartbeatTimeout = try v.duration() }
        if let v = m["volumeDetachWait"] { c.volumeDetachWait = try v.duration() }
        return c
    }

    func remediation(_ f: Field, profile: VersionProfile) throws(ScenarioError) -> RemediationConfig {
        let m = try f.mapping([
            "type", "strategy", "minHealthy", "maxUnhealthy", "unhealthyAfter", "safeTime", "watchdogTimeout", "fenceAgent",
            "machineHealthCheck",
        ])
        var c = RemediationConfig()
        c.kind = try m.required("type").oneOf(RemediationKind.self)
        if m["minHealthy"] != nil && m["maxUnhealthy"] != nil {
            throw f.fail("set minHealthy or maxUnhealthy, not both (NodeHealthCheck takes one)")
        }
        if let v = m["minHealthy"] { c.minHealthy = try nodeCount(v) }
        if let v = m["maxUnhealthy"] {
            c.minHealthy = nil
            c.maxUnhealthy = try nodeCount(v)
        }
        // SNR's default is Automatic: the out-of-service taint where Kubernetes has it (1.28, from
        // hco-1.11), else resource deletion (selfnoderemediation_types.go). FAR's is ResourceDeletion.
        let automatic: RemediationStrategy =
            c.kind == .SelfNodeRemediation && profile >= .hco111 ? .OutOfServiceTaint : .ResourceDeletion
        c.strategy = automatic
        if let v = m["strategy"] {
            let s = try v.plain("a value")
            if s == "Automatic" {
                c.strategy = automatic
            } else if let strategy = RemediationStrategy(rawValue: s) {
                c.strategy = strategy
            } else {
                throw v.fail("unknown value \"\(s)\"; expected one of Automatic, ResourceDeletion, OutOfServiceTaint")
            }
        }
        if let v = m["unhealthyAfter"] { c.unhealthyAfter = try v.duration() }
        if let v = m["safeTime"] { c.safeTime = try v.duration() }
        if let v = m["watchdogTimeout"] { c.watchdogTimeout = try v.duration() }
        if let mf = m["machineHealthCheck"] {
            let mm = try mf.mapping(["platform", "bareMetalRemediation", "provisioningTime", "reprovisionTime", "nodeStartupTimeout"])
            if let v = mm["platform"] { c.platform = try v.oneOf(MachinePlatform.self) }
            if let v = mm["bareMetalRemediation"] { c.bareMetalRemediation = try v.oneOf(BareMetalRemediation.self) }
            if let v = mm["provisioningTime"] { c.provisioningTime = try v.duration() }
            if let v = mm["reprovisionTime"] { c.reprovisionTime = try v.duration() }
            if let v = mm["nodeStartupTimeout"] { c.nodeStartupTimeout = try v.duration() }
        }
        if let fa = m["fenceAgent"] {
            let a = try fa.mapping(["duration", "succeeds", "retryCount", "retryInterval", "timeout"])
            if let v = a["duration"] { c.fenceDuration = try v.duration() }
            if let v = a["succeeds"] { c.fenceSucceeds = try v.bool() }
            if let v = a["retryCount"] { c.fenceRetryCount = try v.int(min: 1, max: 100) }
            if let v = a["retryInterval"] { c.fenceRetryInterval = try v.duration() }
            if let v = a["timeout"] { c.fenceTimeout = try v.duration() }
        }
        return c
    }

    /// `3` or `"51%"`: a count up to `max`, or a percentage; `refusal` words the error for the text.
    func intOrPercent(_ f: Field, max: Int = .max, refusal: (String) -> String) throws(ScenarioError) -> IntOrPercent {
        let text = try f.plain("a count or a percentage")
        if text.hasSuffix("%"), let p = Int(text.dropLast()), (0...100).contains(p) { return .percent(p) }
        if let n = Int(text), n >= 0, n <= max { return .count(n) }
        throw f.fail(refusal(text))
    }

    /// NodeHealthCheck's minHealthy / maxUnhealthy.
    func nodeCount(_ f: Field) throws(ScenarioError) -> IntOrPercent {
        try intOrPercent(f) { "\"\($0)\" is neither a count nor a percentage like 51%" }
    }

    // MARK: nodes and claims

    mutating func nodes(_ f: Field) throws(ScenarioError) {
        let items = try f.sequence()
        if items.isEmpty { throw f.fail("a cluster needs at least one node") }
        for item in items {
            let m = try item.mapping([
                "name", "count", "role", "cpu", "memory", "migrationLink", "labels", "bootTime", "taints", "cpuModel", "cpuModels",
                "unschedulable",
            ])
            let cordoned = try m["unschedulable"]?.bool() ?? false
            let cpuModel = try m["cpuModel"]?.string()
            let otherModels = try m["cpuModels"]?.sequence().map { f throws(ScenarioError) in try f.string() } ?? []
            if cpuModel == nil, let f = m["cpuModels"] {
                throw f.fail("cpuModels (the other models the CPU runs) need the node's cpuModel")
            }
            let bootTime = try m["bootTime"]?.duration()
            let taints: [Taint] =
                try m["taints"]?.sequence().map { t throws(ScenarioError) -> Taint in
                    let tm = try t.mapping(["key", "value", "effect"])
                    return Taint(
                        key: try tm.required("key").string(), value: try tm["value"]?.string() ?? "",
                        effect: try tm.required("effect").oneOf(Taint.Effect.self))
                } ?? []
            let role = try m["role"]?.oneOf(NodeRole.self) ?? .worker
            let cpu = try m.required("cpu").cpuMillis()
            let memory = try m.required("memory").bytes(min: 1, max: Limits.memoryBytes)
            let link = try m["migrationLink"]?.bytesPerSecond() ?? 1_250_000_000  // 10Gbps
            if link <= 0 { throw (m["migrationLink"] ?? item).fail("the migration link needs a speed above zero") }
            let labels = try m["labels"].map { f throws(ScenarioError) in try readLabels(f) } ?? []
            let stamped = try stamp(m, namespaced: false)
            if nodeList.count + stamped.count > Limits.nodes { throw item.fail("more than \(Limits.nodes) nodes") }
            nodeIDs.reserveCapacity(nodeIDs.count + stamped.count)
            for (name, _) in stamped {
                if nodeIDs[name] != nil { throw (m["name"] ?? item).fail("node \"\(name)\" is declared twice") }
                nodeIDs[name] = NodeID(nodeList.count)
                nodeList.append(
                    Node(name: name, role: role, cpuMillis: cpu, memoryBytes: memory, migrationLinkBytesPerSecond: link, labels: labels))
                if let bootTime { nodeList[nodeList.count - 1].bootTime = bootTime }
                nodeList[nodeList.count - 1].taints = taints
                nodeList[nodeList.count - 1].cpuModel = cpuModel
                nodeList[nodeList.count - 1].otherCPUModels = otherModels
                nodeList[nodeList.count - 1].unschedulable = cordoned

            }
        }
    }

    func readLabels(_ f: Field) throws(ScenarioError) -> [Label] {
        guard case .mapping(let entries) = f.node.kind else { throw f.fail("expected a mapping of labels") }
        var labels: [Label] = []
        for e in entries {
            labels.append(Label(key: e.key, value: try f.child(e.key, e.value).string()))
        }
        return labels.sorted { $0.key < $1.key }
    }

    mutating func claims(_ f: Field) throws(ScenarioError) {
        for item in try f.sequence() {
            let m = try item.mapping(["name", "count", "size", "accessModes", "volumeMode", "node"])
            let size = try m.required("size").bytes()
            let modesField = try m.required("accessModes")
            let modes = try modesField.sequence().map { f throws(ScenarioError) in try f.oneOf(AccessMode.self) }
            if modes.isEmpty { throw modesField.fail("a claim needs at least one access mode") }
            let volumeMode = try m["volumeMode"]?.oneOf(VolumeMode.self) ?? .Filesystem
            let stamped = try stamp(m)
            if claimList.count + stamped.count > Limits.claims { throw item.fail("more than \(Limits.claims) claims") }
            claimIDs.reserveCapacity(claimIDs.count + stamped.count)
            if let nf = m["node"], modes.contains(.ReadWriteMany) {
                throw nf.fail("a node-local volume cannot be ReadWriteMany: its data lives on one node")
            }
            for (name, index) in stamped {
                if claimIDs[name] != nil { throw (m["name"] ?? item).fail("claim \"\(name)\" is declared twice") }
                var node: NodeID?
                if let nf = m["node"] {
                    let nodeName = try nf.indexed(m["count"] == nil ? nil : index)
                    guard let id = nodeIDs[nodeName] else { throw nf.fail(unknownName("node", nodeName, nodeIDs)) }
                    node = id
                }
                claimIDs[name] = ClaimID(claimList.count)
                claimList.append(PersistentVolumeClaim(name: name, sizeBytes: size, accessModes: modes, volumeMode: volumeMode, node: node))
            }
        }
    }

    // MARK: VMs

    mutating func vms(_ f: Field) throws(ScenarioError) {
        for item in try f.sequence() {
            let m = try item.mapping([
                "name", "count", "cpu", "cpuRequest", "memory", "runStrategy", "running", "evictionStrategy", "volumes",
                "hostDevices", "podNetwork", "dirtyRate", "workingSet", "memoryInUse", "bootTime", "shutdownTime",
                "terminationGracePeriodSeconds", "node", "labels", "nodeSelector", "affinity", "tolerations", "cpuModel",
            ])
            // `host-model` (KubeVirt's default) or a named model.
            let cpuModelText = try m["cpuModel"]?.string()
            let cpuModel = cpuModelText == "host-model" ? nil : cpuModelText
            let nodeSelector = try m["nodeSelector"].map { f throws(ScenarioError) in try readLabels(f) } ?? []
            let tolerations = try m["tolerations"].map { f throws(ScenarioError) in try readTolerations(f) } ?? []
            let (nodeAffinity, antiAffinity) = try readAffinity(m["affinity"])
            let runStrategy: RunStrategy
            switch (m["runStrategy"], m["running"]) {
            case (.some, .some(let running)):
                throw running.fail(
                    "Running and RunStrategy are mutually exclusive; Running is deprecated, use RunStrategy (the VM admission webhook refuses this VM)"
                )
            case (nil, nil):
                throw item.fail("RunStrategy must be specified (set runStrategy, or the deprecated running)")
            case (let r?, nil): runStrategy = try r.oneOf(RunStrategy.self)
            case (nil, let r?): runStrategy = try r.bool() ? .Always : .Halted
            }
            let cpuField = try m.required("cpu")
            let cores = try cpuField.int(min: 1, max: 1024)
            let memory = try m.required("memory").bytes(min: 1, max: Limits.memoryBytes)
            let labels = try m["labels"].map { f throws(ScenarioError) in try readLabels(f) } ?? []
            let workingSet = try m["workingSet"]?.bytes(max: memory)
            let memoryInUse = try m["memoryInUse"]?.bytes(max: memory)
            let grace = try m["terminationGracePeriodSeconds"].map { f throws(ScenarioError) in
                SimDuration.seconds(Int64(try f.int(min: 0, max: 86_400)))
            }
            let hostDevices = try m["hostDevices"]?.sequence().map { f throws(ScenarioError) in try f.string() } ?? []
            // Read once for all the stamped copies.
            let cpuRequest = try m["cpuRequest"]?.cpuMillis()
            let evictionStrategy = try m["evictionStrategy"]?.oneOf(EvictionStrategy.self)
            let podNetwork = try m["podNetwork"]?.oneOf(PodNetworkBinding.self) ?? .masquerade
            let dirtyRate = try m["dirtyRate"]?.bytesPerSecond() ?? 0
            let bootTime = try m["bootTime"]?.duration() ?? .seconds(30)
            let shutdownTime = try m["shutdownTime"]?.duration() ?? .seconds(10)
            let volumeTemplates = try m["volumes"].map { f throws(ScenarioError) in try readVolumes(f) } ?? []
            let stamped = try stamp(m)
            if vmList.count + stamped.count > Limits.vms { throw item.fail("more than \(Limits.vms) VMs") }
            vmIDs.reserveCapacity(vmIDs.count + stamped.count)
            vmList.reserveCapacity(vmList.count + stamped.count)
            vmEntries.append((vmList.count, item, m["node"]))
            for (name, index) in stamped {
                if vmIDs[name] != nil { throw (m["name"] ?? item).fail("VM \"\(name)\" is declared twice") }
                let volumes = try resolve(volumeTemplates, index: m["count"] == nil ? nil : index)
                var initialNode: NodeID?
                if let nf = m["node"] {
                    let nodeName = try nf.indexed(m["count"] == nil ? nil : index)
                    guard let id = nodeIDs[nodeName] else { throw nf.fail(unknownName("node", nodeName, nodeIDs)) }
                    initialNode = id
                }
                vmIDs[name] = VMID(vmList.count)
                var vm =
                    VirtualMachine(
                        name: name, cpuCores: Int64(cores), cpuRequestMillis: cpuRequest, memoryBytes: memory,
                        runStrategy: runStrategy, evictionStrategy: evictionStrategy, volumes: volumes, hostDevices: hostDevices,
                        podNetworkBinding: podNetwork, dirtyBytesPerSecond: dirtyRate, workingSetBytes: workingSet,
                        memoryInUseBytes: memoryInUse, bootTime: bootTime, shutdownTime: shutdownTime,
                        terminationGracePeriod: grace ?? .seconds(30), initialNode: initialNode, labels: labels)
                vm.nodeSelector = nodeSelector
                vm.nodeAffinity = nodeAffinity
                vm.tolerations = tolerations
                vm.antiAffinity = antiAffinity
                vm.cpuModel = cpuModel
                // A running pod stays where it is when labels change or a NoSchedule taint comes
                // (IgnoredDuringExecution): only what would stop or evict it refuses the pin.
                if let n = initialNode, let nf = m["node"] {
                    let node = nodeList[n.i]
                    if let model = vm.cpuModel, !node.runs(cpuModel: model) {
                        throw nf.fail("\(node.name) cannot run the VM's CPU model \(model)")
                    }
                    if let t = PlacementTables.untoleratedTaint(vm.tolerations, on: node), t.effect == .NoExecute {
                        throw nf.fail("\(node.name) has the NoExecute taint \(t.key), which the VM does not tolerate: it would be evicted")
                    }
                }
                // Node-local volumes hold the VM to their node: one node for all, and a pin must agree.
                let local = vm.claims.compactMap { c in claimList[c.i].node.map { (claimList[c.i].name, $0) } }
                if let (claim, n) = local.first {
                    let field = m["volumes"] ?? item
                    if let (other, o) = local.first(where: { $0.1 != n }) {
                        throw field.fail(
                            "local volumes \(claim) (on \(nodeList[n.i].name)) and \(other) (on \(nodeList[o.i].name)) cannot both be used by \(name)"
                        )
                    }
                    if let pin = initialNode, pin != n, let nf = m["node"] {
                        throw nf.fail(
                            "\(name) uses the local volume \(claim), which lives on \(nodeList[n.i].name), not \(nodeList[pin.i].name)")
                    }
                }
                vmList.append(vm)
            }
        }
    }

    // MARK: workloads and budgets

    /// `workloads:` Deployments, StatefulSets and DaemonSets, in the words of their Kubernetes specs.
    mutating func workloads(_ f: Field) throws(ScenarioError) {
        var pods = 0
        var names: Set<String> = []
        for item in try f.sequence() {
            let m = try item.mapping([
                "name", "count", "kind", "replicas", "cpu", "memory", "labels", "nodeSelector", "affinity", "tolerations", "startupTime",
                "terminationGracePeriodSeconds",
            ])
            let kind = try m["kind"]?.oneOf(WorkloadKind.self) ?? .Deployment
            if kind == .DaemonSet, let r = m["replicas"] {
                throw r.fail("a DaemonSet has no replicas: it runs one pod on each node it allows")
            }
            let replicas = try m["replicas"]?.int(min: 0, max: Limits.pods) ?? 1
            let labels = try m["labels"].map { f throws(ScenarioError) in try readLabels(f) } ?? []
            let (nodeAffinity, antiAffinity) = try readAffinity(m["affinity"])
            let tolerations = try m["tolerations"].map { f throws(ScenarioError) in try readTolerations(f) } ?? []
            let cpu = try m["cpu"]?.cpuMillis() ?? 0
            let memory = try m["memory"]?.bytes(min: 1, max: Limits.memoryBytes) ?? 0
            let startup = try m["startupTime"]?.duration()
            let grace = try m["terminationGracePeriodSeconds"].map { f throws(ScenarioError) in
                SimDuration.seconds(Int64(try f.int(min: 0, max: 86_400)))
            }
            for (name, index) in try stamp(m) {
                if !names.insert(name).inserted { throw (m["name"] ?? item).fail("workload \"\(name)\" is declared twice") }
                var w = Workload(
                    name: name, kind: kind, replicas: replicas, cpuRequestMillis: cpu, memoryRequestBytes: memory, labels: labels)
                // `{i}` and `{i % N}` in nodeSelector values pin each stamped workload (an OSD per node).
                if let sf = m["nodeSelector"] {
                    guard case .mapping(let entries) = sf.node.kind else { throw sf.fail("expected a mapping of labels") }
                    for e in entries {
                        w.nodeSelector.append(
                            Label(key: e.key, value: try sf.child(e.key, e.value).indexed(m["count"] == nil ? nil : index)))
                    }
                    w.nodeSelector.sort { $0.key < $1.key }
                }
                w.nodeAffinity = nodeAffinity
                w.antiAffinity = antiAffinity
                w.tolerations = tolerations
                if let startup { w.startupTime = startup }
                if let grace { w.terminationGracePeriod = grace }
                if kind == .DaemonSet { w.replicas = nodeList.count(where: w.allows) }
                if !nodeList.contains(where: w.allows) {
                    throw (m["nodeSelector"] ?? m["affinity"] ?? item).fail(
                        "no worker node matches \(name)'s nodeSelector, node affinity and tolerations")
                }
                pods += w.replicas
                if pods > Limits.pods { throw item.fail("more than \(Limits.pods) workload pods") }
                workloadList.append(w)
                workloadFields.append(item)
            }
        }
    }

    /// `podDisruptionBudgets:` policy/v1 budgets over the workloads' pods, plus drainsim's recoveryTime.
    mutating func budgets(_ f: Field) throws(ScenarioError) {
        var names: Set<String> = []
        let items = try f.sequence()
        if items.count > Limits.budgets { throw f.fail("more than \(Limits.budgets) budgets") }
        for item in items {
            let m = try item.mapping(["name", "selector", "minAvailable", "maxUnavailable", "recoveryTime"])
            let nameField = try m.required("name")
            let name = try nameField.string()
            try checkName(name, nameField, namespaced: true)
            if !names.insert(name).inserted { throw nameField.fail("PodDisruptionBudget \"\(name)\" is declared twice") }
            let sm = try (try m.required("selector")).mapping(["matchLabels"])
            let selectorField = try sm.required("matchLabels")
            let matchLabels = try readLabels(selectorField)
            func amount(_ f: Field) throws(ScenarioError) -> IntOrPercent {
                try intOrPercent(f, max: Limits.pods) { "\"\($0)\" is not a pod count (0...\(Limits.pods)) or a percentage like 25%" }
            }
            let minAvailable = try m["minAvailable"].map(amount)
            let maxUnavailable = try m["maxUnavailable"].map(amount)
            if minAvailable != nil && maxUnavailable != nil, let f = m["maxUnavailable"] {
                throw f.fail("minAvailable and maxUnavailable are mutually exclusive (the API server refuses both)")
            }
            if minAvailable == nil && maxUnavailable == nil { throw item.fail("a budget needs minAvailable or maxUnavailable") }
            var budget = PodDisruptionBudget(
                name: name, matchLabels: matchLabels, minAvailable: minAvailable, maxUnavailable: maxUnavailable)
            budget.recoveryTime = try m["recoveryTime"]?.duration() ?? .zero
            if matchLabels.isEmpty {
                throw selectorField.fail("an empty selector selects no pod (the Eviction API's rule): give matchLabels")
            }
            if !workloadList.contains(where: { budget.selects($0) }) {
                throw selectorField.fail("selects no workload's pods: no workload in its namespace has all of these labels")
            }
            budgetList.append(budget)
        }
    }

    /// The `vms` entry that declared VM `i`.
    func vmEntry(_ i: Int) -> (item: Field, node: Field?) {
        var (lo, hi) = (0, vmEntries.count - 1)
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if vmEntries[mid].start <= i { lo = mid } else { hi = mid - 1 }
        }
        return (vmEntries[lo].item, vmEntries[lo].node)
    }

    func readTolerations(_ f: Field) throws(ScenarioError) -> [Toleration] {
        try f.sequence().map { item throws(ScenarioError) in
            let m = try item.mapping(["key", "operator", "value", "effect"])
            let op = try m["operator"]?.oneOf(Toleration.Operator.self) ?? .Equal
            return Toleration(
                key: try m["key"]?.string(), operator: op, value: try m["value"]?.string() ?? "",
                effect: try m["effect"]?.oneOf(Taint.Effect.self))
        }
    }

    /// `affinity: {nodeAffinity, podAntiAffinity}` of a VM or a workload (none when absent).
    func readAffinity(_ f: Field?) throws(ScenarioError) -> ([NodeSelectorRequirement], [AntiAffinityTerm]) {
        guard let f else { return ([], []) }
        let a = try f.mapping(["nodeAffinity", "podAntiAffinity"])
        return (
            try a["nodeAffinity"].map { f throws(ScenarioError) in try readNodeAffinity(f) } ?? [],
            try a["podAntiAffinity"].map { f throws(ScenarioError) in try readAntiAffinity(f) } ?? []
        )
    }

    /// `nodeAffinity: [{key, operator: In | NotIn | Exists | DoesNotExist, values}]` — the required terms, all of which must hold.
    func readNodeAffinity(_ f: Field) throws(ScenarioError) -> [NodeSelectorRequirement] {
        try f.sequence().map { item throws(ScenarioError) in
            let m = try item.mapping(["key", "operator", "values"])
            let op = try m.required("operator").oneOf(NodeSelectorRequirement.Operator.self)
            let values = try m["values"]?.sequence().map { v throws(ScenarioError) in try v.string() } ?? []
            if (op == .In || op == .NotIn) && values.isEmpty { throw item.fail("\(op.rawValue) needs values") }
            return NodeSelectorRequirement(key: try m.required("key").string(), operator: op, values: values)
        }
    }

    /// `podAntiAffinity: [{matchLabels, topologyKey: kubernetes.io/hostname}]` — required terms.
    func readAntiAffinity(_ f: Field) throws(ScenarioError) -> [AntiAffinityTerm] {
        try f.sequence().map { item throws(ScenarioError) in
            let m = try item.mapping(["matchLabels", "topologyKey"])
            return AntiAffinityTerm(
                matchLabels: try readLabels(try m.required("matchLabels")),
                topologyKey: try m["topologyKey"]?.string() ?? AntiAffinityTerm.hostname)
        }
    }

    /// A VM's volume as written: read once per `vms` entry, resolved for each stamped VM (only a
    /// claim's name can depend on the stamp).
    struct VolumeTemplate {
        var name: String
        var source: VolumeSource?
        /// For a persistentVolumeClaim or dataVolume: the field naming the claim.
        var claim: Field?
        var dataVolume = false
    }

    /// The VM's volumes for stamp `index` (nil without a count: then `{i}` is an error).
    func resolve(_ templates: [VolumeTemplate], index: Int?) throws(ScenarioError) -> [Volume] {
        var volumes: [Volume] = []
        volumes.reserveCapacity(templates.count)
        for t in templates {
            if let source = t.source {
                volumes.append(Volume(name: t.name, source: source))
                continue
            }
            guard let keyField = t.claim else { continue }
            let claimName = try keyField.indexed(index)
            guard let id = claimIDs[claimName] else { throw keyField.fail(unknownName("persistentVolumeClaim", claimName, claimIDs)) }
            volumes.append(Volume(name: t.name, source: t.dataVolume ? .dataVolume(id) : .persistentVolumeClaim(id)))
        }
        return volumes
    }

    func readVolumes(_ f: Field) throws(ScenarioError) -> [VolumeTemplate] {
        var volumes: [VolumeTemplate] = []
        let items = try f.sequence()
        if items.count > Limits.volumesPerVM { throw f.fail("more than \(Limits.volumesPerVM) volumes") }
        for item in items {
            let kinds = ["persistentVolumeClaim", "dataVolume", "containerDisk", "emptyDisk", "cloudInitNoCloud", "cloudInitConfigDrive"]
            let m = try item.mapping(["name"] + kinds)
            let given = kinds.filter { m.has($0) }
            guard given.count == 1, let kind = given.first else {
                throw item.fail("a volume needs exactly one source: " + kinds.joined(separator: ", "))
            }
            let name = try m["name"]?.string() ?? kind
            let source: VolumeSource
            switch kind {
            case "persistentVolumeClaim", "dataVolume":
                let sf = try m.required(kind)
                let sm = try sf.mapping(kind == "dataVolume" ? ["name"] : ["claimName", "readOnly"])
                let keyField = try sm.required(kind == "dataVolume" ? "name" : "claimName")
                volumes.append(VolumeTemplate(name: name, source: nil, claim: keyField, dataVolume: kind == "dataVolume"))
                continue
            case "containerDisk":
                // `size` (the image's) is accepted and not migrated: the image stays in the container.
                let sm = try (try m.required(kind)).mapping(["image", "size", "written"])
                let size = try sm["size"]?.bytes()
                source = .containerDisk(writtenBytes: try sm["written"]?.bytes(max: size ?? Limits.diskBytes) ?? 0)
            case "emptyDisk":
                let sm = try (try m.required(kind)).mapping(["capacity", "written"])
                let capacity = try sm.required("capacity").bytes()
                source = .emptyDisk(writtenBytes: try sm["written"]?.bytes(max: capacity) ?? 0)
            default:
                source = .cloudInit
            }
            volumes.append(VolumeTemplate(name: name, source: source, claim: nil))
        }
        return volumes
    }

    /// Initial placements must be possible: the scenario describes a cluster that exists. Pinned VMs
    /// fit their nodes, take no control-plane node (its role taint), keep their own anti-affinity, and
    /// share a ReadWriteOnce claim only on one node; a ReadWriteOncePod claim has one running user.
    func checkInitialPlacement(_ state: inout ClusterState) throws(ScenarioError) {
        var cpu = Array(repeating: Int64(0), count: nodeList.count)
        var mem = cpu
        var probe = state
        var claimPinned: [ClaimID: (node: NodeID, vm: String)] = [:]
        var claimRunner: [ClaimID: String] = [:]
        for (i, vm) in vmList.enumerated() where vm.runStrategy != .Halted {
            for c in vm.claims where claimList[c.i].onePodOnly {
                if let other = claimRunner[c] {
                    throw vmEntry(i).item.fail(
                        "claim \(claimList[c.i].name) is ReadWriteOncePod and VM \(other) uses it too: one pod at most"
                            + " (the scheduler refuses the second); make one of them Halted or give each its own claim")
                }
                claimRunner[c] = vm.name
            }
            guard let n = vm.initialNode, let f = vmEntry(i).node else { continue }
            if nodeList[n.i].role == .controlPlane {
                throw f.fail("\(nodeList[n.i].name) is a control-plane node: its NoSchedule role taint keeps VMs off it")
            }
            if probe.antiAffinityExcludes(VMID(i), n.i) {
                throw f.fail("placing \(vm.name) on \(nodeList[n.i].name) breaks a required pod anti-affinity with a VM pinned there")
            }
            probe.bindLauncher(VMID(i), to: n)
            for c in vm.claims where claimList[c.i].attachesToOneNode {
                if let other = claimPinned[c], other.node != n {
                    throw f.fail(
                        "claim \(claimList[c.i].name) is \(claimList[c.i].accessModes.map(\.rawValue).joined(separator: ", ")) and VM"
                            + " \(other.vm) uses it on \(nodeList[other.node.i].name): the volume attaches to one node"
                            + " (pin both to one node, or make the claim ReadWriteMany)")
                }
                claimPinned[c] = (n, vm.name)
            }
        }
        for (i, vm) in vmList.enumerated() {
            guard let n = vm.initialNode else { continue }
            cpu[n.i] += vm.launcherCPURequestMillis
            mem[n.i] += vm.launcherMemoryRequestBytes
            let node = nodeList[n.i]
            if cpu[n.i] > node.cpuMillis || mem[n.i] > node.memoryBytes, let f = vmEntry(i).node {
                throw f.fail(
                    "VMs placed on \(node.name) request \(ByteFormat.describe(mem[n.i])) memory and \(cpu[n.i])m CPU"
                        + " (with virt-launcher overhead); it has \(ByteFormat.describe(node.memoryBytes)) and \(node.cpuMillis)m")
            }
        }
    }

    // MARK: timeline

    func node(_ f: Field) throws(ScenarioError) -> NodeID {
        let name = try f.string()
        guard let id = nodeIDs[name] else { throw f.fail(unknownName("node", name, nodeIDs)) }
        return id
    }

    func vm(_ f: Field) throws(ScenarioError) -> VMID {
        let name = try f.string()
        guard let id = vmIDs[name] else { throw f.fail(unknownName("VM", name, vmIDs)) }
        return id
    }

    /// The timeline, every action at or before `stopAt` (a later one would silently never happen).
    func timeline(_ f: Field, stopAt: SimTime?) throws(ScenarioError) -> [TimelineEvent] {
        let actions = [
            "nodeMaintenance", "deleteNodeMaintenance", "cordon", "uncordon", "drain", "start", "stop", "restart",
            "migrate", "guestShutdown", "guestCrash", "rollingMaintenance", "kernelPanic", "powerLoss", "nicFault", "repair",
            "forceDeletePods", "outOfServiceTaint", "workloadUpdate",
        ]
        var events: [TimelineEvent] = []
        let items = try f.sequence()
        if items.count > Limits.timelineEntries { throw f.fail("more than \(Limits.timelineEntries) timeline entries") }
        for item in items {
            let m = try item.mapping(["at"] + actions)
            let atField = try m.required("at")
            let at = SimTime.zero + (try atField.duration())
            if let stopAt, at > stopAt {
                throw atField.fail("this action comes after stopAt (\(stopAt - .zero)), so it would never happen; move it or stopAt")
            }
            let given = actions.filter { m.has($0) }
            guard given.count == 1, let key = given.first, let a = m[key] else {
                throw item.fail("each timeline entry needs \"at\" and exactly one action: " + actions.joined(separator: ", "))
            }
            let action: TimelineAction
            switch key {
            case "nodeMaintenance":
                action = try nodeMaintenance(a)
            case "deleteNodeMaintenance": action = .deleteNodeMaintenance(node: try node(a))
            case "cordon": action = .cordon(try node(a))
            case "uncordon": action = .uncordon(try node(a))
            case "drain":
                if case .mapping = a.node.kind {
                    let dm = try a.mapping(["node", "timeout"])
                    action = .drain(try node(try dm.required("node")), timeout: try dm["timeout"]?.duration())
                } else {
                    action = .drain(try node(a), timeout: nil)
                }
            case "start": action = .start(try vm(a))
            case "stop": action = .stop(try vm(a))
            case "restart": action = .restart(try vm(a))
            case "migrate": action = .migrate(try vm(a))
            case "guestShutdown": action = .guestShutdown(try vm(a))
            case "guestCrash": action = .guestCrash(try vm(a))
            case "kernelPanic":
                if case .mapping = a.node.kind {
                    let km = try a.mapping(["node", "rebootAfter"])
                    action = .kernelPanic(try node(try km.required("node")), rebootAfter: try km["rebootAfter"]?.duration())
                } else {
                    action = .kernelPanic(try node(a), rebootAfter: nil)
                }
            case "powerLoss": action = try powerLoss(a)
            case "nicFault":
                let nm = try a.mapping(["node", "network", "duration"])
                action = .nicFault(
                    try node(try nm.required("node")), try faultedNetwork(try nm.required("network")),
                    duration: try nm["duration"]?.duration())
            case "repair": action = .repair(try node(a))
            case "forceDeletePods": action = .forceDeletePods(try node(a))
            case "outOfServiceTaint": action = .outOfServiceTaint(try node(a))
            case "workloadUpdate":
                let w = try a.mapping(["methods", "batchEvictionSize", "batchEvictionInterval"])
                // HCO's defaults: [LiveMigrate], 10 per 1m.
                let methods =
                    try w["methods"]?.sequence().map { f throws(ScenarioError) -> String in
                        let v = try f.string()
                        guard v == "LiveMigrate" || v == "Evict" else {
                            throw f.fail("unknown method \"\(v)\"; expected LiveMigrate or Evict")
                        }
                        return v
                    } ?? ["LiveMigrate"]
                action = .workloadUpdate(
                    WorkloadUpdate(
                        liveMigrate: methods.contains("LiveMigrate"), evict: methods.contains("Evict"),
                        batchEvictionSize: try w["batchEvictionSize"]?.int(min: 1) ?? 10,
                        batchEvictionInterval: try w["batchEvictionInterval"]?.duration(min: .seconds(1)) ?? .minutes(1)))
            default: action = .rollingMaintenance(try rolling(a))
            }
            events.append(TimelineEvent(at: at, action: action, line: item.node.line))
        }
        // Stable: entries at the same instant keep the file's order.
        return events.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
    }

    /// `powerLoss: NODE`, or `{node | matchLabels, restoreAfter}`: one node, or every node that shares
    /// the labels (a rack, a power unit).
    /// `{node, name?, reason?}`, or the CR as written: `{apiVersion: nodemaintenance.medik8s.io/v1beta1,
    /// kind: NodeMaintenance, metadata: {name}, spec: {nodeName, reason}}`.
    func nodeMaintenance(_ a: Field) throws(ScenarioError) -> TimelineAction {
        if case .mapping(let entries) = a.node.kind, entries.contains(where: { $0.key == "kind" || $0.key == "spec" }) {
            let cr = try a.mapping(["apiVersion", "kind", "metadata", "spec"])
            if let v = cr["apiVersion"], try v.string() != "nodemaintenance.medik8s.io/v1beta1" {
                throw v.fail("expected apiVersion nodemaintenance.medik8s.io/v1beta1")
            }
            if let k = cr["kind"], try k.string() != "NodeMaintenance" { throw k.fail("expected kind NodeMaintenance") }
            let spec = try (try cr.required("spec")).mapping(["nodeName", "reason"])
            let n = try node(try spec.required("nodeName"))
            var name = "nm-\(nodeList[n.i].name)"
            if let metadata = cr["metadata"] {
                // The CR's metadata as the API returns it: only the name matters here.
                guard case .mapping(let entries) = metadata.node.kind else { throw metadata.fail("expected a mapping") }
                if let e = entries.first(where: { $0.key == "name" }) { name = try metadata.child("name", e.value).string() }
            }
            return .createNodeMaintenance(node: n, name: name, reason: try spec["reason"]?.string() ?? "")
        }
        let nm = try a.mapping(["node", "name", "reason"])
        let n = try node(try nm.required("node"))
        return .createNodeMaintenance(
            node: n, name: try nm["name"]?.string() ?? "nm-\(nodeList[n.i].name)", reason: try nm["reason"]?.string() ?? "")
    }

    /// The network whose NIC fails: a migration NIC exists only with a dedicated migration network.
    func faultedNetwork(_ f: Field) throws(ScenarioError) -> NodeNetwork {
        let network = try f.oneOf(NodeNetwork.self)
        if network == .migration && !dedicatedMigrationNetwork {
            throw f.fail(
                "there is no dedicated migration network (cluster.liveMigration.network is not set): migrations ride the"
                    + " primary network, so fault the primary NIC, or set the network")
        }
        return network
    }

    func powerLoss(_ f: Field) throws(ScenarioError) -> TimelineAction {
        guard case .mapping = f.node.kind else { return .powerLoss([try node(f)], restoreAfter: nil) }
        let m = try f.mapping(["node", "matchLabels", "restoreAfter"])
        var nodes: [NodeID] = []
        if let n = m["node"] { nodes.append(try node(n)) }
        if let l = m["matchLabels"] {
            let labels = try readLabels(l)
            nodes += nodeList.indices.filter { i in labels.allSatisfy { nodeList[i].labels.contains($0) } }.map(NodeID.init)
            if nodes.isEmpty { throw l.fail("no node has these labels") }
        }
        if nodes.isEmpty { throw f.fail("powerLoss needs a node or matchLabels") }
        return .powerLoss(nodes, restoreAfter: try m["restoreAfter"]?.duration())
    }

    func rolling(_ f: Field) throws(ScenarioError) -> RollingMaintenance {
        let m = try f.mapping(["nodes", "role", "matchLabels", "maxUnavailable", "maintenanceDuration", "reason"])
        var nodes: [NodeID]
        if let list = m["nodes"] {
            nodes = try list.sequence().map { f throws(ScenarioError) in try node(f) }
        } else {
            let role = try m["role"]?.oneOf(NodeRole.self) ?? .worker
            let labels = try m["matchLabels"].map { f throws(ScenarioError) in try readLabels(f) } ?? []
            nodes = nodeList.indices.filter { i in
                nodeList[i].role == role && labels.allSatisfy { nodeList[i].labels.contains($0) }
            }.map(NodeID.init)
        }
        if nodes.isEmpty { throw f.fail("the rolling maintenance selects no node") }
        return RollingMaintenance(
            nodes: nodes, maxUnavailable: try m["maxUnavailable"]?.int(min: 1) ?? 1,
            maintenanceDuration: try m["maintenanceDuration"]?.duration() ?? .minutes(10),
            reason: try m["reason"]?.string() ?? "rolling maintenance")
    }

    // MARK: random failures

    func failures(_ f: Field) throws(ScenarioError) -> [FailureProcess] {
        var out: [FailureProcess] = []
        for item in try f.sequence() {
            let m = try item.mapping([
                "name", "fault", "network", "nodes", "role", "matchLabels", "domain", "timeBetweenFailures", "timeToRepair",
            ])
            let name = try m.required("name").string()
            if out.contains(where: { $0.name == name }) { throw (m["name"] ?? item).fail("failure process \"\(name)\" is declared twice") }
            let faultField = try m.required("fault")
            let kind: FaultKind
            switch try faultField.plain("a fault") {
            case "kernelPanic": kind = .kernelPanic
            case "powerLoss": kind = .powerLoss
            case "nicFault": kind = .nicFault(try faultedNetwork(try m.required("network")))
            case let other:
                throw faultField.fail("unknown value \"\(other)\"; expected one of kernelPanic, powerLoss, nicFault")
            }
            var nodes: [NodeID]
            if let list = m["nodes"] {
                nodes = try list.sequence().map { f throws(ScenarioError) in try node(f) }
            } else {
                let role = try m["role"]?.oneOf(NodeRole.self) ?? .worker
                let labels = try m["matchLabels"].map { f throws(ScenarioError) in try readLabels(f) } ?? []
                nodes = nodeList.indices.filter { i in nodeList[i].role == role && labels.allSatisfy { nodeList[i].labels.contains($0) } }
                    .map(NodeID.init)
            }
            if nodes.isEmpty { throw item.fail("the failure process selects no node") }
            var units: [[NodeID]] = []
            var unitNames: [String] = []
            if let domainField = m["domain"] {
                // One unit per value of the label: a rack, a power unit fails as a whole.
                let key = try domainField.string()
                for n in nodes {
                    guard let value = nodeList[n.i].labels.first(where: { $0.key == key })?.value else {
                        throw domainField.fail("node \(nodeList[n.i].name) has no label \(key)")
                    }
                    if let k = unitNames.firstIndex(of: value) {
                        units[k].append(n)
                    } else {
                        unitNames.append(value)
                        units.append([n])
                    }
                }
            } else {
                units = nodes.map { [$0] }
                unitNames = nodes.map { nodeList[$0.i].name }
            }
            out.append(
                FailureProcess(
                    name: name, kind: kind, units: units, unitNames: unitNames,
                    timeBetweenFailures: try distribution(try m.required("timeBetweenFailures")),
                    timeToRepair: try distribution(try m.required("timeToRepair"))))
        }
        return out
    }

    /// `{constant: 10d}`, `{exponential: {mean: 30d}}`, `{weibull: {shape: 1.5, scale: 40d}}`,
    /// `{logNormal: {median: 4h, sigma: 0.5}}`.
    func distribution(_ f: Field) throws(ScenarioError) -> Distribution {
        let names = ["constant", "exponential", "weibull", "logNormal"]
        let m = try f.mapping(names)
        guard m.keys.count == 1, let key = m.keys.first, let v = m[key] else {
            throw f.fail("a distribution needs exactly one of " + names.joined(separator: ", "))
        }
        func positive(_ d: SimDuration, _ field: Field) throws(ScenarioError) -> SimDuration {
            if d.milliseconds <= 0 { throw field.fail("must be longer than zero") }
            return d
        }
        switch key {
        case "constant": return .constant(try positive(try v.duration(), v))
        case "exponential":
            let p = try v.mapping(["mean"])
            let mean = try p.required("mean")
            return .exponential(mean: try positive(try mean.duration(), mean))
        case "weibull":
            let p = try v.mapping(["shape", "scale"])
            let scale = try p.required("scale")
            return .weibull(shape: try p.required("shape").double(min: 0.05, max: 20), scale: try positive(try scale.duration(), scale))
        default:
            let p = try v.mapping(["median", "sigma"])
            let median = try p.required("median")
            return .logNormal(median: try positive(try median.duration(), median), sigma: try p.required("sigma").double(min: 0, max: 5))
        }
    }

    // MARK: expect

    /// `expect.tolerances: {totalDowntime: 10%, maxDowntime: 500ms, failedMigrations: 2}`.
    func tolerances(_ f: Field) throws(ScenarioError) -> [Metric: Tolerance] {
        guard let t = (try f.mapping(Builder.expectKeys))["tolerances"] else { return [:] }
        let m = try t.mapping(Metric.allCases.map(\.rawValue))
        var out: [Metric: Tolerance] = [:]
        for key in m.keys {
            guard let metric = Metric(rawValue: key), let v = m[key] else { continue }
            let text = try v.plain("a tolerance")
            if text.hasSuffix("%"), let p = Int64(text.dropLast()), p >= 0 {
                guard p <= Limits.tolerancePercent else {
                    throw v.fail("\(text) is out of range; expected 0%...\(Limits.tolerancePercent)%")
                }
                out[metric] = .relative(percent: p)
            } else if metric.isDuration {
                out[metric] = .absolute(try v.duration().milliseconds)
            } else {
                out[metric] = .absolute(Int64(try v.int(max: Limits.vms)))
            }
        }
        return out
    }

    func expectations(_ f: Field) throws(ScenarioError) -> [Expectation] {
        let m = try f.mapping(Builder.expectKeys)
        var out: [Expectation] = []
        if let v = m["maxDowntime"] { out.append(.maxDowntime(try v.duration())) }
        if let v = m["maxTotalDowntime"] { out.append(.maxTotalDowntime(try v.duration())) }
        if let v = m["maxVMsWithDowntime"] { out.append(.maxVMsWithDowntime(try v.int())) }
        if let v = m["maxVMsDownAtEnd"] { out.append(.maxVMsDownAtEnd(try v.int())) }
        if let v = m["maxVMsWithOutage"] { out.append(.maxVMsWithOutage(try v.int())) }
        if let v = m["blockedDrains"] { out.append(.blockedDrains(try v.int())) }
        if let v = m["maxPendingMigrationsAtEnd"] { out.append(.maxPendingMigrationsAtEnd(try v.int())) }
        if let v = m["maintenanceWithin"] { out.append(.maintenanceWithin(try v.duration())) }
        if let v = m["maxFailedMigrations"] { out.append(.maxFailedMigrations(try v.int())) }
        if let v = m["maxSafetyFindings"] { out.append(.maxSafetyFindings(try v.int())) }
        for item in try m["vms"]?.sequence() ?? [] {
            let vm = try item.mapping(["name", "migrated", "downAtEnd", "maxDowntime", "finalNode"])
            out.append(
                .vm(
                    VMExpectation(
                        vm: try self.vm(try vm.required("name")), migrated: try vm["migrated"]?.bool(),
                        downAtEnd: try vm["downAtEnd"]?.bool(), maxDowntime: try vm["maxDowntime"]?.duration(),
                        finalNode: try vm["finalNode"].map { f throws(ScenarioError) in try node(f) })))
        }
        return out
    }

    static let expectKeys = [
        "maxDowntime", "maxTotalDowntime", "maxVMsWithDowntime", "maxVMsDownAtEnd", "maxVMsWithOutage", "blockedDrains",
        "maxPendingMigrationsAtEnd", "maintenanceWithin",
        "maxFailedMigrations", "maxSafetyFindings", "vms", "tolerances",
    ]

    func unknownName<ID>(_ what: String, _ name: String, _ known: [String: ID]) -> String {
        var message = "no \(what) named \"\(name)\""
        if let guess = closest(name, known.keys.sorted()) { message += "; did you mean \"\(guess)\"?" }
        return message
    }
}

extension String {
    /// Replaces every occurrence of a placeholder such as `{i}`.
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        let t = Array(target.utf8)
        guard !t.isEmpty else { return self }
        let bytes = Array(utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + replacement.utf8.count)
        var k = 0
        var found = false
        while k < bytes.count {
            if bytes[k] == t[0] && k + t.count <= bytes.count && Array(bytes[k..<k + t.count]) == t {
                out.append(contentsOf: replacement.utf8)
                k += t.count
                found = true
            } else {
                out.append(bytes[k])
                k += 1
            }
        }
        return found ? String(decoding: out, as: UTF8.self) : self
    }
}
