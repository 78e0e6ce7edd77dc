import ClusterModel
import SimKernel
import Testing

/// The scheduler's node tree (issue 13) must pick exactly the node the full scan picks: the highest
/// LeastAllocated score, the lowest index on ties, whatever the capacities, loads and filters.
@Suite struct NodeFreeTreeTests {
    /// 2,000 random clusters (1–300 nodes of one to three sizes, loads drawn so that ties are common,
    /// some nodes closed, some filtered out by the caller), each asked for 20 random requests.
    @Test func findsTheNodeTheFullScanFinds() {
        var random = SplitMix64(seed: 13, stream: "node-tree")
        func draw(_ n: Int) -> Int { Int(random.next() % UInt64(n)) }
        for _ in 0..<2_000 {
            let count = 1 + draw(300)
            let sizes: [(Int64, Int64)] = [(96_000, 512 << 30), (64_000, 256 << 30), (96_000, 256 << 30)].prefix(1 + draw(3)).map { $0 }
            let shape = (0..<count).map { _ in sizes[draw(sizes.count)] }
            var tree = NodeFreeTree(cpuMillis: shape.map(\.0), memoryBytes: shape.map(\.1))
            var freeCPU: [Int64] = [], freeMemory: [Int64] = [], accepts: [Bool] = []
            for (i, (cpu, memory)) in shape.enumerated() {
                // Loads in a few steps, so many nodes tie.
                let used = Int64(draw(6))
                freeCPU.append(cpu - used * 4_400)
                freeMemory.append(memory - used * (17 << 30))
                accepts.append(draw(10) > 0)
                tree.set(i, freeCPU: freeCPU[i], freeMemory: freeMemory[i], accepts: accepts[i])
            }
            let filtered = Set((0..<draw(5)).map { _ in draw(count) })
            for _ in 0..<20 {
                let cpu = Int64(draw(30_000)), memory = Int64(draw(200)) << 30
                func score(_ i: Int) -> Int64? {
                    guard accepts[i], !filtered.contains(i), freeCPU[i] >= cpu, freeMemory[i] >= memory else { return nil }
                    return (freeCPU[i] - cpu) * 10_000 / shape[i].0 + (freeMemory[i] - memory) * 10_000 / shape[i].1
                }
                var scan: Int?
                var best = Int64.min
                for i in 0..<count {
                    if let s = score(i), s > best {
                        best = s
                        scan = i
                    }
                }
                #expect(tree.best(cpu: cpu, memory: memory, score: score) == scan)
            }
        }
    }
}
