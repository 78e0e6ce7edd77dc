/// Bad input: names the file, line, column and field, e.g.
/// `scenarios/x.yaml:12:7: vms[3].evictionStrategy: unknown value "LiveMigrat"; expected one of ...`.
public struct ScenarioError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    /// Path of the field in the scenario (`vms[3].evictionStrategy`); empty for syntax errors.
    public var field: String
    public var message: String

    public init(file: String, line: Int, column: Int, field: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    /// `FILE:LINE:COLUMN: FIELD: MESSAGE`; without a line (a `--set` override), `FILE with --set …: FIELD: MESSAGE`.
    public var description: String {
        (line > 0 ? "\(file):\(line):\(column): " : "\(file): ") + (field.isEmpty ? "" : "\(field): ") + message
    }
}
