import Foundation

// Usage: EmbedSQLTool OUTPUT.swift FILE.sql...
// Writes `EmbeddedSQL.migrations` and `EmbeddedSQL.queries`, each the .sql files of the folder
// of that name sorted by file name, as escaped Swift string literals (byte for byte), each with
// its SHA-256 (SHA256.swift is the store's own, linked here), so no command hashes them; and
// `EmbeddedSQL.newLog`, the file of a new log, made here by SQLite from the schema the
// migrations make, written out as one script (LatestSchema.swift).

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

// The table of applied migrations and a new log's page size: the new log's file is made with
// them here, and they are written out for the store (Migrator.tableDefinition, GradLog.pageSize),
// so there is one definition of each.
let migrationTableDefinition = """
    CREATE TABLE IF NOT EXISTS gradlog_migration (
        version INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        applied_at TEXT NOT NULL
    )
    """
let newLogPageSize = 16384

/// The stretches of `bytes` that are not zero, each with its offset: a new log's pages are
/// mostly empty. Zero runs shorter than 64 bytes stay inside a stretch.
func nonZeroRuns(_ bytes: [UInt8]) -> [(Int, ArraySlice<UInt8>)] {
    var runs: [(Int, ArraySlice<UInt8>)] = []
    var index = 0
    while index < bytes.count {
        guard bytes[index] != 0 else { index += 1; continue }
        let start = index
        var end = index, zeros = 0
        while index < bytes.count && zeros < 64 {
            if bytes[index] == 0 { zeros += 1 } else { zeros = 0; end = index + 1 }
            index += 1
        }
        runs.append((start, bytes[start..<end]))
    }
    return runs
}

/// Bytes as a Swift string literal of the code points 0-255 (U+0080...U+00FF for the high
/// bytes), which `NewLogImage` turns back into bytes.
func byteLiteral(_ bytes: ArraySlice<UInt8>) -> String {
    var out = "\""
    for byte in bytes {
        switch byte {
        case UInt8(ascii: "\\"): out += "\\\\"
        case UInt8(ascii: "\""): out += "\\\""
        case 0x20...0x7E: out.unicodeScalars.append(Unicode.Scalar(byte))
        default: out += "\\u{\(String(byte, radix: 16))}"
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
    let migrations = files.filter { $0.deletingLastPathComponent().lastPathComponent == "migrations" }
        .sorted { $0.lastPathComponent < $1.lastPathComponent }
        .map { (name: $0.lastPathComponent, sha256: SHA256.hex(String(decoding: (try? Data(contentsOf: $0)) ?? Data(), as: UTF8.self))) }
    let image = try schema.newLogImage(migrationTable: migrationTableDefinition, migrations: migrations, pageSize: newLogPageSize)
    swift += "    static let migrationTableDefinition = \(literal(migrationTableDefinition))\n"
    swift += "    static let newLogPageSize = \(newLogPageSize)\n"
    swift += "    static let newLog = NewLogImage(\n"
    swift += "        size: \(image.count), appliedAtPlaceholder: \(literal(LatestSchema.appliedAtPlaceholder)),\n"
    swift += "        runs: [\n"
    for (offset, run) in nonZeroRuns(image) {
        swift += "            (\(offset), \(byteLiteral(run))),\n"
    }
    swift += "        ])\n"
    swift += "}\n"
    try Data(swift.utf8).write(to: URL(fileURLWithPath: outputPath), options: .atomic)
} catch {
    FileHandle.standardError.write(Data("EmbedSQLTool: \(error)\n".utf8))
    exit(1)
}
