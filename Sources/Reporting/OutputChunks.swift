/// Output made in pieces of about a megabyte: a large run's report.json and trace are hundreds of
/// megabytes, so they go to their files as they are made rather than whole.
public struct OutputChunks {
    public static let size = 1 << 20
    public var bytes: [UInt8] = []

    /// `reserving`: room for a whole piece up front (a writer that may never write asks for none).
    public init(reserving: Bool = true) {
        if reserving { bytes.reserveCapacity(Self.size + 4096) }
    }

    /// Hands the bytes on once there is a piece's worth.
    public mutating func flushIfFull(_ chunk: ([UInt8]) -> Void) {
        guard bytes.count >= Self.size else { return }
        chunk(bytes)
        bytes.removeAll(keepingCapacity: true)
    }

    /// Hands on what is left.
    public mutating func finish(_ chunk: ([UInt8]) -> Void) {
        if !bytes.isEmpty { chunk(bytes) }
        bytes.removeAll()
    }

    /// What a writer in pieces makes, as one string (standard output, tests).
    public static func gathered(_ write: (([UInt8]) -> Void) -> Void) -> String {
        var all: [UInt8] = []
        write { all += $0 }
        return String(decoding: all, as: UTF8.self)
    }
}
