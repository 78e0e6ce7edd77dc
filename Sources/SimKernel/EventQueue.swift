/// Which class of work an event belongs to at one instant. Lower lanes run first.
///
/// The world lane (timeline actions, things that happen to the cluster) runs before controllers
/// react, so that at one instant controllers always see what the world did.
public enum Lane: UInt8, Sendable, Comparable {
    case world = 0
    case controller = 1

    public static func < (a: Lane, b: Lane) -> Bool { a.rawValue < b.rawValue }
}

/// A binary min-heap of events ordered by (time, lane, sequence); the sequence makes the order total.
public struct EventQueue<Payload> {
    public struct Entry {
        public let time: SimTime
        public let lane: Lane
        public let sequence: UInt64
        public let payload: Payload

        @inlinable
        init(time: SimTime, lane: Lane, sequence: UInt64, payload: Payload) {
            self.time = time
            self.lane = lane
            self.sequence = sequence
            self.payload = payload
        }

        @inlinable @inline(__always)
        func precedes(_ o: Entry) -> Bool {
            if time.milliseconds != o.time.milliseconds { return time.milliseconds < o.time.milliseconds }
            if lane != o.lane { return lane.rawValue < o.lane.rawValue }
            return sequence < o.sequence
        }
    }

    @usableFromInline var heap: [Entry] = []

    @inlinable
    public init(reservingCapacity n: Int = 1024) { heap.reserveCapacity(n) }

    @inlinable public var count: Int { heap.count }
    @inlinable public var isEmpty: Bool { heap.isEmpty }
    @inlinable public var first: Entry? { heap.first }

    @inlinable
    public mutating func push(_ e: Entry) {
        heap.append(e)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if !e.precedes(heap[parent]) { break }
            heap[i] = heap[parent]
            i = parent
        }
        heap[i] = e
    }

    @inlinable
    public mutating func pop() -> Entry? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if heap.isEmpty { return top }
        // Sift the last entry down from the root, moving smaller children up into the hole.
        var i = 0
        let n = heap.count
        while true {
            let l = 2 * i + 1, r = l + 1
            if l >= n { break }
            var m = l
            if r < n && heap[r].precedes(heap[l]) { m = r }
            if !heap[m].precedes(last) { break }
            heap[i] = heap[m]
            i = m
        }
        heap[i] = last
        return top
    }
}
