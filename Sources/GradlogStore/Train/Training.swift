/// How `GradLog.train` runs gradient descent.
public struct TrainingOptions: Sendable {
    public var steps: Int
    /// The learning rate at step 0.
    public var learningRate: Double
    /// The rate at step N; the rate decays linearly, lr_k = lr + (lrEnd - lr) * k / N
    /// (`--lr 1.0 --lr-end 0.1 --steps 100` is micrograd's 1.0 - 0.9 k / 100).
    public var learningRateEnd: Double?
    /// Record every K-th step whole (besides the first and the last); nil for just those two.
    public var captureEvery: Int?
    public var name: String?
    public var optimizer: Optimizer
    /// SGD's momentum (with `.momentum`).
    public var momentum: Double
    /// What every step keeps besides its metrics.
    public var capture: Capture

    /// `stats`: every node's statistics at every step (`training_stats`); `none`: the metrics
    /// only (the runs recorded whole are recorded either way).
    public enum Capture: String, CaseIterable, Sendable {
        case stats, none
    }

    /// The update rules, as PyTorch's torch.optim defines them (dampening 0, no Nesterov, no
    /// weight decay; Adam with betas (0.9, 0.999) and eps 1e-8), g the gradient, t = k + 1:
    /// - sgd:      w -= lr * g
    /// - momentum: v = m * v + g (v = g at the first step); w -= lr * v
    /// - adam:     m = 0.9 m + 0.1 g; v = 0.999 v + 0.001 g^2;
    ///             w -= lr * (m / (1 - 0.9^t)) / (sqrt(v / (1 - 0.999^t)) + 1e-8)
    public enum Optimizer: String, CaseIterable, Sendable {
        case sgd, momentum, adam
    }

    public init(
        steps: Int, learningRate: Double, learningRateEnd: Double? = nil, captureEvery: Int? = nil, name: String? = nil,
        optimizer: Optimizer = .sgd, momentum: Double = 0.9, capture: Capture = .stats
    ) {
        self.steps = steps
        self.learningRate = learningRate
        self.learningRateEnd = learningRateEnd
        self.captureEvery = captureEvery
        self.name = name
        self.optimizer = optimizer
        self.momentum = momentum
        self.capture = capture
    }

    /// The rate of step k; past step N (a resumed training going on) it stays at the end rate.
    public func learningRate(at step: Int) -> Double {
        guard let end = learningRateEnd else { return learningRate }
        return learningRate + (end - learningRate) * Double(min(step, steps)) / Double(steps)
    }
}

/// A training as the log keeps it: what `train --resume` continues.
public struct StoredTraining: Sendable {
    public var id: Int64
    /// The options it was started with; `steps` is the number planned then.
    public var options: TrainingOptions
    public var seed: UInt64
    public var status: String
    public var stepsDone: Int
    public var programPath: String?
    public var programSHA256: String
}

/// What a training did.
public struct TrainingResult: Sendable {
    public var id: Int64
    /// The step this invocation started at: 0, or where a resumed training went on.
    public var firstStep: Int
    public var stepsDone: Int
    /// Per step of this invocation: the loss and the metrics (`metric NAME = EXPR`), in step order.
    public var losses: [Double]
    public var metrics: [String: [Double]]
    /// Runs recorded whole, by step.
    public var runs: [(step: Int, run: Int64)]
    /// Set when a step's loss or an adjoint went NaN or infinite; training stopped there.
    public var divergence: Divergence?
    /// Where this invocation's steps spent their time, all steps together.
    public var timings = TrainingTimings()

    public struct Divergence: Sendable {
        public var step: Int
        public var run: Int64
        /// The first node (forward order) whose value holds a NaN or inf, and the first in
        /// backward order whose adjoint does.
        public var firstValue: String?
        public var firstAdjoint: String?
    }
}

/// Where `train` spent its time (`train --timings`), phase by phase over every step.
public struct TrainingTimings: Sendable {
    /// The forward passes after each update (the first is the program's own, as it is parsed);
    /// measured when the program was loaded with `Initializers.timesForward`.
    public var forward = Duration.zero
    /// Forming every adjoint.
    public var backward = Duration.zero
    /// The metrics and the optimizer's updates (gradient norms, update ratios).
    public var metrics = Duration.zero
    /// Every node's statistics (`--capture stats`), or the check that every adjoint is finite.
    public var statistics = Duration.zero
    /// Subtracting the updates from the inputs.
    public var update = Duration.zero
    /// The commits: metrics, statistics, checkpoints and the runs recorded whole.
    public var write = Duration.zero
}
