import SimKernel

/// A stretch of an outage with one reason: awaiting fencing, awaiting volume detach, awaiting capacity,
/// starting, stopped by its run strategy.
public struct OutagePhase: Equatable, Sendable, Codable {
    public var from: SimTime
    public var what: String
    public init(from: SimTime, what: String) {
        self.from = from
        self.what = what
    }
}

/// What kept a guest from serving: a live migration's pause (the same guest, paused for the
/// stop-and-copy or to let the copy converge, resumes) or a real outage (it was shut down, crashed,
/// died with its node, was paused on I/O, or waited to start).
public enum OutageKind: String, Equatable, Sendable, Codable {
    case outage
    case migrationPause
}

/// A span during which a VM's guest did not serve, with what caused it.
public struct Outage: Equatable, Sendable, Codable {
    public var from: SimTime
    /// nil while still down at the end of the run.
    public var to: SimTime?
    public var cause: String
    /// A pause that turns into more (the VM dies during it) is an outage.
    public var kind: OutageKind
    /// What the VM waited for after the cause, in order; the cause itself runs until the first phase.
    public var phases: [OutagePhase] = []
    /// How it ended, or why it had not ended.
    public var resolution: String?

    public init(from: SimTime, cause: String, kind: OutageKind = .outage) {
        self.from = from
        self.cause = cause
        self.kind = kind
    }
}

/// One line of the event trace.
public struct TraceEntry: Equatable, Sendable, Codable {
    public var time: SimTime
    public var text: String
    public init(time: SimTime, text: String) {
        self.time = time
        self.text = text
    }

    /// One trace.txt line — the time, two spaces, the text, a newline — the same whether it is
    /// written as the run makes it or from the record.
    public static func appendLine(time: SimTime, text: String, to out: inout [UInt8]) {
        out += "\(time)  ".utf8
        out += text.utf8
        out.append(10)
    }
}

/// An `expect` assertion's verdict.
public struct ExpectationResult: Equatable, Sendable, Codable {
    public var expectation: String
    public var passed: Bool
    public var actual: String
    public init(expectation: String, passed: Bool, actual: String) {
        self.expectation = expectation
        self.passed = passed
        self.actual = actual
    }
}

/// A KubeVirt upgrade's workload update: when it began and ended, and how many launchers were outdated.
public struct WorkloadUpdateRecord: Equatable, Sendable, Codable {
    public var startedAt: SimTime
    public var finishedAt: SimTime?
    public var outdatedAtStart: Int
    public var outdatedAtEnd = 0
    public init(startedAt: SimTime, outdatedAtStart: Int) {
        self.startedAt = startedAt
        self.outdatedAtStart = outdatedAtStart
    }
}

/// How a run ended, which decides what an unfinished drain means: stuck, or only not finished yet.
public enum RunEnding: Equatable, Sendable, Codable {
    /// Nothing would change any more (the run ended then, or at `stopAt` with nothing in between).
    case quiet
    /// `stopAt` came while work was still going on.
    case stopAt
    /// No `stopAt`, and nothing progressed (no drain or migration finished, no guest came back)
    /// for the horizon since `since`: the run was cut.
    case noProgress(since: SimTime, horizon: SimDuration)
    /// A bound on events or on the journal, or a broken invariant, cut the run.
    case limit(String)

    /// The run stopped while work was still going on: what is unfinished is not known to be stuck.
    public var cutWhileWorking: Bool {
        switch self {
        case .stopAt, .limit: return true
        case .quiet, .noProgress: return false
        }
    }
}

/// One rolling maintenance: its nodes in order, and how far it got.
public struct RollingMaintenanceRecord: Equatable, Sendable, Codable {
    public var nodes: [NodeID]
    public var maxUnavailable: Int
    public var startedAt: SimTime
    public var finishedAt: SimTime?
    /// Nodes whose turn came (a NodeMaintenance created, or skipped because the node had one).
    public var started: Int
    /// Nodes whose maintenance is over.
    public var done: Int
    /// The NodeMaintenances it created, in order.
    public var drains: [DrainID]

    public init(
        nodes: [NodeID], maxUnavailable: Int, startedAt: SimTime, finishedAt: SimTime?, started: Int, done: Int, drains: [DrainID]
    ) {
        self.nodes = nodes
        self.maxUnavailable = maxUnavailable
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.started = started
        self.done = done
        self.drains = drains
    }
}

/// What a run leaves behind for the report: the final state and the journal of what happened.
public struct RunRecord: Equatable, Sendable, Codable {
    public var scenarioName: String
    public var seed: UInt64
    public var stopReason: String
    public var ending: RunEnding = .quiet
    public var rollingMaintenances: [RollingMaintenanceRecord] = []
    public var endTime: SimTime
    public var eventsProcessed: Int
    public var state: ClusterState
    public var outages: [[Outage]]
    public var restarts: [Int]
    /// Refused commands and other notices, in time order.
    public var notices: [TraceEntry] = []
    /// Safety findings: two running copies of a VM, a ReadWriteOnce volume used on two nodes.
    public var findings: [TraceEntry] = []
    public var trace: [TraceEntry] = []
    public var peakPendingMigrations = 0
    public var peakPendingAt: SimTime?
    /// Longest time any migration spent in Pending or Scheduling.
    public var longestPendingWait: SimDuration = .zero
    public var expectations: [ExpectationResult] = []
    public var workloadUpdate: WorkloadUpdateRecord?
    /// Nodes cordoned (`spec.unschedulable`) before the run began, as an imported cluster can be.
    public var initiallyCordoned: [NodeID]

    public init(scenarioName: String, seed: UInt64, state: ClusterState) {
        self.scenarioName = scenarioName
        self.seed = seed
        self.stopReason = ""
        self.endTime = .zero
        self.eventsProcessed = 0
        self.state = state
        outages = Array(repeating: [], count: state.vms.count)
        restarts = Array(repeating: 0, count: state.vms.count)
        initiallyCordoned = state.nodes.indices.filter { state.nodes[$0].unschedulable }.map { NodeID($0) }
    }
}
