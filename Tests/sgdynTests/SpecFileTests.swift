import Foundation
import Testing

@Suite("experiment files: malformed specs give one line, exit 64, file:line:column and the field")
struct SpecFileTests {
    static let cases: [MalformedSpec] = [
        MalformedSpec(what: "unknown field", name: "a.yaml", contents: "study: weak-error\nmode: exact\n\netaz: 0.1\n",
                      place: "4:1", mentions: ["field 'etaz'", "not an option of weak-error", "valid: algorithm, batch", "did you mean 'etas'"]),
        MalformedSpec(what: "missing study", name: "b.yaml", contents: "mode: exact\netas: [0.1]\n",
                      place: "1:1", mentions: ["field 'study' is missing", "weak-error", "stability"]),
        MalformedSpec(what: "unknown study", name: "c.yaml", contents: "study: weak-eror\n",
                      place: "1:8", mentions: ["field 'study'", "'weak-eror' is not a study", "valid: flow, gap"]),
        MalformedSpec(what: "study that is not a study command", name: "c2.yaml", contents: "study: merge\n",
                      place: "1:8", mentions: ["field 'study'", "'merge' is not a study"]),
        MalformedSpec(what: "study given as a list", name: "d.yaml", contents: "study: [flow]\n",
                      place: "1:8", mentions: ["field 'study'"]),
        MalformedSpec(what: "mapping where a number is expected", name: "e.yaml", contents: "study: weak-error\npaths: {a: 1}\n",
                      place: "2:8", mentions: ["field 'paths'", "like 100000", "not a mapping"]),
        MalformedSpec(what: "list inside a list", name: "e2.yaml", contents: "study: weak-error\netas: [[0.1], 0.05]\n",
                      place: "2:8", mentions: ["field 'etas'", "single values"]),
        MalformedSpec(what: "text where a number is expected (the parser's own check)", name: "f.yaml", contents: "study: weak-error\npaths: many\n",
                      place: "2:8", mentions: ["field 'paths'", "'many' is invalid"]),
        MalformedSpec(what: "value the study's validation rejects", name: "g.yaml", contents: "study: weak-error\nmode: exact\nhorizon: -1\n",
                      place: "3:10", mentions: ["field 'horizon'", "must be a positive number"]),
        MalformedSpec(what: "flag given a number", name: "h.yaml", contents: "study: flow\nno-files: 3\n",
                      place: "2:11", mentions: ["field 'no-files' is a flag", "true or false"]),
        MalformedSpec(what: "sweep over an unknown field", name: "i.yaml", contents: "study: weak-error\nsweep:\n  seedz: [1, 2]\n",
                      place: "3:3", mentions: ["sweep over 'seedz'", "not an option of weak-error", "valid: algorithm"]),
        MalformedSpec(what: "empty sweep list", name: "j.yaml", contents: "study: weak-error\nsweep:\n  seed: []\n",
                      place: "3:9", mentions: ["sweep over 'seed' is an empty list"]),
        MalformedSpec(what: "sweep value that is not a list", name: "k.yaml", contents: "study: weak-error\nsweep: {seed: 3}\n",
                      place: "2:15", mentions: ["sweep over 'seed' takes a list"]),
        MalformedSpec(what: "empty sweep", name: "l.yaml", contents: "study: weak-error\nsweep: {}\n",
                      place: "2:1", mentions: ["field 'sweep' is empty"]),
        MalformedSpec(what: "field both set and swept", name: "m.yaml", contents: "study: weak-error\nseed: 1\nsweep: {seed: [1, 2]}\n",
                      place: "3:9", mentions: ["field 'seed' is both set", "and swept"]),
        MalformedSpec(what: "swept value the study rejects", name: "n.yaml", contents: "study: weak-error\nmode: exact\nsweep:\n  horizon: [1, -2]\n",
                      place: "4:16", mentions: ["field 'horizon'", "point 2 of 2", "must be a positive number"]),
        MalformedSpec(what: "duplicate key", name: "o.yaml", contents: "study: weak-error\nseed: 1\nmode: mc\nseed: 2\n",
                      place: "4:1", mentions: ["field 'seed' is given twice"]),
        MalformedSpec(what: "YAML syntax error", name: "p.yaml", contents: "study: weak-error\netas: [0.1, 0.05\nmode: mc\n",
                      place: nil, mentions: ["YAML syntax error"]),
        MalformedSpec(what: "empty file", name: "q.yaml", contents: "",
                      place: nil, mentions: ["is empty", "study: NAME", "weak-error"]),
        MalformedSpec(what: "comments only", name: "r.yaml", contents: "# nothing here\n\n",
                      place: nil, mentions: ["is empty"]),
        MalformedSpec(what: "document that is a list", name: "s.yaml", contents: "- study: flow\n",
                      place: "1:1", mentions: ["mapping of fields"]),
        MalformedSpec(what: "name that is not text", name: "t.yaml", contents: "study: flow\nname: {a: 1}\n",
                      place: "2:7", mentions: ["field 'name'"]),
        MalformedSpec(what: "JSON with an unknown field", name: "u.json",
                      contents: "{\n  \"study\": \"gap\",\n  \"etas\": [0.1, 0.05],\n  \"normm\": \"max\"\n}\n",
                      place: "4:3", mentions: ["field 'normm'", "not an option of gap", "did you mean 'norm'"]),
        MalformedSpec(what: "JSON duplicate key", name: "v.json", contents: "{\"study\": \"gap\", \"norm\": \"max\", \"norm\": \"euclidean\"}\n",
                      place: "1:33", mentions: ["field 'norm' is given twice"]),
        MalformedSpec(what: "unterminated JSON", name: "w.json", contents: "{\"study\": \"gap\",\n \"etas\": [0.1\n",
                      place: nil, mentions: ["YAML syntax error"]),
        MalformedSpec(what: "value rejected when the study runs, mapped back to its line", name: "x.yaml",
                      contents: "study: flow\nobjective: quadratic\ndiagonal: [1, -2]\nno-files: true\n",
                      place: "3:11", mentions: ["field 'diagonal'"], needsRun: true),
        MalformedSpec(what: "option the study needs but the file leaves out", name: "y.yaml",
                      contents: "study: flow\nobjective: quadratic\nno-files: true\n",
                      place: nil, mentions: ["field 'diagonal'", "not in the file"], needsRun: true),
    ]

    @Test("malformed spec", arguments: cases)
    func malformed(_ spec: MalformedSpec) throws {
        let dir = CLI.tempDir()
        let path = dir + "/" + spec.name
        try spec.contents.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", path, "--store", dir + "/runs.sqlite"] + (spec.needsRun ? [] : ["--dry-run"]))
        #expect(r.status == 64, "exit \(r.status): \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stdout.isEmpty || spec.needsRun, "\(r.stdout)")
        if let place = spec.place {
            #expect(r.stderr.contains("\(path):\(place): "), "\(r.stderr)")
        } else {
            #expect(r.stderr.contains(path), "\(r.stderr)")
        }
        for text in spec.mentions { #expect(r.stderr.contains(text), "'\(text)' in \(r.stderr)") }
    }

    @Test("a YAML syntax error gives the line and column Yams reports")
    func syntaxErrorMark() throws {
        let path = CLI.tempDir() + "/bad.yaml"
        try "study: flow\netas: [0.1\nhorizon: 3\n".write(toFile: path, atomically: true, encoding: .utf8)
        let r = try CLI.run(["run", path, "--dry-run"])
        #expect(r.status == 64 && r.stderr.split(separator: "\n").count == 1)
        #expect(r.stderr.contains(#/bad\.yaml:\d+:\d+: YAML syntax error/#), "\(r.stderr)")
    }

    @Test("a missing or unreadable file, and --store with --no-store, are one-line usage errors")
    func unreadable() throws {
        let dir = CLI.tempDir()
        for args in [["run", dir + "/none.yaml"], ["run", dir], ["run"], ["run", dir + "/x.yaml", "--store", "a", "--no-store"]] {
            let r = try CLI.run(args)
            #expect(r.status == 64 && r.stderr.split(separator: "\n").count == 1, "\(args): \(r.stderr)")
        }
        #expect(try CLI.run(["run", dir + "/none.yaml"]).stderr.contains("\(dir)/none.yaml: no such file"))
    }
}
