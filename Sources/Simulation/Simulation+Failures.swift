import ClusterModel
import Controllers
import SimKernel

/// Node failures, their detection, remediation and repair (reference §7, R7).
extension Simulation {
    /// A fault starts. A stopped machine's VMs die at once; a cut primary network leaves them running
    /// but unreachable; a cut migration or storage network stalls migrations or pauses guests' I/O.
    /// Nothing in the API knows yet.
    mutating func nodeFails(_ node: NodeID, _ kind: FaultKind, backAfter: SimDuration?) {
        guard state.health[node.i].fault == nil else {
            notice("\(kind.description) on \(nodeName(node)) ignored: the node is already in a fault")
            return
        }
        let id = FaultID(state.faults.count)
        var fault = Fault(kind: kind, node: node, at: now)
        fault.vms = state.launchers[node.i]
        nodeGeneration[node.i] += 1
        let gen = nodeGeneration[node.i]
        state.updateHealth(node) { $0.fault = id }
        switch kind {
        case .kernelPanic, .powerLoss:
            state.updateHealth(node) {
                $0.running = false
                $0.reachable = false
            }
            trace("\(kind.description) on \(nodeName(node)): \(fault.vms.count) VM(s) die with it")
            podsDied(on: node)
            for vm in fault.vms { guestLost(vm, cause: "\(kind.description) on \(nodeName(node))", killed: true) }
        case .nicFault(.primary):
            state.updateHealth(node) { $0.reachable = false }
            trace("primary NIC fault on \(nodeName(node)): unreachable; its \(fault.vms.count) VM(s) keep running")
            for vm in fault.vms { guestLost(vm, cause: "primary NIC fault on \(nodeName(node)): unreachable", killed: false) }
            // An isolated node running SNR's agent reboots itself once its API checks and peers fail.
            if state.config.remediation.kind == .SelfNodeRemediation {
                let workers = state.nodes.filter { $0.role == .worker }.count
                schedule(after: RemediationController.selfNodeRemediationIsolatedReboot(workers: workers), .nodeSelfReboot(node, gen))
            }
        case .nicFault(.migration):
            state.updateHealth(node) { $0.migrationNetworkDown = true }
            fault.vms = []
            trace("migration NIC fault on \(nodeName(node)): its migrations stall")
            rebalanceTransfers()
        case .nicFault(.storage):
            state.updateHealth(node) { $0.storageNetworkDown = true }
            fault.vms = fault.vms.filter { usesNetworkStorage($0) }
            trace("storage NIC fault on \(nodeName(node)): \(fault.vms.count) VM(s) with network disks pause on I/O")
            for vm in fault.vms {
                state.vmStatus[vm.i].guestUp = false
                state.vmStatus[vm.i].vmi?.ioPausedBy = id
                openOutage(vm, cause: "storage NIC fault on \(nodeName(node)): paused on I/O")
            }
        }
        state.faults.append(fault)
        if case .nicFault(let network) = kind, network != .primary {
            if let backAfter { schedule(after: backAfter, .nodeBack(node, gen)) }
            return
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

    /// The VM no longer serves its users; `killed` when its guest is gone too (else it runs on, unreachable).
    mutating func guestLost(_ vm: VMID, cause: String, killed: Bool) {
        state.vmStatus[vm.i].guestUp = false
        if killed {
            // Timers of VMIs starting or shutting down there can no longer fire: nothing runs.
            state.vmStatus[vm.i].generation += 1
        }
        openOutage(vm, cause: cause)
        explainOutage(vm, "awaiting fencing: the VMI still looks Running to KubeVirt")
    }

    func usesNetworkStorage(_ vm: VMID) -> Bool {
        state.vms[vm.i].volumes.contains {
            switch $0.source {
            case .persistentVolumeClaim, .dataVolume: return true
            default: return false
            }
        }
    }

    /// The machine reboots (SNR on an isolated node, or a fence agent's power cycle): every guest on it
    /// dies, including copies whose pods were already deleted. It is up again after its boot time,
    /// still unreachable if its NIC is still broken.
    mutating func rebootNode(_ node: NodeID, by who: String) {
        if let f = currentFault(node), state.faults[f.i].rebootedAt == nil { state.faults[f.i].rebootedAt = now }
        zombies.removeAll { $0.node == node }
        guard state.health[node.i].running else { return }
        state.updateHealth(node) { $0.running = false }
        trace("\(nodeName(node)) rebooted by \(who): its guests die")
        for vm in state.launchers[node.i] { state.vmStatus[vm.i].generation += 1 }
        podsDied(on: node)
        schedule(after: state.nodes[node.i].bootTime, .nodeRebooted(node, nodeGeneration[node.i]))
    }

    /// Power-on after a reboot: a stopped-node fault is over; a NIC fault is not.
    mutating func nodeRebooted(_ node: NodeID) {
        if let f = currentFault(node), case .nicFault = state.faults[f.i].kind {
            state.updateHealth(node) { $0.running = true }
            trace("\(nodeName(node)) booted, still unreachable")
            return
        }
        nodeBack(node)
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
        podsNotReady(on: node)
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
        taintManagerDeletesPods(on: node)
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
        case .MachineHealthCheck:
            deleteMachine(node)
        }
    }

    /// MachineHealthCheck deletes the Machine: the host is powered off (or the instance terminated), the
    /// Node object is deleted and pod GC removes its orphaned pods; a replacement joins later (§7.3).
    mutating func deleteMachine(_ node: NodeID) {
        let config = state.config.remediation
        let joinAfter: SimDuration?
        let what: String
        switch (config.platform, config.bareMetalRemediation) {
        case (.cloud, _):
            what = "Machine deleted; a replacement is provisioned"
            joinAfter = config.provisioningTime <= config.nodeStartupTimeout ? config.provisioningTime : nil
        case (.baremetal, .reprovision):
            what = "Machine deleted; the host is reprovisioned"
            joinAfter = config.reprovisionTime
        case (.baremetal, .powerCycle):
            what = "host powered off, Node deleted, powered on again"
            joinAfter = state.nodes[node.i].bootTime
        }
        trace("MachineHealthCheck: \(nodeName(node)) unhealthy; \(what)")
        if let f = currentFault(node) {
            state.faults[f.i].fencedAt = now
            if joinAfter == nil {
                state.faults[f.i].remediationSkipped =
                    "the replacement gets no node within nodeStartupTimeout \(config.nodeStartupTimeout): remediated again, never joins"
            }
        }
        // The machine goes away: guests still running there (an unreachable node) die with it.
        zombies.removeAll { $0.node == node }
        if state.health[node.i].running {
            state.updateHealth(node) { $0.running = false }
            if let f = currentFault(node) { state.faults[f.i].rebootedAt = now }
        }
        deletePods(
            on: node, by: "pod GC (Node object deleted by MachineHealthCheck)",
            detachAt: now + state.config.nodeLifecycle.volumeDetachWait)
        if let joinAfter { schedule(after: joinAfter, .machineReplaced(node, nodeGeneration[node.i])) }
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
        // Without power the node's BMC does not answer either: fencing a powered-off node times out.
        let powerless = currentFault(node).map { state.faults[$0.i].kind == .powerLoss } ?? false
        if config.fenceSucceeds && !powerless {
            if let f = currentFault(node) { state.faults[f.i].fencedAt = now }
            trace("FenceAgentsRemediation: \(nodeName(node)) fenced (power cycled)")
            rebootNode(node, by: "the fence agent")
            if let f = currentFault(node), state.faults[f.i].kind.stopsTheNode, !state.health[node.i].running {
                // A node that was already dead: the power cycle boots it.
                schedule(after: state.nodes[node.i].bootTime, .nodeRebooted(node, nodeGeneration[node.i]))
            }
            let outOfService = config.strategy == .OutOfServiceTaint
            if outOfService { state.updateHealth(node) { $0.outOfService = true } }
            let wait = outOfService ? now : now + state.config.nodeLifecycle.volumeDetachWait
            deletePods(on: node, by: "FenceAgentsRemediation (\(config.strategy.rawValue))", detachAt: wait)
            return
        }
        trace(
            "FenceAgentsRemediation: fence attempt \(attempt) on \(nodeName(node)) timed out"
                + (powerless ? " (no power: the BMC does not answer)" : ""))
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
        removeWorkloadPods(on: node, by: who)
        // Guests outlive their pods only on a node that runs but cannot hear the API server: a reachable
        // kubelet kills containers whose pods are gone, and a reboot killed them (pods never restart).
        let rebooted = currentFault(node).map { state.faults[$0.i].rebootedAt != nil } ?? false
        let stillRunning = state.health[node.i].running && !state.health[node.i].reachable && !rebooted
        for vm in state.launchers[node.i] {
            // On a running but unreachable node the guest goes on without its pod.
            if stillRunning && state.vmStatus[vm.i].vmi?.phase == .Running { zombies.append((vm, node)) }
            explainOutage(vm, "pod deleted by \(who)")
            vmiEnded(vm, state.vmStatus[vm.i].generation, phase: .Failed, how: "launcher pod deleted by \(who)", detachAt: detachAt)
        }
    }

    mutating func forceDeletePods(_ node: NodeID) {
        guard !state.launchers[node.i].isEmpty || state.evictableWorkloadPods[node.i] > 0 else {
            notice("force-delete of the pods on \(nodeName(node)): there are none")
            return
        }
        let health = state.health[node.i]
        let immediate = health.outOfService || (health.running && health.reachable)
        deletePods(
            on: node, by: "an administrator (force delete)",
            detachAt: immediate ? now : now + state.config.nodeLifecycle.volumeDetachWait)
    }

    /// The out-of-service taint: on a NotReady node pod GC force-deletes the pods and volumes detach at once.
    mutating func taintOutOfService(_ node: NodeID) {
        state.updateHealth(node) { $0.outOfService = true }
        trace("node \(nodeName(node)) tainted out-of-service")
        if state.health[node.i].ready == .Unknown && state.podCount(on: node) > 0 {
            deletePods(on: node, by: "pod GC (out-of-service taint)", detachAt: now)
        } else {
            // On a Ready node the NoExecute taint evicts the pods: the kubelet shuts the guests down.
            for vm in state.launchers[node.i] { beginShutdown(vm, cause: "out-of-service taint on a Ready node") }
            for p in state.evictablePods(on: node) { deletePod(p, by: "the out-of-service taint", kubeletConfirms: true) }
        }
    }

    mutating func repair(_ node: NodeID) {
        guard state.health[node.i].fault != nil else {
            notice("repair of \(nodeName(node)) ignored: the node is not in a fault")
            return
        }
        nodeBack(node)
    }

    /// The primary network heals on a node that never stopped: its guests ran all along. Those whose
    /// pods were deleted meanwhile (taint manager, remediation, an administrator) are killed by the
    /// kubelet; the others serve again (R7: a partition that heals after ~350 s ends in a restart).
    mutating func reconnect(_ node: NodeID, _ f: FaultID) {
        trace("primary NIC on \(nodeName(node)) repaired: Ready")
        for vm in zombiesOn(node) { trace("kubelet on \(nodeName(node)) kills the copy of \(vmName(vm)) whose pod was deleted") }
        markHealthy(node, f)
        podsBack(on: node, rebooted: false)
        for vm in state.launchers[node.i] {
            if state.vmStatus[vm.i].vmi?.terminating == true {
                vmiEnded(
                    vm, state.vmStatus[vm.i].generation, phase: .Failed, how: "killed by the kubelet on reconnect: its pod had been deleted"
                )
            } else if state.vmStatus[vm.i].vmi?.phase == .Running {
                guestResumes(vm, resolution: "reachable again on \(nodeName(node))")
            }
        }
        capacityFreed()
        retryStormHeld()
    }

    func zombiesOn(_ node: NodeID) -> [VMID] { zombies.filter { $0.node == node }.map(\.vm) }

    /// A migration or storage network works again; the node never stopped being Ready.
    mutating func networkRepaired(_ node: NodeID, _ f: FaultID, _ what: String, _ restore: (inout NodeHealth) -> Void) {
        state.updateHealth(node) {
            restore(&$0)
            $0.fault = nil
        }
        state.faults[f.i].repairedAt = now
        trace(what)
    }

    /// The node is Ready with a clean slate: no taints, no fault, no guest copies left behind.
    mutating func markHealthy(_ node: NodeID, _ f: FaultID) {
        nodeGeneration[node.i] += 1
        let t = now
        state.updateHealth(node) {
            $0 = NodeHealth()
            $0.readySince = t
        }
        state.faults[f.i].repairedAt = now
        zombies.removeAll { $0.node == node }
    }

    /// One more healthy node: nodes NHC held back as a storm are looked at again.
    mutating func retryStormHeld() {
        let held = heldByStorm.filter { state.health[$0.i].ready == .Unknown && !state.health[$0.i].remediationTaint }
        heldByStorm = []
        for n in held { nodeUnhealthy(n) }
    }

    /// A fault ends (its duration ran out, a repair, a kdump reboot): what follows depends on the fault.
    mutating func nodeBack(_ node: NodeID) {
        guard let f = currentFault(node) else { return }
        switch state.faults[f.i].kind {
        case .nicFault(.migration):
            networkRepaired(node, f, "migration NIC on \(nodeName(node)) repaired") { $0.migrationNetworkDown = false }
            rebalanceTransfers()
            startPendingMigrations()
            return
        case .nicFault(.storage):
            networkRepaired(node, f, "storage NIC on \(nodeName(node)) repaired: guests resume") { $0.storageNetworkDown = false }
            for vm in state.faults[f.i].vms where state.vmStatus[vm.i].vmi?.ioPausedBy == f {
                state.vmStatus[vm.i].vmi?.ioPausedBy = nil
                if state.vmStatus[vm.i].vmi?.phase == .Running { guestResumes(vm, resolution: "I/O resumed") }
            }
            return
        case .nicFault(.primary) where state.health[node.i].running && state.faults[f.i].rebootedAt == nil:
            reconnect(node, f)
            return
        default: break
        }
        nodeReturnsFresh(node)
    }

    /// The node is up and Ready with a clean slate (repaired, rebooted after a stop, or a Machine
    /// replacement). Pods still bound to it lost their VMs: the kubelet finds their containers dead,
    /// the pods fail, and the run strategy decides (R2, R7).
    mutating func nodeReturnsFresh(_ node: NodeID) {
        guard let f = currentFault(node) else { return }
        markHealthy(node, f)
        trace("node \(nodeName(node)) back: Ready")
        podsBack(on: node, rebooted: true)
        for vm in state.launchers[node.i] {
            vmiEnded(vm, state.vmStatus[vm.i].generation, phase: .Failed, how: "node \(nodeName(node)) rebooted: launcher pod failed")
        }
        for vm in state.completedSourcePods[node.i] { state.removeCompletedPod(vm, from: node) }
        capacityFreed()
        retryStormHeld()
    }

    // MARK: random failures

    mutating func startFailureProcesses() {
        failureRandom = scenario.failures.map { p in
            p.unitNames.map { SplitMix64(seed: record.seed, stream: "failures/\(p.name)/\($0)") }
        }
        for (p, process) in scenario.failures.enumerated() {
            for u in process.units.indices {
                let first = process.timeBetweenFailures.sample(&failureRandom[p][u])
                schedule(at: SimTime.zero + first, lane: .world, .randomFailure(Int32(p), Int32(u)))
            }
        }
    }

    /// The unit fails now for a drawn time to repair; its next failure comes a drawn time after that.
    mutating func randomFailure(process p: Int, unit u: Int) {
        let process = scenario.failures[p]
        let repairAfter = process.timeToRepair.sample(&failureRandom[p][u])
        trace("random failure (\(process.name)): \(process.kind.description) of \(process.unitNames[u]), repaired after \(repairAfter)")
        for node in process.units[u] { nodeFails(node, process.kind, backAfter: repairAfter) }
        let next = process.timeBetweenFailures.sample(&failureRandom[p][u])
        schedule(at: now + repairAfter + next, lane: .world, .randomFailure(Int32(p), Int32(u)))
    }
}
