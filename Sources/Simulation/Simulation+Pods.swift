import ClusterModel
import Controllers
import SimKernel

/// Workload pods: their controllers (ReplicaSet, StatefulSet, DaemonSet), the scheduler's binding,
/// readiness, eviction through budgets, and what node failures do to them.
extension Simulation {
    /// Time zero: DaemonSets' pods on every node they allow, then the other workloads' replicas by
    /// the scheduler, all Ready (and recovered) since before the run. A pod that fits nowhere stays
    /// Pending; loading refuses such a cluster.
    mutating func placeInitialPods() {
        for (w, workload) in state.workloads.enumerated() {
            if workload.kind == .DaemonSet {
                for n in state.nodes.indices where state.workloadEligible[w][n] {
                    let p = state.createPod(of: WorkloadID(w), name: "\(workload.name)-\(state.nodes[n].name)", at: .zero)
                    // One that does not fit stays Pending: loading refuses the cluster.
                    guard state.hasRoom(workload.cpuRequestMillis, workload.memoryRequestBytes, on: NodeID(n)) else { continue }
                    state.bindPod(p, to: NodeID(n))
                    state.pods[p.i].ready = true
                }
                continue
            }
            for _ in 0..<workload.replicas { _ = createPod(of: WorkloadID(w), named: nil) }
        }
        for p in state.pendingPods {
            let known = scenario.timeZeroPlacement?.podNodes[p.i]
            guard let n = known ?? Scheduler.place(pod: p, in: state).node else { continue }
            state.bindPod(p, to: n)
            state.pods[p.i].ready = true
        }
    }

    /// A replica (Deployment) gets the next serial; a StatefulSet's replacement keeps its ordinal's name.
    mutating func createPod(of w: WorkloadID, named name: String?) -> PodID {
        state.createPod(of: w, name: name ?? "\(state.workloads[w.i].name)-\(state.podsCreated[w.i])", at: now)
    }

    /// The scheduler binds the Pending pods it can, oldest first; each starts and is Ready after its
    /// workload's startupTime (on a node that runs).
    mutating func schedulePendingPods() {
        for p in state.pendingPods {
            switch Scheduler.place(pod: p, in: state) {
            case .node(let n):
                state.bindPod(p, to: n)
                state.pods[p.i].unschedulableReason = nil
                trace("pod \(state.pods[p.i].name) scheduled to \(nodeName(n))")
                let w = state.workloads[state.pods[p.i].workload.i]
                schedule(after: w.startupTime, .podReady(p, state.pods[p.i].generation))
            case .unschedulable(let reason):
                if state.pods[p.i].unschedulableReason != reason {
                    state.pods[p.i].unschedulableReason = reason
                    trace("pod \(state.pods[p.i].name) Pending: \(reason)")
                }
            }
        }
    }

    mutating func podReady(_ p: PodID, _ gen: UInt32) {
        let pod = state.pods[p.i]
        guard pod.generation == gen, !pod.gone, !pod.terminating, let n = pod.node, state.health[n.i].running else { return }
        state.pods[p.i].ready = true
        state.pods[p.i].readySince = now
        changes += 1
        trace("pod \(pod.name) Ready on \(nodeName(n))")
        scheduleRecovered(p)
    }

    /// A budget with a recoveryTime counts the pod again only then: an event at that time lets a
    /// blocked drain see it (the run is not quiet while a recovery runs).
    mutating func scheduleRecovered(_ p: PodID) {
        let recovery = state.budgetsOfWorkload[state.pods[p.i].workload.i].map { state.budgets[$0].recoveryTime }.max() ?? .zero
        if recovery > .zero { schedule(after: recovery, .podRecovered(p, state.pods[p.i].generation)) }
    }

    /// The pod is deleted (`deletionTimestamp` set): it no longer counts as a replica, so a
    /// ReplicaSet creates its replacement now. With a kubelet to confirm, it is gone after its grace
    /// period; without one (an unreachable node) it stays Terminating.
    mutating func deletePod(_ p: PodID, by who: String, kubeletConfirms: Bool) {
        guard !state.pods[p.i].terminating, !state.pods[p.i].gone else { return }
        state.pods[p.i].terminating = true
        state.pods[p.i].ready = false
        let w = state.workloads[state.pods[p.i].workload.i]
        trace("pod \(state.pods[p.i].name) deleted by \(who)")
        if kubeletConfirms { schedule(after: w.terminationGracePeriod, .podTerminated(p, state.pods[p.i].generation)) }
        if w.kind == .Deployment {
            _ = createPod(of: state.pods[p.i].workload, named: nil)
            schedulePendingPods()
        }
    }

    /// The pod object is gone: its node has room again, a StatefulSet creates the pod anew, and a
    /// drain waiting only for it is done.
    mutating func podTerminated(_ p: PodID) {
        guard !state.pods[p.i].gone else { return }
        let node = state.pods[p.i].node
        state.podGone(p)
        changes += 1
        trace("pod \(state.pods[p.i].name) gone" + (node.map { " from \(nodeName($0))" } ?? ""))
        let w = state.pods[p.i].workload
        if state.workloads[w.i].kind == .StatefulSet { _ = createPod(of: w, named: state.pods[p.i].name) }
        capacityFreed()
        if let node { podGone(from: node) }
    }

    /// One drain pass over the node's workload pods: the Eviction API answers for each (DaemonSets'
    /// are skipped). True when an eviction went through.
    mutating func evictWorkloadPods(on node: NodeID, for d: DrainID) -> Bool {
        var evicted = false
        for p in state.evictablePods(on: node) where !state.pods[p.i].terminating {
            let budget = state.budgetsOfWorkload[state.pods[p.i].workload.i].first
            switch EvictionAPI.evict(p, in: state, now: now) {
            case .allowed:
                deletePod(p, by: "eviction (drain of \(nodeName(node)))", kubeletConfirms: true)
                if let budget { state.drains[d.i].releasedByBudget(budget, at: now) }
                evicted = true
            case .denied:
                if let budget { state.drains[d.i].heldByBudget(budget, at: now) }
            }
        }
        return evicted
    }

    // MARK: node failures

    /// The node's containers died with it (nothing in the API knows yet): timers of starting pods stop.
    mutating func podsDied(on node: NodeID) {
        for p in state.workloadPods[node.i] { state.pods[p.i].generation &+= 1 }
    }

    /// Ready=Unknown: the node lifecycle controller marks the node's pods not Ready.
    mutating func podsNotReady(on node: NodeID) {
        for p in state.workloadPods[node.i] { state.pods[p.i].ready = false }
    }

    /// The unreachable toleration ran out: the taint manager deletes the pods (not DaemonSets', which
    /// tolerate it); with no kubelet they stay Terminating.
    mutating func taintManagerDeletesPods(on node: NodeID) {
        for p in state.evictablePods(on: node) {
            deletePod(p, by: "the taint manager", kubeletConfirms: false)
        }
    }

    /// The pod objects are removed at once (force delete, pod GC, the Node deleted).
    mutating func removeWorkloadPods(on node: NodeID, by who: String) {
        for p in state.evictablePods(on: node) {
            deletePod(p, by: who, kubeletConfirms: false)
            podTerminated(p)
        }
    }

    /// The node is Ready again. Deleted pods are finally gone; the others restart (`rebooted`) or,
    /// when their containers ran on through a network partition, are Ready again at once.
    mutating func podsBack(on node: NodeID, rebooted: Bool) {
        for p in state.workloadPods[node.i] {
            if state.pods[p.i].terminating {
                podTerminated(p)
            } else if rebooted {
                state.pods[p.i].generation &+= 1
                state.pods[p.i].ready = false
                let w = state.workloads[state.pods[p.i].workload.i]
                schedule(after: w.startupTime, .podReady(p, state.pods[p.i].generation))
            } else {
                state.pods[p.i].ready = true
                state.pods[p.i].readySince = now
                scheduleRecovered(p)
            }
        }
    }
}
