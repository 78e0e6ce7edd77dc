import ClusterModel
import Controllers
import SimKernel

/// VMIs: creation, scheduling, start, shutdown, and what the VM controller does when one ends.
extension Simulation {
    /// The scenario describes a running cluster: every VM that is not Halted runs at time zero, on its
    /// given node or where the scheduler puts it (Manual and Once VMs too: someone started them).
    /// Pinned VMs are placed first: they are the pods already there; the scheduler fits workload pods,
    /// then the other VMs, around them.
    mutating func placeInitialVMs() {
        let running = state.vms.indices.filter { state.vms[$0].runStrategy != .Halted }
        for i in running where state.vms[i].initialNode != nil { placeInitialVM(i) }
        placeInitialPods()
        for i in running where state.vms[i].initialNode == nil { placeInitialVM(i) }
    }

    /// One VM at time zero: where the load's check placed it, or where the scheduler puts it now.
    mutating func placeInitialVM(_ i: Int) {
        let vm = VMID(i)
        let spec = state.vms[i]
        state.vmStatus[i].vmi = VirtualMachineInstance(createdAt: .zero)
        state.vmStatus[i].generation += 1
        var node = spec.initialNode ?? scenario.timeZeroPlacement?.vmNodes[i]
        if node == nil {
            switch Scheduler.place(vm, avoiding: nil, in: state) {
            case .node(let n): node = n
            case .unschedulable(let reason):
                state.vmStatus[i].vmi?.unschedulableReason = reason
                state.waitForNode(vm)
                openOutage(vm, cause: "not placed at start")
                explainOutage(vm, "awaiting capacity: \(reason)")
                trace("VM \(spec.name) cannot be placed: \(reason)")
            }
        }
        if let node {
            state.bindLauncher(vm, to: node)
            state.vmStatus[i].vmi?.transition(to: .Scheduled, at: .zero)
            if state.multiAttachBlocker(vm, on: node) != nil {
                openOutage(vm, cause: "not running at start")
                startLauncher(vm, on: node)
                return
            }
            _ = state.holdVolumes(of: vm, on: node, now: .zero)
            state.attachVolumes(of: vm, to: node)
            let model = state.guestCPUModel(of: vm, on: node)
            state.vmStatus[i].vmi?.cpuModel = model
            state.vmStatus[i].vmi?.transition(to: .Running, at: .zero)
            state.vmStatus[i].guestUp = true
        }
    }

    /// virt-controller creates a new VMI for the VM and the scheduler looks for a node.
    mutating func createVMI(_ vm: VMID) {
        let hadOne = state.vmStatus[vm.i].vmi != nil
        if let old = state.vmStatus[vm.i].vmi, !old.phase.isFinal { return }
        state.vmStatus[vm.i].vmi = VirtualMachineInstance(createdAt: now)
        state.vmStatus[vm.i].generation += 1
        state.vmStatus[vm.i].startRequested = false
        state.vmStatus[vm.i].stopRequested = false
        state.vmStatus[vm.i].outdated = false
        if hadOne { record.restarts[vm.i] += 1 }
        trace("VMI \(vmName(vm)) created")
        if !scheduleVMI(vm) { state.waitForNode(vm) }
    }

    /// Binds a Pending VMI's launcher pod to a node; false (with the reason kept) when none fits.
    mutating func scheduleVMI(_ vm: VMID) -> Bool {
        let spec = state.vms[vm.i]
        let explained = state.vmStatus[vm.i].vmi?.unschedulableReason != nil
        switch Scheduler.place(vm, avoiding: nil, in: state, explain: !explained) {
        case .node(let n):
            checkPlacement(on: n)
            state.bindLauncher(vm, to: n)
            state.vmStatus[vm.i].vmi?.unschedulableReason = nil
            let t = now
            state.vmStatus[vm.i].vmi?.transition(to: .Scheduled, at: t)
            trace("VMI \(spec.name) scheduled on \(nodeName(n))")
            startLauncher(vm, on: n)
            return true
        case .unschedulable(let reason):
            // A retry keeps the first reason; the report gets a fresh one when the run ends.
            guard !explained else { return false }
            trace("VMI \(spec.name) unschedulable: \(reason)")
            state.vmStatus[vm.i].vmi?.unschedulableReason = reason
            explainOutage(vm, "awaiting capacity: \(reason)")
            return false
        }
    }

    /// The bound launcher pod gets its volumes and starts: at once, after a force-detach from a failed
    /// node, or — a ReadWriteOnce volume held by a pod on another node — once that pod is gone
    /// (`Multi-Attach error`; the pod waits in ContainerCreating, its VM is not running).
    mutating func startLauncher(_ vm: VMID, on n: NodeID) {
        if let (c, holder) = state.multiAttachBlocker(vm, on: n) {
            let at = state.vmStatus[holder.i].vmi?.node.map(nodeName) ?? "?"
            let why = "Multi-Attach error: volume \(state.claims[c.i].name) is attached to \(at) for the pod of \(vmName(holder))"
            explainOutage(vm, why)
            trace("VMI \(vmName(vm)) on \(nodeName(n)) waits: \(why)")
            multiAttachWaiting.append(vm)
            return
        }
        let volumesReady = state.holdVolumes(of: vm, on: n, now: now)
        if volumesReady > now { explainOutage(vm, "awaiting volume detach (ReadWriteOnce still attached to a failed node)") }
        explainOutage(vm, "starting on \(nodeName(n))", at: volumesReady)
        schedule(at: volumesReady + state.config.launcherStartup, .launcherStarted(vm, state.vmStatus[vm.i].generation))
    }

    /// Volumes were released: launchers stuck on a Multi-Attach error try again, oldest first.
    mutating func retryMultiAttach() {
        guard !multiAttachWaiting.isEmpty else { return }
        let waiting = multiAttachWaiting
        multiAttachWaiting = []
        for vm in waiting {
            guard let vmi = state.vmStatus[vm.i].vmi, vmi.phase == .Scheduled, let n = vmi.node else { continue }
            startLauncher(vm, on: n)
        }
    }

    /// Pods left or nodes opened: the scheduler's queue gets a chance, then Pending migrations. Like
    /// kube-scheduler's, the queue takes pods by priority (a target pod has its VM's, so all are equal
    /// here), then by the time they were queued: waiting launcher pods and migration target pods
    /// interleave, oldest first (a launcher first on a tie). A waiting launcher is tried again only if it
    /// may fit a node freed since its last try, so the cost of an event does not grow with the VMs that
    /// fit nowhere; the choices are those of trying every one.
    mutating func capacityFreed() {
        if !state.pendingPods.isEmpty { schedulePendingPods() }
        let freed = state.takeNodesFreed()
        let launchersMayFit = state.waitingMayFit(freed)
        if launchersMayFit || !unscheduledTargets.isEmpty {
            let targets = unscheduledTargets
            var k = 0
            var still: [VMID] = []
            // Every VMI in the queue is Pending (vmiEnded takes out the ones that end; an invariant).
            for vm in launchersMayFit ? state.unscheduledVMIs : [] {
                let queuedAt = state.vmStatus[vm.i].vmi?.createdAt ?? .zero
                while k < targets.count && state.migrations[targets[k].i].phaseSince < queuedAt {
                    retryTarget(targets[k])
                    k += 1
                }
                if Scheduler.mayFitNow(vm, freed: freed, in: state) && scheduleVMI(vm) { continue }
                still.append(vm)
            }
            for m in targets[k...] { retryTarget(m) }
            if launchersMayFit { state.keepWaiting(still) }
        }
        startPendingMigrations()
    }

    mutating func launcherStarted(_ vm: VMID, _ gen: UInt32) {
        guard state.vmStatus[vm.i].generation == gen, state.vmStatus[vm.i].vmi?.phase == .Scheduled,
            let node = state.vmStatus[vm.i].vmi?.node
        else { return }
        // A pod bound to a node that died before the API noticed never starts.
        guard state.health[node.i].running else { return }
        for copy in zombies where copy.vm == vm {
            finding(
                "two running copies of \(vmName(vm)): on \(nodeName(copy.node)) (unreachable, its pod deleted) and on \(nodeName(node))")
            for c in state.exclusiveClaims(of: vm) {
                finding("ReadWriteOnce volume \(state.claims[c.i].name) written from \(nodeName(copy.node)) and \(nodeName(node))")
            }
        }
        state.attachVolumes(of: vm, to: node)
        let model = state.guestCPUModel(of: vm, on: node)
        state.vmStatus[vm.i].vmi?.cpuModel = model
        let t = now
        state.vmStatus[vm.i].vmi?.transition(to: .Running, at: t)
        state.vmStatus[vm.i].startFailures = 0  // cleared as soon as a VMI reaches Running
        trace("VMI \(vmName(vm)) Running on \(state.vmStatus[vm.i].vmi?.node.map(nodeName) ?? "?")")
        schedule(after: state.vms[vm.i].bootTime, .guestBooted(vm, gen))
        // Marked while it was starting: the evacuation controller takes Running VMIs only, and this
        // update wakes it for the node.
        if state.vmStatus[vm.i].vmi?.evacuationNodeName == node { evacuate(node) }
    }

    mutating func guestBooted(_ vm: VMID, _ gen: UInt32) {
        guard state.vmStatus[vm.i].generation == gen, state.vmStatus[vm.i].vmi?.phase == .Running else { return }
        state.vmStatus[vm.i].guestUp = true
        let node = state.vmStatus[vm.i].vmi?.node.map(nodeName) ?? "?"
        closeOutage(vm, resolution: "running again on \(node)")
        trace("VM \(vmName(vm)) guest up on \(node)")
    }

    /// The launcher pod is deleted gracefully: ACPI until the guest powers off, or forced off after
    /// terminationGracePeriodSeconds (reference R3, §8).
    mutating func beginShutdown(_ vm: VMID, cause: String) {
        guard let vmi = state.vmStatus[vm.i].vmi, !vmi.phase.isFinal, !vmi.terminating else { return }
        openOutage(vm, cause: cause)
        state.vmStatus[vm.i].guestUp = false
        trace("VMI \(vmName(vm)) shutting down: \(cause)")
        guard vmi.phase == .Running else {
            vmiEnded(vm, state.vmStatus[vm.i].generation, phase: .Succeeded, how: "deleted before it ran")
            return
        }
        // Terminating first, so the evacuation controller does not retry the migration it loses.
        state.vmStatus[vm.i].vmi?.terminating = true
        if let m = vmi.migration { failMigration(m, reason: "the VMI is shutting down") }
        // On a node that is down nothing can shut the guest down: the pod stays Terminating.
        if let node = vmi.node, !state.health[node.i].running { return }
        let spec = state.vms[vm.i]
        let gen = state.vmStatus[vm.i].generation
        if spec.shutdownTime <= spec.terminationGracePeriod {
            schedule(after: spec.shutdownTime, .guestPoweredOff(vm, gen))
        } else {
            schedule(after: spec.terminationGracePeriod, .forcedOff(vm, gen))
        }
    }

    /// The guest powered off or crashed on its own (timeline actions). A crash while the launcher is
    /// still starting ends a VMI that never ran: that is what crash-loop backoff is for.
    mutating func guestStops(_ vm: VMID, phase: VMIPhase, cause: String) {
        let current = state.vmStatus[vm.i].vmi?.phase
        guard current == .Running || (phase == .Failed && current == .Scheduled) else {
            notice("\(cause) of \(vmName(vm)) ignored: its VMI is not Running")
            return
        }
        openOutage(vm, cause: cause)
        vmiEnded(vm, state.vmStatus[vm.i].generation, phase: phase, how: cause)
    }

    /// The VMI reached a final phase: its pod is gone; the VM controller decides what follows (R2).
    /// `detachAt`: when the VM's exclusive volumes are free again (default: at once if its node runs,
    /// else after the attach/detach controller's wait).
    mutating func vmiEnded(_ vm: VMID, _ gen: UInt32, phase: VMIPhase, how: String, detachAt: SimTime? = nil) {
        guard state.vmStatus[vm.i].generation == gen, let vmi = state.vmStatus[vm.i].vmi, !vmi.phase.isFinal else { return }
        let t = now
        state.vmStatus[vm.i].vmi?.transition(to: phase, at: t)
        state.vmStatus[vm.i].vmi?.terminating = false
        // After the VMI is final: a migration of a VMI that is gone fails and is never retried.
        if let m = vmi.migration { failMigration(m, reason: "the VMI ended (\(phase.rawValue))") }
        state.vmStatus[vm.i].guestUp = false
        state.vmStatus[vm.i].outdated = false  // its launcher is gone
        openOutage(vm, cause: how)
        let node = vmi.node
        if let node, vmi.phase != .Pending {
            state.unbindLauncher(vm, from: node)
            let healthy = state.health[node.i].running && state.health[node.i].reachable
            if let k = multiAttachWaiting.firstIndex(of: vm) { multiAttachWaiting.remove(at: k) }
            state.releaseVolumes(of: vm, from: node, at: detachAt ?? (healthy ? now : now + state.config.nodeLifecycle.volumeDetachWait))
            retryMultiAttach()
        } else {
            state.stopWaitingForNode(vm)
        }
        trace("VMI \(vmName(vm)) \(phase.rawValue): \(how)")
        // The room its pod left goes to pods queued before the VM's next pod (kube-scheduler's order).
        capacityFreed()
        let status = state.vmStatus[vm.i]
        let decision = VMController.onFinal(
            phase: phase, everRunning: vmi.everRunning, status: status, startFailuresRandom: &crashLoopRandom)
        if !vmi.everRunning { state.vmStatus[vm.i].startFailures += 1 }
        switch decision {
        case .restart(let delay) where delay == .zero:
            createVMI(vm)
        case .restart(let delay):
            state.vmStatus[vm.i].generation += 1
            explainOutage(vm, "CrashLoopBackOff: next start in \(delay)")
            trace("VM \(vmName(vm)) CrashLoopBackOff \(delay)")
            schedule(after: delay, .restartVM(vm, state.vmStatus[vm.i].generation))
        case .stayDown(let reason):
            explainOutage(vm, reason)
            trace("VM \(vmName(vm)) stays down: \(reason)")
        }
        if let node { podGone(from: node) }
    }

    mutating func virtctl(_ command: VirtctlCommand, _ vm: VMID) {
        switch VMController.virtctl(command, status: state.vmStatus[vm.i]) {
        case .refused(let why):
            notice("virtctl \(command.rawValue) \(vmName(vm)) refused: \(why)")
        case .apply(let runStrategy, let stop, let start):
            state.vmStatus[vm.i].runStrategy = runStrategy
            trace("virtctl \(command.rawValue) \(vmName(vm)) (runStrategy \(runStrategy.rawValue))")
            if stop {
                state.vmStatus[vm.i].startRequested = start
                state.vmStatus[vm.i].stopRequested = !start
                beginShutdown(vm, cause: "virtctl \(command.rawValue)")
            } else if start {
                createVMI(vm)
            }
        }
    }

    mutating func virtctlMigrate(_ vm: VMID) {
        guard let vmi = state.vmStatus[vm.i].vmi, vmi.phase == .Running, !vmi.terminating else {
            notice("virtctl migrate \(vmName(vm)) refused: the VMI is not running")
            return
        }
        if case .notMigratable(let reason, let message) = state.liveMigratable[vm.i] {
            notice("virtctl migrate \(vmName(vm)) refused: LiveMigratable is False (\(reason): \(message))")
            return
        }
        if vmi.migration != nil {
            notice("virtctl migrate \(vmName(vm)) refused: an unfinished migration exists")
            return
        }
        createMigration(vm, trigger: .manual)
    }
}
