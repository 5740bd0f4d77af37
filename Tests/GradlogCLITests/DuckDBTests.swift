import Foundation
import Testing

/// DuckDB (with its sqlite extension, from pip) reads gradlog files as they are: many worker
/// files at once through the typed views, every double exact, agreeing with `gradlog query` on
/// the merged file. Skipped without duckdb and duckdb-ext-sqlite (.ci/run installs them).
@Suite struct DuckDBTests {
    static let available = Python.canImport("duckdb, duckdb_ext")

    /// Python that loads the sqlite extension from the pip package, offline.
    static let prelude = """
        import duckdb, glob, importlib.util, json, os, struct, sys
        spec = importlib.util.find_spec("duckdb_ext")
        ext = glob.glob(os.path.join(list(spec.submodule_search_locations)[0], "extensions",
                                     "v" + duckdb.__version__, "*", "sqlite_scanner.duckdb_extension"))[0]
        con = duckdb.connect()
        con.execute("LOAD '" + ext + "'")
        def scan(files, view):
            return " UNION ALL ".join("SELECT * FROM sqlite_scan('%s', '%s')" % (f, view) for f in files)

        """

    func python(_ code: String, _ arguments: [String]) throws -> Any {
        let result = try Python.run(["-c", Self.prelude + code] + arguments)
        try #require(result.status == 0, "\(result.output)")
        return try parseJSON(String(result.output.split(separator: "\n").last ?? ""))
    }

    @Test(.enabled(if: available, "python3 with duckdb==1.4.4 and duckdb-ext-sqlite is not installed (.ci/run installs them)"))
    func aggregatesAcrossWorkerFilesAgreeWithGradlogQueryOnTheMergedFile() throws {
        let dir = try TemporaryDirectory()
        let make = Process()
        make.executableURL = URL(fileURLWithPath: repositoryRoot.appendingPathComponent("scripts/make-workers.sh").path)
        make.arguments = ["4", "25", dir.path("workers"), "seed"]
        make.environment = ProcessInfo.processInfo.environment.merging(["GRADLOG": CLI.executable.path]) { _, new in new }
        make.standardOutput = FileHandle.nullDevice
        try make.run()
        make.waitUntilExit()
        try #require(make.terminationStatus == 0)
        let workers = (1...4).map { dir.path("workers/worker-\($0).db") }
        let all = dir.path("all.db")
        #expect(try CLI.run(["merge", all] + workers).status == 0)

        // The distribution of each input's gradient across every run of every worker.
        let duck = try #require(try python("""
            rows = con.execute("SELECT name, count(*), min(grad), max(grad), sum(grad), "
                               "list(grad ORDER BY grad) FROM (" + scan(sys.argv[1:], "typed_inputs") + ") "
                               "GROUP BY name ORDER BY name").fetchall()
            print(json.dumps([[n, c, struct.pack('<d', lo).hex(), struct.pack('<d', hi).hex(), s,
                               [struct.pack('<d', g).hex() for g in grads]] for n, c, lo, hi, s, grads in rows]))
            """, workers) as? [[Any]])
        let query = try CLI.run(["query", """
            SELECT name, count(*) AS n, float_bits(min(grad)) AS lo, float_bits(max(grad)) AS hi, total(grad) AS sum,
                   (SELECT group_concat(float_bits(g), ' ') FROM (SELECT grad AS g FROM inputs j WHERE j.name = i.name ORDER BY grad)) AS grads
            FROM inputs i GROUP BY name ORDER BY name
            """, "--db", all, "--format", "json"])
        let gradlog = try #require(try parseJSON(query.stdout) as? [[String: Any]], "\(query.stderr)")
        #expect(duck.count == 2 && gradlog.count == 2)
        // DuckDB gives little-endian bytes; gradlog the bits as 0x + 16 hex digits.
        func bits(_ littleEndian: String) -> String {
            var bytes: [String] = []
            var rest = Substring(littleEndian)
            while !rest.isEmpty { bytes.append(String(rest.prefix(2))); rest = rest.dropFirst(2) }
            return "0x" + bytes.reversed().joined()
        }
        for (d, g) in zip(duck, gradlog) {
            #expect(d[0] as? String == g["name"] as? String)
            #expect(d[1] as? Int == 100 && g["n"] as? Int == 100)
            #expect(bits(d[2] as! String) == g["lo"] as? String && bits(d[3] as! String) == g["hi"] as? String)
            // Every one of the 100 gradients, bit for bit.
            #expect((d[5] as! [String]).map(bits).joined(separator: " ") == g["grads"] as? String)
            // The sums are taken in different orders.
            let (a, b) = (d[4] as! Double, g["sum"] as! Double)
            #expect(abs(a - b) <= 1e-12 * abs(b), "\(a) vs \(b)")
        }
    }

    @Test(.enabled(if: available, "python3 with duckdb==1.4.4 and duckdb-ext-sqlite is not installed (.ci/run installs them)"))
    func everyDoubleComesThroughBitForBit() throws {
        let dir = try TemporaryDirectory()
        let db = dir.path("special.db")
        // A trace with every kind of double, as scalars and as one tensor, imported as a run.
        let file = dir.path("special.safetensors")
        let values: [UInt64] = [
            0x8000_0000_0000_0000, 0x0000_0000_0000_0000, 0x7FF8_0000_0000_0000, 0xFFF8_0000_0000_0000,
            0x7FF0_0000_0000_0001, 0xFFF4_0000_DEAD_BEEF, 0x7FF0_0000_0000_0000, 0xFFF0_0000_0000_0000,
            0x0000_0000_0000_0001, 0x8010_0000_0000_0000, 0x4000_7A9E_BAFF_79AE, 0x3FB9_9999_9999_999A,
        ]
        var header = "{"
        var data: [UInt8] = []
        for (k, v) in values.enumerated() {
            header += "\"s\(k)\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[\(data.count),\(data.count + 8)]},"
            data += withUnsafeBytes(of: v.littleEndian, Array.init)
        }
        header += "\"t\":{\"dtype\":\"F64\",\"shape\":[\(values.count)],\"data_offsets\":[\(data.count),\(data.count + 8 * values.count)]}}"
        for v in values { data += withUnsafeBytes(of: v.littleEndian, Array.init) }
        while header.utf8.count % 8 != 0 { header += " " }
        let bytes = withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian, Array.init) + Array(header.utf8) + data
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        let imported = try CLI.run(["import", file, "--db", db])
        try #require(imported.status == 0, "\(imported.stderr)")

        let duck = try #require(try python("""
            out = {}
            for name, value, nan, tensor in con.execute(
                    "SELECT name, value, value_nan, value_tensor FROM sqlite_scan(?, 'typed_nodes')", [sys.argv[1]]).fetchall():
                if value is not None:
                    out[name] = [struct.pack('>d', value).hex()]
                elif nan is not None:
                    out[name] = ["nan:" + nan]
                else:
                    out[name] = [bytes(tensor[i:i + 8])[::-1].hex() for i in range(0, len(tensor), 8)]
            # Through ATTACH, DuckDB would run the view itself over 15-digit text: it refuses it.
            con.execute("ATTACH '" + sys.argv[1] + "' AS w (TYPE sqlite, READ_ONLY)")
            try:
                con.execute("SELECT * FROM w.typed_nodes").fetchall()
                out["attach"] = "read"
            except duckdb.Error as e:
                out["attach"] = "refused" if "likely" in str(e) else str(e)
            print(json.dumps(out))
            """, [db]) as? [String: Any])
        #expect(duck["attach"] as? String == "refused")
        func hex(_ v: UInt64) -> String { let s = String(v, radix: 16); return String(repeating: "0", count: 16 - s.count) + s }
        for (k, v) in values.enumerated() {
            let got = try #require(duck["s\(k)"] as? [String])
            let double = Double(bitPattern: v)
            // A NaN comes as its spelling, which holds its bits.
            let expected = !double.isNaN ? hex(v)
                : v == 0x7FF8_0000_0000_0000 ? "nan:NaN" : v == 0xFFF8_0000_0000_0000 ? "nan:-NaN" : "nan:NaN(0x\(hex(v)))"
            #expect(got == [expected], "s\(k)")
        }
        #expect(duck["t"] as? [String] == values.map(hex))
    }
}
