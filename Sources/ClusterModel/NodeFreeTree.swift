/// A tree over the nodes that lets the scheduler find the node it would pick without scoring every
/// node (issue 13): each range of nodes keeps, over its nodes that accept VMs, the most free CPU and
/// memory and the best of each term of the LeastAllocated score. With them a range's best possible
/// score is bounded, so ranges that cannot beat the best node found so far are never opened.
///
/// Only ClusterState's writers update it (ClusterState+Placement.swift), after every change of a
/// node's requests or of whether it accepts VMs. It narrows the search, never the choice: every
/// candidate is still judged by the scheduler's own filters and score.
public struct NodeFreeTree: Equatable, Sendable, Codable {
    /// Leaves: the nodes, padded to a power of two. Slot 1 is the root; slot k's children are 2k, 2k+1.
    let leaves: Int
    var maxFreeCPU: [Int64]
    var maxFreeMemory: [Int64]
    /// ⌊free · 10⁴ / allocatable⌋, the LeastAllocated score's two terms before the request is taken.
    var maxCPUTerm: [Int64]
    var maxMemoryTerm: [Int64]
    /// The largest and smallest allocatable CPU and memory in the range (fixed: nodes never resize).
    let maxCPU: [Int64]
    let maxMemory: [Int64]
    let minCPU: [Int64]
    let minMemory: [Int64]

    static let none = Int64.min / 4

    public init(cpuMillis: [Int64], memoryBytes: [Int64]) {
        var n = 1
        while n < max(1, cpuMillis.count) { n *= 2 }
        leaves = n
        maxFreeCPU = Array(repeating: Self.none, count: 2 * n)
        maxFreeMemory = maxFreeCPU
        maxCPUTerm = maxFreeCPU
        maxMemoryTerm = maxFreeCPU
        var cpu = Array(repeating: Int64(1), count: 2 * n)
        var memory = cpu
        var smallCPU = Array(repeating: Int64.max, count: 2 * n)
        var smallMemory = smallCPU
        for i in cpuMillis.indices {
            (cpu[n + i], smallCPU[n + i]) = (cpuMillis[i], cpuMillis[i])
            (memory[n + i], smallMemory[n + i]) = (memoryBytes[i], memoryBytes[i])
        }
        for k in stride(from: n - 1, through: 1, by: -1) {
            cpu[k] = max(cpu[2 * k], cpu[2 * k + 1])
            memory[k] = max(memory[2 * k], memory[2 * k + 1])
            smallCPU[k] = min(smallCPU[2 * k], smallCPU[2 * k + 1])
            smallMemory[k] = min(smallMemory[2 * k], smallMemory[2 * k + 1])
        }
        maxCPU = cpu
        maxMemory = memory
        minCPU = smallCPU
        minMemory = smallMemory
    }

    /// Node `i` now has this much free, and does or does not accept VMs.
    public mutating func set(_ i: Int, freeCPU: Int64, freeMemory: Int64, accepts: Bool) {
        var k = leaves + i
        if accepts {
            maxFreeCPU[k] = freeCPU
            maxFreeMemory[k] = freeMemory
            maxCPUTerm[k] = freeCPU * 10_000 / maxCPU[k]
            maxMemoryTerm[k] = freeMemory * 10_000 / maxMemory[k]
        } else {
            (maxFreeCPU[k], maxFreeMemory[k], maxCPUTerm[k], maxMemoryTerm[k]) = (Self.none, Self.none, Self.none, Self.none)
        }
        k /= 2
        while k >= 1 {
            maxFreeCPU[k] = max(maxFreeCPU[2 * k], maxFreeCPU[2 * k + 1])
            maxFreeMemory[k] = max(maxFreeMemory[2 * k], maxFreeMemory[2 * k + 1])
            maxCPUTerm[k] = max(maxCPUTerm[2 * k], maxCPUTerm[2 * k + 1])
            maxMemoryTerm[k] = max(maxMemoryTerm[2 * k], maxMemoryTerm[2 * k + 1])
            k /= 2
        }
    }

    /// The node with the highest `score` (nil: filtered out), the lowest index on ties — exactly the
    /// linear scan's answer — for a pod requesting `cpu` and `memory` and scored by LeastAllocated.
    ///
    /// Why a range may be skipped: a node's score is a sum of terms ⌊(f−r)·10⁴/A⌋, one per resource.
    /// Where every node of the range has the same allocatable A, a term is at most ⌊(f_max−r)·10⁴/A⌋
    /// (it grows with f); otherwise at most ⌊f·10⁴/A⌋ − ⌊r·10⁴/A⌋ ≤ ⌊f·10⁴/A⌋ − ⌊r·10⁴/A_max⌋, the
    /// range's best term minus the request's share of its largest node. Ranges are opened
    /// in the order of their best free shares; once a node has been scored, a range whose bound is
    /// below the best score found, or equal to it but wholly to the right of the best node, cannot
    /// change the answer.
    public func best(cpu: Int64, memory: Int64, score: (Int) -> Int64?) -> Int? {
        var bestNode = -1
        var bestScore = Int64.min
        let leafDepth = Int.bitWidth - 1 - leaves.leadingZeroBitCount
        // Ranges to open; two per level at most, so 128 slots hold any tree.
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: 128) { stack in
            var top = 0
            stack[0] = 1
            while top >= 0 {
                let k = stack[top]
                top -= 1
                if maxFreeCPU[k] < cpu || maxFreeMemory[k] < memory { continue }
                // Bounds (two divisions each) are needed only once there is a best to beat.
                if bestNode >= 0 {
                    let bound = self.bound(k, cpu, memory)
                    if bound < bestScore { continue }
                    // The range's first node: with a bound equal to the best, only nodes left of the best can win.
                    let first = (k << (leafDepth - (Int.bitWidth - 1 - k.leadingZeroBitCount))) - leaves
                    if bound == bestScore && first > bestNode { continue }
                }
                if k >= leaves {
                    let i = k - leaves
                    if let s = score(i), s > bestScore || (s == bestScore && i < bestNode) {
                        bestScore = s
                        bestNode = i
                    }
                    continue
                }
                // Open the child more likely to hold the best first (the larger free-share terms; left on a
                // tie): the order only saves work, the bounds decide.
                let left = 2 * k, right = 2 * k + 1
                if maxCPUTerm[right] + maxMemoryTerm[right] > maxCPUTerm[left] + maxMemoryTerm[left] {
                    stack[top + 1] = left
                    stack[top + 2] = right
                } else {
                    stack[top + 1] = right
                    stack[top + 2] = left
                }
                top += 2
            }
            return bestNode >= 0 ? bestNode : nil
        }
    }

    /// The highest score any node of range `k` can reach (some node of it fits the request).
    @inline(__always)
    private func bound(_ k: Int, _ cpu: Int64, _ memory: Int64) -> Int64 {
        let cpuTerm =
            minCPU[k] == maxCPU[k] ? (maxFreeCPU[k] - cpu) * 10_000 / maxCPU[k] : maxCPUTerm[k] - cpu * 10_000 / maxCPU[k]
        let memoryTerm =
            minMemory[k] == maxMemory[k]
            ? (maxFreeMemory[k] - memory) * 10_000 / maxMemory[k] : maxMemoryTerm[k] - memory * 10_000 / maxMemory[k]
        return cpuTerm + memoryTerm
    }
}
