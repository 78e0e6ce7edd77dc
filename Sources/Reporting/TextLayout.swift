/// Text for a 120-column terminal in the habit of `oc get` (aligned columns under headers) and
/// `oc describe` (labelled values, long text wrapped under itself).
public enum TextLayout {
    public static let width = 120

    /// `text` broken at spaces so no line passes `width`: the first line indented by `indent`, the
    /// rest by `hanging`. A word longer than a line stays whole.
    public static func wrap(_ text: String, indent: Int = 2, hanging: Int? = nil) -> String {
        wrap(text, after: String(repeating: " ", count: indent), hanging: hanging ?? indent + 2)
    }

    /// `text` wrapped after `prefix` on the first line (a table's other columns), the rest indented by `hanging`.
    public static func wrap(_ text: String, after prefix: String, hanging: Int) -> String {
        let rest = String(repeating: " ", count: hanging)
        var out = prefix
        var column = prefix.count
        var lineHasWord = false
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            let length = word.count
            if lineHasWord && column + 1 + length > width {
                out += "\n" + rest
                column = rest.count
                lineHasWord = false
            }
            if lineHasWord {
                out += " "
                column += 1
            }
            out += word
            column += length
            lineHasWord = true
        }
        return out + "\n"
    }
}

/// Rows under headers, columns two spaces apart; the last column (a reason) wraps under itself.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []

    init(_ headers: String...) { self.headers = headers }

    mutating func add(_ cells: String...) { rows.append(cells) }

    /// `below(k)`: lines to print under data row k (a drain's blocking pods).
    func render(indent: Int = 2, below: (Int) -> String = { _ in "" }) -> String {
        guard !rows.isEmpty else { return "" }
        let last = headers.count - 1
        var widths = headers.map(\.count)
        for row in rows {
            for (k, cell) in row.enumerated() where k < last { widths[k] = max(widths[k], cell.count) }
        }
        let lastStart = indent + widths.prefix(last).reduce(0) { $0 + $1 + 2 }
        var out = ""
        for (k, row) in ([headers] + rows).enumerated() {
            if k > 1 { out += below(k - 2) }  // under the data row before this one
            var line = String(repeating: " ", count: indent)
            for c in 0..<last { line += row[c] + String(repeating: " ", count: widths[c] + 2 - row[c].count) }
            let reason = row[last]
            if reason.isEmpty {
                while line.hasSuffix(" ") { line.removeLast() }
                out += line + "\n"
            } else if lastStart > TextLayout.width - 30 {
                // No room beside the columns: the reason goes on the lines below.
                while line.hasSuffix(" ") { line.removeLast() }
                out += line + "\n" + TextLayout.wrap(reason, indent: indent + 4, hanging: indent + 4)
            } else {
                out += TextLayout.wrap(reason, after: line, hanging: lastStart)
            }
        }
        return out + below(rows.count - 1)
    }
}
