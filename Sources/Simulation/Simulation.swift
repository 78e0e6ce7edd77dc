import ClusterModel
import Controllers
import Reporting
import Scenarios
import SimKernel

public struct SimulationOptions: Sendable {
    /// Overrides the scenario's seed.
    public var seed: UInt64?
    /// Check the invariants after every event (tests do; runs for users need not).
    public var checkInvariants = false
    /// Keep the event trace (it costs string building on every state change).
    public var trace = true
    public var eventLimit = 200_000_000
    /// A run's journal is bounded: past this many entries (migrations, outages, faults, notices, trace
    /// lines) it stops with a stop reason that says so.
    public var historyLimit = 5_000_000

    public init(seed: UInt64? = nil, checkInvariants: Bool = false, trace: Bool = true) {
        self.seed = seed
        self.checkInvariants = checkInvariants
        self.trace = trace
    }
}

/// One run of one scenario: owns the engine and the state, applies every change, keeps the journal.
///
/// Controllers decide (pure functions in Controllers/); this type applies their decisions, schedules
/// the timers, and records what happened for the report.
public struct Simulation {
    /// Without `stopAt`, a run that never goes quiet (migrations retried forever) stops once nothing
    /// has progressed for this long — after the last timeline action, no drain or migration finished
    /// and no guest came back — so a long maintenance that keeps moving is never cut.
    public static let defaultHorizon = SimDuration.minutes(7 * 24 * 60)

    let scenario: Scenario
    let options: SimulationOptions
    var engine: Engine<SimEvent>
    var state: ClusterState
    var record: RunRecord
    var crashLoopRandom: SplitMix64
    var rollings: [RollingState] = []
    var rollingOfDrain: [Int: Int] = [:]  // drain index → rolling index; read only off the hot path
    var migrationCount: [Int]  // per VM, for migration names
    /// Each migration's pending timers, so a migration that ends leaves none behind.
    var migrationTimers: [MigrationTimers] = []
    /// Per node, bumped when it fails or comes back, so timers of an earlier episode are ignored.
    var nodeGeneration: [UInt32]
    var heartbeatRandom: SplitMix64
    /// Unhealthy nodes NodeHealthCheck did not remediate because too few nodes were healthy.
    var heldByStorm: [NodeID] = []
    /// Guests still running on an unreachable node after their pods were deleted: if the VM starts
    /// elsewhere meanwhile, there are two copies of it.
    var zombies: [(vm: VMID, node: NodeID)] = []
    /// One random stream per failure process and unit, so adding a process never shifts another's draws.
    var failureRandom: [[SplitMix64]] = []
    var workloadUpdate: WorkloadUpdate?
    var workloadUpdateIdleAt = -1
    var lastWorkloadEvictionAt: SimTime?
    var workloadRandom: SplitMix64
    /// Launcher pods bound to a node but waiting for a ReadWriteOnce volume held elsewhere, oldest first.
    var multiAttachWaiting: [VMID] = []
    /// Per node: an evacuation re-check is scheduled (KubeVirt ≤ 1.8).
    var evacuationSyncScheduled: [Bool]
    /// Migrations in Scheduling whose target pod found no node, oldest first.
    var unscheduledTargets: [MigrationID] = []
    /// Migrations in Pending or Scheduling (not yet placed), for the peak-pending figure.
    var waitingMigrations = 0
    // Quiet detection: work events not yet run, and per drain the change count at its last idle pass.
    var workEventsPending = 0
    var changes = 0
    var drainIdleAt: [Int] = []
    /// The drains still Running, oldest first (the quiet check looks at these only).
    var runningDrains: [DrainID] = []
    var timelineDone = false
    /// The last time work moved forward (see `defaultHorizon`), and whether the run ended quiet.
    var lastProgress: SimTime
    var endedQuiet = false
    let traceLog: TraceLog
    public private(set) var invariantViolations: [String] = []

    /// `traceSink`: where the trace goes line by line as the run makes it (then it is not kept in the record).
    public init(scenario: Scenario, options: SimulationOptions = SimulationOptions(), traceSink: (([UInt8]) -> Void)? = nil) {
        self.scenario = scenario
        self.options = options
        let seed = options.seed ?? scenario.seed
        let lastAction = scenario.timeline.last?.at ?? .zero
        lastProgress = lastAction
        let limit = scenario.stopAt ?? (lastAction + Simulation.defaultHorizon)
        engine = Engine(timeLimit: limit, eventLimit: options.eventLimit, reservingCapacity: 4096)
        state = scenario.state
        // Room for one migration per VM up front: a rolling maintenance makes about that many, and
        // growing by doubling copied the array and held old and new at once (untouched room costs no memory).
        state.migrations.reserveCapacity(scenario.state.vms.count)
        migrationTimers.reserveCapacity(scenario.state.vms.count)
        record = RunRecord(scenarioName: scenario.name, seed: seed, state: scenario.state)
        crashLoopRandom = SplitMix64(seed: seed, stream: "crash-loop-backoff")
        migrationCount = Array(repeating: 0, count: scenario.state.vms.count)
        traceLog = TraceLog(enabled: options.trace, sink: traceSink)
        nodeGeneration = Array(repeating: 0, count: scenario.state.nodes.count)
        evacuationSyncScheduled = Array(repeating: false, count: scenario.state.nodes.count)
        heartbeatRandom = SplitMix64(seed: seed, stream: "kubevirt-heartbeat")
        workloadRandom = SplitMix64(seed: seed, stream: "workload-update")
    }

    /// Runs the scenario to its end and returns the journal.
    public mutating func run() -> RunRecord {
        trace("scenario \(scenario.name) seed \(record.seed)")
        placeInitialVMs()
        for (i, e) in scenario.timeline.enumerated() { schedule(at: e.at, lane: .world, .timeline(Int32(i))) }
        startFailureProcesses()
        if scenario.timeline.isEmpty { timelineDone = true }
        checkInvariantsIfAsked(after: "placing the VMs at time zero")
        while let (_, event) = engine.next() {
            if !event.isPoll { workEventsPending -= 1 }
            handle(event)
            checkInvariantsIfAsked(after: "\(event)")
            if recordedEntries > options.historyLimit {
                engine.stop(
                    .halted(
                        "history limit: more than \(options.historyLimit) recorded entries (migrations, outages, faults, notices, trace lines)"
                    ))
                break
            }
            if isQuiet() { break }
        }
        // Quiet, or nothing left in the queue: the run ends now, or at stopAt.
        if engine.stopReason == nil || engine.stopReason == .done { stopQuietly() }
        return finish()
    }

    var outageCount = 0
    var recordedEntries: Int { state.migrations.count + state.faults.count + outageCount + record.notices.count + traceLog.count }

    /// Nothing will change any more: without `stopAt` the run ends now; with one it ends exactly at
    /// `stopAt` (open outages count to it), NMO's attempt clock advanced as its passes would have.
    mutating func stopQuietly() {
        endedQuiet = true
        guard let stopAt = scenario.stopAt, now < stopAt else {
            engine.stop(.done)
            return
        }
        for i in state.drains.indices where state.drains[i].phase == .Running && state.drains[i].isNodeMaintenance {
            state.drains[i].attemptStartedAt = DrainController.attemptStartedAt(state.drains[i], at: stopAt)
        }
        engine.stop(.timeLimit(stopAt), at: stopAt)
    }

    var now: SimTime { engine.now }

    /// Work moved forward: without `stopAt` the horizon starts again from now.
    mutating func progressed() {
        guard scenario.stopAt == nil, now > lastProgress else { return }
        lastProgress = now
        engine.extendTimeLimit(to: now + Simulation.defaultHorizon)
    }

    @discardableResult
    mutating func schedule(at time: SimTime, lane: Lane = .controller, _ event: SimEvent) -> TimerID {
        if !event.isPoll { workEventsPending += 1 }
        return engine.schedule(at: time, lane: lane, event)
    }

    @discardableResult
    mutating func schedule(after delay: SimDuration, _ event: SimEvent) -> TimerID { schedule(at: now + delay, event) }

    /// Cancels a migration's timer that has not fired yet (handlers clear their handle when it fires).
    mutating func cancelTimer(_ m: MigrationID, _ which: WritableKeyPath<MigrationTimers, TimerID?>) {
        guard let t = migrationTimers[m.i][keyPath: which] else { return }
        engine.cancel(t)
        workEventsPending -= 1
        migrationTimers[m.i][keyPath: which] = nil
    }

    /// Quiet: the timeline is done, no work is scheduled, and every running drain's last pass found
    /// nothing to do since the last change — its next passes would only repeat the same 429s.
    func isQuiet() -> Bool {
        guard timelineDone, workEventsPending == 0 else { return false }
        if workloadUpdate != nil && record.workloadUpdate?.finishedAt == nil && workloadUpdateIdleAt != changes { return false }
        for d in runningDrains {
            if drainIdleAt[d.i] != changes { return false }
            // An `oc adm drain --timeout` still has its give-up ahead of it.
            if case .ocAdmDrain(let timeout?) = state.drains[d.i].method, now < state.drains[d.i].requestedAt + timeout { return false }
        }
        return true
    }

    mutating func handle(_ event: SimEvent) {
        if !event.isPoll { changes += 1 }
        switch event {
        case .timeline(let i):
            let e = scenario.timeline[Int(i)]
            apply(e.action)
            if Int(i) == scenario.timeline.count - 1 { timelineDone = true }
        case .launcherStarted(let vm, let gen): launcherStarted(vm, gen)
        case .guestBooted(let vm, let gen): guestBooted(vm, gen)
        case .guestPoweredOff(let vm, let gen): vmiEnded(vm, gen, phase: .Succeeded, how: "guest powered off")
        case .forcedOff(let vm, let gen): vmiEnded(vm, gen, phase: .Failed, how: "grace period expired, forced off")
        case .restartVM(let vm, let gen):
            if state.vmStatus[vm.i].generation == gen { createVMI(vm) }
        case .migrationHoldElapsed: startPendingMigrations()
        case .evacuationSync(let n):
            evacuationSyncScheduled[n.i] = false
            evacuate(n)
        case .migrationTargetStarted(let m): migrationTargetStarted(m)
        case .migrationRoundDone(let m): migrationRoundDone(m)
        case .migrationSwitchoverDone(let m): migrationSwitchoverDone(m)
        case .migrationProgressCheck(let m): migrationProgressCheck(m)
        case .migrationCompletionTimeout(let m): migrationCompletionTimeout(m)
        case .migrationTargetPendingTimeout(let m): migrationTargetPendingTimeout(m)
        case .drainPass(let d): drainPass(d)
        case .maintenanceOver(let d): maintenanceOver(d)
        case .nodeReadyUnknown(let n, let gen): if nodeGeneration[n.i] == gen { nodeReadyUnknown(n) }
        case .taintManagerEviction(let n, let gen): if nodeGeneration[n.i] == gen { taintManagerEviction(n) }
        case .kubevirtHeartbeatStale(let n, let gen): if nodeGeneration[n.i] == gen { kubevirtHeartbeatStale(n) }
        case .nodeUnhealthy(let n, let gen): if nodeGeneration[n.i] == gen { nodeUnhealthy(n) }
        case .safeTimeElapsed(let n, let gen): if nodeGeneration[n.i] == gen { safeTimeElapsed(n) }
        case .fenceAttemptDone(let n, let gen, let attempt): if nodeGeneration[n.i] == gen { fenceAttemptDone(n, attempt: Int(attempt)) }
        case .nodeBack(let n, let gen): if nodeGeneration[n.i] == gen { nodeBack(n) }
        case .nodeSelfReboot(let n, let gen):
            if nodeGeneration[n.i] == gen { rebootNode(n, by: "its SelfNodeRemediation agent (isolated)") }
        case .nodeRebooted(let n, let gen): if nodeGeneration[n.i] == gen { nodeRebooted(n) }
        case .machineReplaced(let n, let gen): if nodeGeneration[n.i] == gen { nodeReturnsFresh(n) }
        case .randomFailure(let p, let u): randomFailure(process: Int(p), unit: Int(u))
        case .workloadUpdatePass: workloadUpdatePass()
        case .podReady(let p, let gen): podReady(p, gen)
        case .podRecovered(let p, let gen): if state.pods[p.i].generation == gen { trace("pod \(state.pods[p.i].name) recovered") }
        case .podTerminated(let p, let gen): if state.pods[p.i].generation == gen { podTerminated(p) }
        }
    }

    mutating func apply(_ action: TimelineAction) {
        switch action {
        case .createNodeMaintenance(let node, let name, let reason):
            createNodeMaintenance(node, name: name, reason: reason, rolling: nil)
        case .deleteNodeMaintenance(let node): deleteNodeMaintenance(node)
        case .cordon(let node):
            state.setUnschedulable(node, true)
            trace("oc adm cordon \(nodeName(node))")
        case .uncordon(let node):
            trace("oc adm uncordon \(nodeName(node))")
            uncordon(node)
        case .drain(let node, let timeout): startDrain(node, method: .ocAdmDrain(timeout: timeout))
        case .start(let vm): virtctl(.start, vm)
        case .stop(let vm): virtctl(.stop, vm)
        case .restart(let vm): virtctl(.restart, vm)
        case .migrate(let vm): virtctlMigrate(vm)
        case .guestShutdown(let vm): guestStops(vm, phase: .Succeeded, cause: "guest shutdown")
        case .guestCrash(let vm): guestStops(vm, phase: .Failed, cause: "guest crash")
        case .rollingMaintenance(let spec): startRolling(spec)
        case .kernelPanic(let node, let rebootAfter): nodeFails(node, .kernelPanic, backAfter: rebootAfter)
        case .nicFault(let node, let network, let duration): nodeFails(node, .nicFault(network), backAfter: duration)
        case .powerLoss(let nodes, let restoreAfter):
            for node in nodes { nodeFails(node, .powerLoss, backAfter: restoreAfter.map { $0 + state.nodes[node.i].bootTime }) }
        case .repair(let node): repair(node)
        case .forceDeletePods(let node): forceDeletePods(node)
        case .outOfServiceTaint(let node): taintOutOfService(node)
        case .workloadUpdate(let spec): startWorkloadUpdate(spec)
        }
    }

    // MARK: journal

    func nodeName(_ n: NodeID) -> String { state.nodes[n.i].name }
    func vmName(_ vm: VMID) -> String { state.vms[vm.i].name }

    /// Appends to the trace; the text is only built when tracing is on.
    func trace(_ text: @autoclosure () -> String) {
        if traceLog.enabled { traceLog.append(now, text()) }
    }

    /// A safety finding: the scenario's settings let something unsafe happen.
    mutating func finding(_ text: String) {
        record.findings.append(TraceEntry(time: now, text: text))
        trace("SAFETY: " + text)
    }

    mutating func notice(_ text: String) {
        record.notices.append(TraceEntry(time: now, text: text))
        trace(text)
    }

    /// Opens an outage unless one is open already (the first cause of a down spell is the one kept;
    /// a migration pause that something worse interrupts becomes an outage, the worse cause a phase).
    mutating func openOutage(_ vm: VMID, cause: String, kind: OutageKind = .outage) {
        if let k = record.outages[vm.i].indices.last, record.outages[vm.i][k].to == nil {
            if kind == .outage && record.outages[vm.i][k].kind == .migrationPause {
                record.outages[vm.i][k].kind = .outage
                explainOutage(vm, cause)
            }
            return
        }
        record.outages[vm.i].append(Outage(from: now, cause: cause, kind: kind))
        outageCount += 1
    }

    mutating func closeOutage(_ vm: VMID, resolution: String) {
        guard let k = record.outages[vm.i].indices.last, record.outages[vm.i][k].to == nil else { return }
        progressed()
        record.outages[vm.i][k].to = now
        record.outages[vm.i][k].resolution = resolution
    }

    /// The guest serves again, unless a storage fault still holds its I/O paused.
    mutating func guestResumes(_ vm: VMID, resolution: String) {
        guard state.vmStatus[vm.i].vmi?.ioPausedBy == nil else { return }
        state.vmStatus[vm.i].guestUp = true
        closeOutage(vm, resolution: resolution)
    }

    /// Says why an open outage is still open, starting a new phase of it (a later reason at the same
    /// instant replaces the earlier one).
    mutating func explainOutage(_ vm: VMID, _ why: String, at time: SimTime? = nil) {
        guard let k = record.outages[vm.i].indices.last, record.outages[vm.i][k].to == nil else { return }
        record.outages[vm.i][k].resolution = why
        let t = time ?? now
        if let last = record.outages[vm.i][k].phases.last {
            if last.what == why { return }
            if last.from == t { record.outages[vm.i][k].phases.removeLast() }
        }
        record.outages[vm.i][k].phases.append(OutagePhase(from: t, what: why))
    }

    /// Invariant: the scheduler never places a pod on a cordoned node.
    mutating func checkPlacement(on node: NodeID) {
        if options.checkInvariants && state.nodes[node.i].unschedulable {
            invariantViolations.append("\(now): a pod was placed on cordoned \(nodeName(node))")
        }
    }

    /// With `checkInvariants`, the rules of InvariantChecker after every event; the first broken one
    /// ends the run (what follows would be built on a broken state), naming the event and the seed.
    mutating func checkInvariantsIfAsked(after event: @autoclosure () -> String) {
        guard options.checkInvariants else { return }
        var broken = InvariantChecker.violations(in: state, outages: record.outages, now: now)
        // Two running copies of a VM may only arise from unsafe settings, and then as a finding.
        for copy in zombies where state.vmStatus[copy.vm.i].vmi?.phase == .Running {
            let name = vmName(copy.vm)
            if !record.findings.contains(where: { $0.text.hasPrefix("two running copies of \(name):") }) {
                broken.append("two running copies of \(name) and no safety finding")
            }
        }
        guard !broken.isEmpty else { return }
        let context = "at \(now) after \(event()) (scenario \(scenario.name), seed \(record.seed))"
        invariantViolations += broken.map { "\($0) [\(context)]" }
        engine.stop(.halted("invariant broken " + context))
    }

    mutating func finish() -> RunRecord {
        // Pods still waiting for a node: why, as of the end.
        for vm in state.unscheduledVMIs where state.vmStatus[vm.i].vmi?.phase == .Pending {
            let reason = Scheduler.reason(vm, avoiding: -1, in: state)
            state.vmStatus[vm.i].vmi?.unschedulableReason = reason
            explainOutage(vm, "awaiting capacity: \(reason)")
        }
        for m in unscheduledTargets where state.migrations[m.i].phase == .Scheduling {
            let mig = state.migrations[m.i]
            state.migrations[m.i].waitingReason = "target pod unschedulable: " + Scheduler.reason(mig.vm, avoiding: mig.source.i, in: state)
        }
        for m in state.pendingMigrations {
            let hold = MigrationController.hold(m, in: state, now: now) ?? .clusterLimit
            state.migrations[m.i].waitingReason = MigrationController.describe(hold, m, in: state)
        }
        refreshBlockers()
        for m in state.pendingMigrations
            + state.migrations.indices.map(MigrationID.init).filter({
                state.migrations[$0.i].phase == .Scheduling
            })
        {
            let wait = now - state.migrations[m.i].createdAt
            if wait > record.longestPendingWait { record.longestPendingWait = wait }
        }
        record.workloadUpdate?.outdatedAtEnd = state.vmStatus.filter(\.outdated).count
        record.stopReason = (engine.stopReason ?? .done).description
        switch engine.stopReason ?? .done {
        case .done: record.ending = .quiet
        case .timeLimit where endedQuiet: record.ending = .quiet
        case .timeLimit where scenario.stopAt != nil: record.ending = .stopAt
        case .timeLimit:
            record.ending = .noProgress(since: lastProgress, horizon: Simulation.defaultHorizon)
            record.stopReason = "nothing progressed for \(Simulation.defaultHorizon) since \(lastProgress.elapsed) (no stopAt)"
        case .eventLimit, .halted: record.ending = .limit(record.stopReason)
        }
        record.rollingMaintenances = rollings.map(\.record)
        record.endTime = now
        record.eventsProcessed = engine.eventsProcessed
        record.trace = traceLog.entries
        traceLog.flush()
        record.state = state
        record.expectations = ExpectationCheck.evaluate(scenario.expectations, record: record)
        return record
    }
}

/// The trace is appended to from non-mutating code paths (string building reads the state), so it
/// lives in a small reference box owned by one Simulation. With a sink, lines go out as they are made
/// (a file, in pieces of about a megabyte) instead of being kept.
final class TraceLog {
    let enabled: Bool
    var entries: [TraceEntry] = []
    /// Lines traced so far, kept or sent.
    var count = 0
    private let sink: (([UInt8]) -> Void)?
    private var buffer: OutputChunks

    init(enabled: Bool, sink: (([UInt8]) -> Void)? = nil) {
        self.enabled = enabled || sink != nil
        self.sink = sink
        buffer = OutputChunks(reserving: sink != nil)
    }

    func append(_ time: SimTime, _ text: String) {
        count += 1
        guard let sink else {
            entries.append(TraceEntry(time: time, text: text))
            return
        }
        TraceEntry.appendLine(time: time, text: text, to: &buffer.bytes)
        buffer.flushIfFull(sink)
    }

    func flush() {
        if let sink { buffer.finish(sink) }
    }
}

/// The timers a migration may have pending; each handle is cleared when its timer fires.
struct MigrationTimers {
    var round: TimerID?
    var progress: TimerID?
    var completion: TimerID?
    var targetPending: TimerID?
}
