/// A parsed YAML (or JSON) value that remembers where it stood in the file.
public struct YAMLNode: Equatable, Sendable {
    public enum Kind: Equatable, Sendable {
        /// `plain` is false for quoted scalars: `"5"` is a string even where a number is expected.
        case scalar(String, plain: Bool)
        case mapping([YAMLEntry])
        case sequence([YAMLNode])
        case null
    }

    public var kind: Kind
    public var line: Int
    public var column: Int

    public init(_ kind: Kind, line: Int, column: Int) {
        self.kind = kind
        self.line = line
        self.column = column
    }

    public var kindName: String {
        switch kind {
        case .scalar: return "a scalar"
        case .mapping: return "a mapping"
        case .sequence: return "a sequence"
        case .null: return "nothing"
        }
    }
}

public struct YAMLEntry: Equatable, Sendable {
    public var key: String
    public var keyLine: Int
    public var keyColumn: Int
    public var value: YAMLNode
}
