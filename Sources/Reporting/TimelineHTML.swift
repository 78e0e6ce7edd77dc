import ClusterModel
import SimKernel

/// `timeline.html`: the run as one picture, a self-contained page with an inline SVG (no script, no
/// network). Coordinates are whole tenths of a pixel computed in integers, so reruns give the same
/// bytes. Hovering any mark shows its exact times and reason (SVG `<title>`).
public enum TimelineHTML {
    /// Past these, per-migration bars and per-VM outage rows give way to the counts above them.
    public static let migrationBarLimit = 1000
    public static let outageRowLimit = 200

    static let width = 1280
    static let plotLeft = 210
    static let plotWidth = 1040

    public static func render(_ r: RunRecord, _ timeline: RunTimeline? = nil) -> String {
        var page = ""
        write(r, timeline ?? RunTimeline(r)) { page += $0 }
        return page
    }

    /// The page in pieces, each section as it is made (a 10,000-node page is megabytes).
    public static func write(_ r: RunRecord, _ timeline: RunTimeline, chunk: (String) -> Void) {
        let canvas = Canvas(end: max(r.endTime.milliseconds, 1))
        var sections: [String] = []
        var y = 10
        sections.append(legend(y: &y))
        y += 26  // room for the time axis labels
        let top = y
        sections.append(
            chart(
                "Migrations", timeline.samples, y: &y,
                lines: [
                    ("Pending", "#e67e22", \.migrationsPending), ("Scheduling", "#2e86c1", \.migrationsScheduling),
                    ("Running", "#27ae60", \.migrationsRunning),
                ], canvas: canvas))
        // Each on its own scale: a rack of 100 nodes takes thousands of VMs down with it.
        sections.append(
            chart(
                "Nodes unavailable", timeline.samples, y: &y, height: 50, lines: [("cordoned or down", "#5d6d7e", \.nodesUnavailable)],
                canvas: canvas))
        sections.append(chart("VMs down", timeline.samples, y: &y, height: 50, lines: [("outages", "#c0392b", \.vmsDown)], canvas: canvas))
        sections.append(nodeLanes(r, timeline, y: &y, canvas: canvas))
        sections.append(migrationBars(r, y: &y, canvas: canvas))
        sections.append(outageRows(r, y: &y, canvas: canvas))
        let height = y + 10

        let s = r.state
        let outages = r.outageSummary
        var page = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
        page += "<title>drainsim: \(escape(r.scenarioName))</title>\n"
        page += "<style>body{font-family:sans-serif;margin:16px;color:#222}svg text{font-family:sans-serif}"
        page += "h1{font-size:20px;margin:0 0 4px}p{margin:4px 0 10px;font-size:13px}</style>\n</head>\n<body>\n"
        page += "<h1>\(escape(r.scenarioName))</h1>\n"
        page += "<p>seed \(r.seed) · ended at \(r.endTime.elapsed) (\(escape(r.stopReason))) · "
        page += "\(s.nodes.count) nodes, \(s.vms.count) VMs · \(s.migrations.count) migrations · "
        page += "\(outages.vms) VMs with an outage, \(r.vmsDownAtEnd.count) down at the end. "
        page += "Hover a mark for its exact times and reason; report.json has every detail.</p>\n"
        page += "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
        page += "viewBox=\"0 0 \(width) \(height)\" font-size=\"11\">\n"
        chunk(page)
        // The grid goes first, under everything; its height is known only now.
        chunk(timeAxis(top: top, bottom: y, canvas: canvas))
        for section in sections { chunk(section) }
        chunk("</svg>\n</body>\n</html>\n")
    }

    /// Maps run time onto the plot; numbers are tenths of a pixel printed as decimals.
    /// The plot runs 5 % past the end of the run, so what ends with the run is seen to end and what
    /// is still going on at the end (open) runs on to the edge.
    struct Canvas {
        let end: Int64
        var span: Int64 { end + max(end / 20, 1) }
        func x(_ t: SimTime) -> Int { plotLeft * 10 + Int(Int64.mulDiv(min(max(t.milliseconds, 0), span), Int64(plotWidth * 10), span)) }
        var edge: Int { (plotLeft + plotWidth) * 10 }
    }

    static func n(_ tenths: Int) -> String { tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(tenths % 10)" }

    static func escape(_ text: String) -> String { XMLText.escape(text) }

    static func rect(_ x0: Int, _ y: Int, _ x1: Int, _ h: Int, fill: String, cls: String, title: String) -> String {
        let w = max(x1 - x0, 10)  // at least a pixel, so an instant stays visible
        return "<rect class=\"\(cls)\" x=\"\(n(x0))\" y=\"\(y)\" width=\"\(n(w))\" height=\"\(h)\" fill=\"\(fill)\">"
            + "<title>\(escape(title))</title></rect>\n"
    }

    /// Exact times in hover titles, as the trace writes them (`00:01:37.118`).
    static func at(_ t: SimTime) -> String { t.description }

    static func heading(_ text: String, y: inout Int) -> String {
        y += 18
        defer { y += 6 }
        return "<text x=\"10\" y=\"\(y)\" font-weight=\"bold\" font-size=\"13\">\(escape(text))</text>\n"
    }

    static func label(_ text: String, y: Int, size: Int = 11) -> String {
        "<text x=\"\(plotLeft - 6)\" y=\"\(y)\" text-anchor=\"end\" font-size=\"\(size)\">\(escape(text))</text>\n"
    }

    // MARK: legend and axis

    /// A migration bar's colours: Pending, Scheduling (and Scheduled), Running; a failed one's outline.
    static let migrationPhaseColours = ["#fad7a0", "#85c1e9", "#27ae60"]
    static let failedMigrationColour = "#c0392b"

    static let nodeColours: [RunTimeline.NodeCondition: String] = [
        .cordoned: "#aeb6bf", .draining: "#f5b041", .inMaintenance: "#566573", .drained: "#808b96", .drainGaveUp: "#d98880",
        .down: "#c0392b", .unreachable: "#a04000", .fenced: "#641e16", .rebooting: "#f1948a", .degraded: "#48c9b0",
    ]

    static func legend(y: inout Int) -> String {
        var out = "<g class=\"legend\">\n"
        var x = 10
        func item(_ name: String, _ colour: String) {
            out += "<rect x=\"\(x)\" y=\"\(y)\" width=\"12\" height=\"10\" fill=\"\(colour)\"/>"
            out += "<text x=\"\(x + 16)\" y=\"\(y + 9)\">\(escape(name))</text>\n"
            x += 24 + name.count * 6
        }
        out += "<text x=\"10\" y=\"\(y + 9)\" font-weight=\"bold\">nodes</text>\n"
        x = 60
        item("Ready", "#e9f7ef")
        for c in RunTimeline.NodeCondition.allCases { item(c.rawValue, nodeColours[c] ?? "#000") }
        y += 16
        out += "<text x=\"10\" y=\"\(y + 9)\" font-weight=\"bold\">VMs</text>\n"
        x = 60
        for c in OutageCause.allCases { item(c.rawValue, c.colour) }
        for (name, colour) in zip(["migration Pending", "Scheduling", "Running"], migrationPhaseColours) { item(name, colour) }
        item("pause", "#000000")
        item("failed migration", failedMigrationColour)
        y += 16
        return out + "</g>\n"
    }

    /// Ticks at a round step giving at most about 12 of them, with grid lines over the whole chart.
    static func timeAxis(top: Int, bottom: Int, canvas: Canvas) -> String {
        let steps: [Int64] = [
            1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172_800, 604_800,
            2_592_000,
        ].map { $0 * 1000 }
        let step = steps.first { canvas.span / $0 <= 12 } ?? (canvas.span / 12 + 1)
        var out = "<g class=\"axis\" stroke=\"#ddd\">\n"
        var t: Int64 = 0
        while t <= canvas.span {
            let x = n(canvas.x(SimTime(milliseconds: t)))
            out += "<line x1=\"\(x)\" y1=\"\(top - 4)\" x2=\"\(x)\" y2=\"\(bottom)\"/>"
            out += "<text x=\"\(x)\" y=\"\(top - 8)\" text-anchor=\"middle\" stroke=\"none\" fill=\"#555\">"
            out += "\(SimTime(milliseconds: t).elapsed)</text>\n"
            t += step
        }
        let endX = n(canvas.x(SimTime(milliseconds: canvas.end)))
        out += "<line class=\"end-of-run\" x1=\"\(endX)\" y1=\"\(top - 4)\" x2=\"\(endX)\" y2=\"\(bottom)\" stroke=\"#555\" "
        out += "stroke-dasharray=\"4 3\"><title>end of the run \(at(SimTime(milliseconds: canvas.end)))</title></line>\n"
        return out + "</g>\n"
    }

    // MARK: step charts

    static func chart(
        _ title: String, _ samples: [RunTimeline.Sample], y: inout Int, height: Int = 90,
        lines: [(name: String, colour: String, value: KeyPath<RunTimeline.Sample, Int>)], canvas: Canvas
    ) -> String {
        var out = heading(title, y: &y)
        let top = y
        let peak = max(1, lines.map { line in samples.map { $0[keyPath: line.value] }.max() ?? 0 }.max() ?? 1)
        out += "<rect x=\"\(plotLeft)\" y=\"\(top)\" width=\"\(plotWidth)\" height=\"\(height)\" fill=\"none\" stroke=\"#ccc\"/>\n"
        out += label("\(peak)", y: top + 9)
        out += label("0", y: top + height)
        var legendY = top + 22
        for line in lines {
            var best = (value: 0, at: SimTime.zero)
            for s in samples where s[keyPath: line.value] > best.value { best = (s[keyPath: line.value], s.time) }
            let yOf = { (v: Int) in top * 10 + height * 10 - v * height * 10 / peak }
            out += "<polyline class=\"series\" fill=\"none\" stroke=\"\(line.colour)\" stroke-width=\"1.5\" points=\""
            out += stepPoints(samples, line.value, canvas: canvas, y: yOf)
            out += "\"><title>\(escape(line.name)): peak \(best.value) at \(at(best.at))</title></polyline>\n"
            out += "<text x=\"\(plotLeft - 6)\" y=\"\(legendY)\" text-anchor=\"end\" fill=\"\(line.colour)\">"
            out += "\(escape(line.name)) (peak \(best.value))</text>\n"
            legendY += 13
        }
        y = top + height + 4
        return out
    }

    /// A step line, at most four points per pixel column (entering, highest, lowest, leaving value) so
    /// a run with millions of changes still draws its peaks.
    static func stepPoints(
        _ samples: [RunTimeline.Sample], _ value: KeyPath<RunTimeline.Sample, Int>, canvas: Canvas, y: (Int) -> Int
    ) -> String {
        var out = ""
        var previous = 0
        var k = 0
        while k < samples.count {
            let column = canvas.x(samples[k].time) / 10
            var high = previous, low = previous, last = previous
            let entering = previous
            while k < samples.count && canvas.x(samples[k].time) / 10 == column {
                last = samples[k][keyPath: value]
                high = max(high, last)
                low = min(low, last)
                k += 1
            }
            let x = n(column * 10)
            for v in [entering, high, low, last] { out += "\(x),\(n(y(v))) " }
            previous = last
        }
        return out + "\(n(canvas.edge)),\(n(y(previous)))"
    }

    // MARK: node lanes

    static func laneHeight(_ nodes: Int) -> Int { nodes <= 40 ? 18 : nodes <= 150 ? 10 : 6 }

    static func nodeLanes(_ r: RunRecord, _ t: RunTimeline, y: inout Int, canvas: Canvas) -> String {
        let s = r.state
        let h = laneHeight(s.nodes.count)
        var out = heading("Nodes (\(s.nodes.count))", y: &y)
        let top = y
        let laneY = { (node: NodeID) in top + node.i * h }
        // Labels on every lane when they fit, else on every k-th (the lane's title names it).
        let every = max(1, (10 + h - 1) / h)
        for (i, node) in s.nodes.enumerated() {
            let ly = top + i * h
            out += "<g class=\"lane\" data-node=\"\(escape(node.name))\">"
            out += "<rect x=\"\(plotLeft)\" y=\"\(ly)\" width=\"\(plotWidth)\" height=\"\(h - 1)\" fill=\"#e9f7ef\">"
            out += "<title>\(escape(node.name))\(node.role == .controlPlane ? " (control plane)" : ""): Ready</title></rect>"
            if i % every == 0 { out += label(node.name, y: ly + min(h - 2, 12), size: min(11, max(7, h - 2))) }
            out += "</g>\n"
        }
        for span in t.nodeSpans {
            let ly = laneY(span.node)
            // Health drawn as a band over the drain's colour, so both show.
            let (dy, bh) = span.condition.isFault ? (h / 4, max(2, h - 1 - h / 2)) : (0, h - 1)
            let until = span.open ? "still at the end (\(at(span.to)))" : at(span.to)
            let title =
                "\(s.nodes[span.node.i].name): \(span.condition.rawValue) \(at(span.from)) → \(until), "
                + "\(span.to - span.from). \(span.detail)"
            out += rect(
                canvas.x(span.from), ly + dy, span.open ? canvas.edge : canvas.x(span.to), bh, fill: nodeColours[span.condition] ?? "#000",
                cls: "node-span", title: title)
        }
        for m in t.markers {
            let x = n(canvas.x(m.at))
            let ly = laneY(m.node)
            out +=
                "<line class=\"fault-marker\" x1=\"\(x)\" y1=\"\(ly - 1)\" x2=\"\(x)\" y2=\"\(ly + h)\" stroke=\"#000\" stroke-width=\"1.5\">"
            out += "<title>\(escape("\(s.nodes[m.node.i].name) \(at(m.at)): \(m.text)"))</title></line>\n"
        }
        // Handovers: a line from source to target lane where the VM moved, when few enough to read.
        if s.migrations.count <= migrationBarLimit && s.nodes.count <= 60 {
            for m in s.migrations where m.phase == .Succeeded {
                guard let target = m.target, let ended = m.endedAt else { continue }
                let x = n(canvas.x(ended))
                out += "<line class=\"handover\" x1=\"\(x)\" y1=\"\(laneY(m.source) + h / 2)\" x2=\"\(x)\" "
                out += "y2=\"\(laneY(target) + h / 2)\" stroke=\"#8e44ad\" stroke-opacity=\"0.6\">"
                out +=
                    "<title>\(escape("\(s.name(of: m)): \(s.vms[m.vm.i].name) handed over to \(s.nodes[target.i].name) at \(at(ended))"))"
                out += "</title></line>\n"
            }
        }
        y = top + s.nodes.count * h + 4
        return out
    }

    // MARK: migrations

    /// Each migration as a bar (Pending, Scheduling, Running, then its pause), packed into rows:
    /// a row is reused once its last bar has ended.
    static func migrationBars(_ r: RunRecord, y: inout Int, canvas: Canvas) -> String {
        let s = r.state
        var out = heading("Migrations (\(s.migrations.count))", y: &y)
        guard !s.migrations.isEmpty else { return out }
        guard s.migrations.count <= migrationBarLimit else {
            y += 12
            out += "<text x=\"\(plotLeft)\" y=\"\(y)\">More than \(migrationBarLimit) migrations: the chart above counts them; "
            out += "report.json lists each.</text>\n"
            y += 6
            return out
        }
        let h = 9
        let top = y
        var rowEnds: [Int] = []  // per row, the pixel tenth where its last bar ends
        for m in s.migrations {
            let from = canvas.x(m.createdAt)
            let to = m.endedAt.map { canvas.x($0) } ?? canvas.edge
            let row = rowEnds.firstIndex { $0 + 20 < from } ?? rowEnds.count
            if row == rowEnds.count { rowEnds.append(0) }
            rowEnds[row] = max(to, from + 10)
            let ry = top + row * (h + 2)
            let target = m.target.map { s.nodes[$0.i].name } ?? "no target"
            var title =
                "\(s.name(of: m)): \(s.vms[m.vm.i].name) \(s.nodes[m.source.i].name) → \(target), \(m.phase.rawValue)"
            title += "; created \(at(m.createdAt))"
            if let t = m.schedulingAt { title += ", Scheduling \(at(t))" }
            if let t = m.runningAt { title += ", Running \(at(t))" }
            if let t = m.endedAt { title += ", ended \(at(t)) after \(t - m.createdAt)" } else { title += ", not over by the end" }
            if let p = m.pause { title += ", pause \(p)" }
            if m.postCopy { title += ", post-copy" }
            if let why = m.failureReason { title += ": \(why)" } else if let why = m.waitingReason { title += ": \(why)" }
            out += "<g class=\"migration\"><title>\(escape(title))</title>"
            // Pending, Scheduling (with Scheduled), Running, each until the next began or it ended.
            let marks = [m.createdAt, m.schedulingAt, m.runningAt].map { $0.map { canvas.x($0) } }
            for (k, colour) in migrationPhaseColours.enumerated() {
                guard let a = marks[k] else { continue }
                let b = marks[(k + 1)...].compactMap { $0 }.first ?? to
                guard b > a || (k == 2 && b == a) else { continue }
                out += "<rect x=\"\(n(a))\" y=\"\(ry)\" width=\"\(n(max(b - a, 1)))\" height=\"\(h)\" fill=\"\(colour)\"/>"
            }
            if m.phase == .Failed {
                out += "<rect x=\"\(n(from))\" y=\"\(ry)\" width=\"\(n(max(to - from, 10)))\" height=\"\(h)\" fill=\"none\" "
                out += "stroke=\"\(failedMigrationColour)\" stroke-width=\"1.5\"/>"
            }
            if m.pause != nil, let ended = m.endedAt {
                out += "<rect x=\"\(n(canvas.x(ended) - 10))\" y=\"\(ry - 1)\" width=\"2\" height=\"\(h + 2)\" fill=\"#000\"/>"
            }
            out += "</g>\n"
        }
        y = top + rowEnds.count * (h + 2) + 4
        return out
    }

    // MARK: VM outages

    /// One row per VM with a real outage (not only migration pauses), in order of its first one;
    /// past the limit, the VMs down longest.
    static func outageRows(_ r: RunRecord, y: inout Int, canvas: Canvas) -> String {
        let s = r.state
        var vms = r.outages.indices.filter { r.hadOutage(VMID($0)) }
        var out = heading("VMs with an outage (\(vms.count))", y: &y)
        if vms.count > outageRowLimit {
            vms = Array(
                vms.map { ($0, r.outageDowntime(of: VMID($0))) }.sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
                    .prefix(outageRowLimit).map(\.0))
            y += 12
            out += "<text x=\"\(plotLeft)\" y=\"\(y)\">The \(outageRowLimit) VMs down longest; report.json lists every outage.</text>\n"
            y += 6
        }
        let first = { (i: Int) in r.outages[i].first { $0.kind == .outage || $0.to == nil }?.from ?? .zero }
        vms.sort { first($0) != first($1) ? first($0) < first($1) : $0 < $1 }
        let h = 12
        for (row, i) in vms.enumerated() {
            let ry = y + row * (h + 2)
            out += label(s.vms[i].name, y: ry + 10)
            for o in r.outages[i] where o.kind == .outage || o.to == nil {
                let cause = OutageCause(o)
                let end = o.to ?? r.endTime
                var title = "\(s.vms[i].name): down \(at(o.from)) → "
                title += o.to.map { "\(at($0)), \($0 - o.from)" } ?? "still down at the end (\(end - o.from) so far)"
                title += ". \(o.cause)"
                for p in o.phases { title += "; \(at(p.from)) \(p.what)" }
                if let how = o.resolution { title += ". \(how)" }
                out += rect(
                    canvas.x(o.from), ry, o.to == nil ? canvas.edge : canvas.x(end), h, fill: cause.colour,
                    cls: o.to == nil ? "outage open" : "outage", title: title)
            }
        }
        y += vms.count * (h + 2) + 4
        return out
    }
}

/// What took a VM down, for its colour: read from the outage's cause, which the simulation words
/// the same way each time (Simulation+VMs, +Failures, +Drains, +Migrations).
public enum OutageCause: String, CaseIterable, Sendable {
    case eviction = "shut down by eviction"
    case nodeFailure = "node failure"
    case network = "network fault"
    case migration = "migration pause or failure"
    case guest = "guest or user"
    case start = "not running at start"

    public init(_ o: Outage) {
        let c = o.cause
        if o.kind == .migrationPause || c.hasPrefix("post-copy migration") || c.hasPrefix("migration") {
            self = .migration
        } else if c.hasPrefix("evicted") || c.hasPrefix("out-of-service") {
            self = .eviction
        } else if c.contains("NIC fault") {
            self = .network
        } else if c.hasPrefix("not placed") || c.hasPrefix("not running") {
            self = .start
        } else if c.hasPrefix("virtctl") || c.hasPrefix("guest") {
            self = .guest
        } else {
            self = .nodeFailure
        }
    }

    public var colour: String {
        switch self {
        case .eviction: return "#e67e22"
        case .nodeFailure: return "#c0392b"
        case .network: return "#a04000"
        case .migration: return "#8e44ad"
        case .guest: return "#2e86c1"
        case .start: return "#7f8c8d"
        }
    }
}
