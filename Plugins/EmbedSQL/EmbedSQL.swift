import Foundation
import PackagePlugin

/// Compiles the top-level `migrations/*.sql` and `queries/*.sql` into the target as Swift string
/// literals, so the `gradlog` binary works when copied alone.
///
/// The files live outside the target, so every file and both folders are declared as the
/// command's inputs: editing a file or adding one to a folder (which changes the folder) reruns
/// the command. `EmbeddedSQLTests` holds the embedded copies against the files as a backstop.
@main
struct EmbedSQL: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let folders = ["migrations", "queries"].map { root.appending(path: $0) }
        var files: [URL] = []
        for folder in folders {
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            files += names.filter { $0.hasSuffix(".sql") }.sorted().map { folder.appending(path: $0) }
        }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedSQL.swift")
        return [
            .buildCommand(
                displayName: "Embedding migrations/ and queries/ into \(target.name)",
                executable: try context.tool(named: "EmbedSQLTool").url,
                arguments: [output.path] + folders.map(\.path),
                inputFiles: folders + files,
                outputFiles: [output]
            )
        ]
    }
}
