import ClusterModel
import Testing

@testable import Scenarios

private let cluster = """
    nodes:
      - name: worker-{i}
        count: 2
        cpu: "16"
        memory: 64Gi
    """

private func load(_ text: String) throws -> Scenario { try ScenarioLoader.load(text: text, file: "scenarios/x.yaml") }

private func failure(_ text: String) -> String {
    do {
        _ = try load(text)
        return "no error"
    } catch {
        return (error as? ScenarioError)?.description ?? "\(error)"
    }
}

@Suite struct ScenarioLoaderTests {
    @Test func namesFileLineColumnAndFieldOfABadValueWithASuggestion() {
        let text =
            cluster + """

                vms:
                  - name: a
                    cpu: 1
                    memory: 1Gi
                    runStrategy: Always
                    evictionStrategy: LiveMigrat
                """
        #expect(
            failure(text)
                == "scenarios/x.yaml:11:23: vms[0].evictionStrategy: unknown value \"LiveMigrat\"; did you mean \"LiveMigrate\"?;"
                + " expected one of LiveMigrate, LiveMigrateIfPossible, None, External")
    }

    @Test func refusesUnknownFieldsWithADidYouMean() {
        let text = cluster + "\nvms:\n  - name: a\n    cpu: 1\n    memory: 1Gi\n    runStrategy: Always\n    evictonStrategy: None\n"
        #expect(
            failure(text).hasPrefix(
                "scenarios/x.yaml:11:5: vms[0].evictonStrategy: unknown field \"evictonStrategy\"; did you mean \"evictionStrategy\"?"))
    }

    @Test func refusesRunningAndRunStrategyTogetherAndNeither() {
        let both = cluster + "\nvms:\n  - name: a\n    cpu: 1\n    memory: 1Gi\n    running: true\n    runStrategy: Always\n"
        #expect(failure(both).hasPrefix("scenarios/x.yaml:10:14: vms[0].running: Running and RunStrategy are mutually exclusive"))
        let neither = cluster + "\nvms:\n  - name: a\n    cpu: 1\n    memory: 1Gi\n"
        #expect(failure(neither).contains("RunStrategy must be specified"))
    }

    @Test func theDeprecatedRunningFieldMapsToAlwaysOrHalted() throws {
        let s = try load(
            cluster + "\nvms:\n  - {name: a, cpu: 1, memory: 1Gi, running: true}\n  - {name: b, cpu: 1, memory: 1Gi, running: false}\n")
        #expect(s.state.vms.map(\.runStrategy) == [.Always, .Halted])
    }

    @Test func stampsCountedNamesAndSubstitutesTheIndexInClaims() throws {
        let s = try load(
            cluster + """

                persistentVolumeClaims:
                  - {name: "d-{i}", count: 2, size: 10Gi, accessModes: [ReadWriteMany]}
                vms:
                  - name: vm-{i}
                    count: 2
                    cpu: 2
                    memory: 2Gi
                    runStrategy: Always
                    volumes: [{persistentVolumeClaim: {claimName: "d-{i}"}}]
                """)
        #expect(s.state.nodes.map(\.name) == ["worker-0", "worker-1"])
        #expect(s.state.vms.map(\.name) == ["vm-0", "vm-1"])
        #expect(s.state.vms[1].volumes[0].source == .persistentVolumeClaim(ClaimID(1)))
    }

    @Test func readsKubernetesQuantitiesDurationsAndLinkSpeeds() throws {
        let s = try load(
            """
            cluster:
              liveMigration: {bandwidthPerMigration: 64Mi, progressTimeout: 150, completionTimeoutPerGiB: 20}
              downtimeLimit: 300ms
            nodes:
              - {name: n, cpu: 500m, memory: 1.5Gi, migrationLink: 25Gbps}
            timeline:
              - {at: 1h30m, cordon: n}
            """)
        #expect(s.state.nodes[0].cpuMillis == 500)
        #expect(s.state.nodes[0].memoryBytes == 1_610_612_736)  // 1.5 × 2^30
        #expect(s.state.nodes[0].migrationLinkBytesPerSecond == 3_125_000_000)  // 25e9 bits / 8
        #expect(s.state.config.liveMigration.bandwidthPerMigrationBytesPerSecond == 67_108_864)
        #expect(s.state.config.liveMigration.progressTimeout.milliseconds == 150_000)
        #expect(s.timeline[0].at.milliseconds == 5_400_000)
    }

    @Test func theClusterEvictionStrategyDefaultsLikeHCO() throws {
        // Two or more workers: LiveMigrate. A single node: None.
        #expect(try load(cluster).state.clusterEvictionStrategy == .LiveMigrate)
        #expect(try load("nodes: [{name: sno, cpu: 8, memory: 32Gi}]").state.clusterEvictionStrategy == .None)
    }

    @Test func refusesUnknownNamesWithASuggestion() {
        let text = cluster + "\ntimeline:\n  - at: 1m\n    nodeMaintenance: {node: worker-9}\n"
        #expect(failure(text).hasPrefix("scenarios/x.yaml:8:29: timeline[0].nodeMaintenance.node: no node named \"worker-9\""))
    }

    @Test func refusesInitialPlacementsThatDoNotFit() {
        let text = cluster + "\nvms:\n  - {name: big, cpu: 2, memory: 64Gi, runStrategy: Always, node: worker-0}\n"
        #expect(failure(text).contains("vms[0].node: VMs placed on worker-0 request"))
    }

    @Test func refusesBadQuantitiesAndDurations() {
        #expect(failure("nodes: [{name: n, cpu: lots, memory: 1Gi}]").contains("nodes[0].cpu: \"lots\" is not a CPU quantity"))
        #expect(
            failure(cluster + "\ntimeline: [{at: 5 minutes, cordon: worker-0}]").contains("timeline[0].at: \"5 minutes\" is not a duration")
        )
    }

    @Test func aTimelineEntryNeedsExactlyOneAction() {
        #expect(failure(cluster + "\ntimeline: [{at: 1m, cordon: worker-0, uncordon: worker-0}]").contains("exactly one action"))
    }
}

@Suite struct FailureProcessLoaderTests {
    private let process = """
        failures:
          - name: p
            fault: kernelPanic
            timeBetweenFailures: {exponential: {mean: 10d}}
            timeToRepair: {logNormal: {median: 1h, sigma: 0.5}}
        """

    @Test func randomFailuresNeedAStopTime() {
        #expect(failure(cluster + "\n" + process).contains("failures: random failures never let the cluster go quiet: set stopAt"))
    }

    @Test func distributionsAreCheckedByName() {
        let bad =
            cluster + "\nstopAt: 1d\n" + process.replacingOccurrences("{exponential: {mean: 10d}}", "{poisson: {mean: 10d}}")
        #expect(failure(bad).contains("timeBetweenFailures.poisson: unknown field \"poisson\""))
        let s = try? load(cluster + "\nstopAt: 1d\n" + process)
        #expect(s?.failures.first?.timeToRepair == .logNormal(median: .minutes(60), sigma: 0.5))
        #expect(s?.failures.first?.units.count == 2)
    }
}
