import Foundation
import Testing

/// Formula objectives through the command line: good ones run, malformed ones give one line and exit 64.
@Suite("Formula objectives on the command line")
struct FormulaCLITests {
    static let dir = CLI.tempDir()

    /// A CSV file with `text`, in a fresh temporary directory.
    static func csv(_ name: String, _ text: String) -> String {
        let path = dir + "/" + name
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("An unknown function points at its column and suggests the nearest name")
    func unknownFunction() throws {
        let r = try CLI.run(["gap", "--objective", "expr: (x^2 - 1)^2 + 0.5*y^2 + sinn(x)", "--no-files"])
        #expect(r.status == 64)
        #expect(r.stderr.contains("--objective: column 25: unknown function 'sinn' (did you mean 'sin'?)"), "\(r.stderr)")
    }

    /// (arguments, the option the one-line error must name).
    static let malformed: [([String], String)] = {
        let good = csv("good.csv", "x,y\n1,2\n2,3.9\n3,6.2\n")
        let one = csv("one.csv", "x,y\n1,2\n")
        let nan = csv("nan.csv", "x,y\n1,2\nnan,3\n")
        let header = csv("header.csv", "1,2\n3,4\n")
        let ragged = csv("ragged.csv", "x,y\n1,2\n3\n")
        let text = csv("text.csv", "x,y\n1,abc\n2,3\n")
        let empty = csv("empty.csv", "")
        var cases: [([String], String)] = []
        for e in ["", "x +", "(x + 1", "x + 1)", "2x", "x $ y", "1e", "1e999*x", "sin x", "min(x)", "max(x, y, x)", "sinn(x)",
                  "3 + 4", "x^", "* x", "x,y", "exp()", "log(x", "x..2", "pow(x)", "(((x)", "x\u{1b}[31m", "θ^2",
                  String(repeating: "(", count: 400) + "x" + String(repeating: ")", count: 400), "x = 2", "sqrt(x) ; y"] {
            cases.append((["flow", "--objective", "expr: " + e, "--no-files"], "--objective"))
        }
        cases += [
            (["flow", "--objective", "expr: x^2 + y^2", "--x0", "1,2,3", "--no-files"], "--x0"),
            (["flow", "--objective", "expr: x^2", "--variables", "x,x", "--no-files"], "--variables"),
            (["flow", "--objective", "expr: x^2 + q", "--variables", "x", "--no-files"], "--objective"),
            (["flow", "--objective", "expr: a*x^2", "--parameters", "a=nan", "--no-files"], "--parameters"),
            (["flow", "--objective", "expr: a*x^2", "--parameters", "a", "--no-files"], "--parameters"),
            (["flow", "--objective", "ill-quadratic", "--parameters", "a=1", "--no-files"], "--parameters"),
            (["noise", "--samples", "0.5*(w*x_i - y_i)^2", "--no-files"], "--data"),
            (["noise", "--samples", "0.5*(w*z_i - y_i)^2", "--data", good, "--no-files"], "--samples"),
            (["noise", "--samples", "0.5*(w*x_i - y_i)^2", "--data", one, "--no-files"], "--data"),
            (["noise", "--samples", "0.5*(w*x_i - y_i)^2", "--data", nan, "--no-files"], "--data"),
            (["noise", "--samples", "0.5*(w*x_i - y_i)^2", "--data", header, "--no-files"], "--data"),
            (["noise", "--samples", "0.5*(w*x_i - y_i)^2", "--data", ragged, "--no-files"], "--data"),
            (["noise", "--samples", "0.5*(w*x_i - y_i)^2", "--data", text, "--no-files"], "--data"),
            (["noise", "--samples", "0.5*(w*x_i - y_i)^2", "--data", empty, "--no-files"], "--data"),
            (["noise", "--samples", "0.5*(w*x_i - y_i", "--data", good, "--no-files"], "--samples"),
            (["noise", "--samples", "x_i + y_i", "--data", good, "--no-files"], "--samples"),
            (["noise", "--samples", "0.5*(w*x_i - y_i)^2", "--data", dir + "/missing.csv", "--no-files"], "--data"),
            (["weak-error", "--samples", "0.5*(w*x_i - y_i)^2", "--data", good, "--batch", "5", "--no-files"], "--batch"),
            (["simulate", "--samples", "0.5*(w*x_i - y_i)^2", "--data", good, "--batch", "9", "--sampling", "without-replacement", "--no-files"], "--batch"),
            (["stationary", "--algorithm", "sgld", "--objective", "expr: x^2 + y^2", "--no-files"], "--objective"),
            (["stationary", "--objective", "expr: x^2", "--no-files"], "--objective"),
            (["stationary", "--algorithm", "sgld", "--objective", "expr: sinn(x)", "--no-files"], "--objective"),
            (["stability", "--samples", "0.5*(w*x_i - y_i)^2", "--data", good, "--l2", "0.1", "--no-files"], "--l2"),
        ]
        return cases
    }()

    @Test("At least 40 malformed formulas and sample files each give one line naming the option, exit 64")
    func malformedInputs() throws {
        #expect(Self.malformed.count >= 40)
        for (args, option) in Self.malformed {
            let r = try CLI.run(args)
            let lines = r.stderr.split(separator: "\n").filter { !$0.isEmpty }
            #expect(r.status == 64, "\(args): exit \(r.status), \(r.stderr)")
            #expect(lines.count == 1 && lines[0].contains(option), "\(args): \(r.stderr)")
            #expect(!r.stderr.contains("\u{1b}"), "\(args): escape echoed")
        }
    }

    @Test("weak-error on a sample formula runs SGD next to SME-1 and SME-2 and prints fitted orders")
    func weakErrorOnSamples() throws {
        let data = Self.csv("lin.csv", "x,y\n-1.5,-2.9\n-0.7,-1.6\n-0.2,-0.3\n0.4,0.9\n0.9,1.7\n1.6,3.3\n")
        let r = try CLI.run(["weak-error", "--samples", "0.5*(w*x_i - y_i)^2", "--data", data, "--paths", "4000",
                             "--etas", "0.2,0.1", "--substeps", "2", "--x0", "0", "--no-files"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("samples: 0.5*(w*x_i - y_i)^2 (n = 6, d = 1)"), "\(r.stdout)")
    }
}
