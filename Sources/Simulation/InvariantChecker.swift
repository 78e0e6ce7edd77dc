import ClusterModel
import SimKernel

/// The model's safety rules, checked after every event in tests and with `run --check-invariants`
/// (house rule 10). A violation is a bug in drainsim, never an outcome of a scenario.
enum InvariantChecker {
    static func violations(in state: ClusterState, outages: [[Outage]], now: SimTime) -> [String] {
        var out: [String] = []
        var seen = Array(repeating: -1, count: state.vms.count)
        var cpu = Array(repeating: Int64(0), count: state.nodes.count)
        var mem = cpu
        for (n, list) in state.launchers.enumerated() {
            for vm in list {
                // One node per VMI: a launcher pod in one place only.
                if seen[vm.i] >= 0 { out.append("\(state.vms[vm.i].name) has launcher pods on two nodes") }
                seen[vm.i] = n
                cpu[n] += state.vms[vm.i].launcherCPURequestMillis
                mem[n] += state.vms[vm.i].launcherMemoryRequestBytes
                if state.vmStatus[vm.i].vmi?.node?.i != n { out.append("\(state.vms[vm.i].name) bound to a node its VMI does not name") }
            }
        }
        for (n, list) in state.migrationTargets.enumerated() {
            for m in list {
                let vm = state.migrations[m.i].vm
                cpu[n] += state.vms[vm.i].launcherCPURequestMillis
                mem[n] += state.vms[vm.i].launcherMemoryRequestBytes
                if !state.migrations[m.i].phase.countsTowardLimits {
                    out.append("\(state.name(of: m)) holds a target pod while \(state.migrations[m.i].phase)")
                }
                if seen[vm.i] == n { out.append("\(state.name(of: m)) targets its own source node") }
            }
        }
        for (n, list) in state.workloadPods.enumerated() {
            for p in list {
                let pod = state.pods[p.i], w = state.workloads[pod.workload.i]
                cpu[n] += w.cpuRequestMillis
                mem[n] += w.memoryRequestBytes
                if pod.gone || pod.node?.i != n { out.append("pod \(pod.name) is listed on a node it is not bound to") }
            }
            if list.count(where: { state.isEvictable($0) }) != state.evictableWorkloadPods[n] {
                out.append("\(state.nodes[n].name): evictable pod count disagrees with its pods")
            }
        }
        for p in state.pendingPods where state.pods[p.i].node != nil || state.pods[p.i].gone {
            out.append("pod \(state.pods[p.i].name) is queued for the scheduler but bound or gone")
        }
        // A ReplicaSet keeps its replicas among pods not being deleted; a StatefulSet has one pod per
        // ordinal, deleted or not.
        for (w, workload) in state.workloads.enumerated() where workload.kind != .DaemonSet {
            let kept = state.pods.count { $0.workload.i == w && !$0.gone && (workload.kind == .StatefulSet || !$0.terminating) }
            if kept != workload.replicas { out.append("\(workload.name) has \(kept) pods for \(workload.replicas) replicas") }
        }
        for (i, node) in state.nodes.enumerated() {
            if cpu[i] != state.cpuRequestedMillis[i] || mem[i] != state.memoryRequestedBytes[i] {
                out.append("\(node.name): request counters disagree with the pods bound to it")
            }
            if cpu[i] > node.cpuMillis || mem[i] > node.memoryBytes { out.append("\(node.name) is over capacity") }
        }
        // The scheduler's queue holds each Pending VMI once and nothing else.
        var waiting = Array(repeating: 0, count: state.vms.count)
        for vm in state.unscheduledVMIs {
            waiting[vm.i] += 1
            if state.vmStatus[vm.i].vmi?.phase != .Pending { out.append("\(state.vms[vm.i].name) waits for a node but is not Pending") }
        }
        for (i, status) in state.vmStatus.enumerated() {
            let name = state.vms[i].name
            guard let vmi = status.vmi else {
                if seen[i] >= 0 { out.append("\(name) has a pod but no VMI") }
                continue
            }
            switch vmi.phase {
            case .Scheduled, .Running:
                if seen[i] < 0 { out.append("\(name) is \(vmi.phase) without a launcher pod") }
            case .Pending:
                if waiting[i] != 1 { out.append("\(name) is Pending and waits for a node \(waiting[i]) times") }
            case .Succeeded, .Failed:
                if seen[i] >= 0 { out.append("\(name) is \(vmi.phase) but its pod still runs") }
            }
            if let m = vmi.migration, state.migrations[m.i].phase.isFinal || state.migrations[m.i].vm.i != i {
                out.append("\(name)'s VMI names \(state.name(of: m)), which is \(state.migrations[m.i].phase) or not its own")
            }
        }
        // A migration in progress moves its VM's current VMI from the node that VMI runs on.
        for (k, m) in state.migrations.enumerated() where !m.phase.isFinal {
            let id = MigrationID(k)
            let vmi = state.vmStatus[m.vm.i].vmi
            if vmi?.migration != id {
                out.append("\(state.name(of: id)) is \(m.phase) but \(state.vms[m.vm.i].name)'s VMI does not name it")
            } else if vmi?.node != m.source {
                out.append(
                    "\(state.name(of: id)) migrates from \(state.nodes[m.source.i].name) but its VMI is on \(vmi?.node.map { state.nodes[$0.i].name } ?? "no node")"
                )
            }
        }
        // Migration limits, recounted from the migrations themselves.
        let limits = state.config.liveMigration
        var inFlight = 0
        var outbound = Array(repeating: 0, count: state.nodes.count)
        for m in state.migrations where m.phase.countsTowardLimits {
            inFlight += 1
            outbound[m.source.i] += 1
        }
        if inFlight != state.migrationsInFlight {
            out.append("in-flight migration counter is \(state.migrationsInFlight), recount \(inFlight)")
        }
        if inFlight > limits.parallelMigrationsPerCluster { out.append("\(inFlight) migrations exceed parallelMigrationsPerCluster") }
        for (i, k) in outbound.enumerated() where k > limits.parallelOutboundMigrationsPerNode {
            out.append("\(k) outbound migrations from \(state.nodes[i].name) exceed parallelOutboundMigrationsPerNode")
        }
        // A running guest's ReadWriteOnce volumes are attached to its node, and only there.
        for (i, status) in state.vmStatus.enumerated() where status.vmi?.phase == .Running {
            guard let node = status.vmi?.node, state.health[node.i].running else { continue }
            for c in state.exclusiveClaims(of: VMID(i)) where state.claimAttachedTo[c.i] != node || state.claimDetachAt[c.i] != nil {
                out.append("\(state.vms[i].name) runs on \(state.nodes[node.i].name) but \(state.claims[c.i].name) is not attached there")
            }
        }
        // A ReadWriteOnce claim is in use (a Running VMI) on one node at most; a ReadWriteOncePod claim
        // has one pod at most.
        var claimNode = Array(repeating: -1, count: state.claims.count)
        var claimPods = Array(repeating: 0, count: state.claims.count)
        for (vm, n) in seen.enumerated() where n >= 0 {
            let running = state.vmStatus[vm].vmi?.phase == .Running
            for c in state.exclusiveClaims(of: VMID(vm)) {
                claimPods[c.i] += 1
                if state.claims[c.i].onePodOnly && claimPods[c.i] > 1 {
                    out.append("ReadWriteOncePod claim \(state.claims[c.i].name) used by two pods")
                }
                guard running else { continue }
                if claimNode[c.i] >= 0 && claimNode[c.i] != n {
                    out.append("ReadWriteOnce claim \(state.claims[c.i].name) in use on two nodes")
                }
                claimNode[c.i] = n
            }
        }
        // A guest that has run past its boot time on a healthy node, neither shutting down nor paused
        // (stop-and-copy, workload disruption, I/O), serves: nothing keeps it down.
        for (i, status) in state.vmStatus.enumerated() where !status.guestUp {
            guard let vmi = status.vmi, vmi.phase == .Running, !vmi.terminating, vmi.ioPausedBy == nil,
                now > vmi.phaseSince + state.vms[i].bootTime, let node = vmi.node,
                state.health[node.i].running && state.health[node.i].reachable
            else { continue }
            if let m = vmi.migration, state.migrations[m.i].pausesGuest { continue }
            out.append("\(state.vms[i].name) runs on healthy \(state.nodes[node.i].name) since \(vmi.phaseSince) but is counted down")
        }
        // Outages: at most one open, the last; none overlapping; none open while the guest serves.
        for (i, list) in outages.enumerated() {
            let name = state.vms[i].name
            for k in list.indices.suffix(2) {
                if list[k].to == nil && k != list.count - 1 { out.append("\(name) has two open outages") }
                if k > 0, let end = list[k - 1].to, list[k].from < end { out.append("\(name) has overlapping outages") }
            }
            if state.vmStatus[i].guestUp, let last = list.last, last.to == nil {
                out.append("\(name)'s guest serves but its outage since \(last.from) is open")
            }
        }
        return out
    }
}
