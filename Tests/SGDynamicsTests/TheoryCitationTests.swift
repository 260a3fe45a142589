import Foundation
import Testing

@Suite("The theory travels with the code")
struct TheoryCitationTests {
    /// The repository's root, from this file's path (Tests/SGDynamicsTests/…).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("every 'THEORY.md §x' cited in Sources, Tests, README and examples has a heading in docs/THEORY.md")
    func citationsResolve() throws {
        let theory = try String(contentsOf: Self.root.appendingPathComponent("docs/THEORY.md"), encoding: .utf8)
        var headings = Set<String>()
        for line in theory.split(separator: "\n") where line.hasPrefix("#") {
            let words = line.drop { $0 == "#" }.split(separator: " ")
            if let first = words.first { headings.insert(String(first).trimmingCharacters(in: CharacterSet(charactersIn: "."))) }
        }
        #expect(headings.isSuperset(of: ["1", "4.3", "5.3", "8.4", "10.2"]))
        let citation = try Regex(#"THEORY(\.md)? ?§ ?([0-9]+(\.[0-9]+)*)"#)
        var cited = 0, missing: [String] = []
        let fm = FileManager.default
        for folder in ["Sources", "Tests", "examples", "README.md"] {
            let url = Self.root.appendingPathComponent(folder)
            let files: [URL] = folder.hasSuffix(".md") ? [url]
                : (fm.enumerator(at: url, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? [])
            for file in files where ["swift", "md", "yaml", "json", "c"].contains(file.pathExtension) {
                guard let text = try? String(contentsOf: file, encoding: .utf8) else { continue }
                for match in text.matches(of: citation) {
                    cited += 1
                    let section = String(text[match.range].split(separator: "§").last!).trimmingCharacters(in: .whitespaces)
                    if !headings.contains(section) { missing.append("\(file.lastPathComponent): §\(section)") }
                }
            }
        }
        #expect(cited > 100, "the code cites the theory (\(cited) citations found)")
        #expect(missing.isEmpty, "\(missing)")
    }
}
