import SimKernel

/// Typed indexes into ClusterState's arrays: a NodeID can never be mistaken for a VMID.
public struct NodeID: Hashable, Comparable, Sendable, Codable {
    public let index: Int32
    public init(_ index: Int) { self.index = Int32(index) }
    public var i: Int { Int(index) }
    public static func < (a: Self, b: Self) -> Bool { a.index < b.index }
}

public struct VMID: Hashable, Comparable, Sendable, Codable {
    public let index: Int32
    public init(_ index: Int) { self.index = Int32(index) }
    public var i: Int { Int(index) }
    public static func < (a: Self, b: Self) -> Bool { a.index < b.index }
}

public struct ClaimID: Hashable, Comparable, Sendable, Codable {
    public let index: Int32
    public init(_ index: Int) { self.index = Int32(index) }
    public var i: Int { Int(index) }
    public static func < (a: Self, b: Self) -> Bool { a.index < b.index }
}

public struct MigrationID: Hashable, Comparable, Sendable, Codable {
    public let index: Int32
    public init(_ index: Int) { self.index = Int32(index) }
    public var i: Int { Int(index) }
    public static func < (a: Self, b: Self) -> Bool { a.index < b.index }
}

public struct DrainID: Hashable, Comparable, Sendable, Codable {
    public let index: Int32
    public init(_ index: Int) { self.index = Int32(index) }
    public var i: Int { Int(index) }
    public static func < (a: Self, b: Self) -> Bool { a.index < b.index }
}

public struct WorkloadID: Hashable, Comparable, Sendable, Codable {
    public let index: Int32
    public init(_ index: Int) { self.index = Int32(index) }
    public var i: Int { Int(index) }
    public static func < (a: Self, b: Self) -> Bool { a.index < b.index }
}

public struct PodID: Hashable, Comparable, Sendable, Codable {
    public let index: Int32
    public init(_ index: Int) { self.index = Int32(index) }
    public var i: Int { Int(index) }
    public static func < (a: Self, b: Self) -> Bool { a.index < b.index }
}
