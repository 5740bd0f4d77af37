import Foundation

// Usage: EmbedSQLTool [--stamp STAMP] OUTPUT.swift FOLDER...
// Writes one `[EmbeddedFile]` per folder (named after it), with the folder's .sql files sorted
// by name, each as an escaped Swift string literal so the text is embedded byte for byte.
// A missing folder embeds as an empty list. OUTPUT is rewritten only when its text changes;
// STAMP, if given, is touched afterwards so that the build runs this tool again next time
// (see Plugins/EmbedSQL).

var arguments = Array(CommandLine.arguments.dropFirst())
var stampPath: String?
if arguments.first == "--stamp", arguments.count >= 2 {
    stampPath = arguments[1]
    arguments.removeFirst(2)
}
guard let outputPath = arguments.first, arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: EmbedSQLTool [--stamp STAMP] OUTPUT.swift FOLDER...\n".utf8))
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
    for folderPath in arguments.dropFirst() {
        let folder = URL(fileURLWithPath: folderPath)
        let names = FileManager.default.fileExists(atPath: folder.path)
            ? try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }.sorted()
            : []
        swift += "    static let \(folder.lastPathComponent): [EmbeddedFile] = [\n"
        for name in names {
            let data = try Data(contentsOf: folder.appendingPathComponent(name))
            guard let text = String(data: data, encoding: .utf8) else {
                throw CocoaError(.fileReadInapplicableStringEncoding, userInfo: [NSFilePathErrorKey: name])
            }
            swift += "        EmbeddedFile(name: \(literal(name)), text: \(literal(text))),\n"
        }
        swift += "    ]\n"
    }
    swift += "}\n"
    let output = URL(fileURLWithPath: outputPath)
    if (try? Data(contentsOf: output)) != Data(swift.utf8) {
        try Data(swift.utf8).write(to: output, options: .atomic)
    }
    if let stampPath {
        try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: stampPath)
    }
} catch {
    FileHandle.standardError.write(Data("EmbedSQLTool: \(error)\n".utf8))
    exit(1)
}
