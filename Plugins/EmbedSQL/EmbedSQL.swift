import Foundation
import PackagePlugin

/// Compiles the top-level `migrations/*.sql` and `queries/*.sql` into the target as Swift string
/// literals, so the `gradlog` binary works when copied alone.
///
/// SwiftPM runs this plugin only when it re-plans the build (a target's folder or Package.swift
/// changes), not when a file in migrations/ or queries/ is added, edited or removed, so a file
/// list computed here goes stale: an edit to a newly added file is missed, and removing a listed
/// file fails the build with "missing inputs". Instead the command's only input is a stamp file
/// that the tool touches after each run, so the tool runs on every build; it rewrites the
/// generated file only when the SQL changed, so an unchanged build recompiles nothing.
/// `EmbeddedSQLTests` holds the embedded copies against the files as a backstop.
@main
struct EmbedSQL: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let root = context.package.directoryURL
        let folders = ["migrations", "queries"].map { root.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedSQL.swift")
        let stamp = context.pluginWorkDirectoryURL.appending(path: "EmbedSQL.stamp")
        if !FileManager.default.fileExists(atPath: stamp.path) {
            try Data().write(to: stamp)
        }
        return [
            .buildCommand(
                displayName: "Embedding the SQL of migrations and queries into \(target.name)",
                executable: try context.tool(named: "EmbedSQLTool").url,
                arguments: ["--stamp", stamp.path, output.path] + folders.map(\.path),
                inputFiles: [stamp],
                outputFiles: [output]
            )
        ]
    }
}
