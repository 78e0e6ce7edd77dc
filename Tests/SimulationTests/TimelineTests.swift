import ClusterModel
import Foundation
import Reporting
import SimKernel
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// The SVG of timeline.html as a tree of elements, to count and read marks.
final class SVGElements: NSObject, XMLParserDelegate {
    struct Element {
        var name: String
        var attributes: [String: String]
        var title = ""
    }
    var elements: [Element] = []
    private var open: [Int] = []
    private var text = ""

    /// Parses the `<svg>…</svg>` of `html`; nil when it is not well-formed XML.
    static func parse(_ html: String) -> SVGElements? {
        guard let a = html.range(of: "<svg"), let b = html.range(of: "</svg>") else { return nil }
        let parser = XMLParser(data: Data(html[a.lowerBound..<b.upperBound].utf8))
        let tree = SVGElements()
        parser.delegate = tree
        return parser.parse() ? tree : nil
    }

    func parser(_ p: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
        open.append(elements.count)
        elements.append(Element(name: name, attributes: attributes))
        text = ""
    }
    func parser(_ p: XMLParser, foundCharacters string: String) { text += string }
    func parser(_ p: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        guard open.popLast() != nil else { return }
        // A <title> names its parent mark.
        if name == "title", let parent = open.last { elements[parent].title = text }
        text = ""
    }

    func marks(_ cls: String) -> [Element] {
        elements.filter { ($0.attributes["class"] ?? "").split(separator: " ").contains { $0 == cls } }
    }
}

@Suite struct TimelineTests {
    /// fourWebVMsDrainedFromWorker0 on hco-1.19 with two outbound migrations per node (MigrationTests):
    /// at 1:00 the NodeMaintenance cordons worker-0 and all four migrations are created; web-0 and
    /// web-1 take the two slots (Scheduling: target pods start, 20 s), web-2 and web-3 wait Pending.
    /// 1:20 the targets are ready: two Running. 1:37.118 both done; web-2, web-3 Scheduling.
    /// 1:57.118 Running; 2:14.236 done. worker-0 stays in maintenance (unavailable) to the end;
    /// no VM has an outage (only pauses).
    static let drain =
        fourWebVMsDrainedFromWorker0 + "\ncluster: {profile: hco-1.19, liveMigration: {parallelOutboundMigrationsPerNode: 2}}"

    @Test func theTimeSeriesCountsMigrationsByPhaseAndUnavailableNodes() throws {
        let r = try simulate(TimelineTests.drain)
        let rows = RunTimeline(r).samples.map {
            [
                $0.time.milliseconds, Int64($0.nodesUnavailable), Int64($0.vmsDown), Int64($0.migrationsPending),
                Int64($0.migrationsScheduling), Int64($0.migrationsRunning),
            ]
        }
        #expect(
            rows == [
                [0, 0, 0, 0, 0, 0],
                [60_000, 1, 0, 2, 2, 0],
                [80_000, 1, 0, 2, 0, 2],
                [97_118, 1, 0, 0, 2, 0],
                [117_118, 1, 0, 0, 0, 2],
                [134_236, 1, 0, 0, 0, 0],
            ])
        let csv = RunTimeline(r).csv().split(separator: "\n")
        #expect(csv.first == "time_ms,time,nodes_unavailable,vms_down,migrations_pending,migrations_scheduling,migrations_running")
        #expect(csv[2] == "60000,00:01:00.000,1,0,2,2,0")
    }

    /// The same drain drawn: three lanes, four migration bars with a handover line each, no outage.
    @Test func theTimelineHasOneLanePerNodeAndOneMarkPerOutageAndMigration() throws {
        let r = try simulate(TimelineTests.drain)
        let html = TimelineHTML.render(r)
        let svg = try #require(SVGElements.parse(html), "timeline.html's SVG is not well-formed XML")
        #expect(svg.marks("lane").map { $0.attributes["data-node"] ?? "" } == ["worker-0", "worker-1", "worker-2"])
        #expect(svg.marks("migration").count == 4)
        #expect(svg.marks("outage").isEmpty)
        // The drain sees the node empty at its next 5-second pass, 2:15, and the run ends then; the
        // plot runs 5 % past the end: 1040 px from x = 210 for 141,750 ms, so the NodeMaintenance at
        // 1:00 starts at 210 + ⌊60,000 · 10,400 / 141,750⌋ tenths = 210 + 440.2 = 650.2.
        let maintenance = try #require(svg.marks("node-span").first { $0.title.hasPrefix("worker-0: draining") })
        #expect(maintenance.attributes["x"] == "650.2")
        #expect(maintenance.title.hasPrefix("worker-0: draining 00:01:00.000 → 00:02:15.000, 1m15s. NodeMaintenance"))
        let inMaintenance = try #require(svg.marks("node-span").first { $0.title.hasPrefix("worker-0: in maintenance") })
        #expect(inMaintenance.title.contains("still at the end"))
        // Each migration's title gives its VM, source, target and times.
        #expect(
            svg.marks("migration").contains {
                $0.title.hasPrefix(
                    "kubevirt-evacuation-web-2-1: web-2 worker-0 → worker-1, Succeeded; created 00:01:00.000, Scheduling 00:01:37.118")
            })
        #expect(svg.marks("handover").count == 4)
    }

    /// A kernel panic on worker-1 at 10:00 under SelfNodeRemediation (as kernel-panic-snr): web
    /// (Always) restarts elsewhere once the node is fenced, batch (Manual) never comes back. VMs down:
    /// 2 from 10:00, 1 at the end.
    @Test func aFaultDrawsItsMilestonesAndEveryOutage() throws {
        let r = try simulate(
            threeWorkers + """
                cluster: {remediation: {type: SelfNodeRemediation}}
                vms:
                  - {name: web, cpu: 2, memory: 4Gi, runStrategy: Always, node: worker-1}
                  - {name: batch, cpu: 2, memory: 4Gi, runStrategy: Manual, node: worker-1}
                timeline: [{at: 10m, kernelPanic: {node: worker-1}}]
                """)
        let svg = try #require(SVGElements.parse(TimelineHTML.render(r)))
        let outages = svg.marks("outage")
        // One outage each: web's closes when it runs again, batch's (Manual) stays open.
        #expect(outages.count == 2)
        #expect(svg.marks("open").count == 1)
        #expect(outages.allSatisfy { $0.attributes["fill"] == OutageCause.nodeFailure.colour })
        #expect(outages.contains { $0.title.hasPrefix("batch: down 00:10:00.000 → still down at the end") })
        // The milestones of the fault: the panic, Ready=Unknown 50 s later, and the rest of R7.
        let markers = svg.marks("fault-marker").map(\.title)
        #expect(markers.first == "worker-1 00:10:00.000: kernel panic: the node stops, 2 VM(s) die with it")
        #expect(markers.contains("worker-1 00:10:50.000: Ready=Unknown, unreachable taints (node-monitor grace period)"))
        let samples = RunTimeline(r).samples
        #expect(samples.first { $0.time == ms(600_000) }?.vmsDown == 2)
        #expect(samples.last?.vmsDown == 1)
    }

    /// Large runs stay readable: past the limits, counts instead of one bar per migration.
    @Test func pastTheLimitMigrationsAreCountedNotDrawn() throws {
        let r = try simulate(
            """
            nodes: [{name: "worker-{i}", count: 3, cpu: "1100", memory: 1Ti, migrationLink: 100Gbps}]
            persistentVolumeClaims: [{name: "d-{i}", count: 1001, size: 1Gi, accessModes: [ReadWriteMany]}]
            vms:
              - {name: "v-{i}", count: 1001, cpu: 1, memory: 64Mi, runStrategy: Always, node: worker-0,
                 volumes: [{persistentVolumeClaim: {claimName: "d-{i}"}}]}
            timeline: [{at: 1m, nodeMaintenance: {node: worker-0}}]
            """)
        #expect(r.state.migrations.count == 1001)
        let html = TimelineHTML.render(r)
        let svg = try #require(SVGElements.parse(html))
        #expect(svg.marks("migration").isEmpty)
        #expect(html.contains("More than 1000 migrations"))
        #expect(svg.marks("lane").count == 3)
    }

    @Test func thePageIsSelfContained() throws {
        let html = TimelineHTML.render(try simulate(TimelineTests.drain))
        #expect(!html.contains("<script"))
        #expect(!html.contains("http://") || html.components(separatedBy: "http://").count == 2)  // only the SVG namespace
        #expect(!html.contains("https://"))
    }
}
