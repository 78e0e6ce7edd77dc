import ClusterModel
import Controllers
import SimKernel
import Testing

@Suite struct VMControllerTests {
    /// Each VM is evicted with strategy None at 1:00; a clean guest powers off in 10 s.
    ///   Always:            off 1:10, new VMI, launcher Running 1:30, booted 2:00  → down 1m
    ///   RerunOnFailure:    Succeeded → stays down (kubevirt#9823)
    ///   RerunOnFailure, guest ignores ACPI (shutdownTime 2m > grace 30 s): forced off 1:30 → Failed
    ///                      → restarted: Running 1:50, booted 2:20 → down 1m20s
    ///   Manual, Once:      stay down
    @Test func theRestartMatrixAfterAnEvictionWithStrategyNone() throws {
        let r = try simulate(
            threeWorkers + """
                cluster: {evictionStrategy: None}
                vms:
                  - {name: always, cpu: 2, memory: 4Gi, runStrategy: Always, node: worker-0}
                  - {name: rerun-clean, cpu: 2, memory: 4Gi, runStrategy: RerunOnFailure, node: worker-0}
                  - {name: rerun-forced, cpu: 2, memory: 4Gi, runStrategy: RerunOnFailure, shutdownTime: 2m, node: worker-0}
                  - {name: manual, cpu: 2, memory: 4Gi, runStrategy: Manual, node: worker-0}
                  - {name: once, cpu: 2, memory: 4Gi, runStrategy: Once, node: worker-0}
                timeline: [{at: 1m, drain: worker-0}]
                """)
        #expect(r.downtime(of: r.vm("always")) == .seconds(60))
        #expect(r.downtime(of: r.vm("rerun-forced")) == .seconds(80))
        #expect(r.state.vmStatus[r.vm("rerun-forced").i].vmi?.node != NodeID(0))
        for name in ["rerun-clean", "manual", "once"] { #expect(r.isDown(r.vm(name)), "\(name)") }
        #expect(r.state.vmStatus[r.vm("rerun-clean").i].vmi?.phase == .Succeeded)
        #expect(r.outages[r.vm("rerun-clean").i].last?.resolution?.contains("kubevirt/kubevirt#9823") == true)
        #expect(r.restarts[r.vm("always").i] == 1)
    }

    @Test func aGuestCrashRestartsRerunOnFailureButAGuestShutdownDoesNot() throws {
        let r = try simulate(
            threeWorkers + """
                vms:
                  - {name: crashes, cpu: 2, memory: 4Gi, runStrategy: RerunOnFailure}
                  - {name: powers-off, cpu: 2, memory: 4Gi, runStrategy: RerunOnFailure}
                  - {name: always-off, cpu: 2, memory: 4Gi, runStrategy: Always}
                timeline:
                  - {at: 1m, guestCrash: crashes}
                  - {at: 1m, guestShutdown: powers-off}
                  - {at: 1m, guestShutdown: always-off}
                """)
        // Crash → Failed → new VMI: Running after 20 s, guest up 30 s later.
        #expect(r.downtime(of: r.vm("crashes")) == .seconds(50))
        #expect(r.isDown(r.vm("powers-off")))
        #expect(r.downtime(of: r.vm("always-off")) == .seconds(50))
    }

    /// Crash-loop backoff for the n-th early failure: min(300, 10·n² + U(0, 5·n²)) seconds.
    @Test func crashLoopBackoffStaysInKubeVirtsRanges() {
        var rng = SplitMix64(seed: 9, stream: "crash-loop-backoff")
        let ranges: [(Int, ClosedRange<Int64>)] = [
            (1, 10_000...15_000), (2, 40_000...60_000), (3, 90_000...135_000), (5, 250_000...300_000), (9, 300_000...300_000),
        ]
        for (n, range) in ranges {
            for _ in 0..<50 {
                #expect(range.contains(VMController.startFailureBackoff(n: n, &rng).milliseconds), "n=\(n)")
            }
        }
    }

    /// The virtctl table (user guide, run_strategies.md) and the API's refusals (lifecycle.go).
    @Test func virtctlFollowsKubeVirtsTable() {
        func status(_ s: RunStrategy, running: Bool) -> VMStatus {
            var st = VMStatus(runStrategy: s)
            if running {
                var vmi = VirtualMachineInstance(createdAt: .zero)
                vmi.transition(to: .Scheduled, at: .zero)
                vmi.transition(to: .Running, at: .zero)
                st.vmi = vmi
            }
            return st
        }
        #expect(
            VMController.virtctl(.start, status: status(.Halted, running: false)) == .apply(runStrategy: .Always, stop: false, start: true))
        #expect(
            VMController.virtctl(.stop, status: status(.Always, running: true)) == .apply(runStrategy: .Halted, stop: true, start: false))
        #expect(
            VMController.virtctl(.restart, status: status(.Always, running: true)) == .apply(runStrategy: .Always, stop: true, start: true))
        #expect(
            VMController.virtctl(.stop, status: status(.Manual, running: true)) == .apply(runStrategy: .Manual, stop: true, start: false))
        #expect(
            VMController.virtctl(.start, status: status(.Manual, running: false)) == .apply(runStrategy: .Manual, stop: false, start: true))
        #expect(
            VMController.virtctl(.stop, status: status(.RerunOnFailure, running: true))
                == .apply(runStrategy: .RerunOnFailure, stop: true, start: false))
        for (cmd, s, running) in [
            (VirtctlCommand.start, RunStrategy.Always, true), (.start, .Once, true), (.restart, .Halted, false), (.restart, .Once, true),
            (.stop, .Halted, false), (.stop, .Manual, false), (.start, .Manual, true),
        ] {
            if case .refused = VMController.virtctl(cmd, status: status(s, running: running)) {
            } else {
                Issue.record("virtctl \(cmd) on \(s) should be refused")
            }
        }
    }

    /// A stopped RerunOnFailure VM stays down; a Halted VM started by virtctl becomes Always and runs.
    @Test func virtctlStopAndStartInAScenario() throws {
        let r = try simulate(
            threeWorkers + """
                vms:
                  - {name: r, cpu: 2, memory: 4Gi, runStrategy: RerunOnFailure}
                  - {name: h, cpu: 2, memory: 4Gi, runStrategy: Halted}
                timeline:
                  - {at: 1m, stop: r}
                  - {at: 1m, start: h}
                  - {at: 2m, migrate: h}
                  - {at: 3m, start: h}
                """)
        #expect(r.isDown(r.vm("r")))
        #expect(r.state.vmStatus[r.vm("h").i].runStrategy == .Always)
        #expect(r.state.vmStatus[r.vm("h").i].guestUp)
        #expect(r.migrations(of: "h").first?.phase == .Succeeded)
        #expect(r.notices.map(\.text) == ["virtctl start h refused: 409: runStrategy Always does not support manual start requests"])
    }
}

@Suite struct CrashLoopTests {
    /// The guest shuts down at 1:00 (Always restarts it: new VMI, launcher starting until 1:20). QEMU
    /// crashes at 1:10, before the VMI ever ran: the first early failure waits 10 s + U(0, 5 s), then
    /// the VMI starts (20 s) and boots (30 s). Downtime = 60 s + backoff, within 70–75 s.
    @Test func aVMIThatDiesBeforeRunningIsRestartedAfterABackoff() throws {
        let yaml =
            threeWorkers + """
                vms: [{name: flaky, cpu: 2, memory: 4Gi, runStrategy: Always}]
                timeline:
                  - {at: 1m, guestShutdown: flaky}
                  - {at: 1m10s, guestCrash: flaky}
                """
        let r = try simulate(yaml, seed: 42)
        let down = r.downtime(of: r.vm("flaky")).milliseconds
        #expect((70_000...75_000).contains(down))
        #expect(r.trace.contains { $0.text.hasPrefix("VM flaky CrashLoopBackOff") })
        // The draw comes from the seed: the same seed gives the same downtime, another seed another.
        #expect(try simulate(yaml, seed: 42).downtime(of: r.vm("flaky")).milliseconds == down)
        #expect(try simulate(yaml, seed: 43).downtime(of: r.vm("flaky")).milliseconds != down)
    }
}

@Suite struct EvictionStrategyTests {
    /// External: the webhook marks the VMI and refuses; nothing migrates; an external controller
    /// would have to act, so the drain stays blocked.
    @Test func externalLeavesTheDrainToAnExternalController() throws {
        let r = try simulate(
            threeWorkers + """
                vms: [{name: capi, cpu: 2, memory: 4Gi, runStrategy: Always, evictionStrategy: External, node: worker-0}]
                timeline: [{at: 1m, nodeMaintenance: {node: worker-0}}]
                """)
        #expect(r.state.migrations.isEmpty)
        #expect(r.state.vmStatus[0].vmi?.evacuationNodeName == NodeID(0))
        #expect(r.blockedDrains.first?.blockers.map(\.reason) == ["External: evacuation in progress, waiting for the external controller"])
    }

    /// Host devices and a bridge on the pod network make a VMI non-migratable, each with its reason.
    @Test func hostDevicesAndBridgeBindingAreNotLiveMigratable() throws {
        let r = try simulate(
            threeWorkers + """
                vms:
                  - {name: gpu, cpu: 2, memory: 4Gi, runStrategy: Always, hostDevices: [nvidia-a100], node: worker-0}
                  - {name: bridged, cpu: 2, memory: 4Gi, runStrategy: Always, podNetwork: bridge, node: worker-0}
                timeline: [{at: 1m, nodeMaintenance: {node: worker-0}}]
                """)
        #expect(
            r.blockedDrains.first?.blockers.map(\.reason) == [
                "LiveMigrate and HostDeviceNotLiveMigratable: host device nvidia-a100 is not live-migratable",
                "LiveMigrate and InterfaceNotLiveMigratable: bridge binding on the pod network is not live-migratable",
            ])
    }
}
