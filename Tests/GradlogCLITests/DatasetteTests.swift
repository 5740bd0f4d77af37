import Foundation
import Testing

/// `gradlog datasette-metadata` publishes the named queries as Datasette canned queries: a
/// real Datasette on a loopback port answers them as `gradlog query` does. Skipped without
/// datasette (.ci/run installs it).
@Suite struct DatasetteTests {
    static let available = Python.canImport("datasette")

    /// Starts Datasette on a free loopback port with the metadata, fetches each path's JSON
    /// rows and prints them as one JSON object; stops Datasette whatever happens.
    static let client = """
        import json, socket, subprocess, sys, tempfile, time, urllib.request
        db, metadata, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        log = tempfile.TemporaryFile()
        server = subprocess.Popen([sys.executable, "-m", "datasette", "serve", "-i", db, "-m", metadata,
                                   "-h", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log)
        try:
            base = "http://127.0.0.1:%d" % port
            for _ in range(300):
                try:
                    urllib.request.urlopen(base + "/-/versions.json", timeout=2)
                    break
                except OSError:
                    if server.poll() is not None:
                        log.seek(0)
                        sys.exit("datasette exited: " + log.read().decode())
                    time.sleep(0.1)
            out = {}
            for path in paths:
                with urllib.request.urlopen(base + path + "&_shape=array", timeout=30) as response:
                    out[path] = json.load(response)
            print(json.dumps(out))
        finally:
            # uvicorn's graceful shutdown can take seconds; the file is served immutable (-i).
            server.kill()
            server.wait()
        """

    /// A row's values as text, numbers by their value. Datasette shows a NaN as it is stored
    /// ('-NaN', 'NaN(0x...)'), gradlog query as NaN: both are NaN.
    func normalized(_ rows: Any?) -> [[String: String]] {
        ((rows as? [[String: Any]]) ?? []).map { row in
            row.mapValues { value in
                if let number = value as? NSNumber { return "\(number.doubleValue)" }
                if value is NSNull { return "null" }
                if let text = value as? String, ["NaN", "-NaN"].contains(text) || text.hasPrefix("NaN(0x") { return "NaN" }
                return "\(value)"
            }
        }
    }

    @Test(.enabled(if: available, "python3 with datasette==0.65.5 is not installed (.ci/run installs it)"))
    func cannedQueriesAnswerAsGradlogQueryDoes() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("gradlog.db")
        let seed = RecordedLog.seed
        for args in [["--name", "probe"], ["--set", "x=2"], ["--sweep", "y=-1:1:3"]] {
            #expect(try CLI.run(["record", seed, "--db", db] + args).status == 0)
        }
        let nan = try dir.write("nan.grad", RecordedLog.nanProgram)
        #expect(try CLI.run(["record", nan, "--db", db]).status == 0)
        let metadata = try CLI.run(["datasette-metadata", "--db", db])
        try #require(metadata.status == 0, "\(metadata.stderr)")
        try dir.write("metadata.json", metadata.stdout)

        // (Datasette path, the same question to gradlog query)
        let cases: [(String, [String])] = [
            ("/gradlog/input-grads.json?name=x", ["input-grads", "--param", "name=x"]),
            ("/gradlog/top-grads.json?run=probe&limit=5", ["top-grads", "--param", "run=probe", "--param", "limit=5"]),
            ("/gradlog/top-grads.json?run=latest~1&limit=", ["top-grads", "--param", "run=latest~1"]),
            ("/gradlog/run-health.json?run=", ["run-health"]),
            ("/gradlog/node.json?name=f&run=", ["node", "--param", "name=f"]),
            ("/gradlog/nonfinite.json?run=latest", ["nonfinite", "--param", "run=latest"]),
        ]
        let result = try Python.run(["-c", Self.client, db, dir.path("metadata.json")] + cases.map(\.0))
        try #require(result.status == 0, "\(result.output)")
        let served = try #require(try parseJSON(String(result.output.split(separator: "\n").last ?? "")) as? [String: Any])
        for (path, query) in cases {
            let answer = try CLI.run(["query"] + query + ["--db", db, "--format", "json"])
            #expect(answer.status == 0, "\(answer.stderr)")
            let expected = normalized(try parseJSON(answer.stdout))
            #expect(!expected.isEmpty, "\(query)")
            #expect(normalized(served[path]) == expected, "\(path)")
        }
    }
}
