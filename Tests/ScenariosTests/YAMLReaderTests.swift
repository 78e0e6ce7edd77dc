import Testing

@testable import Scenarios

/// Reads a document and renders it compactly, so expectations fit on one line.
private func render(_ text: String) throws -> String {
    func r(_ n: YAMLNode) -> String {
        switch n.kind {
        case .null: return "~"
        case .scalar(let s, let plain): return plain ? s : "'\(s)'"
        case .sequence(let items): return "[" + items.map(r).joined(separator: ",") + "]"
        case .mapping(let entries): return "{" + entries.map { "\($0.key):\(r($0.value))" }.joined(separator: ",") + "}"
        }
    }
    return r(try YAMLReader.parse(text, file: "t.yaml"))
}

private func error(_ text: String) -> ScenarioError? {
    do {
        _ = try YAMLReader.parse(text, file: "t.yaml")
        return nil
    } catch {
        return error
    }
}

@Suite struct YAMLReaderTests {
    /// What `oc get -o yaml` prints for a stream: several documents, empty flow collections, quoted
    /// timestamps, managedFields, and long values wrapped over lines (plain and double-quoted).
    @Test func readsWhatOcPrints() throws {
        let text = """
            apiVersion: v1
            kind: Node
            metadata:
              annotations: {}
              creationTimestamp: "2024-05-01T10:00:00Z"
              managedFields:
              - apiVersion: v1
                fieldsV1:
                  f:metadata: {}
              name: worker-0
            spec:
              taints: []
            status:
              message: this line is long enough that the printer
                wraps it onto the next line

                and keeps a paragraph
              reason: "a quoted one that goes on \\
                without a space, and then
                with one"
            ---
            ---
            apiVersion: v1
            kind: Pod
            ...
            """
        let docs = try YAMLReader.parseStream(text, file: "t.yaml")
        #expect(docs.count == 2)
        func value(_ n: YAMLNode, _ path: [String]) -> String? {
            var n = n
            for key in path {
                guard case .mapping(let entries) = n.kind, let e = entries.first(where: { $0.key == key }) else { return nil }
                n = e.value
            }
            if case .scalar(let s, _) = n.kind { return s }
            return nil
        }
        #expect(
            value(docs[0], ["status", "message"])
                == "this line is long enough that the printer wraps it onto the next line\nand keeps a paragraph")
        #expect(value(docs[0], ["status", "reason"]) == "a quoted one that goes on without a space, and then with one")
        #expect(value(docs[0], ["metadata", "creationTimestamp"]) == "2024-05-01T10:00:00Z")
        #expect(value(docs[1], ["kind"]) == "Pod")
        // A scenario stays one document.
        #expect(error(text)?.message == "several documents in one file are not supported")
        #expect(error(text)?.line == 22)
    }

    @Test func readsBlockMappingsAndSequencesAsManifestsWriteThem() throws {
        let text = """
            ---
            # a comment
            apiVersion: v1   # trailing comment
            items:
            - name: a
              tags: [x, "y z"]
            - name: b
              nested:
                k: 'it''s'
            empty:
            """
        #expect(try render(text) == "{apiVersion:v1,items:[{name:a,tags:[x,'y z']},{name:b,nested:{k:'it's'}}],empty:~}")
    }

    @Test func readsIndentedSequencesAndSequencesOfSequences() throws {
        #expect(try render("a:\n  - 1\n  - - 2\n    - 3\nb: 4\n") == "{a:[1,[2,3]],b:4}")
    }

    @Test func readsFlowMappingsSpanningLinesAndJSON() throws {
        #expect(try render("m: {a: 1,\n  b: [2, 3]}\nz: 9") == "{m:{a:1,b:[2,3]},z:9}")
        #expect(try render("{\"a\": {\"b\": [1, \"two\"]}, \"c\": null}") == "{a:{b:[1,'two']},c:~}")
    }

    @Test func keepsColonsAndHashesInsideValues() throws {
        #expect(try render("image: quay.io/x:latest\nurl: http://a#b\nq: \"a # b\"") == "{image:quay.io/x:latest,url:http://a#b,q:'a # b'}")
    }

    @Test func readsLiteralAndFoldedBlockScalarsWithChomping() throws {
        #expect(try render("a: |\n  one\n  two\nb: x") == "{a:'one\ntwo\n',b:x}")
        #expect(try render("a: |-\n  one\n  two\n") == "{a:'one\ntwo'}")
        #expect(try render("a: >\n  one\n  two\n\n  three\n") == "{a:'one two\nthree\n'}")
    }

    @Test func decodesDoubleQuotedEscapes() throws {
        #expect(try render(#"a: "tab\tquote\" \u00e9""#) == "{a:'tab\tquote\" é'}")
    }

    @Test func refusesAnchorsAliasesTagsAndSeveralDocuments() {
        #expect(error("a: &x 1")?.message.contains("anchors") == true)
        #expect(error("a: *x")?.message.contains("aliases") == true)
        #expect(error("a: !!str 1")?.message.contains("tags") == true)
        #expect(error("a: 1\n---\nb: 2")?.message.contains("several documents") == true)
    }

    @Test func reportsTheLineAndColumnOfSyntaxErrors() {
        let e = error("a: 1\n\tb: 2")
        #expect(e?.line == 2)
        #expect(e?.column == 1)
        #expect(e?.message.contains("tab") == true)
        let dup = error("a: 1\nb: 2\na: 3")
        #expect(dup?.line == 3)
        #expect(dup?.message == "duplicate key \"a\" (first at line 1)")
        #expect(error("a: 1\n   b: 2")?.message == "unexpected indentation")
        #expect(error("a: \"open")?.message.contains("unterminated") == true)
    }

    @Test func remembersWhereEachValueStands() throws {
        let root = try YAMLReader.parse("vms:\n  - name: x\n    cpu: 4\n", file: "t.yaml")
        guard case .mapping(let top) = root.kind, case .sequence(let vms) = top[0].value.kind,
            case .mapping(let vm) = vms[0].kind
        else {
            Issue.record("unexpected shape")
            return
        }
        #expect(vm[1].key == "cpu")
        #expect((vm[1].keyLine, vm[1].keyColumn) == (3, 5))
        #expect((vm[1].value.line, vm[1].value.column) == (3, 10))
    }
}
