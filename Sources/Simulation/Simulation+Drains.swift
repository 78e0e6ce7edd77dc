import ClusterModel
import Controllers
import Scenarios
import SimKernel

/// Drains by NodeMaintenance or `oc adm drain`, and rolling maintenance over many nodes (R6).
extension Simulation {
    /// False when NMO's admission webhook refuses it.
    @discardableResult
    mutating func createNodeMaintenance(_ node: NodeID, name: String, reason: String, rolling: Int?) -> Bool {
        if let d = state.activeDrain[node.i], state.drains[d.i].isNodeMaintenance {
            notice("NodeMaintenance \(name) refused by the admission webhook: a NodeMaintenance for \(nodeName(node)) already exists")
            return false
        }
        if let why = DrainController.etcdQuorumRefusal(node, in: state) {
            notice("NodeMaintenance \(name) refused by the admission webhook: \(why)")
            return false
        }
        trace("NodeMaintenance \(name) created for \(nodeName(node))" + (reason.isEmpty ? "" : ": \(reason)"))
        startDrain(node, method: .nodeMaintenance(name: name, reason: reason), rolling: rolling)
        return true
    }

    /// Cordon, then the first eviction pass at once.
    mutating func startDrain(_ node: NodeID, method: DrainMethod, rolling: Int? = nil) {
        if state.activeDrain[node.i] != nil {
            notice("drain of \(nodeName(node)) refused: a drain of this node is already running")
            return
        }
        state.setUnschedulable(node, true)
        var d = Drain(method: method, node: node, requestedAt: now)
        d.evictionPods = state.podCount(on: node)
        let id = DrainID(state.drains.count)
        state.drains.append(d)
        runningDrains.append(id)
        drainIdleAt.append(-1)
        state.activeDrain[node.i] = id
        if let rolling {
            rollingOfDrain[id.i] = rolling
            rollings[rolling].drains.append(id)
        }
        if case .ocAdmDrain = method { trace("oc adm drain \(nodeName(node))") }
        schedule(at: now, .drainPass(id))
    }

    /// One pass of evictions over the node's pods: completed pods go, the webhook answers for launchers.
    mutating func drainPass(_ d: DrainID) {
        guard state.drains[d.i].phase == .Running else { return }
        let node = state.drains[d.i].node
        if DrainController.timedOut(state.drains[d.i], now: now) {
            writeBlockedStatus(d)
            state.drains[d.i].lastError = "oc adm drain timed out; the node stays cordoned"
            endDrain(d, .Failed)
            state.activeDrain[node.i] = nil
            changes += 1
            trace("drain of \(nodeName(node)) timed out")
            return
        }
        var progressed = false, marked = false
        for vm in state.completedSourcePods[node.i] {
            state.removeCompletedPod(vm, from: node)
            progressed = true
        }
        for vm in state.launchers[node.i] where state.vmStatus[vm.i].vmi?.terminating == false {
            switch EvictionWebhook.evict(vm, podNode: node, in: state) {
            case .allowed:
                let strategy = state.evictionStrategy(of: vm).rawValue
                beginShutdown(vm, cause: "evicted from \(nodeName(node)) (evictionStrategy \(strategy)): shut down")
                progressed = true
            case .denied(_, markEvacuation: true):
                state.vmStatus[vm.i].vmi?.evacuationNodeName = node
                progressed = true
                marked = true
                trace("VMI \(vmName(vm)) marked for evacuation from \(nodeName(node))")
            case .denied:
                break
            }
        }
        if evictWorkloadPods(on: node, for: d) { progressed = true }
        if progressed { changes += 1 }
        if marked { evacuate(node) }
        // An eviction can end the drain itself (the last pod went while the pass ran, see podGone).
        guard state.drains[d.i].phase == .Running else { return }
        if state.podCount(on: node) == 0 {
            finishDrain(d)
            return
        }
        let (next, attemptEnded) = DrainController.nextPass(state.drains[d.i], now: now)
        // NMO rewrites its status (pendingPods, drainProgress, lastError) when an attempt ends. Only the
        // last one is ever read, so it is written when the drain stops or the run ends.
        if attemptEnded { state.drains[d.i].attemptStartedAt = next }
        drainIdleAt[d.i] = changes
        schedule(at: next, .drainPass(d))
    }

    /// NMO status: pendingPods and drainProgress = (evictionPods − pending) · 100 / evictionPods.
    mutating func updateDrainStatus(_ d: DrainID) {
        let node = state.drains[d.i].node
        var pending = (state.launchers[node.i] + state.completedSourcePods[node.i]).map(PodRef.vm)
        pending += state.migrationTargets[node.i].map { .vm(state.migrations[$0.i].vm) }
        pending += state.evictablePods(on: node).map(PodRef.workload)
        let total = state.drains[d.i].evictionPods
        state.drains[d.i].pendingPods = pending.sorted()
        state.drains[d.i].drainProgress = total == 0 ? 100 : max(0, (total - pending.count) * 100 / total)
    }

    /// The drain leaves Running (its only exits).
    mutating func endDrain(_ d: DrainID, _ phase: DrainPhase) {
        state.drains[d.i].transition(to: phase, at: now)
        if let k = runningDrains.firstIndex(of: d) { runningDrains.remove(at: k) }
    }

    /// A pod left a node: a drain that was waiting only for it is done (kubectl polls every second).
    mutating func podGone(from node: NodeID) {
        guard let d = state.activeDrain[node.i], state.drains[d.i].phase == .Running, state.podCount(on: node) == 0 else { return }
        finishDrain(d)
    }

    mutating func finishDrain(_ d: DrainID) {
        let drain = state.drains[d.i]
        guard drain.phase == .Running else { return }
        endDrain(d, .Succeeded)
        state.drains[d.i].pendingPods = []
        state.drains[d.i].blockers = []
        state.drains[d.i].drainProgress = 100
        state.drains[d.i].lastError = nil
        changes += 1
        progressed()
        trace("drain of \(nodeName(drain.node)) Succeeded after \(now - drain.requestedAt)")
        if case .ocAdmDrain = drain.method { state.activeDrain[drain.node.i] = nil }
        if let r = rollingOfDrain[d.i] {
            schedule(after: rollings[r].spec.maintenanceDuration, .maintenanceOver(d))
        }
    }

    /// NodeMaintenance deleted: uncordon. VMIs already marked keep migrating (reference §2.4).
    mutating func deleteNodeMaintenance(_ node: NodeID) {
        guard let d = state.activeDrain[node.i], state.drains[d.i].isNodeMaintenance else {
            notice("delete NodeMaintenance for \(nodeName(node)) refused: there is none")
            return
        }
        if state.drains[d.i].phase == .Running {
            writeBlockedStatus(d)
            endDrain(d, .Cancelled)
        }
        state.drains[d.i].endedAt = now
        state.activeDrain[node.i] = nil
        trace("NodeMaintenance for \(nodeName(node)) deleted")
        uncordon(node)
        if let r = rollingOfDrain[d.i] {
            progressed()
            rollings[r].inProgress -= 1
            rollings[r].done += 1
            launchRolling(r)
        }
    }

    mutating func uncordon(_ node: NodeID) {
        state.setUnschedulable(node, false)
        capacityFreed()
    }

    mutating func maintenanceOver(_ d: DrainID) {
        deleteNodeMaintenance(state.drains[d.i].node)
    }

    mutating func startRolling(_ spec: RollingMaintenance) {
        rollings.append(RollingState(spec: spec, startedAt: now))
        trace("rolling maintenance of \(spec.nodes.count) nodes, maxUnavailable \(spec.maxUnavailable)")
        launchRolling(rollings.count - 1)
    }

    /// Puts the next nodes into maintenance while fewer than maxUnavailable are.
    mutating func launchRolling(_ r: Int) {
        while rollings[r].inProgress < rollings[r].spec.maxUnavailable && rollings[r].next < rollings[r].spec.nodes.count {
            let node = rollings[r].spec.nodes[rollings[r].next]
            rollings[r].next += 1
            if state.activeDrain[node.i] != nil {
                notice("rolling maintenance skips \(nodeName(node)): it is already being drained")
                rollings[r].done += 1
                continue
            }
            rollings[r].inProgress += 1
            if !createNodeMaintenance(node, name: "rolling-\(nodeName(node))", reason: rollings[r].spec.reason, rolling: r) {
                notice("rolling maintenance skips \(nodeName(node)): its NodeMaintenance was refused")
                rollings[r].inProgress -= 1
                rollings[r].done += 1
            }
        }
        if rollings[r].done == rollings[r].spec.nodes.count && rollings[r].finishedAt == nil {
            rollings[r].finishedAt = now
            trace("rolling maintenance finished after \(now - rollings[r].startedAt)")
        }
    }

    // MARK: why a drain is blocked

    /// At the end of a run: the status of every drain still running.
    mutating func refreshBlockers() {
        for i in state.drains.indices where state.drains[i].phase == .Running { writeBlockedStatus(DrainID(i)) }
    }

    /// A drain that has not finished: pendingPods, drainProgress, every blocker with its reason, and
    /// NMO's lastError from its last attempt.
    mutating func writeBlockedStatus(_ d: DrainID) {
        updateDrainStatus(d)
        refreshBlockers(of: d)
        if state.drains[d.i].isNodeMaintenance, now >= state.drains[d.i].requestedAt + DrainController.attemptTimeout,
            let first = state.drains[d.i].blockers.first
        {
            state.drains[d.i].lastError =
                "drain attempt timed out after \(DrainController.attemptTimeout); \(state.name(of: first.pod)): \(first.reason)"
        }
    }

    mutating func refreshBlockers(of d: DrainID) {
        let node = state.drains[d.i].node
        var blockers: [Blocker] = []
        for vm in state.launchers[node.i] { blockers.append(Blocker(pod: .vm(vm), reason: blockReason(vm, on: node))) }
        for m in state.migrationTargets[node.i] {
            let mig = state.migrations[m.i]
            blockers.append(
                Blocker(pod: .vm(mig.vm), reason: "migration target pod of \(state.name(of: m)) (evicting a migration target is denied)"))
        }
        for p in state.evictablePods(on: node) {
            let reason: String
            if state.pods[p.i].terminating {
                reason = "Terminating (terminationGracePeriodSeconds \(state.workloads[state.pods[p.i].workload.i].terminationGracePeriod))"
            } else if case .denied(let why) = EvictionAPI.evict(p, in: state, now: now) {
                reason = "eviction refused: " + why
            } else {
                reason = "eviction allowed; not yet evicted"
            }
            blockers.append(Blocker(pod: .workload(p), reason: reason))
        }
        state.drains[d.i].blockers = blockers.sorted { $0.pod < $1.pod }
    }

    func blockReason(_ vm: VMID, on node: NodeID) -> String {
        guard let vmi = state.vmStatus[vm.i].vmi else { return "no VMI" }
        if vmi.terminating {
            return "shutting down (terminationGracePeriodSeconds \(state.vms[vm.i].terminationGracePeriod))"
        }
        switch EvictionWebhook.evict(vm, podNode: node, in: state) {
        case .allowed:
            return "eviction allowed; not yet evicted"
        case .denied(let denial, _):
            let reason = denial.message(for: vm, in: state)
            if let m = vmi.migration {
                let mig = state.migrations[m.i]
                var s = "\(reason); migration \(state.name(of: m)) \(mig.phase.rawValue) since \(mig.phaseSince.elapsed)"
                var why = mig.waitingReason
                if mig.phase == .Pending {
                    why = MigrationController.hold(m, in: state, now: now).map { MigrationController.describe($0, m, in: state) }
                }
                if let why { s += ": \(why)" }
                if let tr = mig.transfer, mig.phase == .Running {
                    s +=
                        ": round \(tr.rounds), \(ByteFormat.describe(tr.roundBytesLeft)) left at \(ByteFormat.describe(tr.bandwidthBytesPerSecond))/s"
                }
                return s
            }
            let failures = state.vmStatus[vm.i].evacuationFailures
            if failures > 0, let last = state.migrations.last(where: { $0.vm == vm && $0.phase == .Failed }) {
                return "\(reason); \(failures) migration(s) failed, last: \(last.failureReason ?? "")"
            }
            return reason
        }
    }
}
