/// The only writers of the derived placement indexes, so they always agree with the statuses.
extension ClusterState {
    public mutating func bindLauncher(_ vm: VMID, to node: NodeID) {
        addRequests(launcherCPURequestMillis[vm.i], launcherMemoryRequestBytes[vm.i], on: node)
        launchers[node.i].append(vm)
        vmStatus[vm.i].vmi?.node = node
        countPod(of: vm, on: node, 1)
    }

    /// Removes the launcher pod from its node (pod gone, or completed after a migration).
    public mutating func unbindLauncher(_ vm: VMID, from node: NodeID, leavingCompletedPod: Bool = false) {
        addRequests(-launcherCPURequestMillis[vm.i], -launcherMemoryRequestBytes[vm.i], on: node)
        if let k = launchers[node.i].firstIndex(of: vm) { launchers[node.i].remove(at: k) }
        countPod(of: vm, on: node, -1)
        freed(node)
        if leavingCompletedPod { completedSourcePods[node.i].append(vm) }
    }

    public mutating func removeCompletedPod(_ vm: VMID, from node: NodeID) {
        if let k = completedSourcePods[node.i].firstIndex(of: vm) { completedSourcePods[node.i].remove(at: k) }
    }

    public mutating func bindMigrationTarget(_ m: MigrationID, to node: NodeID) {
        let vm = migrations[m.i].vm
        addRequests(launcherCPURequestMillis[vm.i], launcherMemoryRequestBytes[vm.i], on: node)
        migrationTargets[node.i].append(m)
        migrations[m.i].target = node
        countPod(of: vm, on: node, 1)
    }

    public mutating func unbindMigrationTarget(_ m: MigrationID) {
        guard let node = migrations[m.i].target else { return }
        let vm = migrations[m.i].vm
        addRequests(-launcherCPURequestMillis[vm.i], -launcherMemoryRequestBytes[vm.i], on: node)
        if let k = migrationTargets[node.i].firstIndex(of: m) { migrationTargets[node.i].remove(at: k) }
        countPod(of: vm, on: node, -1)
        freed(node)
    }

    /// A new workload pod (a replica, or its replacement): Pending until the scheduler binds it.
    public mutating func createPod(of w: WorkloadID, name: String, at now: SimTime) -> PodID {
        let id = PodID(pods.count)
        pods.append(Pod(name: name, workload: w, createdAt: now))
        podsCreated[w.i] += 1
        pendingPods.append(id)
        return id
    }

    public mutating func bindPod(_ p: PodID, to node: NodeID) {
        let w = workloads[pods[p.i].workload.i]
        addRequests(w.cpuRequestMillis, w.memoryRequestBytes, on: node)
        workloadPods[node.i].append(p)
        if isEvictable(p) { evictableWorkloadPods[node.i] += 1 }
        pods[p.i].node = node
        if let k = pendingPods.firstIndex(of: p) { pendingPods.remove(at: k) }
    }

    /// The pod object is gone (its containers stopped, or it was force-deleted): its node has room again.
    public mutating func podGone(_ p: PodID) {
        pods[p.i].gone = true
        pods[p.i].ready = false
        if let k = pendingPods.firstIndex(of: p) { pendingPods.remove(at: k) }
        guard let node = pods[p.i].node else { return }
        let w = workloads[pods[p.i].workload.i]
        addRequests(-w.cpuRequestMillis, -w.memoryRequestBytes, on: node)
        if let k = workloadPods[node.i].firstIndex(of: p) { workloadPods[node.i].remove(at: k) }
        if isEvictable(p) { evictableWorkloadPods[node.i] -= 1 }
        freed(node)
    }

    /// The VMI's launcher pod fits no node: it waits in the scheduler's queue.
    public mutating func waitForNode(_ vm: VMID) {
        unscheduledVMIs.append(vm)
        smallestWaitingCPUMillis = min(smallestWaitingCPUMillis, launcherCPURequestMillis[vm.i])
        smallestWaitingMemoryBytes = min(smallestWaitingMemoryBytes, launcherMemoryRequestBytes[vm.i])
        if dependsOnOtherPods(vm) { waitingOnOtherPods += 1 }
    }

    /// The VMI ended while waiting (the bounds stay: still bounds, only looser).
    public mutating func stopWaitingForNode(_ vm: VMID) {
        if let k = unscheduledVMIs.firstIndex(of: vm) { unscheduledVMIs.remove(at: k) }
    }

    /// Whether some waiting launcher may fit now, knowing only `freed` gained room or opened since
    /// each was last tried: a node outside it is as full and as closed as it was, and a freed node
    /// with less room than the smallest request fits none.
    public func waitingMayFit(_ freed: [NodeID]) -> Bool {
        if unscheduledVMIs.isEmpty || freed.isEmpty { return false }
        if waitingOnOtherPods > 0 { return true }
        return freed.contains {
            acceptsVMs[$0.i] && freeCPUMillis($0) >= smallestWaitingCPUMillis && freeMemoryBytes($0) >= smallestWaitingMemoryBytes
        }
    }

    /// The launchers still waiting after a round of tries, in their order; the bounds become exact.
    public mutating func keepWaiting(_ vms: [VMID]) {
        unscheduledVMIs = []
        (smallestWaitingCPUMillis, smallestWaitingMemoryBytes, waitingOnOtherPods) = (.max, .max, 0)
        for vm in vms { waitForNode(vm) }
    }

    /// ReadWriteOncePod and anti-affinity make a pod's fit depend on pods anywhere in the cluster or
    /// its topology domain, not only on the node it would go to.
    public func dependsOnOtherPods(_ vm: VMID) -> Bool {
        usesReadWriteOncePod[vm.i] || !placement.ownTerms[vm.i].isEmpty || !placement.memberTerms[vm.i].isEmpty
    }

    /// A pod's requests join (positive) or leave (negative) a node: the only writer of the request
    /// counters, so the scheduler's tree always follows them.
    mutating func addRequests(_ cpuMillis: Int64, _ memoryBytes: Int64, on node: NodeID) {
        cpuRequestedMillis[node.i] += cpuMillis
        memoryRequestedBytes[node.i] += memoryBytes
        resourcesChanged(node)
    }

    /// The node's requests or its acceptance changed: the scheduler's tree follows.
    mutating func resourcesChanged(_ node: NodeID) {
        guard freeTree != nil else { return }
        let (cpu, memory, accepts) = (freeCPUMillis(node), freeMemoryBytes(node), acceptsVMs[node.i])
        freeTree?.set(node.i, freeCPU: cpu, freeMemory: memory, accepts: accepts)
    }

    mutating func freed(_ node: NodeID) {
        if !isFreed[node.i] {
            isFreed[node.i] = true
            nodesFreed.append(node)
        }
    }

    /// The nodes freed since the last call; the waiting VMIs are tried against them now.
    public mutating func takeNodesFreed() -> [NodeID] {
        let taken = nodesFreed
        for n in taken { isFreed[n.i] = false }
        nodesFreed = []
        return taken
    }

    /// Moves a migration's phase and keeps the limit counters in step.
    public mutating func setMigrationPhase(_ m: MigrationID, _ next: MigrationPhase, at now: SimTime) {
        let before = migrations[m.i].phase
        migrations[m.i].transition(to: next, at: now)
        let source = migrations[m.i].source
        if before.countsTowardLimits != next.countsTowardLimits {
            let delta = next.countsTowardLimits ? 1 : -1
            migrationsInFlight += delta
            outboundInFlight[source.i] += delta
        }
        if before == .Pending, let k = pendingMigrations.firstIndex(of: m) { pendingMigrations.remove(at: k) }
        if before == .Running, let k = transfers.firstIndex(of: m) { transfers.remove(at: k) }
        if next == .Running { transfers.append(m) }
    }
}

import SimKernel
