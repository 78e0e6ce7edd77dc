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

        @inline(__always)
        func precedes(_ o: Entry) -> Bool {
            if time.milliseconds != o.time.milliseconds { return time.milliseconds < o.time.milliseconds }
            if lane != o.lane { return lane.rawValue < o.lane.rawValue }
            return sequence < o.sequence
        }
    }

    private var heap: [Entry] = []

    public init(reservingCapacity n: Int = 1024) { heap.reserveCapacity(n) }

    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }
    public var first: Entry? { heap.first }

    public mutating func push(_ e: Entry) {
        heap.append(e)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if !heap[i].precedes(heap[parent]) { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    public mutating func pop() -> Entry? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if heap.isEmpty { return top }
        heap[0] = last
        var i = 0
        let n = heap.count
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < n && heap[l].precedes(heap[m]) { m = l }
            if r < n && heap[r].precedes(heap[m]) { m = r }
            if m == i { break }
            heap.swapAt(i, m)
            i = m
        }
        return top
    }
}
