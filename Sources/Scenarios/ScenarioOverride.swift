/// Sweeps address any setting by its path in the scenario — `cluster.liveMigration.parallelMigrationsPerCluster`,
/// `vms[2].evictionStrategy`, `nodes[0].count` — and set it before the scenario is checked, so an
/// override is validated exactly like the file itself.
public struct SettingOverride: Equatable, Sendable {
    public var path: String
    public var value: String

    public init(path: String, value: String) {
        self.path = path
        self.value = value
    }
}

extension ScenarioLoader {
    /// Loads the scenario with the overrides applied to its document.
    /// An error about an override's value names the `--set` argument (it has no line in the file).
    public static func load(text: String, file: String, overrides: [SettingOverride]) throws(ScenarioError) -> Scenario {
        var root = try YAMLReader.parse(text, file: file)
        for o in overrides { root = try set(o, in: root, file: file) }
        do { return try load(root: root, file: file) } catch {
            guard error.line == 0, let o = overrides.first(where: { error.field.hasPrefix($0.path) }) else { throw error }
            throw ScenarioError(
                file: "\(file) with --set \(o.path)=\(o.value)", line: 0, column: 0, field: error.field, message: error.message)
        }
    }

    enum Step: Equatable {
        case key(String)
        case index(Int)
    }

    static func steps(_ path: String, file: String) throws(ScenarioError) -> [Step] {
        var steps: [Step] = []
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(part)
            let key = rest.prefix { $0 != "[" }
            if key.isEmpty && steps.isEmpty { throw badPath(path, file) }
            if !key.isEmpty { steps.append(.key(String(key))) }
            rest = rest.dropFirst(key.count)
            while rest.first == "[" {
                guard let close = rest.firstIndex(of: "]"), let i = Int(rest[rest.index(after: rest.startIndex)..<close]), i >= 0 else {
                    throw badPath(path, file)
                }
                steps.append(.index(i))
                rest = rest[rest.index(after: close)...]
            }
            if !rest.isEmpty { throw badPath(path, file) }
        }
        if steps.isEmpty { throw badPath(path, file) }
        return steps
    }

    static func badPath(_ path: String, _ file: String) -> ScenarioError {
        ScenarioError(
            file: "\(file) with --set \(path)", line: 0, column: 0, field: path,
            message: "not a setting path; write it like cluster.liveMigration.parallelMigrationsPerCluster or vms[0].evictionStrategy")
    }

    static func set(_ o: SettingOverride, in root: YAMLNode, file: String) throws(ScenarioError) -> YAMLNode {
        let value = YAMLNode(.scalar(o.value, plain: true), line: 0, column: 0)
        return try set(try steps(o.path, file: file)[...], value, in: root, o, file)
    }

    private static func set(_ steps: ArraySlice<Step>, _ value: YAMLNode, in node: YAMLNode, _ o: SettingOverride, _ file: String)
        throws(ScenarioError) -> YAMLNode
    {
        guard let step = steps.first else { return value }
        var node = node
        switch (step, node.kind) {
        case (.key(let k), .mapping(var entries)):
            if let i = entries.firstIndex(where: { $0.key == k }) {
                entries[i].value = try set(steps.dropFirst(), value, in: entries[i].value, o, file)
            } else {
                let fresh = YAMLNode(.mapping([]), line: 0, column: 0)
                entries.append(YAMLEntry(key: k, keyLine: 0, keyColumn: 0, value: try set(steps.dropFirst(), value, in: fresh, o, file)))
            }
            node.kind = .mapping(entries)
        case (.key(let k), .null):
            let fresh = YAMLNode(.mapping([]), line: 0, column: 0)
            node.kind = .mapping([YAMLEntry(key: k, keyLine: 0, keyColumn: 0, value: try set(steps.dropFirst(), value, in: fresh, o, file))]
            )
        case (.index(let i), .sequence(var items)) where i < items.count:
            items[i] = try set(steps.dropFirst(), value, in: items[i], o, file)
            node.kind = .sequence(items)
        default:
            throw ScenarioError(
                file: file, line: node.line, column: node.column, field: o.path,
                message: "the setting path does not fit the scenario here (\(node.kindName))")
        }
        return node
    }
}
