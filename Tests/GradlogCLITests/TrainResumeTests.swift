import Foundation
import Testing

/// `gradlog train --resume`: a training cut short and resumed logs, bit for bit, what the
/// training run in one go logs.
@Suite struct TrainResumeTests {
    static let program = "input w = [[0.5, -1], [2, 0.25]]\ninput b = [0.1, -0.2]\ndata x = [[1, 3], [-2, 0.5]]\ndata y = [[0.3, -0.2], [0.5, 0.1]]\nloss = sum((tanh(x @ w + b) - y) ^ 2)\n"

    /// Every metric and node statistic of a training, floats by their bits, in step order.
    static func fingerprint(_ db: String, training: Int = 1) throws -> [String] {
        try SQLiteShell.run(db, """
            SELECT step || '|' || name || '|' || hex(value) FROM metric WHERE training_id = \(training);
            SELECT step || '|' || node_id || '|' || hex(value_norm) || hex(grad_norm) || value_nan || grad_nan
            FROM training_node WHERE training_id = \(training) ORDER BY 1
            """).split(separator: "\n").map(String.init).sorted()
    }

    /// 30 steps and then 20 more are the 50 steps of one training, for each optimizer (whose
    /// buffers the checkpoint keeps).
    @Test(arguments: [["--optimizer", "sgd"], ["--optimizer", "momentum", "--momentum", "0.8"], ["--optimizer", "adam"]])
    func aResumedTrainingContinuesBitForBit(_ options: [String]) throws {
        let log = try RecordedLog()
        let program = try log.dir.write("p.grad", Self.program)
        let whole = try log.run("train", [program, "--steps", "50", "--lr", "0.05"] + options)
        #expect(whole.status == 0, "\(whole.stderr)")
        let parted = log.dir.path("parted.db")
        let first = try CLI.run(["train", program, "--steps", "30", "--lr", "0.05", "--db", parted] + options)
        #expect(first.status == 0, "\(first.stderr)")
        let rest = try CLI.run(["train", "--resume", "1", "--steps", "20", "--db", parted])
        #expect(rest.status == 0 && rest.stdout.contains("training 1: steps 30 to 49 (50 done)"), "\(rest.stdout)\(rest.stderr)")
        let expected = try Self.fingerprint(log.db)
        #expect(expected.count == 50 * 6 + 50 * 10)  // 6 metrics (loss, lr, grad_norm, 2 per input) and 10 nodes a step
        #expect(try Self.fingerprint(parted) == expected)
        let training = try SQLiteShell.run(parted, "SELECT status, steps_done FROM trainings")
        #expect(training == "complete|50")
    }

    /// SIGKILL at a random moment of a training with a decaying rate and Adam, then `--resume`
    /// with no --steps: the rest of its planned steps, logged as the uninterrupted training logs
    /// them. Several kills and resumes in a row, on one file.
    @Test func aKilledTrainingResumesWhereItsLastCommitEnded() throws {
        let log = try RecordedLog()
        let program = try log.dir.write("p.grad", Self.program)
        let options = ["--steps", "3000", "--lr", "0.05", "--lr-end", "0.001", "--optimizer", "adam", "--capture-every", "700"]
        let whole = try log.run("train", [program] + options)
        #expect(whole.status == 0, "\(whole.stderr)")
        let killed = log.dir.path("killed.db")
        var generator = SystemRandomNumberGenerator()
        var arguments = ["train", program] + options
        var cuts: [String] = []
        for _ in 0..<3 {
            let process = Process()
            process.executableURL = CLI.executable
            process.arguments = arguments + ["--db", killed]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32(Double.random(in: 0.05...0.4, using: &generator) * 1_000_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            guard FileManager.default.fileExists(atPath: killed) else { continue }  // killed before the log existed
            #expect(try SQLiteShell.run(killed, "PRAGMA integrity_check") == "ok")
            cuts.append(try SQLiteShell.run(killed, "SELECT status || ' ' || steps_done FROM trainings"))
            if cuts.last == "complete 3000" { break }  // it finished before the kill
            arguments = ["train", "--resume", "1"]
        }
        if cuts.last != "complete 3000" {
            let rest = try CLI.run(arguments + ["--db", killed])
            #expect(rest.status == 0, "after \(cuts): \(rest.stderr)")
        }
        #expect(cuts.contains { $0.hasPrefix("running") }, "no kill landed mid-training: \(cuts)")
        #expect(try SQLiteShell.run(killed, "SELECT status || ' ' || steps_done FROM trainings") == "complete 3000")
        #expect(try Self.fingerprint(killed) == (try Self.fingerprint(log.db)), "after cuts at \(cuts)")
    }

    @Test(arguments: [
        (["--resume", "1", "--lr", "0.1"], 2 as Int32, "--lr: a resumed training keeps the options training 1 started with"),
        (["--resume", "7"], 2, "no training 7 (gradlog trainings lists them)"),
        (["--resume", "1"], 2, "training 1 has done all 5 steps it planned; give --steps M to go on for M more"),
    ])
    func badResumesAreRefused(_ arguments: [String], _ status: Int32, _ message: String) throws {
        let log = try RecordedLog()
        let program = try log.dir.write("p.grad", Self.program)
        #expect(try log.run("train", [program, "--steps", "5", "--lr", "0.1"]).status == 0)
        let before = try Self.fingerprint(log.db)
        let result = try log.run("train", arguments)
        #expect(result.status == status && result.stderr.contains(message), "\(result.stderr)")
        #expect(try Self.fingerprint(log.db) == before)
    }

    /// A program edited since the training ran is not the training's program; a training that
    /// diverged has nothing sound to go on from.
    @Test func resumeRefusesAnotherProgramAndADivergedTraining() throws {
        let log = try RecordedLog()
        let program = try log.dir.write("p.grad", Self.program)
        #expect(try log.run("train", [program, "--steps", "5", "--lr", "0.1"]).status == 0)
        _ = try log.dir.write("p.grad", Self.program + "# edited\n")
        let edited = try log.run("train", ["--resume", "1", "--steps", "5"])
        #expect(edited.status == 2 && edited.stderr.contains("is not the program training 1 ran"), "\(edited.stderr)")

        let diverging = try log.dir.write("div.grad", "input w = [1, 2]\nl = log(w)\nloss = sum(l)\n")
        #expect(try log.run("train", [diverging, "--steps", "10", "--lr", "0.5"]).status == 1)
        let diverged = try log.run("train", ["--resume", "2", "--steps", "5"])
        #expect(diverged.status == 2 && diverged.stderr.contains("training 2 diverged at step 2"), "\(diverged.stderr)")
    }
}
