import Foundation
import PackagePlugin

/// Compiles the top-level `migrations/*.sql` and `queries/*.sql` into the target as Swift string
/// literals, so the `gradlog` binary works when copied alone.
///
/// The target reaches the two folders through symlinks (Sources/GradlogStore/SQL/), which makes
/// the .sql files the target's own files: SwiftPM re-plans the plugin when one is added, removed
/// or edited. (Listing a folder outside the target instead leaves a stale input list behind.)
/// `SchemaTests.embeddedSQLMatchesTheFiles` holds the embedded copies against the files.
@main
struct EmbedSQL: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let files = target.sourceFiles(withSuffix: "sql").map(\.url).sorted { $0.path < $1.path }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedSQL.swift")
        return [
            .buildCommand(
                displayName: "Embedding migrations/ and queries/ into \(target.name)",
                executable: try context.tool(named: "EmbedSQLTool").url,
                arguments: [output.path] + files.map(\.path),
                inputFiles: files,
                outputFiles: [output]
            )
        ]
    }
}
