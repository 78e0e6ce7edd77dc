import Testing

@testable import SimKernel

@Suite struct EngineTests {
    @Test func eventsComeOutByTimeThenLaneThenInsertionOrder() {
        var e = Engine<String>(timeLimit: SimTime(milliseconds: 10_000), eventLimit: 100)
        e.schedule(at: SimTime(milliseconds: 20), lane: .controller, "c@20")
        e.schedule(at: SimTime(milliseconds: 10), lane: .controller, "c@10 first")
        e.schedule(at: SimTime(milliseconds: 10), lane: .controller, "c@10 second")
        e.schedule(at: SimTime(milliseconds: 10), lane: .world, "w@10")
        var order: [String] = []
        while let (_, p) = e.next() { order.append(p) }
        // At one instant the world lane runs before controllers; within a lane, insertion order.
        #expect(order == ["w@10", "c@10 first", "c@10 second", "c@20"])
        #expect(e.stopReason == .done)
    }

    @Test func aCancelledTimerNeverFires() {
        var e = Engine<Int>(timeLimit: SimTime(milliseconds: 1000), eventLimit: 100)
        let a = e.schedule(at: SimTime(milliseconds: 5), 1)
        e.schedule(at: SimTime(milliseconds: 6), 2)
        e.cancel(a)
        #expect(e.next()?.payload == 2)
        #expect(e.next() == nil)
    }

    @Test func theTimeLimitStopsTheRunAtTheLimit() {
        var e = Engine<Int>(timeLimit: SimTime(milliseconds: 100), eventLimit: 100)
        e.schedule(at: SimTime(milliseconds: 50), 1)
        e.schedule(at: SimTime(milliseconds: 150), 2)
        #expect(e.next()?.payload == 1)
        #expect(e.next() == nil)
        #expect(e.stopReason == .timeLimit(SimTime(milliseconds: 100)))
        #expect(e.now == SimTime(milliseconds: 100))
    }

    @Test func theEventLimitStopsTheRun() {
        var e = Engine<Int>(timeLimit: SimTime(milliseconds: 1000), eventLimit: 2)
        for k in 0..<5 { e.schedule(at: SimTime(milliseconds: Int64(k)), k) }
        #expect(e.next() != nil)
        #expect(e.next() != nil)
        #expect(e.next() == nil)
        #expect(e.stopReason == .eventLimit(2))
    }

    @Test func theHeapOrdersManyEventsLikeASort() {
        var e = Engine<Int>(timeLimit: SimTime(milliseconds: 1_000_000), eventLimit: 1_000_000)
        var rng = SplitMix64(seed: 7)
        var expected: [(Int64, Int)] = []
        for k in 0..<2000 {
            let t = Int64(rng.next(upToInclusive: 500))
            e.schedule(at: SimTime(milliseconds: t), k)
            expected.append((t, k))
        }
        expected.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var got: [Int] = []
        while let (_, p) = e.next() { got.append(p) }
        #expect(got == expected.map(\.1))
    }
}

@Suite struct SplitMix64Tests {
    @Test func matchesTheReferenceSequence() {
        // Reference values of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        var r = SplitMix64(seed: 0)
        #expect(r.next() == 0xe220_a839_7b1d_cdaf)
        #expect(r.next() == 0x6e78_9e6a_a1b9_65f4)
    }

    @Test func namedStreamsAreIndependentAndRepeatable() {
        var a1 = SplitMix64(seed: 42, stream: "crash-loop-backoff")
        var a2 = SplitMix64(seed: 42, stream: "crash-loop-backoff")
        var b = SplitMix64(seed: 42, stream: "node-failures")
        let x = a1.next()
        #expect(x == a2.next())
        #expect(x != b.next())
    }

    @Test func boundedDrawsStayInRange() {
        var r = SplitMix64(seed: 3)
        for _ in 0..<1000 { #expect(r.next(upToInclusive: 9) <= 9) }
    }
}

@Suite struct SimTimeTests {
    /// One duration format: whole seconds rounded up (never understating), milliseconds below a second.
    @Test func durationsPrintInOneFormatRoundedUpToTheSecond() {
        #expect(SimDuration(milliseconds: 300).description == "300ms")
        #expect(SimDuration.seconds(90).description == "1m30s")
        #expect(SimDuration(milliseconds: 12_250).description == "13s")
        #expect(SimDuration(milliseconds: 120_001).description == "2m01s")
        #expect(SimDuration.minutes(125).description == "2h05m00s")
        #expect(SimDuration(milliseconds: -1500).description == "-2s")
    }

    /// Elapsed times are a clock: rounded down.
    @Test func elapsedTimesReadLikeAClock() {
        #expect(SimTime(milliseconds: 3_723_999).elapsed == "+1h02m03s")
        #expect(SimTime(milliseconds: 999).elapsed == "+0s")
        #expect(SimTime(milliseconds: 300_000).elapsed == "+5m00s")
        #expect(SimTime(milliseconds: 3_723_004).description == "01:02:03.004")
    }
}
