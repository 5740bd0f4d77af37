import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `gradlog train` through the real CLI: micrograd's demo reproduced, a divergence stopped and
/// explained, the log's relations.
@Suite struct TrainTests {
    static let moons = repositoryRoot.appendingPathComponent("examples/moons.grad").path

    /// micrograd's demo.ipynb prints step 0 loss 0.8958441028683222 at 50% accuracy and step 99
    /// loss 0.010978370135492717 at 100% for 100 steps of SGD with lr 1.0 - 0.9 k / 100 from
    /// the data and weights examples/moons.grad loads.
    @Test func moonsReproducesMicrogradsPublishedTraining() throws {
        let log = try RecordedLog()
        let result = try log.run("train", [Self.moons, "--steps", "100", "--lr", "1.0", "--lr-end", "0.1", "--format", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try parseJSON(result.stdout) as? [String: Any])
        let losses = try #require(json["loss"] as? [Double])
        let accuracy = try #require((json["metrics"] as? [String: Any])?["accuracy"] as? [Double])
        #expect(losses.count == 100 && accuracy.count == 100)
        #expect(abs(losses[0] - 0.8958441028683222) <= 1e-9 * 0.8958441028683222)
        #expect(abs(losses[99] - 0.010978370135492717) <= 1e-9 * 0.010978370135492717)
        #expect(accuracy[0] == 0.5 && accuracy[99] == 1.0)
        // The log: the training, its metrics (the same numbers), and the first and last steps whole.
        let training = try log.rows(["SELECT status, steps_done, final_loss FROM trainings WHERE id = 1"])
        #expect(training.first?["status"] as? String == "complete" && training.first?["steps_done"] as? Int == 100)
        #expect(training.first?["final_loss"] as? Double == losses[99])
        let lr = try log.rows(["SELECT value FROM metrics WHERE training_id = 1 AND name = 'lr' AND step = 50"])
        #expect(lr.first?["value"] as? Double == 1.0 + (0.1 - 1.0) * 50 / 100)
        let runs = try log.rows(["SELECT t2.value AS step, r.output_value FROM runs r JOIN tags t1 ON t1.run_id = r.id AND t1.key = 'training' AND t1.value = '1' JOIN tags t2 ON t2.run_id = r.id AND t2.key = 'step' ORDER BY r.id"])
        #expect(runs.map { $0["step"] as? String } == ["0", "99"])
        #expect(runs.last?["output_value"] as? Double == losses[99])
        // The picture: well-formed SVG, a panel per metric, every step a point with its exact value.
        let svg = try log.run("plot", ["1", "--metric", "loss", "--metric", "accuracy", "-o", "-"])
        #expect(svg.status == 0, "\(svg.stderr)")
        let document = try XMLDocument(data: Data(svg.stdout.utf8))
        let panels = try document.nodes(forXPath: "//*[local-name()='g'][@class='panel']")
        #expect(panels.count == 2)
        let points = try document.nodes(forXPath: "//*[local-name()='g'][@data-metric='loss']/*[local-name()='circle']")
        #expect(points.count == 100)
        let last = try document.nodes(forXPath: "//*[local-name()='g'][@data-metric='loss']/*[local-name()='circle'][@data-step='99']/@data-y")
        // (Exact here: Foundation's JSON reader, used above, may round the last digit.)
        #expect(last.first?.stringValue.flatMap(Double.init) == 0.010978370135492717)
        // Every node's health at every step; at step 99 it agrees with the recorded run's.
        let health = try log.rows(["SELECT count(*) AS n, count(DISTINCT step) AS steps FROM training_stats WHERE training_id = 1"])
        #expect(health.first?["steps"] as? Int == 100)
        #expect(health.first?["n"] as? Int == 100 * 46)
        // (Steps after the first take their statistics inside forward and backward, as each node
        // is computed; the recorded run's come from its arenas afterwards: every column agrees.)
        let columns = ["value_nan", "value_pinf", "value_ninf", "value_zero", "value_min", "value_max", "value_mean", "value_norm",
                       "grad_nan", "grad_pinf", "grad_ninf", "grad_zero", "grad_min", "grad_max", "grad_mean", "grad_norm"]
        let agree = columns.map { "s.\($0) IS t.\($0)" }.joined(separator: " AND ")
        let same = try log.rows(["SELECT count(*) AS n, (SELECT count(*) FROM tensor_stats WHERE run_id = 2) AS tensors FROM training_stats s JOIN tensor_stats t ON t.id = s.node_id AND t.run_id = 2 WHERE s.training_id = 1 AND s.step = 99 AND \(agree)"])
        #expect(same.first?["n"] as? Int == same.first?["tensors"] as? Int, "every tensor node of the last step")
        #expect((same.first?["tensors"] as? Int ?? 0) > 10)
        let metrics = try log.run("metrics", ["1", "--name", "accuracy", "--format", "csv"])
        #expect(metrics.stdout.hasPrefix("step,name,value\n0,accuracy,0.5\n"), "\(metrics.stdout)")
        #expect(metrics.stdout.split(separator: "\n").count == 101)
    }

    /// A log of a value that reaches zero, then below: the step goes NaN, is recorded whole,
    /// training stops with exit 1 and names where the NaN was born.
    @Test func aDivergingTrainingStopsAtTheStepAndNamesTheNode() throws {
        let log = try RecordedLog()
        let program = try log.dir.write("div.grad", "input w = [1, 2]\nl = log(w)\nloss = sum(l)\n")
        // w -= 0.5 / w: [1, 2] -> [0.5, 1.75] -> [-0.5, 1.46]: log is NaN at step 2.
        let result = try log.run("train", [program, "--steps", "10", "--lr", "0.5"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("went non-finite at step 2"), "\(result.stdout)")
        #expect(result.stdout.contains("first non-finite value: l;"), "\(result.stdout)")
        let training = try log.rows(["SELECT status, steps_done FROM trainings"])
        #expect(training.first?["status"] as? String == "diverged" && training.first?["steps_done"] as? Int == 3)
        let stats = try log.rows(["SELECT t.value_nan FROM tensor_stats t JOIN tags g ON g.run_id = t.run_id AND g.key = 'step' AND g.value = '2' WHERE t.name = 'l'"])
        #expect(stats.first?["value_nan"] as? Int == 1)
        // Explained without a re-run: where the NaN was born, and how the step differs from the
        // step recorded before it (run 1, step 0).
        let nonfinite = try log.run("query", ["nonfinite", "--param", "run=2", "--format", "csv"])
        #expect(nonfinite.stdout.split(separator: "\n").dropFirst().map { $0.split(separator: ",").prefix(4).joined(separator: ",") } == ["forward,1,l,log"], "\(nonfinite.stdout)")
        let diff = try log.run("diff", ["1", "2"])
        #expect(diff.status == 1 && diff.stdout.contains("first value divergence: w (input, line 1)"), "\(diff.stdout)")
    }

    /// SGD, momentum and Adam against torch.optim's, step by step, on a small tensor program.
    @Test(.enabled(if: TensorRunTests.torchAvailable, "needs python3 with torch"), arguments: [
        (["--optimizer", "sgd"], "torch.optim.SGD(params, lr=0.3)"),
        (["--optimizer", "momentum", "--momentum", "0.8"], "torch.optim.SGD(params, lr=0.3, momentum=0.8)"),
        (["--optimizer", "adam"], "torch.optim.Adam(params, lr=0.3)"),
    ])
    func optimizersMatchTorchOptim(_ options: [String], _ torchOptimizer: String) throws {
        let log = try RecordedLog()
        let program = try log.dir.write("p.grad", "input w = [[0.5, -1], [2, 0.25]]\ndata x = [[1, 3], [-2, 0.5]]\nloss = sum(tanh(x @ w) ^ 2)\n")
        let result = try log.run("train", [program, "--steps", "6", "--lr", "0.3", "--format", "json"] + options)
        #expect(result.status == 0, "\(result.stderr)")
        let losses = try #require((try parseJSON(result.stdout) as? [String: Any])?["loss"] as? [Double])
        let script = """
            import torch
            w = torch.tensor([[0.5, -1], [2, 0.25]], dtype=torch.float64, requires_grad=True)
            x = torch.tensor([[1, 3], [-2, 0.5]], dtype=torch.float64)
            params = [w]
            opt = \(torchOptimizer)
            for _ in range(6):
                opt.zero_grad()
                loss = (torch.tanh(x @ w) ** 2).sum()
                print(repr(loss.item()))
                loss.backward()
                opt.step()
            """
        let (status, text) = try Python.run(["-c", script])
        #expect(status == 0, "\(text)")
        let reference = text.split(separator: "\n").compactMap { Double($0) }
        #expect(reference.count == 6)
        for (ours, theirs) in zip(losses, reference) {
            #expect(abs(ours - theirs) <= 1e-12 * max(1, abs(theirs)), "gradlog \(ours), torch \(theirs)")
        }
    }

    /// SIGKILL at random moments of a training: the file passes integrity_check, every
    /// committed step has all its metrics (whole steps only), and `trainings` says how far it got.
    @Test func aKilledTrainingLeavesWholeSteps() throws {
        let log = try RecordedLog()
        let program = try log.dir.write("p.grad", "input w = [[0.5, -1], [2, 0.25]]\ndata x = [[1, 3], [-2, 0.5]]\nloss = sum(tanh(x @ w) ^ 2)\n")
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<4 {
            let process = Process()
            process.executableURL = CLI.executable
            process.arguments = ["train", program, "--steps", "1000000", "--lr", "0.01", "--capture-every", "500", "--db", log.db]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32(Double.random(in: 0.2...1.2, using: &generator) * 1_000_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(try SQLiteShell.run(log.db, "PRAGMA integrity_check") == "ok")
        }
        // Per training: the steps with metrics are exactly 0 ..< steps_done, each with all 5 names
        // (loss, lr, grad_norm, grad_norm.w, update_ratio.w), and the status says it was cut short.
        let check = try SQLiteShell.run(log.db, """
            SELECT t.id, t.status, t.steps_done,
                   (SELECT count(DISTINCT step) FROM metrics m WHERE m.training_id = t.id),
                   (SELECT count(*) FROM metrics m WHERE m.training_id = t.id),
                   (SELECT coalesce(max(step), -1) FROM metrics m WHERE m.training_id = t.id)
            FROM trainings t ORDER BY t.id
            """)
        for line in check.split(separator: "\n") {
            let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            let done = Int(f[2])!
            #expect(f[1] == "running", "\(line)")
            #expect(Int(f[3]) == done && Int(f[4]) == 5 * done && Int(f[5]) == done - 1, "\(line)")
        }
        // A kill that lands before the training's row is committed leaves no training at all.
        #expect((1...4).contains(check.split(separator: "\n").count), "\(check)")
    }

    /// On a terminal (script(1) gives the command one), a long training shows its step, loss,
    /// rate and speed on one line that it rewrites; into a pipe it shows nothing.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs script(1)"))
    func aProgressLineOnATerminalOnly() throws {
        let log = try RecordedLog()
        let program = try log.dir.write("p.grad", "input w = [[0.5, -1], [2, 0.25]]\ndata x = [[1, 3], [-2, 0.5]]\nloss = sum(tanh(x @ w) ^ 2)\n")
        let command = [CLI.executable.path, "train", program, "--steps", "40000", "--lr", "0.001", "--capture", "none", "--db", log.db]
        let onTerminal = try CLI.run(["-qec", command.joined(separator: " "), "/dev/null"], program: URL(fileURLWithPath: "/usr/bin/script"))
        #expect(onTerminal.status == 0, "\(onTerminal.stdout)")
        let lines = onTerminal.stdout.split(separator: "\r").filter { $0.contains("training: ") }
        #expect(!lines.isEmpty, "\(onTerminal.stdout)")
        #expect(lines.allSatisfy { $0.contains("/40000, step ") && $0.contains(", loss ") && $0.contains(", lr 0.001, ") && $0.hasSuffix("/s") })
        let piped = try log.run("train", [program, "--steps", "40000", "--lr", "0.001", "--capture", "none"])
        #expect(piped.status == 0 && piped.stderr.isEmpty)
    }

    @Test(arguments: [
        (["--steps", "0", "--lr", "1"], "--steps must be at least 1"),
        (["--steps", "3", "--lr", "nan"], "--lr and --lr-end must be finite numbers"),
        (["--steps", "3", "--lr", "1", "--capture-every", "0"], "--capture-every must be at least 1"),
    ])
    func badOptionsAreRefused(_ arguments: [String], _ message: String) throws {
        let log = try RecordedLog()
        let result = try log.run("train", [Self.moons] + arguments)
        #expect(result.status == 2 && result.stderr.contains(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: log.db))
    }

    @Test func aProgramWithoutInputsHasNothingToTrain() throws {
        let log = try RecordedLog()
        let program = try log.dir.write("p.grad", "data x = [1, 2]\nf = sum(x)\n")
        let result = try log.run("train", [program, "--steps", "3", "--lr", "1"])
        #expect(result.status == 2 && result.stderr.contains("no inputs to train"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: log.db))
    }
}
