import ClusterModel

/// `drainsim import`: a scenario from a cluster's own objects, as `oc get -o yaml` (or `-o json`)
/// prints them — one object, a `kind: List`, or a stream of documents.
///
/// The mapping follows KubeVirt and Kubernetes field by field; what no object says (dirty rates,
/// migration links, boot times) is a default, and every default and guess is listed in the
/// scenario's opening comment, with the kinds of object that were skipped.
public struct ClusterImport {
    /// The scenario's text, with its opening comment (`header` then `body`).
    public var scenario: String { header + body }
    public private(set) var header = ""
    public private(set) var body = ""
    /// Each VMI's own `LiveMigratable` condition: the VM, the status, reason and message.
    public private(set) var liveMigratableConditions: [(vm: String, status: String, reason: String, message: String)] = []
    public private(set) var guesses: [String] = []
    /// Object kinds read but not modelled, with how many.
    public private(set) var skipped: [(kind: String, count: Int)] = []

    private var objects: [String: [Field]] = [:]
    private var kindsInOrder: [String] = []
    private var out: [String] = []
    private var seen: Set<String> = []
    private var duplicates = 0
    private let rolling: Bool
    private let firstFile: String

    /// Reads every file (path and text) and builds the scenario; `rolling` adds a rolling maintenance
    /// of every worker, one at a time, so the scenario runs as it is.
    public init(files: [(path: String, text: String)], rolling: Bool = false) throws(ScenarioError) {
        self.rolling = rolling
        firstFile = files.first?.path ?? "input"
        for (path, text) in files {
            for (n, document) in try YAMLReader.parseStream(text, file: path).enumerated() {
                try collect(Field(node: document, path: "document \(n + 1)", file: path))
            }
        }
        try build()
    }

    // MARK: reading

    private mutating func collect(_ object: Field) throws(ScenarioError) {
        guard case .mapping = object.node.kind else { throw object.fail("expected a Kubernetes object (a mapping)") }
        guard let kind = object.at("kind")?.text else { throw object.fail("an object without kind") }
        if kind == "List" || (kind.hasSuffix("List") && object.at("items") != nil) {
            for item in object.at("items")?.list ?? [] { try collect(item) }
            return
        }
        // The same object twice (two overlapping `oc get` outputs): the first one counts.
        let key = "\(kind)/\(object.at("metadata", "namespace")?.text ?? "")/\(object.at("metadata", "name")?.text ?? "")"
        if !seen.insert(key).inserted {
            duplicates += 1
            return
        }
        if objects[kind] == nil { kindsInOrder.append(kind) }
        objects[kind, default: []].append(object)
    }

    private func all(_ kind: String) -> [Field] { objects[kind] ?? [] }

    private mutating func guess(_ text: String) {
        if !guesses.contains(text) { guesses.append(text) }
    }

    // MARK: building

    private static let modelled: Set<String> = [
        "Node", "PersistentVolumeClaim", "DataVolume", "VirtualMachine", "VirtualMachineInstance", "HyperConverged", "KubeVirt",
        "MigrationPolicy", "NodeMaintenance", "Deployment", "StatefulSet", "DaemonSet", "PodDisruptionBudget", "StorageClass",
        "StorageProfile", "Pod", "ReplicaSet",
    ]

    private mutating func build() throws(ScenarioError) {
        let storage = storageClasses()
        var claims = try persistentVolumeClaims(storage)
        out.append("name: imported")
        try cluster()
        try nodes()
        let vms = try virtualMachines(storage, &claims)
        if !claims.isEmpty {
            out.append("persistentVolumeClaims:")
            out += claims.map { "  - " + $0.line }
        }
        if !vms.isEmpty {
            out.append("vms:")
            out += vms
        }
        try workloads()
        try budgets()
        timeline()
        for kind in kindsInOrder where !Self.modelled.contains(kind) { skipped.append((kind, all(kind).count)) }
        if duplicates > 0 { guess("\(duplicates) object(s) given twice: the first copy of each is used") }
        var vmNames: Set<String> = []
        for vm in all("VirtualMachine") { vmNames.insert(try qualifiedName(vm)) }
        var standalone = 0
        for vmi in all("VirtualMachineInstance") where !vmNames.contains(try qualifiedName(vmi)) { standalone += 1 }
        if standalone > 0 { guess("\(standalone) VMI(s) without a VirtualMachine are left out (no run strategy brings them back)") }
        let pods = all("Pod")
        if !pods.isEmpty {
            let alone = pods.count { $0.at("metadata", "ownerReferences")?.list.isEmpty ?? true }
            guess(
                "Pods are not imported one by one (\(pods.count) read): Deployments, StatefulSets and DaemonSets become workloads,"
                    + " virt-launcher pods are their VMs" + (alone > 0 ? "; \(alone) without an owner are left out" : ""))
        }
        header = makeHeader()
        body = out.joined(separator: "\n") + "\n"
    }

    private func makeHeader() -> String {
        var h = "# Imported by `drainsim import` from the cluster's objects. Add a timeline (a NodeMaintenance,\n"
        h += "# a rollingMaintenance) to run it. What no object says was assumed:\n"
        for g in guesses { h += wrap("- " + g) }
        if !skipped.isEmpty {
            h += "# Kinds read but not modelled: " + skipped.map { "\($0.kind) (\($0.count))" }.joined(separator: ", ") + "\n"
        }
        return h
    }

    private func wrap(_ text: String) -> String {
        var lines: [String] = []
        var line = "#"
        for word in text.split(separator: " ") {
            if line.count + word.count + 1 > 100 && line.count > 4 {
                lines.append(line)
                line = "#  "
            }
            line += " " + word
        }
        lines.append(line)
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: cluster settings

    /// HCO's spec (it owns the KubeVirt CR, so it wins), else the KubeVirt CR's configuration.
    private mutating func cluster() throws(ScenarioError) {
        var lines: [String] = []
        var migration: Field?
        var eviction: String?
        if let hco = all("HyperConverged").first {
            migration = hco.at("spec", "liveMigrationConfig")
            eviction = hco.at("spec", "evictionStrategy")?.text
            if let version = hco.at("status", "versions")?.list.first(where: { $0.at("name")?.text == "operator" })?.at("version")?.text {
                let minor = version.split(separator: ".").prefix(2).joined(separator: ".")
                if VersionProfile(rawValue: "hco-\(minor)") != nil {
                    lines.append("  profile: hco-\(minor)")
                } else {
                    guess("HCO version \(version) has no profile in drainsim: the default profile's defaults apply")
                }
            }
        } else if let kv = all("KubeVirt").first {
            migration = kv.at("spec", "configuration", "migrations")
            eviction = kv.at("spec", "configuration", "evictionStrategy")?.text
        } else {
            guess("no HyperConverged or KubeVirt object: the default profile's migration settings and evictionStrategy")
        }
        if let eviction { lines.append("  evictionStrategy: \(eviction)") }
        if let m = migration {
            var l: [String] = []
            for key in [
                "parallelMigrationsPerCluster", "parallelOutboundMigrationsPerNode", "bandwidthPerMigration", "completionTimeoutPerGiB",
                "progressTimeout", "allowAutoConverge", "allowPostCopy", "allowWorkloadDisruption", "network",
            ] {
                if let v = m.at(key)?.text { l.append("\(key): \(quote(v))") }
            }
            if !l.isEmpty { lines.append("  liveMigration: {" + l.joined(separator: ", ") + "}") }
        }
        let policies = all("MigrationPolicy").compactMap { p -> String? in
            guard let name = p.at("metadata", "name")?.text else { return nil }
            let selector = p.at("spec", "selectors", "virtualMachineInstanceSelector")
            if p.at("spec", "selectors", "namespaceSelector") != nil {
                guess("MigrationPolicy \(name): its namespaceSelector is not modelled; the VMI selector alone picks its VMs")
            }
            var fields = ["name: \(quote(name))", "matchLabels: \(labelsFlow(selector))"]
            for key in [
                "bandwidthPerMigration", "completionTimeoutPerGiB", "allowAutoConverge", "allowPostCopy", "allowWorkloadDisruption",
            ] {
                if let v = p.at("spec", key)?.text { fields.append("\(key): \(quote(v))") }
            }
            return "    - {" + fields.joined(separator: ", ") + "}"
        }
        if !policies.isEmpty { lines += ["  migrationPolicies:"] + policies }
        if !lines.isEmpty { out += ["cluster:"] + lines }
    }

    // MARK: nodes

    private mutating func nodes() throws(ScenarioError) {
        let nodes = all("Node")
        guard !nodes.isEmpty else {
            throw ScenarioError(
                file: firstFile, line: 1, column: 1, field: "", message: "no Node objects in the input: add `oc get nodes -o yaml`")
        }
        guess("every node's migrationLink is 10Gbps (no object says it; set each node's link speed)")
        guess("every node's bootTime is 5m (power-on to Ready)")
        out.append("nodes:")
        for n in nodes {
            let name = try required(n, "metadata", "name")
            let labels = n.at("metadata", "labels")?.pairs ?? []
            var fields = ["name: \(quote(name))"]
            if labels.contains(where: { $0.0 == "node-role.kubernetes.io/master" || $0.0 == "node-role.kubernetes.io/control-plane" }) {
                fields.append("role: control-plane")
            }
            let cpu = try required(n, "status", "allocatable", "cpu")
            let memory = try required(n, "status", "allocatable", "memory")
            fields += ["cpu: \(quote(cpu))", "memory: \(quote(memory))"]
            if n.at("spec", "unschedulable")?.text == "true" { fields.append("unschedulable: true") }
            // virt-handler's node labeller: the host model, and the models a migration may bring here.
            let hostModel = labels.first { $0.0.hasPrefix("host-model-cpu.node.kubevirt.io/") && $0.1.text == "true" }
            var models: [String] = []
            for (key, value) in labels where value.text == "true" {
                for prefix in ["cpu-model-migration.node.kubevirt.io/", "cpu-model.node.kubevirt.io/"] where key.hasPrefix(prefix) {
                    let model = String(key.dropFirst(prefix.count))
                    if !models.contains(model) { models.append(model) }
                }
            }
            if let hostModel {
                let model = String(hostModel.0.dropFirst("host-model-cpu.node.kubevirt.io/".count))
                fields.append("cpuModel: \(quote(model))")
                models.removeAll { $0 == model }
                if !models.isEmpty { fields.append("cpuModels: [" + models.sorted().map(quote).joined(separator: ", ") + "]") }
            }
            if !labels.isEmpty { fields.append("labels: " + labelsFlow(n.at("metadata", "labels"))) }
            // The cordon's own taint and the control-plane role taint are what `unschedulable` and `role` say.
            let taints = (n.at("spec", "taints")?.list ?? []).filter {
                let key = $0.at("key")?.text ?? ""
                return key != "node.kubernetes.io/unschedulable" && key != "node-role.kubernetes.io/master"
                    && key != "node-role.kubernetes.io/control-plane"
            }
            if !taints.isEmpty {
                fields.append(
                    "taints: ["
                        + taints.map { t in
                            "{key: \(quote(t.at("key")?.text ?? "")), value: \(quote(t.at("value")?.text ?? "")), effect: \(t.at("effect")?.text ?? "NoSchedule")}"
                        }.joined(separator: ", ") + "]")
            }
            out.append("  - {" + fields.joined(separator: ", ") + "}")
        }
    }

    // MARK: storage

    private struct StorageClass {
        var local: Bool
        var profileAccessModes: [String]
        var profileVolumeMode: String?
    }

    /// Provisioners whose volumes live on one node (LVM Storage, local-storage, hostpath provisioner).
    private static let localProvisioners: Set<String> = [
        "kubernetes.io/no-provisioner", "topolvm.io", "topolvm.cybozu.com", "kubevirt.io.hostpath-provisioner",
        "kubevirt.io/hostpath-provisioner", "rancher.io/local-path",
    ]

    private func storageClasses() -> [String: StorageClass] {
        var out: [String: StorageClass] = [:]
        for sc in all("StorageClass") {
            guard let name = sc.at("metadata", "name")?.text else { continue }
            out[name] = StorageClass(
                local: Self.localProvisioners.contains(sc.at("provisioner")?.text ?? ""), profileAccessModes: [], profileVolumeMode: nil)
        }
        // CDI's StorageProfile (named after its class) says which access modes a DataVolume gets when it names none.
        for sp in all("StorageProfile") {
            guard let name = sp.at("metadata", "name")?.text else { continue }
            let set = sp.at("status", "claimPropertySets")?.list.first
            var c = out[name] ?? StorageClass(local: false, profileAccessModes: [], profileVolumeMode: nil)
            c.profileAccessModes = set?.at("accessModes")?.list.compactMap(\.text) ?? []
            c.profileVolumeMode = set?.at("volumeMode")?.text
            out[name] = c
        }
        return out
    }

    private struct Claim {
        var name: String
        var line: String
    }

    private mutating func persistentVolumeClaims(_ storage: [String: StorageClass]) throws(ScenarioError) -> [Claim] {
        var out: [Claim] = []
        for pvc in all("PersistentVolumeClaim") {
            let name = try qualifiedName(pvc)
            let size = pvc.at("status", "capacity", "storage")?.text ?? pvc.at("spec", "resources", "requests", "storage")?.text
            let node = pvc.at("metadata", "annotations", "volume.kubernetes.io/selected-node")?.text
            out.append(
                try claim(
                    pvc, name: name, spec: pvc.at("spec"), size: size, storage: storage,
                    selectedNode: node))
        }
        return out
    }

    /// One claim line: access modes (the claim's, else its class's StorageProfile's), size, volume
    /// mode, and the node of a local volume.
    private mutating func claim(
        _ object: Field, name: String, spec: Field?, size: String?, storage: [String: StorageClass], selectedNode: String?
    ) throws(ScenarioError) -> Claim {
        let className = spec?.at("storageClassName")?.text
        let profile = className.flatMap { storage[$0] }
        var modes = spec?.at("accessModes")?.list.compactMap(\.text) ?? []
        if modes.isEmpty { modes = profile?.profileAccessModes ?? [] }
        if modes.isEmpty {
            modes = ["ReadWriteOnce"]
            guess("claim \(name) names no access mode and no StorageProfile gives one: ReadWriteOnce (not live-migratable)")
        }
        guard let size else { throw object.fail("claim \(name) has no size (status.capacity.storage or spec.resources.requests.storage)") }
        var fields = ["name: \(quote(name))", "size: \(quote(size))", "accessModes: [" + modes.joined(separator: ", ") + "]"]
        if let mode = spec?.at("volumeMode")?.text ?? profile?.profileVolumeMode { fields.append("volumeMode: \(mode)") }
        if profile?.local == true {
            if let selectedNode {
                fields.append("node: \(quote(selectedNode))")
            } else {
                guess("claim \(name) is on a local storage class but names no selected node: taken as a network volume")
            }
        }
        return Claim(name: name, line: "{" + fields.joined(separator: ", ") + "}")
    }

    // MARK: VMs

    private mutating func virtualMachines(_ storage: [String: StorageClass], _ claims: inout [Claim]) throws(ScenarioError) -> [String] {
        var vmis: [String: Field] = [:]
        for vmi in all("VirtualMachineInstance") { vmis[try qualifiedName(vmi)] = vmi }
        var known = Set(claims.map(\.name))
        for dv in all("DataVolume") { try dataVolumeClaim(dv, name: try qualifiedName(dv), storage, &claims, &known) }
        var lines: [String] = []
        if !all("VirtualMachine").isEmpty {
            guess(
                "every VM's dirtyRate is 0 (an idle guest): no object holds it; measure a VM's with a test migration"
                    + " (`virtctl migrate`, then the VMI's migrationState and the kubevirt_vmi_migration_* metrics) and set dirtyRate")
            guess("every VM's bootTime is 30s and shutdownTime 10s")
        }
        for vm in all("VirtualMachine") {
            let name = try qualifiedName(vm)
            let namespace = vm.at("metadata", "namespace")?.text
            for t in vm.at("spec", "dataVolumeTemplates")?.list ?? [] {
                guard let dvName = t.at("metadata", "name")?.text else { continue }
                try dataVolumeClaim(t, name: namespace.map { "\($0)/\(dvName)" } ?? dvName, storage, &claims, &known)
            }
            if let line = try virtualMachine(vm, name: name, namespace: namespace, vmi: vmis[name]) { lines.append(line) }
        }
        return lines
    }

    /// A DataVolume (or a VM's template of one) whose PVC is not in the input: a claim from its spec.
    private mutating func dataVolumeClaim(
        _ dv: Field, name: String, _ storage: [String: StorageClass], _ claims: inout [Claim], _ known: inout Set<String>
    ) throws(ScenarioError) {
        guard known.insert(name).inserted else { return }
        let spec = dv.at("spec", "storage") ?? dv.at("spec", "pvc")
        claims.append(
            try claim(
                dv, name: name, spec: spec, size: spec?.at("resources", "requests", "storage")?.text, storage: storage, selectedNode: nil))
    }

    private mutating func virtualMachine(_ vm: Field, name: String, namespace: String?, vmi: Field?) throws(ScenarioError) -> String? {
        let template = vm.at("spec", "template", "spec")
        let domain = template?.at("domain")
        var fields = ["name: \(quote(name))"]
        // vCPUs: sockets × cores × threads (each 1 when absent), else the CPU request rounded up.
        let cpu = domain?.at("cpu")
        let requestCPU = domain?.at("resources", "requests", "cpu")?.text
        if cpu?.at("cores") != nil || cpu?.at("sockets") != nil || cpu?.at("threads") != nil {
            var vcpus = 1
            for key in ["sockets", "cores", "threads"] {
                guard let f = cpu?.at(key) else { continue }
                guard let n = f.text.flatMap({ Int($0) }), n >= 1, n <= 1024 else { throw f.fail("expected a count from 1 to 1024") }
                vcpus *= n
                if vcpus > 1024 { throw f.fail("sockets × cores × threads is more than 1024 vCPUs") }
            }
            fields.append("cpu: \(vcpus)")
        } else if let requestCPU, let millis = Quantity.cpuMillis(requestCPU), millis <= Limits.cpuMillis {
            fields.append("cpu: \((millis + 999) / 1000)")
        } else {
            fields.append("cpu: 1")
            guess("VM \(name) gives no CPU topology or request: 1 vCPU (KubeVirt's default)")
        }
        if let requestCPU { fields.append("cpuRequest: \(quote(requestCPU))") }
        guard let memory = domain?.at("memory", "guest")?.text ?? domain?.at("resources", "requests", "memory")?.text else {
            throw (domain ?? vm).fail("VM \(name) has neither domain.memory.guest nor resources.requests.memory")
        }
        fields.append("memory: \(quote(memory))")
        if let rs = vm.at("spec", "runStrategy")?.text {
            fields.append("runStrategy: \(rs)")
        } else if let running = vm.at("spec", "running")?.text {
            fields.append("runStrategy: \(running == "true" ? "Always" : "Halted")")
        } else {
            fields.append("runStrategy: Halted")
            guess("VM \(name) sets neither running nor runStrategy: Halted")
        }
        if let e = template?.at("evictionStrategy")?.text { fields.append("evictionStrategy: \(e)") }
        if let g = template?.at("terminationGracePeriodSeconds")?.text { fields.append("terminationGracePeriodSeconds: \(g)") }
        if let model = cpu?.at("model")?.text { fields.append("cpuModel: \(quote(model))") }
        let volumes = try vmVolumes(template, vm: name, namespace: namespace)
        if !volumes.isEmpty { fields.append("volumes: [" + volumes.joined(separator: ", ") + "]") }
        let devices = (domain?.at("devices", "hostDevices")?.list ?? []) + (domain?.at("devices", "gpus")?.list ?? [])
        if !devices.isEmpty {
            fields.append("hostDevices: [" + devices.map { quote($0.at("name")?.text ?? "device") }.joined(separator: ", ") + "]")
        }
        if let binding = podNetworkBinding(template) { fields.append("podNetwork: \(binding)") }
        if let labels = vm.at("spec", "template", "metadata", "labels"), !labels.pairs.isEmpty {
            fields.append("labels: " + labelsFlow(labels))
        }
        if let selector = template?.at("nodeSelector"), !selector.pairs.isEmpty { fields.append("nodeSelector: " + labelsFlow(selector)) }
        if let affinity = self.affinity(template?.at("affinity"), owner: "VM \(name)") { fields.append("affinity: " + affinity) }
        if let tolerations = self.tolerations(template?.at("tolerations")) { fields.append("tolerations: " + tolerations) }
        if let c = vmi?.at("status", "conditions")?.list.first(where: { $0.at("type")?.text == "LiveMigratable" }) {
            liveMigratableConditions.append(
                (name, c.at("status")?.text ?? "", c.at("reason")?.text ?? "", c.at("message")?.text ?? ""))
        }
        if let node = vmi?.at("status", "nodeName")?.text, vmi?.at("status", "phase")?.text == "Running" {
            fields.append("node: \(quote(node))")
        } else if fields.contains("runStrategy: Always") && vmi == nil {
            guess("running VMs without their VMI in the input are placed by the scheduler (add `oc get vmi -A -o yaml` for their nodes)")
        }
        return "  - {" + fields.joined(separator: ", ") + "}"
    }

    private mutating func vmVolumes(_ template: Field?, vm: String, namespace: String?) throws(ScenarioError) -> [String] {
        var out: [String] = []
        func qualified(_ claim: String) -> String { namespace.map { "\($0)/\(claim)" } ?? claim }
        for v in template?.at("volumes")?.list ?? [] {
            let name = quote(v.at("name")?.text ?? "disk")
            if let claim = v.at("persistentVolumeClaim", "claimName")?.text {
                out.append("{name: \(name), persistentVolumeClaim: {claimName: \(quote(qualified(claim)))}}")
            } else if let dv = v.at("dataVolume", "name")?.text {
                out.append("{name: \(name), dataVolume: {name: \(quote(qualified(dv)))}}")
            } else if let image = v.at("containerDisk", "image")?.text {
                out.append("{name: \(name), containerDisk: {image: \(quote(image))}}")
            } else if let capacity = v.at("emptyDisk", "capacity")?.text {
                out.append("{name: \(name), emptyDisk: {capacity: \(quote(capacity))}}")
            } else if v.at("cloudInitNoCloud") != nil {
                out.append("{name: \(name), cloudInitNoCloud: {}}")
            } else if v.at("cloudInitConfigDrive") != nil {
                out.append("{name: \(name), cloudInitConfigDrive: {}}")
            } else {
                let kind = v.pairs.map(\.0).first { $0 != "name" } ?? "unknown"
                guess("VM \(vm): a \(kind) volume is not modelled (it moves with the VM or is small)")
            }
        }
        return out
    }

    /// The binding of the interface on the pod network: bridge (not migratable), passt, or masquerade.
    private func podNetworkBinding(_ template: Field?) -> String? {
        guard let pod = template?.at("networks")?.list.first(where: { $0.at("pod") != nil })?.at("name")?.text else { return nil }
        guard let iface = template?.at("domain", "devices", "interfaces")?.list.first(where: { $0.at("name")?.text == pod }) else {
            return nil
        }
        if iface.at("bridge") != nil { return "bridge" }
        if iface.at("passt") != nil || iface.at("binding", "name")?.text == "passt" { return "passt" }
        return nil
    }

    // MARK: scheduling constraints

    /// Required node affinity (the first term: terms are ORed, drainsim holds one) and required
    /// pod anti-affinity by matchLabels.
    private mutating func affinity(_ a: Field?, owner: String) -> String? {
        guard let a else { return nil }
        var parts: [String] = []
        let terms = a.at("nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")?.list ?? []
        if terms.count > 1 { guess("\(owner): only the first of its \(terms.count) node-affinity terms is kept (they are alternatives)") }
        if let term = terms.first {
            let expressions = (term.at("matchExpressions")?.list ?? []).map { e in
                "{key: \(quote(e.at("key")?.text ?? "")), operator: \(e.at("operator")?.text ?? "In"), values: ["
                    + (e.at("values")?.list ?? []).compactMap(\.text).map(quote).joined(separator: ", ") + "]}"
            }
            if !expressions.isEmpty { parts.append("nodeAffinity: [" + expressions.joined(separator: ", ") + "]") }
        }
        let anti = (a.at("podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution")?.list ?? []).compactMap { t -> String? in
            guard let labels = t.at("labelSelector", "matchLabels"), !labels.pairs.isEmpty else {
                guess("\(owner): an anti-affinity term without matchLabels is not modelled")
                return nil
            }
            return "{matchLabels: \(labelsFlow(labels)), topologyKey: \(quote(t.at("topologyKey")?.text ?? "kubernetes.io/hostname"))}"
        }
        if !anti.isEmpty { parts.append("podAntiAffinity: [" + anti.joined(separator: ", ") + "]") }
        return parts.isEmpty ? nil : "{" + parts.joined(separator: ", ") + "}"
    }

    private func tolerations(_ t: Field?) -> String? {
        let items = t?.list ?? []
        if items.isEmpty { return nil }
        return "["
            + items.map { x in
                var f: [String] = []
                if let k = x.at("key")?.text { f.append("key: \(quote(k))") }
                if let o = x.at("operator")?.text { f.append("operator: \(o)") }
                if let v = x.at("value")?.text { f.append("value: \(quote(v))") }
                if let e = x.at("effect")?.text, !e.isEmpty { f.append("effect: \(e)") }
                return "{" + f.joined(separator: ", ") + "}"
            }.joined(separator: ", ") + "]"
    }

    // MARK: workloads and budgets

    private mutating func workloads() throws(ScenarioError) {
        var lines: [String] = []
        for kind in ["Deployment", "StatefulSet", "DaemonSet"] {
            for w in all(kind) {
                let name = try qualifiedName(w)
                let pod = w.at("spec", "template", "spec")
                var cpu: Int64 = 0, memory: Int64 = 0
                for c in pod?.at("containers")?.list ?? [] {
                    // Bounded per container, so the sums stay far from overflow; the loader checks the totals.
                    if let f = c.at("resources", "requests", "cpu"), let v = f.text {
                        guard let m = Quantity.cpuMillis(v), m <= Limits.cpuMillis else {
                            throw f.fail("\"\(v)\" is not a CPU quantity up to 100000")
                        }
                        cpu += m
                    }
                    if let f = c.at("resources", "requests", "memory"), let v = f.text {
                        guard let b = Quantity.bytes(v), b <= Limits.memoryBytes else {
                            throw f.fail("\"\(v)\" is not a memory quantity up to 64Ti")
                        }
                        memory += b
                    }
                }
                var fields = ["name: \(quote(name))", "kind: \(kind)"]
                if kind != "DaemonSet" { fields.append("replicas: \(w.at("spec", "replicas")?.text ?? "1")") }
                if cpu > 0 { fields.append("cpu: \(cpu)m") }
                if memory > 0 { fields.append("memory: \(memory)") }
                if let labels = w.at("spec", "template", "metadata", "labels"), !labels.pairs.isEmpty {
                    fields.append("labels: " + labelsFlow(labels))
                }
                if let selector = pod?.at("nodeSelector"), !selector.pairs.isEmpty {
                    fields.append("nodeSelector: " + labelsFlow(selector))
                }
                if let affinity = self.affinity(pod?.at("affinity"), owner: "\(kind) \(name)") { fields.append("affinity: " + affinity) }
                if let tolerations = self.tolerations(pod?.at("tolerations")) { fields.append("tolerations: " + tolerations) }
                if let g = pod?.at("terminationGracePeriodSeconds")?.text { fields.append("terminationGracePeriodSeconds: \(g)") }
                lines.append("  - {" + fields.joined(separator: ", ") + "}")
            }
        }
        if lines.isEmpty { return }
        guess("every workload pod is Ready 10s after it is bound (startupTime): set the time your pods take")
        out += ["workloads:"] + lines
    }

    private mutating func budgets() throws(ScenarioError) {
        var lines: [String] = []
        for pdb in all("PodDisruptionBudget") {
            let name = try qualifiedName(pdb)
            guard let labels = pdb.at("spec", "selector", "matchLabels"), !labels.pairs.isEmpty else {
                guess("PodDisruptionBudget \(name) selects by matchExpressions only: not imported")
                continue
            }
            // KubeVirt's own budgets (≤ 1.5) guard launcher pods, which the eviction webhook protects in the model.
            if labels.pairs.contains(where: { $0.0 == "kubevirt.io/created-by" || $0.0 == "kubevirt.io" }) {
                guess("PodDisruptionBudget \(name) guards virt-launcher pods: modelled by KubeVirt's eviction webhook instead")
                continue
            }
            var fields = ["name: \(quote(name))", "selector: {matchLabels: \(labelsFlow(labels))}"]
            if let v = pdb.at("spec", "minAvailable")?.text { fields.append("minAvailable: \(quote(v))") }
            if let v = pdb.at("spec", "maxUnavailable")?.text { fields.append("maxUnavailable: \(quote(v))") }
            lines.append("  - {" + fields.joined(separator: ", ") + "}")
        }
        if !lines.isEmpty { out += ["podDisruptionBudgets:"] + lines }
    }

    /// NodeMaintenance CRs in the input are put on the timeline at time zero.
    private mutating func timeline() {
        let maintenances = all("NodeMaintenance").compactMap { nm -> String? in
            guard let node = nm.at("spec", "nodeName")?.text else { return nil }
            var fields = ["node: \(quote(node))"]
            if let name = nm.at("metadata", "name")?.text { fields.append("name: \(quote(name))") }
            if let reason = nm.at("spec", "reason")?.text { fields.append("reason: \(quote(reason))") }
            return "  - {at: 0s, nodeMaintenance: {" + fields.joined(separator: ", ") + "}}"
        }
        if !maintenances.isEmpty { guess("the input's NodeMaintenance CRs are created at time zero") }
        var entries = maintenances
        if rolling {
            entries.append("  - {at: 1m, rollingMaintenance: {maxUnavailable: 1, maintenanceDuration: 10m, reason: \"what-if\"}}")
            guess("--rolling: every worker is put into maintenance in turn from 1:00, one at a time, 10 minutes each")
        }
        if !entries.isEmpty { out += ["timeline:"] + entries }
    }

    // MARK: helpers

    private func required(_ object: Field, _ keys: String...) throws(ScenarioError) -> String {
        var f = object
        for key in keys {
            guard let next = f.at(key) else { throw f.fail("missing \(keys.joined(separator: "."))") }
            f = next
        }
        guard let text = f.text else { throw f.fail("expected a value at \(keys.joined(separator: "."))") }
        return text
    }

    /// `namespace/name`, or the name of a cluster-scoped object.
    private func qualifiedName(_ object: Field) throws(ScenarioError) -> String {
        let name = try required(object, "metadata", "name")
        return object.at("metadata", "namespace")?.text.map { "\($0)/\(name)" } ?? name
    }

    private func labelsFlow(_ f: Field?) -> String {
        "{" + (f?.pairs ?? []).map { "\(quote($0.0)): \(quote($0.1.text ?? ""))" }.joined(separator: ", ") + "}"
    }

    /// Double-quoted, so no value is misread as a number, a boolean or YAML syntax.
    func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }
}

/// Lenient reads for imported objects: fields drainsim does not model are ignored, not refused.
extension Field {
    func at(_ keys: String...) -> Field? {
        var f = self
        for key in keys {
            guard case .mapping(let entries) = f.node.kind, let e = entries.first(where: { $0.key == key }) else { return nil }
            f = f.child(key, e.value)
        }
        return f
    }

    var text: String? {
        if case .scalar(let s, _) = node.kind { return s }
        return nil
    }

    var list: [Field] {
        guard case .sequence(let items) = node.kind else { return [] }
        return items.enumerated().map { Field(node: $1, path: "\(path)[\($0)]", file: file) }
    }

    var pairs: [(String, Field)] {
        guard case .mapping(let entries) = node.kind else { return [] }
        return entries.map { ($0.key, child($0.key, $0.value)) }
    }
}
