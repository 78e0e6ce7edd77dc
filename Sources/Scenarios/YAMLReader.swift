/// Reads the YAML that Kubernetes manifests use, and JSON, keeping line and column for every value.
///
/// Supported: block mappings and sequences (including sequences at their key's indentation),
/// flow `[a, b]` and `{k: v}` (which covers JSON), plain / single / double-quoted scalars (also
/// wrapped over lines, as `oc` prints long values), comments, `|` and `>` block scalars with chomping
/// indicators, `---` / `...` between documents (`parseStream`; a scenario is one document).
/// Anchors, aliases, tags and directives are refused with a clear error.
public struct YAMLReader {
    private struct Line {
        var number: Int  // 1-based
        var start: Int  // offset of the line's first byte
        var end: Int  // offset after the line's last byte (before newline)
        var indent: Int
        var contentEnd: Int  // offset after the content, comment and trailing blanks removed
        var blank: Bool
    }

    private let file: String
    private let bytes: [UInt8]
    private var lines: [Line] = []
    private var li = 0
    /// Block collections open around the one being read; bounded so deep input cannot exhaust the stack.
    private var depth = 0

    public init(text: String, file: String) {
        self.file = file
        bytes = Array(text.utf8)
    }

    public static func parse(_ text: String, file: String) throws(ScenarioError) -> YAMLNode {
        var reader = YAMLReader(text: text, file: file)
        return try reader.parseDocument()
    }

    /// Every document of a stream (`---` between them), as `oc get -o yaml` and manifests hold them.
    public static func parseStream(_ text: String, file: String) throws(ScenarioError) -> [YAMLNode] {
        var reader = YAMLReader(text: text, file: file)
        try reader.splitLines()
        return try reader.parseDocuments().map(\.node)
    }

    // MARK: errors

    private func error(_ offset: Int, _ message: String) -> ScenarioError {
        var line = 1, lineStart = 0
        var k = 0
        while k < offset && k < bytes.count {
            if bytes[k] == 10 {
                line += 1
                lineStart = k + 1
            }
            k += 1
        }
        return ScenarioError(file: file, line: line, column: offset - lineStart + 1, field: "", message: message)
    }

    private func position(_ offset: Int) -> (line: Int, column: Int) {
        let e = error(offset, "")
        return (e.line, e.column)
    }

    // MARK: lines

    mutating func splitLines() throws(ScenarioError) {
        var start = 0
        var number = 1
        while start <= bytes.count {
            var end = start
            while end < bytes.count && bytes[end] != 10 { end += 1 }
            var lineEnd = end
            if lineEnd > start && bytes[lineEnd - 1] == 13 { lineEnd -= 1 }  // CRLF
            var indent = 0
            while start + indent < lineEnd && bytes[start + indent] == 32 { indent += 1 }
            if start + indent < lineEnd && bytes[start + indent] == 9 {
                throw error(start + indent, "tab in indentation; YAML indents with spaces")
            }
            let contentEnd = try stripComment(from: start + indent, to: lineEnd)
            lines.append(
                Line(
                    number: number, start: start, end: lineEnd, indent: indent, contentEnd: contentEnd,
                    blank: contentEnd == start + indent))
            if end >= bytes.count { break }
            start = end + 1
            number += 1
        }
    }

    /// End of the line's content: before a ` #` comment outside quotes, and before trailing blanks.
    private func stripComment(from: Int, to: Int) throws(ScenarioError) -> Int {
        var k = from
        var end = to
        var inSingle = false, inDouble = false
        while k < to {
            let c = bytes[k]
            if inDouble {
                if c == 92 { k += 1 } else if c == 34 { inDouble = false }
            } else if inSingle {
                if c == 39 { inSingle = false }
            } else if c == 34 && (k == from || isFlowBoundary(bytes[k - 1])) {
                inDouble = true
            } else if c == 39 && (k == from || isFlowBoundary(bytes[k - 1])) {
                inSingle = true
            } else if c == 35 && (k == from || bytes[k - 1] == 32 || bytes[k - 1] == 9) {
                end = k
                break
            }
            k += 1
        }
        while end > from && (bytes[end - 1] == 32 || bytes[end - 1] == 9) { end -= 1 }
        return end
    }

    private func isFlowBoundary(_ c: UInt8) -> Bool {
        c == 32 || c == 9 || c == 91 || c == 123 || c == 44 || c == 58 || c == 45
    }

    private mutating func skipBlank() {
        while li < lines.count && lines[li].blank { li += 1 }
    }

    // MARK: document

    /// A scenario: exactly one document.
    mutating func parseDocument() throws(ScenarioError) -> YAMLNode {
        try splitLines()
        let documents = try parseDocuments()
        if documents.count > 1 { throw error(documents[1].marker, "several documents in one file are not supported") }
        guard let root = documents.first else {
            throw ScenarioError(file: file, line: 1, column: 1, field: "", message: "the file holds no document")
        }
        return root.node
    }

    /// The documents of the stream, each with the offset of the `---` that opened it. Empty documents
    /// (a `---` with nothing before the next) are skipped.
    private mutating func parseDocuments() throws(ScenarioError) -> [(node: YAMLNode, marker: Int)] {
        var documents: [(node: YAMLNode, marker: Int)] = []
        while true {
            skipBlank()
            guard li < lines.count else { break }
            let l = lines[li]
            if text(l.start + l.indent, l.contentEnd).hasPrefix("%") { throw error(l.start, "YAML directives are not supported") }
            var marker = l.start
            if isMarker(l, "---") || isMarker(l, "...") {
                if isMarker(l, "---") && l.contentEnd > l.start + 3 {
                    throw error(l.start + 3, "content after --- is not supported; start the document on the next line")
                }
                marker = l.start
                li += 1
                continue
            }
            if let previous = lines[..<li].last(where: { !$0.blank }), isMarker(previous, "---") { marker = previous.start }
            documents.append((try parseNode(at: l.start + l.indent, indent: l.indent), marker))
            skipBlank()
            if li < lines.count && !isMarker(lines[li], "---") && !isMarker(lines[li], "...") {
                throw error(lines[li].start + lines[li].indent, "unexpected content; check the indentation")
            }
        }
        return documents
    }

    private func isMarker(_ l: Line, _ m: String) -> Bool {
        l.indent == 0 && text(l.start, min(l.start + 3, l.contentEnd)) == m
            && (l.contentEnd == l.start + 3 || bytes[l.start + 3] == 32)
    }

    private func text(_ a: Int, _ b: Int) -> String {
        String(decoding: bytes[a..<max(a, b)], as: UTF8.self)
    }

    // MARK: block structure

    /// Parses the node that starts at `offset` on line `li`; `indent` is its column for block collections.
    private mutating func parseNode(at offset: Int, indent: Int) throws(ScenarioError) -> YAMLNode {
        let l = lines[li]
        let c = bytes[offset]
        if c == 45 && (offset + 1 == l.contentEnd || bytes[offset + 1] == 32) {
            return try parseSequence(indent: offset - l.start)
        }
        if try keyEnd(at: offset, lineEnd: l.contentEnd) != nil {
            return try parseMapping(indent: offset - l.start, firstOffset: offset)
        }
        let node = try parseInline(at: offset, lineEnd: l.contentEnd, indent: indent)
        return node
    }

    /// Enters one more level of nesting, or refuses input nested deeper than Limits.depth.
    private func nest(_ level: Int, at offset: Int) throws(ScenarioError) -> Int {
        guard level < Limits.depth else { throw error(offset, "nested more than \(Limits.depth) levels deep") }
        return level + 1
    }

    private mutating func parseSequence(indent: Int) throws(ScenarioError) -> YAMLNode {
        let first = lines[li]
        depth = try nest(depth, at: first.start + indent)
        defer { depth -= 1 }
        let (line, column) = (first.number, indent + 1)
        var items: [YAMLNode] = []
        while li < lines.count {
            let l = lines[li]
            let dash = l.start + indent
            guard bytes[dash] == 45 else { throw error(dash, "expected a sequence item \"- \"") }
            var k = dash + 1
            while k < l.contentEnd && bytes[k] == 32 { k += 1 }
            if k >= l.contentEnd {
                li += 1
                skipBlank()
                if li < lines.count && lines[li].indent > indent {
                    items.append(try parseNode(at: lines[li].start + lines[li].indent, indent: lines[li].indent))
                } else {
                    items.append(YAMLNode(.null, line: l.number, column: dash - l.start + 1))
                }
            } else {
                items.append(try parseNode(at: k, indent: k - l.start))
            }
            skipBlank()
            guard li < lines.count else { break }
            let next = lines[li]
            if next.indent < indent || isMarker(next, "---") || isMarker(next, "...") { break }
            if next.indent > indent { throw error(next.start + next.indent, "unexpected indentation") }
            if bytes[next.start + indent] != 45 { break }  // the parent mapping continues
        }
        return YAMLNode(.sequence(items), line: line, column: column)
    }

    private mutating func parseMapping(indent: Int, firstOffset: Int) throws(ScenarioError) -> YAMLNode {
        let (line, column) = (lines[li].number, indent + 1)
        depth = try nest(depth, at: firstOffset)
        defer { depth -= 1 }
        var entries: [YAMLEntry] = []
        var offset = firstOffset
        while true {
            let l = lines[li]
            guard let (key, colon) = try keyEnd(at: offset, lineEnd: l.contentEnd) else {
                throw error(offset, "expected \"key: value\"")
            }
            if let dup = entries.first(where: { $0.key == key }) {
                throw error(offset, "duplicate key \"\(key)\" (first at line \(dup.keyLine))")
            }
            var k = colon + 1
            while k < l.contentEnd && bytes[k] == 32 { k += 1 }
            let value: YAMLNode
            if k >= l.contentEnd {
                li += 1
                skipBlank()
                if li < lines.count && lines[li].indent > indent {
                    value = try parseNode(at: lines[li].start + lines[li].indent, indent: lines[li].indent)
                } else if li < lines.count && lines[li].indent == indent && bytes[lines[li].start + indent] == 45
                    && (lines[li].start + indent + 1 == lines[li].contentEnd || bytes[lines[li].start + indent + 1] == 32)
                {
                    value = try parseSequence(indent: indent)  // `key:\n- item` at the key's indentation
                } else {
                    value = YAMLNode(.null, line: l.number, column: colon - l.start + 2)
                }
            } else {
                value = try parseNode(at: k, indent: indent)
            }
            entries.append(YAMLEntry(key: key, keyLine: l.number, keyColumn: offset - l.start + 1, value: value))
            skipBlank()
            guard li < lines.count else { break }
            let next = lines[li]
            if next.indent < indent || isMarker(next, "---") || isMarker(next, "...") { break }
            if next.indent > indent { throw error(next.start + next.indent, "unexpected indentation") }
            let c = bytes[next.start + indent]
            if c == 45 && (next.start + indent + 1 == next.contentEnd || bytes[next.start + indent + 1] == 32) { break }
            offset = next.start + indent
        }
        return YAMLNode(.mapping(entries), line: line, column: column)
    }

    /// If a block mapping key starts at `offset`, its text and the offset of its colon.
    private func keyEnd(at offset: Int, lineEnd: Int) throws(ScenarioError) -> (String, Int)? {
        let c = bytes[offset]
        if c == 91 || c == 123 { return nil }  // flow collection
        if c == 34 || c == 39 {
            guard let (s, after) = try? quoted(at: offset, limit: lineEnd) else { return nil }
            var k = after
            while k < lineEnd && bytes[k] == 32 { k += 1 }
            if k < lineEnd && bytes[k] == 58 && (k + 1 == lineEnd || bytes[k + 1] == 32) { return (s, k) }
            return nil
        }
        var k = offset
        while k < lineEnd {
            if bytes[k] == 58 && (k + 1 == lineEnd || bytes[k + 1] == 32) {
                var e = k
                while e > offset && bytes[e - 1] == 32 { e -= 1 }
                return (text(offset, e), k)
            }
            k += 1
        }
        return nil
    }

    /// A value that starts on this line: block scalar, flow collection, or scalar.
    private mutating func parseInline(at offset: Int, lineEnd: Int, indent: Int) throws(ScenarioError) -> YAMLNode {
        let l = lines[li]
        let (line, column) = (l.number, offset - l.start + 1)
        let c = bytes[offset]
        switch c {
        case 38: throw error(offset, "anchors (&) are not supported")
        case 42: throw error(offset, "aliases (*) are not supported")
        case 33: throw error(offset, "tags (!) are not supported")
        case 124, 62:
            return try parseBlockScalar(at: offset, indent: indent)
        case 91, 123:
            var k = offset
            let node = try parseFlow(&k, depth: depth)
            skipSpacesAndComments(&k, acrossLines: false)
            if k < bytes.count && bytes[k] != 10 && bytes[k] != 13 {
                throw error(k, "unexpected text after the flow collection")
            }
            // Resume on the line after the one where the flow collection ended.
            while li < lines.count && lines[li].end < k { li += 1 }
            li += 1
            return node
        case 34, 39:
            let (s, after) = try quoted(at: offset, limit: bytes.count)
            // Resume after the line where it closed; nothing but a comment may follow it there.
            while li < lines.count && lines[li].end < after { li += 1 }
            var k = after
            skipSpacesAndComments(&k, acrossLines: false)
            if k < bytes.count && bytes[k] != 10 && bytes[k] != 13 { throw error(after, "unexpected text after the quoted scalar") }
            li += 1
            return YAMLNode(.scalar(s, plain: false), line: line, column: column)
        default:
            var s = text(offset, lineEnd)
            li += 1
            // A plain scalar goes on over more-indented lines that are neither a key nor an item (how
            // `oc` wraps long values): each break folds into a space, each empty line into a newline.
            var empty = 0
            while li < lines.count && (lines[li].blank || lines[li].indent > indent) {
                let l = lines[li]
                if l.blank {
                    empty += 1
                    li += 1
                    continue
                }
                let at = l.start + l.indent
                let item = bytes[at] == 45 && (at + 1 == l.contentEnd || bytes[at + 1] == 32)
                if item || (try? keyEnd(at: at, lineEnd: l.contentEnd)) != nil {
                    throw error(at, "unexpected indentation")
                }
                s += empty == 0 ? " " : String(repeating: "\n", count: empty)
                s += text(at, l.contentEnd)
                empty = 0
                li += 1
            }
            // Blank lines after the scalar belong to what follows.
            while empty > 0 && li > 0 && lines[li - 1].blank {
                li -= 1
                empty -= 1
            }
            return scalar(s, line: line, column: column)
        }
    }

    private func scalar(_ s: String, line: Int, column: Int) -> YAMLNode {
        if s == "null" || s == "~" || s == "Null" || s == "NULL" { return YAMLNode(.null, line: line, column: column) }
        return YAMLNode(.scalar(s, plain: true), line: line, column: column)
    }

    private mutating func parseBlockScalar(at offset: Int, indent: Int) throws(ScenarioError) -> YAMLNode {
        let l = lines[li]
        let folded = bytes[offset] == 62
        var chomp: UInt8 = 0  // 0 clip, '-' strip, '+' keep
        var k = offset + 1
        var explicitIndent = 0
        while k < l.contentEnd {
            let c = bytes[k]
            if c == 45 || c == 43 {
                chomp = c
            } else if c >= 49 && c <= 57 {
                explicitIndent = Int(c - 48)
            } else if c != 32 {
                throw error(k, "unexpected text after the block scalar indicator")
            }
            k += 1
        }
        let (line, column) = (l.number, offset - l.start + 1)
        li += 1
        // The block's lines: every following line that is blank or indented deeper than the parent.
        var body: [(indent: Int, text: String, blank: Bool)] = []
        var blockIndent = explicitIndent > 0 ? indent + explicitIndent : 0
        while li < lines.count {
            let bl = lines[li]
            let allSpace = bytes[bl.start..<bl.end].allSatisfy { $0 == 32 }
            if !allSpace {
                if blockIndent == 0 {
                    if bl.indent <= indent { break }
                    blockIndent = bl.indent
                }
                if bl.indent < blockIndent { break }
                body.append((bl.indent, text(bl.start + blockIndent, bl.end), false))
            } else {
                body.append((0, "", true))
            }
            li += 1
        }
        // Trailing blank lines belong to chomping, not content; give them back to the parser.
        var trailing = 0
        while let last = body.last, last.blank {
            body.removeLast()
            trailing += 1
        }
        var out = ""
        if folded {
            // A line break between two text lines folds into a space; each blank line is one "\n";
            // more-indented lines keep their breaks.
            var previousMoreIndented = false
            for (n, b) in body.enumerated() {
                if b.blank {
                    out += "\n"
                    continue
                }
                let moreIndented = b.indent > blockIndent
                if n > 0 && !body[n - 1].blank { out += moreIndented || previousMoreIndented ? "\n" : " " }
                out += b.text
                previousMoreIndented = moreIndented
            }
        } else {
            out = body.map(\.text).joined(separator: "\n")
        }
        if !body.isEmpty {
            if chomp == 43 { out += String(repeating: "\n", count: trailing + 1) } else if chomp == 0 { out += "\n" }
        }
        return YAMLNode(.scalar(out, plain: false), line: line, column: column)
    }

    // MARK: scalars and flow

    /// The character a double-quoted escape stands for (`k` is just after the backslash); returns the
    /// offset of its last byte.
    private func escape(at k: Int, limit: Int, into out: inout [UInt8]) throws(ScenarioError) -> Int {
        switch bytes[k] {
        case 110: out.append(10)
        case 116: out.append(9)
        case 114: out.append(13)
        case 48: out.append(0)
        case 32, 34, 92, 47, 39: out.append(bytes[k])
        case 117:
            guard k + 4 < limit, let v = UInt32(text(k + 1, k + 5), radix: 16), let u = Unicode.Scalar(v) else {
                throw error(k, "bad \\u escape")
            }
            out.append(contentsOf: Array(String(Character(u)).utf8))
            return k + 4
        default: throw error(k - 1, "unknown escape \\\(Character(Unicode.Scalar(bytes[k])))")
        }
        return k
    }

    /// A quoted scalar from `offset` (its opening quote) that must close before `limit`: the line's
    /// end in flow collections and keys, the text's end for a value, which may then go on over lines
    /// as `oc` prints long messages: a line break folds into a space, each empty line into a newline,
    /// the blanks around a break go, and in double quotes a `\` at the end of a line joins the lines
    /// with nothing between. Returns the text and the offset after the closing quote.
    private func quoted(at offset: Int, limit: Int) throws(ScenarioError) -> (String, Int) {
        let q = bytes[offset]
        var out: [UInt8] = []
        var k = offset + 1
        func isBlankOrBreak(_ b: UInt8) -> Bool { b == 10 || b == 13 || b == 32 || b == 9 }
        while k < limit {
            let c = bytes[k]
            if c == 10 || c == 13 {
                // Fold: drop the blanks before the break, count empty lines, skip the next line's indentation.
                while let last = out.last, last == 32 || last == 9 { out.removeLast() }
                var breaks = 0
                while k < limit && isBlankOrBreak(bytes[k]) {
                    if bytes[k] == 10 { breaks += 1 }
                    k += 1
                }
                if breaks == 1 { out.append(32) } else { out.append(contentsOf: repeatElement(10, count: breaks - 1)) }
                continue
            }
            if q == 39 && c == 39 {
                if k + 1 < limit && bytes[k + 1] == 39 {
                    out.append(39)
                    k += 2
                    continue
                }
                return (String(decoding: out, as: UTF8.self), k + 1)
            }
            if q == 34 && c == 34 { return (String(decoding: out, as: UTF8.self), k + 1) }
            if q == 34 && c == 92 {
                k += 1
                guard k < limit else { break }
                if bytes[k] == 10 || bytes[k] == 13 {
                    // An escaped line break: the lines join; the next line's indentation goes.
                    while k < limit && isBlankOrBreak(bytes[k]) { k += 1 }
                    continue
                }
                k = try escape(at: k, limit: limit, into: &out) + 1
                continue
            }
            out.append(c)
            k += 1
        }
        throw error(
            offset,
            limit < bytes.count ? "unterminated quoted scalar (quoted scalars must end on their line)" : "unterminated quoted scalar")
    }

    private func skipSpacesAndComments(_ k: inout Int, acrossLines: Bool) {
        while k < bytes.count {
            let c = bytes[k]
            if c == 32 || c == 9 || (acrossLines && (c == 10 || c == 13)) {
                k += 1
            } else if c == 35 {
                while k < bytes.count && bytes[k] != 10 { k += 1 }
            } else {
                break
            }
        }
    }

    private func parseFlow(_ k: inout Int, depth: Int) throws(ScenarioError) -> YAMLNode {
        skipSpacesAndComments(&k, acrossLines: true)
        guard k < bytes.count else { throw error(k, "unexpected end of file in a flow collection") }
        let (line, column) = position(k)
        let c = bytes[k]
        let inner = c == 91 || c == 123 ? try nest(depth, at: k) : depth
        if c == 91 {
            k += 1
            var items: [YAMLNode] = []
            while true {
                skipSpacesAndComments(&k, acrossLines: true)
                guard k < bytes.count else { throw error(k, "unterminated [ ]") }
                if bytes[k] == 93 {
                    k += 1
                    break
                }
                items.append(try parseFlow(&k, depth: inner))
                skipSpacesAndComments(&k, acrossLines: true)
                guard k < bytes.count else { throw error(k, "unterminated [ ]") }
                if bytes[k] == 44 { k += 1 } else if bytes[k] != 93 { throw error(k, "expected , or ]") }
            }
            return YAMLNode(.sequence(items), line: line, column: column)
        }
        if c == 123 {
            k += 1
            var entries: [YAMLEntry] = []
            while true {
                skipSpacesAndComments(&k, acrossLines: true)
                guard k < bytes.count else { throw error(k, "unterminated { }") }
                if bytes[k] == 125 {
                    k += 1
                    break
                }
                let keyNode = try parseFlowScalar(&k, isKey: true)
                guard case .scalar(let key, _) = keyNode.kind else { throw error(k, "expected a key") }
                if let dup = entries.first(where: { $0.key == key }) {
                    throw error(k, "duplicate key \"\(key)\" (first at line \(dup.keyLine))")
                }
                skipSpacesAndComments(&k, acrossLines: true)
                guard k < bytes.count, bytes[k] == 58 else { throw error(k, "expected : after the key \"\(key)\"") }
                k += 1
                skipSpacesAndComments(&k, acrossLines: true)
                let value: YAMLNode
                if k < bytes.count && (bytes[k] == 44 || bytes[k] == 125) {
                    value = YAMLNode(.null, line: keyNode.line, column: keyNode.column)
                } else {
                    value = try parseFlow(&k, depth: inner)
                }
                entries.append(YAMLEntry(key: key, keyLine: keyNode.line, keyColumn: keyNode.column, value: value))
                skipSpacesAndComments(&k, acrossLines: true)
                guard k < bytes.count else { throw error(k, "unterminated { }") }
                if bytes[k] == 44 { k += 1 } else if bytes[k] != 125 { throw error(k, "expected , or }") }
            }
            return YAMLNode(.mapping(entries), line: line, column: column)
        }
        return try parseFlowScalar(&k, isKey: false)
    }

    private func parseFlowScalar(_ k: inout Int, isKey: Bool) throws(ScenarioError) -> YAMLNode {
        let (line, column) = position(k)
        let c = bytes[k]
        if c == 38 { throw error(k, "anchors (&) are not supported") }
        if c == 42 { throw error(k, "aliases (*) are not supported") }
        if c == 33 { throw error(k, "tags (!) are not supported") }
        if c == 34 || c == 39 {
            var lineEnd = k
            while lineEnd < bytes.count && bytes[lineEnd] != 10 { lineEnd += 1 }
            let (s, after) = try quoted(at: k, limit: lineEnd)
            k = after
            return YAMLNode(.scalar(s, plain: false), line: line, column: column)
        }
        let start = k
        while k < bytes.count {
            let b = bytes[k]
            if b == 44 || b == 93 || b == 125 || b == 10 || b == 13 { break }
            if b == 58 && (k + 1 >= bytes.count || [32, 10, 44, 125, 93].contains(bytes[k + 1]) || isKey) { break }
            if b == 35 && k > start && bytes[k - 1] == 32 { break }
            k += 1
        }
        var end = k
        while end > start && bytes[end - 1] == 32 { end -= 1 }
        if end == start { throw error(start, "expected a value") }
        return scalar(text(start, end), line: line, column: column)
    }
}
