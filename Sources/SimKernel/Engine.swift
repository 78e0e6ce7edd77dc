/// Why a run ended.
public enum StopReason: Equatable, Sendable, CustomStringConvertible {
    /// Nothing left to do: the queue emptied or the owner declared the world quiet.
    case done
    /// The next event lies beyond the time limit.
    case timeLimit(SimTime)
    /// The event budget was spent.
    case eventLimit(Int)
    /// The owner ended the run early for a reason of its own (a bound on what it records, a broken invariant).
    case halted(String)

    public var description: String {
        switch self {
        case .done: return "done"
        case .timeLimit: return "time limit (stopAt)"
        case .eventLimit(let n): return "event limit \(n)"
        case .halted(let why): return why
        }
    }
}

/// Handle of a scheduled event, for cancelling it.
public struct TimerID: Hashable, Sendable {
    public let sequence: UInt64
    @inlinable init(sequence: UInt64) { self.sequence = sequence }
}

/// A synchronous, single-threaded discrete-event engine, generic over its payload.
///
/// It knows nothing of what events mean: its owner pulls them one by one with `next()` and
/// decides what to do. Runs are bounded by a time limit and an event limit.
public struct Engine<Payload> {
    public var now: SimTime { currentTime }
    public var eventsProcessed: Int { processed }
    public var stopReason: StopReason? { stoppedBecause }
    public var timeLimit: SimTime { limit }
    public let eventLimit: Int

    // Internal and @usableFromInline so the engine specializes for its payload in the caller's module.
    @usableFromInline var limit: SimTime
    @usableFromInline var currentTime: SimTime = .zero
    @usableFromInline var processed = 0
    @usableFromInline var stoppedBecause: StopReason?
    @usableFromInline var queue: EventQueue<Payload>
    @usableFromInline var nextSequence: UInt64 = 0
    // Lazy cancellation: cancelled entries stay in the heap and are dropped when they surface.
    @usableFromInline var cancelled: Set<UInt64> = []

    @inlinable
    public init(timeLimit: SimTime, eventLimit: Int, reservingCapacity n: Int = 1024) {
        self.limit = timeLimit
        self.eventLimit = eventLimit
        self.queue = EventQueue(reservingCapacity: n)
    }

    @inlinable @discardableResult
    public mutating func schedule(at time: SimTime, lane: Lane = .controller, _ payload: Payload) -> TimerID {
        precondition(time >= currentTime, "an event cannot be scheduled in the past")
        let seq = nextSequence
        nextSequence += 1
        queue.push(.init(time: time, lane: lane, sequence: seq, payload: payload))
        return TimerID(sequence: seq)
    }

    @inlinable @discardableResult
    public mutating func schedule(after delay: SimDuration, lane: Lane = .controller, _ payload: Payload) -> TimerID {
        schedule(at: currentTime + delay, lane: lane, payload)
    }

    /// Cancels a pending event; cancelling one that already ran is harmless.
    @inlinable
    public mutating func cancel(_ id: TimerID) {
        if id.sequence < nextSequence { cancelled.insert(id.sequence) }
    }

    /// The next event, or nil when the run stops (see `stopReason`).
    @inlinable
    public mutating func next() -> (time: SimTime, payload: Payload)? {
        if stoppedBecause != nil { return nil }
        while let head = queue.first {
            if !cancelled.isEmpty, cancelled.remove(head.sequence) != nil {
                _ = queue.pop()
                continue
            }
            if head.time > limit {
                currentTime = limit
                stoppedBecause = .timeLimit(limit)
                return nil
            }
            if processed >= eventLimit {
                stoppedBecause = .eventLimit(eventLimit)
                return nil
            }
            _ = queue.pop()
            currentTime = head.time
            processed += 1
            return (head.time, head.payload)
        }
        stoppedBecause = .done
        return nil
    }

    /// Moves the time limit later (the owner's horizon is measured from its last progress).
    @inlinable
    public mutating func extendTimeLimit(to time: SimTime) { limit = max(limit, time) }

    /// Ends the run now with `reason` (the owner found the world quiet).
    @inlinable
    public mutating func stop(_ reason: StopReason) { stoppedBecause = reason }

    /// Ends the run at `time` (not before now): the owner knows nothing would change until then.
    @inlinable
    public mutating func stop(_ reason: StopReason, at time: SimTime) {
        currentTime = max(currentTime, time)
        stoppedBecause = reason
    }
}
