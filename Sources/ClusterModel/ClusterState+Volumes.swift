import SimKernel

/// Volume attachment as the attach/detach controller does it. A ReadWriteOnce (or ReadWriteOncePod)
/// volume is attached to one node at a time, for the pod that holds it; other pods on that node share
/// it. A pod bound to another node waits in ContainerCreating with a `Multi-Attach error` until the
/// holder is gone and the volume detached. ReadWriteOncePod is refused earlier, by the scheduler's
/// volume-restrictions filter: one pod in the cluster. ReadWriteMany never waits. These are the only
/// writers of claimAttachedTo, claimDetachAt and claimHolder.
extension ClusterState {
    /// The claims of a VM whose volumes attach to one node at a time.
    public func exclusiveClaims(of vm: VMID) -> [ClaimID] { exclusiveClaimsOfVM[vm.i] }

    /// A claim held by a pod on another node than `node`, and that pod's VM: the attach/detach
    /// controller's `Multi-Attach error` for the VM's pod on `node`.
    public func multiAttachBlocker(_ vm: VMID, on node: NodeID) -> (claim: ClaimID, holder: VMID)? {
        for c in exclusiveClaims(of: vm) {
            guard let h = claimHolder[c.i], h != vm, let at = vmStatus[h.i].vmi?.node, at != node else { continue }
            return (c, h)
        }
        return nil
    }

    /// Another pod, bound to a node, that uses one of the VM's ReadWriteOncePod claims.
    public func readWriteOncePodConflict(_ vm: VMID) -> (claim: ClaimID, other: VMID)? {
        guard usesReadWriteOncePod[vm.i] else { return nil }
        for c in vms[vm.i].claims where claims[c.i].onePodOnly {
            for u in claimUsers[c.i] where u != vm && vmStatus[u.i].vmi.map({ !$0.phase.isFinal && $0.node != nil }) == true {
                return (c, u)
            }
        }
        return nil
    }

    /// The VM's pod, bound to `node` with no Multi-Attach blocker, takes its volumes: it may use them
    /// from the returned time (now, or when a force-detach from a failed node completes).
    public mutating func holdVolumes(of vm: VMID, on node: NodeID, now: SimTime) -> SimTime {
        var ready = now
        for c in exclusiveClaims(of: vm) {
            if claimHolder[c.i] == nil { claimHolder[c.i] = vm }
            guard let at = claimAttachedTo[c.i], at != node else { continue }
            ready = max(ready, claimDetachAt[c.i] ?? now)
        }
        return ready
    }

    /// The VM's launcher started on `node`: its exclusive volumes are attached there.
    public mutating func attachVolumes(of vm: VMID, to node: NodeID) {
        for c in exclusiveClaims(of: vm) {
            claimAttachedTo[c.i] = node
            claimDetachAt[c.i] = nil
        }
    }

    /// The VM's pod left `node`: a pod of the same node that uses the claim keeps it attached, else the
    /// volume detaches at `at` (now after a clean unmount, later when the attach/detach controller
    /// must wait for an unmount that cannot come).
    public mutating func releaseVolumes(of vm: VMID, from node: NodeID, at: SimTime) {
        for c in exclusiveClaims(of: vm) where claimHolder[c.i] == vm {
            claimHolder[c.i] = claimUsers[c.i].first { u in
                u != vm && vmStatus[u.i].vmi.map { !$0.phase.isFinal && $0.node == node } == true
            }
            if claimHolder[c.i] == nil && claimAttachedTo[c.i] == node { claimDetachAt[c.i] = at }
        }
    }
}
