/// Why a run ended.
public enum StopReason: Equatable, Sendable, CustomStringConvertible {
    /// Nothing left to do: the queue emptied or the owner declared the world quiet.
    case done
    /// The next event lies beyond the time limit.
    case timeLimit(SimTime)
    /// The event budget was spent.
    case eventLimit(Int)

    public var description: String {
        switch self {
        case .done: return "done"
        case .timeLimit(let t): return "time limit \(t)"
        case .eventLimit(let n): return "event limit \(n)"
        }
    }
}

/// Handle of a scheduled event, for cancelling it.
public struct TimerID: Hashable, Sendable {
    public let sequence: UInt64
}

/// A synchronous, single-threaded discrete-event engine, generic over its payload.
///
/// It knows nothing of what events mean: its owner pulls them one by one with `next()` and
/// decides what to do. Runs are bounded by a time limit and an event limit.
public struct Engine<Payload> {
    public private(set) var now: SimTime = .zero
    public private(set) var eventsProcessed = 0
    public private(set) var stopReason: StopReason?
    public let timeLimit: SimTime
    public let eventLimit: Int

    private var queue: EventQueue<Payload>
    private var nextSequence: UInt64 = 0
    // Lazy cancellation: cancelled entries stay in the heap and are dropped when they surface.
    private var cancelled: Set<UInt64> = []

    public init(timeLimit: SimTime, eventLimit: Int, reservingCapacity n: Int = 1024) {
        self.timeLimit = timeLimit
        self.eventLimit = eventLimit
        self.queue = EventQueue(reservingCapacity: n)
    }

    public var pendingCount: Int { queue.count - cancelled.count }

    @discardableResult
    public mutating func schedule(at time: SimTime, lane: Lane = .controller, _ payload: Payload) -> TimerID {
        precondition(time >= now, "an event cannot be scheduled in the past")
        let seq = nextSequence
        nextSequence += 1
        queue.push(.init(time: time, lane: lane, sequence: seq, payload: payload))
        return TimerID(sequence: seq)
    }

    @discardableResult
    public mutating func schedule(after delay: SimDuration, lane: Lane = .controller, _ payload: Payload) -> TimerID {
        schedule(at: now + delay, lane: lane, payload)
    }

    /// Cancels a pending event; cancelling one that already ran is harmless.
    public mutating func cancel(_ id: TimerID) {
        if id.sequence < nextSequence { cancelled.insert(id.sequence) }
    }

    /// The next event, or nil when the run stops (see `stopReason`).
    public mutating func next() -> (time: SimTime, payload: Payload)? {
        if stopReason != nil { return nil }
        while let head = queue.first {
            if !cancelled.isEmpty, cancelled.remove(head.sequence) != nil {
                _ = queue.pop()
                continue
            }
            if head.time > timeLimit {
                now = timeLimit
                stopReason = .timeLimit(timeLimit)
                return nil
            }
            if eventsProcessed >= eventLimit {
                stopReason = .eventLimit(eventLimit)
                return nil
            }
            _ = queue.pop()
            now = head.time
            eventsProcessed += 1
            return (head.time, head.payload)
        }
        stopReason = .done
        return nil
    }

    /// Ends the run now with `reason` (the owner found the world quiet).
    public mutating func stop(_ reason: StopReason) { stopReason = reason }
}
