import ClusterModel
import Controllers
import SimKernel

/// VirtualMachineInstanceMigrations: the Pending queue, target pods, pre-copy rounds, outcomes (R5).
extension Simulation {
    mutating func createMigration(_ vm: VMID, trigger: MigrationTrigger) {
        guard let vmi = state.vmStatus[vm.i].vmi, let source = vmi.node else { return }
        migrationCount[vm.i] += 1
        var hold = now
        let failures = state.vmStatus[vm.i].evacuationFailures
        if trigger != .manual, let last = state.vmStatus[vm.i].lastEvacuationFailureAt {
            hold = max(now, last + MigrationController.evacuationBackoff(failures: failures))
        }
        let id = MigrationID(state.migrations.count)
        var m = VirtualMachineInstanceMigration(
            ordinal: Int32(migrationCount[vm.i]), vm: vm, trigger: trigger, source: source, createdAt: now, holdUntil: hold)
        m.isRetry = trigger != .manual && failures > 0
        state.migrations.append(m)
        migrationTimers.append(MigrationTimers())
        state.pendingMigrations.append(id)
        state.vmStatus[vm.i].vmi?.migration = id
        waitingMigrations += 1
        if waitingMigrations > record.peakPendingMigrations {
            record.peakPendingMigrations = waitingMigrations
            record.peakPendingAt = now
        }
        trace("migration \(state.name(of: id)) Pending (\(vmName(vm)) on \(nodeName(source)))")
        if hold > now { schedule(at: hold, .migrationHoldElapsed(id)) }
        startPendingMigrations()
    }

    /// Pending migrations take free slots, highest priority first (§4.3). Without the priority queue
    /// (KubeVirt ≤ 1.8) one turned away by a limit is looked at again 5 s later, not when a slot frees.
    mutating func startPendingMigrations() {
        guard !state.pendingMigrations.isEmpty else { return }
        let polled = !state.config.profile.migrationPriorityQueue
        for m in MigrationController.queueOrder(state.pendingMigrations, in: state) {
            let hold = MigrationController.hold(m, in: state, now: now)
            switch hold {
            case .clusterLimit?, .outboundLimit?:
                if polled {
                    if (state.migrations[m.i].recheckAt ?? .zero) <= now {
                        state.migrations[m.i].recheckAt = now + MigrationController.pendingRecheck
                        schedule(after: MigrationController.pendingRecheck, .migrationHoldElapsed(m))
                    }
                    continue
                }
                if hold == .clusterLimit { return }  // no slot for anyone
                continue
            case .backoff?, .sourceUnavailable?, .recheck?: continue
            case nil: break
            }
            state.setMigrationPhase(m, .Scheduling, at: now)
            trace("migration \(state.name(of: m)) Scheduling")
            placeTarget(m)
        }
    }

    mutating func placeTarget(_ m: MigrationID) {
        let mig = state.migrations[m.i]
        let retry = unscheduledTargets.contains(m)
        switch Scheduler.place(mig.vm, avoiding: mig.source, in: state, explain: !retry) {
        case .node(let n):
            checkPlacement(on: n)
            state.bindMigrationTarget(m, to: n)
            state.migrations[m.i].waitingReason = nil
            stopWaiting(m)
            state.setMigrationPhase(m, .Scheduled, at: now)
            if let k = unscheduledTargets.firstIndex(of: m) { unscheduledTargets.remove(at: k) }
            cancelTimer(m, \.targetPending)
            trace("migration \(state.name(of: m)) target pod on \(nodeName(n))")
            schedule(after: state.config.launcherStartup, .migrationTargetStarted(m))
        case .unschedulable(let reason):
            if !retry {
                state.migrations[m.i].waitingReason = "target pod unschedulable: \(reason)"
                unscheduledTargets.append(m)
                trace("migration \(state.name(of: m)) target pod unschedulable: \(reason)")
                migrationTimers[m.i].targetPending = schedule(
                    at: mig.phaseSince + state.config.targetPendingUnschedulableTimeout, .migrationTargetPendingTimeout(m))
            }
        }
    }

    /// A target pod that found no node tries again (queued since its migration entered Scheduling).
    mutating func retryTarget(_ m: MigrationID) {
        guard state.migrations[m.i].phase == .Scheduling && state.migrations[m.i].target == nil else { return }
        placeTarget(m)
    }

    /// The migration left Pending/Scheduling: note how long it waited.
    mutating func stopWaiting(_ m: MigrationID) {
        waitingMigrations -= 1
        let wait = now - state.migrations[m.i].createdAt
        if wait > record.longestPendingWait { record.longestPendingWait = wait }
    }

    mutating func migrationTargetStarted(_ m: MigrationID) {
        guard state.migrations[m.i].phase == .Scheduled, let target = state.migrations[m.i].target else { return }
        guard state.health[target.i].running else {
            failMigration(m, reason: "target pod never started: \(nodeName(target)) is down")
            return
        }
        let vm = state.vms[state.migrations[m.i].vm.i]
        state.setMigrationPhase(m, .Running, at: now)
        state.migrations[m.i].transfer = TransferState(
            dataBytes: vm.migrationDataBytes, firstRoundBytes: vm.firstRoundBytes, at: now, bandwidth: 0)
        trace("migration \(state.name(of: m)) Running")
        rebalanceTransfers()
        watchStall(m)  // a transfer that starts without bandwidth (a cut migration network)
        let perGiB = state.migrationSettings[state.migrations[m.i].vm.i].completionTimeoutPerGiB
        migrationTimers[m.i].completion = schedule(
            after: MigrationController.completionTimeout(dataBytes: vm.migrationDataBytes, perGiB: perGiB), .migrationCompletionTimeout(m))
    }

    /// A transfer started or ended: every transfer's share of the links may have changed. Bytes sent
    /// at the old rate are settled and each round's end is rescheduled at the new rate.
    mutating func rebalanceTransfers() {
        for t in state.transfers {
            guard var tr = state.migrations[t.i].transfer, !tr.switchingOver else { continue }
            let bw = MigrationController.bandwidth(t, in: state)
            if bw == tr.bandwidthBytesPerSecond { continue }
            tr.settle(at: now)
            tr.bandwidthBytesPerSecond = bw
            cancelTimer(t, \.round)
            // Stalled, no round can end until bandwidth returns.
            tr.stalledSince = bw == 0 ? now : nil
            state.migrations[t.i].transfer = tr
            watchStall(t)
            if bw > 0 {
                migrationTimers[t.i].round = schedule(at: MigrationController.eventTime(micros: tr.roundEndMicros), .migrationRoundDone(t))
            }
        }
    }

    /// The progress timeout runs while a transfer is stalled (no bandwidth), and only then.
    mutating func watchStall(_ t: MigrationID) {
        guard let since = state.migrations[t.i].transfer?.stalledSince else {
            cancelTimer(t, \.progress)
            return
        }
        if migrationTimers[t.i].progress == nil {
            migrationTimers[t.i].progress = schedule(at: since + state.config.liveMigration.progressTimeout, .migrationProgressCheck(t))
        }
    }

    /// A pre-copy round ended: either the dirtied remainder fits the downtime limit (stop-and-copy),
    /// or it becomes the next round.
    mutating func migrationRoundDone(_ m: MigrationID) {
        let mig = state.migrations[m.i]
        guard mig.phase == .Running, var tr = mig.transfer, !tr.switchingOver else { return }
        migrationTimers[m.i].round = nil
        // The round really ended at `end`, up to a millisecond before this event.
        let end = tr.roundEndMicros
        tr.bytesSent += tr.roundBytesLeft
        let vm = state.vms[mig.vm.i]
        let dirtied = MigrationController.dirtiedBytes(
            vm, micros: end - tr.roundStartedAtMicros, throttlePercent: tr.throttlePercent, guestPaused: mig.guestPausedAt != nil)
        if state.migrationSettings[mig.vm.i].allowAutoConverge { MigrationController.autoConverge(&tr, dirtied: dirtied, atMicros: end) }
        let bw = tr.bandwidthBytesPerSecond
        tr.updatedAtMicros = end
        tr.roundBytesLeft = dirtied
        if MigrationController.fitsDowntimeLimit(dirtied, bandwidth: bw, limit: state.config.downtimeLimit) {
            let pause = MigrationController.sendTime(dirtied, bandwidth: bw)
            tr.switchingOver = true
            state.migrations[m.i].transfer = tr
            state.migrations[m.i].pause = pause
            // Only a serving guest goes down for the pause; one already down (booting, paused for
            // allowWorkloadDisruption or on I/O) stays in the outage it is in.
            if pause > .zero && state.vmStatus[mig.vm.i].guestUp {
                state.vmStatus[mig.vm.i].guestUp = false
                state.migrations[m.i].stopAndCopyPausedGuest = true
                openOutage(mig.vm, cause: "migration pause (stop-and-copy) \(state.name(of: m))", kind: .migrationPause)
            }
            cancelTimer(m, \.progress)
            cancelTimer(m, \.completion)
            trace("migration \(state.name(of: m)) converged after \(tr.rounds) round(s); pause \(pause)")
            schedule(after: pause, .migrationSwitchoverDone(m))
            return
        }
        tr.rounds += 1
        tr.roundStartedAtMicros = end
        state.migrations[m.i].transfer = tr
        migrationTimers[m.i].round = schedule(at: MigrationController.eventTime(micros: tr.roundEndMicros), .migrationRoundDone(m))
    }

    /// Handover: the VMI now runs on the target; the source pod is left Completed (a drain evicts it next pass).
    mutating func migrationSwitchoverDone(_ m: MigrationID) {
        let mig = state.migrations[m.i]
        guard mig.phase == .Running, let target = mig.target, var tr = mig.transfer else { return }
        tr.bytesSent += tr.roundBytesLeft
        tr.roundBytesLeft = 0
        state.migrations[m.i].transfer = tr
        state.setMigrationPhase(m, .Succeeded, at: now)
        progressed()
        state.unbindMigrationTarget(m)
        state.unbindLauncher(mig.vm, from: mig.source, leavingCompletedPod: true)
        state.bindLauncher(mig.vm, to: target)
        state.vmStatus[mig.vm.i].vmi?.evacuationNodeName = nil
        state.vmStatus[mig.vm.i].vmi?.migration = nil
        state.vmStatus[mig.vm.i].evacuationFailures = 0
        state.vmStatus[mig.vm.i].outdated = false  // a fresh virt-launcher on the target
        if let paused = mig.guestPausedAt { state.migrations[m.i].pause = now - paused }
        if mig.pausesGuest { guestResumes(mig.vm, resolution: "resumed on \(nodeName(target))") }
        trace("migration \(state.name(of: m)) Succeeded: \(vmName(mig.vm)) now on \(nodeName(target))")
        rebalanceTransfers()
        capacityFreed()
    }

    /// KubeVirt's progress rule (virt-launcher `live-migration-source.go`, processInflightMigration):
    /// every 400 ms libvirt's DataRemaining is compared with the *previous* sample, and the timer is
    /// reset whenever it fell. QEMU's remaining bytes leave out pages dirtied since the last bitmap
    /// sync, so they fall between any two samples while bytes flow, even for a guest that dirties
    /// faster than its link: that one runs to the completion timeout. Only a transfer that sends
    /// nothing (a cut migration network, a stalled target) for progressTimeout fails here.
    mutating func migrationProgressCheck(_ m: MigrationID) {
        migrationTimers[m.i].progress = nil
        let mig = state.migrations[m.i]
        guard mig.phase == .Running, let tr = mig.transfer, !tr.switchingOver, let since = tr.stalledSince else { return }
        let timeout = state.config.liveMigration.progressTimeout
        failMigration(
            m,
            reason:
                "no progress for \(now - since): no bytes sent since \(since.elapsed), \(ByteFormat.describe(tr.roundBytesLeft)) of the round left"
                + " (a migration network is down or the target stalled; progressTimeout \(timeout))")
    }

    /// The completion timeout (§4.6): abort; or, with allowWorkloadDisruption, switch to post-copy when
    /// allowed, else pause the guest so the copy converges and allow twice the time.
    mutating func migrationCompletionTimeout(_ m: MigrationID) {
        migrationTimers[m.i].completion = nil
        let mig = state.migrations[m.i]
        guard mig.phase == .Running, var tr = mig.transfer, !tr.switchingOver else { return }
        let settings = state.migrationSettings[mig.vm.i]
        let timeout = MigrationController.completionTimeout(dataBytes: tr.dataBytes, perGiB: settings.completionTimeoutPerGiB)
        let abort =
            "completion timeout \(timeout) (completionTimeoutPerGiB \(settings.completionTimeoutPerGiB) × \(ceilGB(tr.dataBytes)) GB)"
        guard settings.allowWorkloadDisruption, tr.bandwidthBytesPerSecond > 0 else {
            failMigration(m, reason: abort)
            return
        }
        if settings.allowPostCopy {
            // Post-copy: the guest resumes on the target at once and pulls the rest of its memory.
            tr.settle(at: now)
            tr.switchingOver = true
            state.migrations[m.i].transfer = tr
            state.migrations[m.i].postCopy = true
            state.migrations[m.i].postCopyStartedAt = now
            state.migrations[m.i].pause = .zero
            cancelTimer(m, \.round)
            cancelTimer(m, \.progress)
            trace("migration \(state.name(of: m)) switched to post-copy after \(timeout)")
            schedule(
                after: MigrationController.sendTime(tr.roundBytesLeft, bandwidth: tr.bandwidthBytesPerSecond), .migrationSwitchoverDone(m))
            return
        }
        guard mig.guestPausedAt == nil else {
            failMigration(m, reason: abort + ", twice over with the guest paused")
            return
        }
        state.migrations[m.i].guestPausedAt = now
        state.vmStatus[mig.vm.i].guestUp = false
        openOutage(
            mig.vm, cause: "migration \(state.name(of: m)): guest paused at the completion timeout (allowWorkloadDisruption)",
            kind: .migrationPause)
        trace("migration \(state.name(of: m)): guest paused after \(timeout) so the copy converges")
        migrationTimers[m.i].completion = schedule(after: timeout, .migrationCompletionTimeout(m))
    }

    func ceilGB(_ bytes: Int64) -> Int64 { (bytes + 999_999_999) / 1_000_000_000 }

    mutating func migrationTargetPendingTimeout(_ m: MigrationID) {
        migrationTimers[m.i].targetPending = nil
        let mig = state.migrations[m.i]
        guard mig.phase == .Scheduling, mig.target == nil else { return }
        failMigration(
            m,
            reason: "target pod unschedulable for \(state.config.targetPendingUnschedulableTimeout): "
                + (mig.waitingReason ?? "").dropPrefix("target pod unschedulable: "))
    }

    /// The migration failed; the VMI keeps running on its source. If it is still marked for
    /// evacuation, the evacuation controller creates the next migration (held by the backoff, §4.5).
    mutating func failMigration(_ m: MigrationID, reason: String) {
        let mig = state.migrations[m.i]
        guard !mig.phase.isFinal else { return }
        if mig.phase == .Pending || mig.phase == .Scheduling { stopWaiting(m) }
        if mig.target != nil { state.unbindMigrationTarget(m) }
        if let k = unscheduledTargets.firstIndex(of: m) { unscheduledTargets.remove(at: k) }
        let wasTransferring = mig.phase == .Running
        cancelTimer(m, \.round)
        cancelTimer(m, \.progress)
        cancelTimer(m, \.completion)
        cancelTimer(m, \.targetPending)
        state.setMigrationPhase(m, .Failed, at: now)
        state.migrations[m.i].failureReason = reason
        let vm = mig.vm
        if state.vmStatus[vm.i].vmi?.migration == m { state.vmStatus[vm.i].vmi?.migration = nil }
        if mig.trigger != .manual {
            state.vmStatus[vm.i].evacuationFailures += 1
            state.vmStatus[vm.i].lastEvacuationFailureAt = now
        }
        trace("migration \(state.name(of: m)) Failed: \(reason)")
        if let target = mig.target { podGone(from: target) }
        if mig.postCopy {
            // Post-copy cannot be undone: the guest's state is split between two hosts (§4.6).
            vmiEnded(
                vm, state.vmStatus[vm.i].generation, phase: .Failed,
                how: "post-copy migration \(state.name(of: m)) failed: state split between hosts")
        } else if mig.pausesGuest, state.vmStatus[vm.i].vmi?.phase == .Running,
            state.health[mig.source.i].running
        {
            guestResumes(vm, resolution: "resumed on \(nodeName(mig.source)) after the migration failed")
        }
        if wasTransferring { rebalanceTransfers() }
        capacityFreed()
        // The VMI's update wakes the evacuation controller for its node: a still-marked VMI gets the next migration.
        if case .evacuation(let node) = mig.trigger { evacuate(node) }
    }
}

extension String {
    func dropPrefix(_ prefix: String) -> String { hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self }
}
