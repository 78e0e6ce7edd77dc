import ClusterModel
import SimKernel

/// A run laid out over time, read from its record: what each node went through, the fault
/// milestones, and the counts a planner plots. `timeline.html` draws it, `timeseries.csv` lists it.
public struct RunTimeline {
    /// What a node lane shows for a stretch of time.
    public enum NodeCondition: String, CaseIterable, Sendable {
        case cordoned
        case draining
        case inMaintenance = "in maintenance"
        case drained = "drained, cordoned"
        case drainGaveUp = "drain gave up, cordoned"
        case down
        case unreachable
        case fenced = "fenced, powered off"
        case rebooting
        case degraded = "NIC fault, still Ready"

        /// Counted in "nodes unavailable": cordoned or not serving. A migration or storage NIC fault
        /// leaves the node Ready and schedulable.
        public var unavailable: Bool { self != .degraded }
        /// Drawn over the drain's band: the node's health rather than its spec.
        public var isFault: Bool {
            switch self {
            case .down, .unreachable, .fenced, .rebooting, .degraded: return true
            default: return false
            }
        }
    }

    public struct NodeSpan: Equatable, Sendable {
        public var node: NodeID
        public var from: SimTime
        /// Clipped to the end of the run; `open` says it had not ended.
        public var to: SimTime
        public var open: Bool
        public var condition: NodeCondition
        public var detail: String
    }

    /// A fault's milestone (reference R7) on its node's lane.
    public struct Marker: Equatable, Sendable {
        public var node: NodeID
        public var at: SimTime
        public var text: String
    }

    /// The counts after everything that happened at `time`.
    public struct Sample: Equatable, Sendable {
        public var time: SimTime
        public var nodesUnavailable = 0
        public var vmsDown = 0
        public var migrationsPending = 0
        /// Scheduling and Scheduled: the target pod is being placed or started.
        public var migrationsScheduling = 0
        public var migrationsRunning = 0
    }

    /// By node, then by time.
    public let nodeSpans: [NodeSpan]
    public let markers: [Marker]
    /// One per instant at which a count changed, from time zero.
    public let samples: [Sample]

    public init(_ r: RunRecord) {
        let s = r.state
        var spans: [NodeSpan] = []
        func add(_ node: NodeID, _ from: SimTime, _ to: SimTime?, _ c: NodeCondition, _ detail: String) {
            let until = min(to ?? r.endTime, r.endTime)
            guard until > from || (to == nil && from == r.endTime) else { return }
            spans.append(NodeSpan(node: node, from: from, to: until, open: to == nil, condition: c, detail: detail))
        }
        for n in r.initiallyCordoned {
            let firstDrain = s.drains.filter { $0.node == n }.map(\.requestedAt).min()
            add(n, .zero, firstDrain, .cordoned, "cordoned before the run began")
        }
        for d in s.drains {
            let how: String
            switch d.method {
            case .nodeMaintenance(let name, _): how = "NodeMaintenance \(name)"
            case .ocAdmDrain: how = "oc adm drain"
            }
            add(d.node, d.requestedAt, d.finishedAt ?? d.endedAt, .draining, "\(how): cordoned, evicting (\(d.evictionPods) pods)")
            if let done = d.finishedAt {
                let after: NodeCondition
                switch d.phase {
                case .Succeeded: after = d.isNodeMaintenance ? .inMaintenance : .drained
                case .Failed: after = .drainGaveUp
                case .Running, .Cancelled: after = .cordoned
                }
                add(
                    d.node, done, d.endedAt, after,
                    d.endedAt == nil ? "\(how): until the end" : "\(how): uncordoned at \(d.endedAt ?? done)")
            }
        }
        var markers: [Marker] = []
        for f in s.faults {
            let what = f.kind.description
            switch f.kind {
            case .kernelPanic, .powerLoss:
                let stopped = [f.rebootedAt, f.fencedAt].compactMap { $0 }.min()
                add(f.node, f.at, stopped ?? f.repairedAt, .down, "\(what): the node stopped")
                if let rebooted = f.rebootedAt {
                    add(f.node, rebooted, f.repairedAt, .rebooting, "\(what): rebooting until Ready")
                } else if let fenced = f.fencedAt {
                    add(f.node, fenced, f.repairedAt, .fenced, "\(what): fenced until Ready")
                }
            case .nicFault(.primary):
                add(f.node, f.at, f.rebootedAt ?? f.repairedAt, .unreachable, "\(what): unreachable")
                if let rebooted = f.rebootedAt { add(f.node, rebooted, f.repairedAt, .rebooting, "\(what): rebooted by remediation") }
            case .nicFault:
                add(f.node, f.at, f.repairedAt, .degraded, "\(what): the node stays Ready")
            }
            for e in FaultTimeline(f, r).entries {
                guard let at = e.at, at <= r.endTime else { continue }
                markers.append(Marker(node: f.node, at: at, text: e.text))
            }
        }
        // By node, then time; fault spans after the drain's band they are drawn over.
        nodeSpans = spans.enumerated().sorted { a, b in
            let x = a.element, y = b.element
            if x.node != y.node { return x.node < y.node }
            if x.condition.isFault != y.condition.isFault { return !x.condition.isFault }
            return x.from != y.from ? x.from < y.from : a.offset < b.offset
        }.map(\.element)
        self.markers = markers
        samples = RunTimeline.samples(r, nodeSpans)
    }

    /// Sweeps the changes in time order: one sample per instant, after all of that instant's changes.
    static func samples(_ r: RunRecord, _ spans: [NodeSpan]) -> [Sample] {
        enum Count: UInt8 { case nodes, vms, pending, scheduling, running }
        var changes: [(at: Int64, count: Count, by: Int8)] = []
        // Counted first: these arrays are the run's size, and growing them would hold two copies.
        var room = 2 * spans.count
        for outages in r.outages { room += 2 * outages.count }
        for m in r.state.migrations { room += 2 + (m.schedulingAt == nil ? 0 : 2) + (m.runningAt == nil ? 0 : 2) }
        changes.reserveCapacity(room)
        // A node counts once however many reasons it has: its unavailable stretches merged.
        var k = 0
        while k < spans.count {
            let node = spans[k].node
            // Open stretches (not over by the end) never close: Int64.max.
            var stretches: [(from: Int64, to: Int64)] = []
            while k < spans.count && spans[k].node == node {
                let sp = spans[k]
                if sp.condition.unavailable { stretches.append((sp.from.milliseconds, sp.open ? .max : sp.to.milliseconds)) }
                k += 1
            }
            stretches.sort { $0.from < $1.from }
            var merged: [(from: Int64, to: Int64)] = []
            for st in stretches {
                if let last = merged.last, st.from <= last.to {
                    merged[merged.count - 1].to = max(last.to, st.to)
                } else {
                    merged.append(st)
                }
            }
            for m in merged {
                changes.append((m.from, .nodes, 1))
                if m.to != .max { changes.append((m.to, .nodes, -1)) }
            }
        }
        for outages in r.outages {
            for o in outages where o.kind == .outage || o.to == nil {
                changes.append((o.from.milliseconds, .vms, 1))
                if let to = o.to { changes.append((to.milliseconds, .vms, -1)) }
            }
        }
        for m in r.state.migrations {
            changes.append((m.createdAt.milliseconds, .pending, 1))
            if let t = m.schedulingAt { changes += [(t.milliseconds, .pending, -1), (t.milliseconds, .scheduling, 1)] }
            if let t = m.runningAt { changes += [(t.milliseconds, .scheduling, -1), (t.milliseconds, .running, 1)] }
            if let t = m.endedAt {
                changes.append((t.milliseconds, m.runningAt != nil ? .running : m.schedulingAt != nil ? .scheduling : .pending, -1))
            }
        }
        changes.sort { $0.at < $1.at }
        var out: [Sample] = []
        var instants = 1
        for k in changes.indices.dropFirst() where changes[k].at != changes[k - 1].at { instants += 1 }
        out.reserveCapacity(instants + 1)
        var now = Sample(time: .zero)
        var i = 0
        repeat {
            let t = i < changes.count ? changes[i].at : 0
            while i < changes.count && changes[i].at == t {
                let by = Int(changes[i].by)
                switch changes[i].count {
                case .nodes: now.nodesUnavailable += by
                case .vms: now.vmsDown += by
                case .pending: now.migrationsPending += by
                case .scheduling: now.migrationsScheduling += by
                case .running: now.migrationsRunning += by
                }
                i += 1
            }
            now.time = SimTime(milliseconds: t)
            if t > 0 && out.isEmpty { out.append(Sample(time: .zero)) }
            out.append(now)
        } while i < changes.count
        return out
    }

    /// `timeseries.csv`: one row per instant at which a count changed.
    public func csv() -> String { OutputChunks.gathered(csv(chunk:)) }

    /// The same in pieces, for a file.
    public func csv(chunk: ([UInt8]) -> Void) {
        var out = OutputChunks()
        out.bytes += "time_ms,time,nodes_unavailable,vms_down,migrations_pending,migrations_scheduling,migrations_running\n".utf8
        for x in samples {
            out.bytes += "\(x.time.milliseconds),\(x.time),\(x.nodesUnavailable),\(x.vmsDown),".utf8
            out.bytes += "\(x.migrationsPending),\(x.migrationsScheduling),\(x.migrationsRunning)\n".utf8
            out.flushIfFull(chunk)
        }
        out.finish(chunk)
    }
}
