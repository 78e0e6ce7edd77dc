import ClusterModel
import SimKernel

/// What happened after one fault, in time order: the R7 timeline with this scenario's own times.
struct FaultTimeline {
    struct Entry {
        var at: SimTime?
        var text: String
    }

    /// When each of the fault's VMs served again (nil: not by the end), on which node, and why not.
    struct VMReturn {
        var vm: VMID
        var backAt: SimTime?
        var node: NodeID?
        var reason: String?
    }

    let fault: Fault
    let entries: [Entry]
    let returns: [VMReturn]

    init(_ f: Fault, _ r: RunRecord) {
        fault = f
        let s = r.state
        var returns: [VMReturn] = []
        for vm in f.vms {
            // The outage the fault opened (or the one the VM was already in).
            let outage = r.outages[vm.i].first { $0.from <= f.at && ($0.to.map { $0 > f.at } ?? true) }
            let back = outage?.to
            returns.append(
                VMReturn(
                    vm: vm, backAt: back, node: back == nil ? nil : s.vmStatus[vm.i].vmi?.node,
                    reason: back == nil ? (outage?.resolution ?? "down") : nil))
        }
        self.returns = returns
        let start: String
        switch f.kind {
        case .kernelPanic, .powerLoss: start = "the node stops, \(f.vms.count) VM(s) die with it"
        case .nicFault(.primary): start = "the node is unreachable; its \(f.vms.count) VM(s) run on, out of reach"
        case .nicFault(.migration): start = "migrations to and from the node stall"
        case .nicFault(.storage): start = "\(f.vms.count) VM(s) with network disks pause on I/O"
        }
        var e: [Entry] = [Entry(at: f.at, text: "\(f.kind.description): " + start)]
        if let t = f.detectedAt { e.append(Entry(at: t, text: "Ready=Unknown, unreachable taints (node-monitor grace period)")) }
        if let t = f.kubevirtUnschedulableAt {
            e.append(Entry(at: t, text: "kubevirt.io/schedulable=false (virt-handler heartbeat stale)"))
        }
        if let t = f.podsMarkedForDeletionAt {
            e.append(Entry(at: t, text: "taint manager deletes the pods: Terminating, no kubelet to confirm"))
        }
        if let t = f.remediationStartedAt {
            let kind = s.config.remediation.kind
            let text =
                kind == .MachineHealthCheck
                ? "MachineHealthCheck: unhealthy, the Machine is deleted" : "NodeHealthCheck: unhealthy, \(kind.rawValue) starts"
            e.append(Entry(at: t, text: text))
        }
        if let why = f.remediationSkipped { e.append(Entry(at: nil, text: "remediation: \(why)")) }
        if let t = f.rebootedAt { e.append(Entry(at: t, text: "the node rebooted: its guests are gone")) }
        if let t = f.fencedAt { e.append(Entry(at: t, text: "fenced: the node has certainly stopped")) }
        if let t = f.podsDeletedAt { e.append(Entry(at: t, text: "pods deleted: their VMIs fail, run strategies decide")) }
        if let t = f.repairedAt { e.append(Entry(at: t, text: f.kind.stopsTheNode ? "node Ready again" : "network repaired")) }
        for ret in returns {
            let name = s.vms[ret.vm.i].name
            if let t = ret.backAt {
                e.append(Entry(at: t, text: "\(name) back on \(ret.node.map { s.nodes[$0.i].name } ?? "?")"))
            } else {
                e.append(Entry(at: nil, text: "\(name) not back: \(ret.reason ?? "")"))
            }
        }
        // Stable: by time, entries without a time (never happened) last, ties in the order above.
        entries = e.enumerated().sorted { a, b in
            switch (a.element.at, b.element.at) {
            case (let x?, let y?): return x != y ? x < y : a.offset < b.offset
            case (.some, nil): return true
            case (nil, .some): return false
            case (nil, nil): return a.offset < b.offset
            }
        }.map(\.element)
    }

    func text(_ r: RunRecord) -> String {
        let s = r.state
        var remediation = s.config.remediation.kind.rawValue
        if s.config.remediation.kind == .SelfNodeRemediation || s.config.remediation.kind == .FenceAgentsRemediation {
            remediation += ", \(s.config.remediation.strategy.rawValue)"
        }
        let out = TextLayout.wrap(
            "\(fault.kind.description) on \(s.nodes[fault.node.i].name) at \(fault.at.elapsed) (remediation \(remediation))")
        var table = TextTable("AFTER", "AT", "WHAT")
        for e in entries {
            table.add(e.at.map { SimTime(milliseconds: ($0 - fault.at).milliseconds).elapsed } ?? "never", e.at?.elapsed ?? "", e.text)
        }
        return out + table.render(indent: 4)
    }

    func json(_ r: RunRecord) -> JSONValue {
        let s = r.state
        return .object([
            ("kind", .string(fault.kind.description)),
            ("node", .string(s.nodes[fault.node.i].name)),
            ("atMs", .int(fault.at.milliseconds)),
            ("detectedAtMs", .optional(fault.detectedAt?.milliseconds)),
            ("kubevirtUnschedulableAtMs", .optional(fault.kubevirtUnschedulableAt?.milliseconds)),
            ("podsMarkedForDeletionAtMs", .optional(fault.podsMarkedForDeletionAt?.milliseconds)),
            ("remediationStartedAtMs", .optional(fault.remediationStartedAt?.milliseconds)),
            ("remediationSkipped", .optional(fault.remediationSkipped)),
            ("rebootedAtMs", .optional(fault.rebootedAt?.milliseconds)),
            ("fencedAtMs", .optional(fault.fencedAt?.milliseconds)),
            ("podsDeletedAtMs", .optional(fault.podsDeletedAt?.milliseconds)),
            ("repairedAtMs", .optional(fault.repairedAt?.milliseconds)),
            (
                "vms",
                .array(
                    returns.map {
                        .object([
                            ("vm", .string(s.vms[$0.vm.i].name)),
                            ("backAtMs", .optional($0.backAt?.milliseconds)),
                            ("node", .optional($0.node.map { s.nodes[$0.i].name })),
                            ("reason", .optional($0.reason)),
                        ])
                    })
            ),
        ])
    }
}

extension String {
    /// Left-aligned in a column of `width`, with at least one space after it.
    public func padded(to width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
