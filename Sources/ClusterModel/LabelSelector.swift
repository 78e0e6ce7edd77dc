/// A label selector as `kubectl -l` reads it: comma-separated requirements, all of which must hold —
/// `key=value` (or `key==value`), `key!=value`, `key` (the label exists), `!key` (it does not).
public struct LabelSelector: Equatable, Sendable {
    public enum Requirement: Equatable, Sendable {
        case equals(String, String)
        case notEquals(String, String)
        case exists(String)
        case doesNotExist(String)
    }

    public struct ParseError: Error, Equatable {
        public var message: String
    }

    public var requirements: [Requirement]

    public init(_ text: String) throws(ParseError) {
        requirements = []
        for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
            let part = raw.trimmingSpaces()
            guard !part.isEmpty else { throw ParseError(message: "an empty requirement (two commas, or a comma at an end)") }
            let requirement: Requirement
            let chars = Array(part)
            if let k = chars.firstIndex(of: "=") {
                let notEquals = k > 0 && chars[k - 1] == "!"
                let key = String(chars[..<(notEquals ? k - 1 : k)]).trimmingSpaces()
                let after = k + 1 < chars.count && chars[k + 1] == "=" ? k + 2 : k + 1
                let value = String(chars[after...]).trimmingSpaces()
                requirement = notEquals ? .notEquals(key, value) : .equals(key, value)
            } else if part.hasPrefix("!") {
                requirement = .doesNotExist(String(part.dropFirst()).trimmingSpaces())
            } else {
                requirement = .exists(part)
            }
            switch requirement {
            case .equals(let k, _), .notEquals(let k, _), .exists(let k), .doesNotExist(let k):
                guard !k.isEmpty, !k.contains(where: { " =!".contains($0) }) else {
                    throw ParseError(message: "\"\(part)\" has no valid label key (use key=value, key!=value, key or !key)")
                }
            }
            requirements.append(requirement)
        }
    }

    public func matches(_ labels: [Label]) -> Bool {
        func value(_ key: String) -> String? { labels.first { $0.key == key }?.value }
        return requirements.allSatisfy { r in
            switch r {
            case .equals(let k, let v): return value(k) == v
            case .notEquals(let k, let v): return value(k) != v
            case .exists(let k): return value(k) != nil
            case .doesNotExist(let k): return value(k) == nil
            }
        }
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
