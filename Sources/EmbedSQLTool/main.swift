import Foundation

// Usage: EmbedSQLTool OUTPUT.swift FILE.sql...
// Writes `EmbeddedSQL.migrations` and `EmbeddedSQL.queries`, each the .sql files of the folder
// of that name sorted by file name, as escaped Swift string literals (byte for byte), each with
// its SHA-256 (SHA256.swift is the store's own, linked here), so no command hashes them; and
// `EmbeddedSQL.latestSchema`, the schema the migrations make, as one script (LatestSchema.swift).

let arguments = CommandLine.arguments.dropFirst()
guard let outputPath = arguments.first else {
    FileHandle.standardError.write(Data("usage: EmbedSQLTool OUTPUT.swift FILE.sql...\n".utf8))
    exit(2)
}

func literal(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": out += "\\\\"
        case "\"": out += "\\\""
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}

var swift = "// Generated at build time by EmbedSQLTool from the top-level .sql files. Do not edit.\n\n"
swift += "enum EmbeddedSQL {\n"
do {
    let files = arguments.dropFirst().map { URL(fileURLWithPath: $0) }
    for folder in ["migrations", "queries"] {
        let members = files.filter { $0.deletingLastPathComponent().lastPathComponent == folder }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        swift += "    static let \(folder): [EmbeddedFile] = [\n"
        for file in members {
            let data = try Data(contentsOf: file)
            guard let text = String(data: data, encoding: .utf8) else {
                throw CocoaError(.fileReadInapplicableStringEncoding, userInfo: [NSFilePathErrorKey: file.path])
            }
            swift += "        EmbeddedFile(name: \(literal(file.lastPathComponent)), text: \(literal(text)), sha256: \(literal(SHA256.hex(text)))),\n"
        }
        swift += "    ]\n"
    }
    let schema = try LatestSchema()
    defer { schema.close() }
    for file in files.filter({ $0.deletingLastPathComponent().lastPathComponent == "migrations" })
        .sorted(by: { $0.lastPathComponent < $1.lastPathComponent }) {
        try schema.apply(file.lastPathComponent, String(decoding: try Data(contentsOf: file), as: UTF8.self))
    }
    swift += "    static let latestSchema = \(literal(try schema.script()))\n"
    swift += "}\n"
    try Data(swift.utf8).write(to: URL(fileURLWithPath: outputPath), options: .atomic)
} catch {
    FileHandle.standardError.write(Data("EmbedSQLTool: \(error)\n".utf8))
    exit(1)
}
