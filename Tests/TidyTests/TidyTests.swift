import Foundation
import Testing

/// House rule 15: the sources stay free of what breaks determinism or crashes on input.
@Suite struct TidyTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func sources() -> [(path: String, text: String)] {
        let base = root.appendingPathComponent("Sources").path
        guard let walker = FileManager.default.enumerator(atPath: base) else { return [] }
        var files: [(String, String)] = []
        while let rel = walker.nextObject() as? String {
            guard rel.hasSuffix(".swift"), let text = try? String(contentsOfFile: base + "/" + rel, encoding: .utf8) else { continue }
            files.append(("Sources/" + rel, text))
        }
        return files.sorted { $0.0 < $1.0 }
    }

    @Test func sourcesExist() { #expect(TidyTests.sources().count > 20) }

    @Test func noClocksRandomnessOrCrashPointsInSources() {
        let banned = [
            "Date(", "DispatchQueue", "Task {", "UUID()", "fatalError(", "try!", "as!", ".random(", ".shuffled()", "Double.random",
        ]
        for (path, text) in TidyTests.sources() {
            for word in banned where text.contains(word) { Issue.record("\(path) contains \(word)") }
        }
    }

    @Test func theCoreModulesDoNotImportFoundation() {
        for (path, text) in TidyTests.sources()
        where path.hasPrefix("Sources/SimKernel/") || path.hasPrefix("Sources/ClusterModel/") || path.hasPrefix("Sources/Controllers/") {
            #expect(!text.contains("import Foundation"), "\(path) imports Foundation")
        }
    }

    @Test func theEngineKnowsNothingOfKubernetes() {
        for (path, text) in TidyTests.sources() where path.hasPrefix("Sources/SimKernel/") {
            for word in ["import ClusterModel", "Node", "VirtualMachine", "Drain"] where text.contains(word) {
                Issue.record("\(path) mentions \(word)")
            }
        }
    }

    /// House style is enforced by the formatter, configured in .swift-format.
    @Test func swiftFormatLintIsClean() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["swift", "format", "lint", "--strict", "-r", "Sources", "Tests", "Package.swift"]
        p.currentDirectoryURL = TidyTests.root
        let pipe = Pipe()
        p.standardError = pipe
        p.standardOutput = pipe
        try p.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "swift format lint --strict:\n\(output.prefix(2000))")
    }
}
