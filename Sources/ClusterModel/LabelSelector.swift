/// A label selector as `kubectl -l` reads it: comma-separated requirements, all of which must hold —
/// `key=value` (or `key==value`), `key!=value`, `key` (the label exists), `!key` (it does not). Each
/// is a node-selector requirement (In, NotIn, Exists, DoesNotExist), matched the same way.
public struct LabelSelector: Equatable, Sendable {
    public struct ParseError: Error, Equatable {
        public var message: String
    }

    public var requirements: [NodeSelectorRequirement]

    public init(_ text: String) throws(ParseError) {
        requirements = []
        for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
            let part = raw.trimmingSpaces()
            guard !part.isEmpty else { throw ParseError(message: "an empty requirement (two commas, or a comma at an end)") }
            let requirement: NodeSelectorRequirement
            let chars = Array(part)
            if let k = chars.firstIndex(of: "=") {
                let notEquals = k > 0 && chars[k - 1] == "!"
                let key = String(chars[..<(notEquals ? k - 1 : k)]).trimmingSpaces()
                let after = k + 1 < chars.count && chars[k + 1] == "=" ? k + 2 : k + 1
                let value = String(chars[after...]).trimmingSpaces()
                requirement = NodeSelectorRequirement(key: key, operator: notEquals ? .NotIn : .In, values: [value])
            } else if part.hasPrefix("!") {
                requirement = NodeSelectorRequirement(key: String(part.dropFirst()).trimmingSpaces(), operator: .DoesNotExist, values: [])
            } else {
                requirement = NodeSelectorRequirement(key: part, operator: .Exists, values: [])
            }
            guard !requirement.key.isEmpty, !requirement.key.contains(where: { " =!".contains($0) }) else {
                throw ParseError(message: "\"\(part)\" has no valid label key (use key=value, key!=value, key or !key)")
            }
            requirements.append(requirement)
        }
    }

    public func matches(_ labels: [Label]) -> Bool { requirements.allSatisfy { $0.matches(labels) } }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
