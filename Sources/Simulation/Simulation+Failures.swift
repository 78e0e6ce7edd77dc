import ClusterModel
import Controllers
import SimKernel

/// Node failures, their detection, remediation and repair (reference §7, R7).
extension Simulation {
    /// The machine stops: its VMs die with it, but nothing in the API knows yet.
    mutating func nodeFails(_ node: NodeID, _ kind: FaultKind, backAfter: SimDuration?) {
        guard state.health[node.i].running else {
            notice("\(kind.description) on \(nodeName(node)) ignored: the node is already down")
            return
        }
        let id = FaultID(state.faults.count)
        var fault = Fault(kind: kind, node: node, at: now)
        fault.vms = state.launchers[node.i]
        state.faults.append(fault)
        nodeGeneration[node.i] += 1
        let gen = nodeGeneration[node.i]
        state.updateHealth(node) {
            $0.running = false
            $0.reachable = false
            $0.fault = id
        }
        trace("\(kind.description) on \(nodeName(node)): \(fault.vms.count) VM(s) die with it")
        for vm in fault.vms {
            state.vmStatus[vm.i].guestUp = false
            // Timers of VMIs starting or shutting down here can no longer fire: nothing runs.
            state.vmStatus[vm.i].generation += 1
            openOutage(vm, cause: "\(kind.description) on \(nodeName(node))")
            explainOutage(vm, "awaiting fencing: the VMI still looks Running to KubeVirt")
        }
        // A migration cannot go on without its source or its target, whatever phase it is in.
        let outbound = fault.vms.compactMap { state.vmStatus[$0.i].vmi?.migration }
        for m in outbound + state.migrationTargets[node.i] where !state.migrations[m.i].phase.isFinal {
            let side = state.migrations[m.i].source == node ? "source" : "target"
            failMigration(m, reason: "\(side) node \(nodeName(node)) failed (\(kind.description))")
        }
        let lifecycle = state.config.nodeLifecycle
        schedule(at: NodeLifecycleController.readyUnknownAt(faultAt: now, lifecycle), .nodeReadyUnknown(node, gen))
        schedule(
            at: NodeLifecycleController.kubevirtUnschedulableAt(faultAt: now, lifecycle, &heartbeatRandom),
            .kubevirtHeartbeatStale(node, gen))
        if let backAfter { schedule(after: backAfter, .nodeBack(node, gen)) }
    }

    func currentFault(_ node: NodeID) -> FaultID? { state.health[node.i].fault }

    /// Node-monitor grace period over: Ready=Unknown and the unreachable taints.
    mutating func nodeReadyUnknown(_ node: NodeID) {
        let t = now
        state.updateHealth(node) {
            $0.ready = .Unknown
            $0.readySince = t
            $0.unreachableTaint = true
        }
        if let f = currentFault(node) { state.faults[f.i].detectedAt = now }
        trace("node \(nodeName(node)) Ready=Unknown; unreachable taints added")
        let gen = nodeGeneration[node.i]
        schedule(
            at: NodeLifecycleController.podDeletionAt(readyUnknownAt: now, state.config.nodeLifecycle), .taintManagerEviction(node, gen))
        if state.config.remediation.kind != .none {
            schedule(after: state.config.remediation.unhealthyAfter, .nodeUnhealthy(node, gen))
        }
    }

    /// The unreachable toleration ran out: the taint manager deletes the pods gracefully, but with no
    /// kubelet to confirm they stay Terminating — and a Terminating pod still counts as alive.
    mutating func taintManagerEviction(_ node: NodeID) {
        for vm in state.launchers[node.i] { state.vmStatus[vm.i].vmi?.terminating = true }
        if let f = currentFault(node) { state.faults[f.i].podsMarkedForDeletionAt = now }
        trace("taint manager deleted the pods on \(nodeName(node)); they stay Terminating (no kubelet)")
    }

    mutating func kubevirtHeartbeatStale(_ node: NodeID) {
        state.updateHealth(node) { $0.kubevirtSchedulable = false }
        if let f = currentFault(node) { state.faults[f.i].kubevirtUnschedulableAt = now }
        trace("virt-controller set kubevirt.io/schedulable=false on \(nodeName(node)) (stale heartbeat)")
    }

    /// NodeHealthCheck: Ready Unknown for unhealthyAfter → remediation, unless the node is excluded.
    mutating func nodeUnhealthy(_ node: NodeID) {
        let fault = currentFault(node)
        if let reason = RemediationController.skipReason(node, in: state) {
            if let f = fault { state.faults[f.i].remediationSkipped = reason }
            trace("NodeHealthCheck: \(nodeName(node)) unhealthy, not remediated: \(reason)")
            // NHC looks again when a node's health changes (a storm may be over).
            if reason.hasPrefix("storm") && !heldByStorm.contains(node) { heldByStorm.append(node) }
            return
        }
        if let f = fault { state.faults[f.i].remediationSkipped = nil }
        let config = state.config.remediation
        state.updateHealth(node) { $0.remediationTaint = true }
        if let f = fault { state.faults[f.i].remediationStartedAt = now }
        let gen = nodeGeneration[node.i]
        switch config.kind {
        case .none: return
        case .SelfNodeRemediation:
            let workers = state.nodes.filter { $0.role == .worker }.count
            let safeTime = RemediationController.selfNodeRemediationSafeTime(workers: workers, config)
            trace("NodeHealthCheck: \(nodeName(node)) unhealthy; SelfNodeRemediation waits the safe time \(safeTime)")
            schedule(after: safeTime, .safeTimeElapsed(node, gen))
        case .FenceAgentsRemediation:
            trace("NodeHealthCheck: \(nodeName(node)) unhealthy; FenceAgentsRemediation runs the fence agent")
            schedule(at: RemediationController.fenceAttemptEnd(startedAt: now, config).at, .fenceAttemptDone(node, gen, attempt: 1))
        }
    }

    /// SNR: the unhealthy node has certainly rebooted itself by now; its workloads may run elsewhere.
    mutating func safeTimeElapsed(_ node: NodeID) {
        if let f = currentFault(node) { state.faults[f.i].fencedAt = now }
        trace("SelfNodeRemediation: \(nodeName(node)) assumed rebooted")
        // ResourceDeletion deletes the pods and their VolumeAttachments; OutOfServiceTaint has pod GC
        // force-delete them and detach at once. Either way the volumes are free now.
        if state.config.remediation.strategy == .OutOfServiceTaint { state.updateHealth(node) { $0.outOfService = true } }
        deletePods(on: node, by: "SelfNodeRemediation (\(state.config.remediation.strategy.rawValue))", detachAt: now)
    }

    mutating func fenceAttemptDone(_ node: NodeID, attempt: Int) {
        let config = state.config.remediation
        if config.fenceSucceeds {
            if let f = currentFault(node) { state.faults[f.i].fencedAt = now }
            trace("FenceAgentsRemediation: \(nodeName(node)) fenced (power cycled)")
            let outOfService = config.strategy == .OutOfServiceTaint
            if outOfService { state.updateHealth(node) { $0.outOfService = true } }
            let wait = outOfService ? now : now + state.config.nodeLifecycle.volumeDetachWait
            deletePods(on: node, by: "FenceAgentsRemediation (\(config.strategy.rawValue))", detachAt: wait)
            // The fence agent's reboot powers the node back on.
            schedule(after: state.nodes[node.i].bootTime, .nodeBack(node, nodeGeneration[node.i]))
            return
        }
        trace("FenceAgentsRemediation: fence attempt \(attempt) on \(nodeName(node)) timed out")
        if attempt < config.fenceRetryCount {
            schedule(
                at: RemediationController.fenceAttemptEnd(startedAt: now + config.fenceRetryInterval, config).at,
                .fenceAttemptDone(node, nodeGeneration[node.i], attempt: Int32(attempt + 1)))
        } else if let f = currentFault(node) {
            state.faults[f.i].remediationSkipped = "fence agent failed \(attempt) times; remediation gave up"
        }
    }

    /// The pods' objects are gone: each VMI whose pod vanished is Failed (virt-controller), and the
    /// run strategy decides (R2). Exclusive volumes free up at `detachAt`.
    mutating func deletePods(on node: NodeID, by who: String, detachAt: SimTime) {
        if let f = currentFault(node), state.faults[f.i].podsDeletedAt == nil { state.faults[f.i].podsDeletedAt = now }
        trace("\(who) deleted the pods on \(nodeName(node))")
        for vm in state.completedSourcePods[node.i] { state.removeCompletedPod(vm, from: node) }
        for vm in state.launchers[node.i] {
            explainOutage(vm, "pod deleted by \(who)")
            vmiEnded(vm, state.vmStatus[vm.i].generation, phase: .Failed, how: "launcher pod deleted by \(who)", detachAt: detachAt)
        }
    }

    mutating func forceDeletePods(_ node: NodeID) {
        guard !state.launchers[node.i].isEmpty else {
            notice("force-delete of the pods on \(nodeName(node)): there are none")
            return
        }
        let immediate = state.health[node.i].outOfService || state.health[node.i].running
        deletePods(
            on: node, by: "an administrator (force delete)",
            detachAt: immediate ? now : now + state.config.nodeLifecycle.volumeDetachWait)
    }

    /// The out-of-service taint: on a NotReady node pod GC force-deletes the pods and volumes detach at once.
    mutating func taintOutOfService(_ node: NodeID) {
        state.updateHealth(node) { $0.outOfService = true }
        trace("node \(nodeName(node)) tainted out-of-service")
        if state.health[node.i].ready == .Unknown && !state.launchers[node.i].isEmpty {
            deletePods(on: node, by: "pod GC (out-of-service taint)", detachAt: now)
        }
    }

    mutating func repair(_ node: NodeID) {
        guard !state.health[node.i].running else {
            notice("repair of \(nodeName(node)) ignored: the node is not down")
            return
        }
        nodeBack(node)
    }

    /// The node is up and Ready again. Pods still bound to it lost their VMs when it went down: the
    /// kubelet finds their containers dead, the pods fail, and the run strategy decides (R2, R7).
    mutating func nodeBack(_ node: NodeID) {
        guard !state.health[node.i].running else { return }
        nodeGeneration[node.i] += 1
        let t = now
        state.updateHealth(node) {
            $0 = NodeHealth()
            $0.readySince = t
        }
        if let f = state.faults.indices.last(where: { state.faults[$0].node == node && state.faults[$0].repairedAt == nil }) {
            state.faults[f].repairedAt = now
        }
        trace("node \(nodeName(node)) back: Ready")
        for vm in state.launchers[node.i] {
            vmiEnded(vm, state.vmStatus[vm.i].generation, phase: .Failed, how: "node \(nodeName(node)) rebooted: launcher pod failed")
        }
        for vm in state.completedSourcePods[node.i] { state.removeCompletedPod(vm, from: node) }
        capacityFreed()
        // One more healthy node: nodes held back by the storm guard are looked at again.
        let held = heldByStorm.filter { !state.health[$0.i].running && !state.health[$0.i].remediationTaint }
        heldByStorm = []
        for n in held { nodeUnhealthy(n) }
    }
}
