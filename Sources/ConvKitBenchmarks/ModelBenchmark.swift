import ConvKitNN
import ConvKitOptim

/// Times whole models: inference (evaluation mode, no graph) or a training step
/// (forward, cross-entropy, backward, SGD update), median over repeats after warm-up.
public struct ModelBenchmark {
    public enum Mode: String, Sendable, CaseIterable { case inference, train }

    public let model: Module
    public let batchSize: Int
    public let inputShape: [Int]
    public let mode: Mode

    public init(model: Module, batchSize: Int, inputShape: [Int], mode: Mode) {
        (self.model, self.batchSize, self.inputShape, self.mode) = (model, batchSize, inputShape, mode)
    }

    /// Median seconds of one inference pass or one training step.
    public func measure(repeats: Int, warmup: Int = 2) throws -> Double {
        var generator = RandomGenerator(seed: 3)
        let images = Tensor.uniform([batchSize] + inputShape, using: &generator)
        switch mode {
        case .inference:
            model.eval()
            return try medianSeconds(warmup: warmup, repeats: repeats) { _ = try withNoGrad { try model(images) } }
        case .train:
            model.train()
            let optimizer = try SGD(model.trainableParameters(), learningRate: 0.001, momentum: 0.9)
            return try medianSeconds(warmup: warmup, repeats: repeats) {
                let logits = try model(images)
                let labels = Tensor(integers: (0..<batchSize).map { $0 % logits.shape[1] })
                let loss = try crossEntropy(logits, targets: labels)
                optimizer.zeroGrad()
                try loss.backward()
                try optimizer.step()
            }
        }
    }
}

extension TorchComparison {
    /// Times a torchvision model (or EfficientNet-Lite0 from `efficientnet_lite_pytorch`)
    /// the same way; prints `{"seconds": median}`.
    public static let modelScript = #"""
import json, sys, time
import torch, torchvision
torch.set_num_threads(2)
request = json.loads(sys.argv[1])
name, batch, shape, mode, repeats = request["model"], request["batch_size"], request["input"], request["mode"], request["repeats"]
if name == "efficientnet_lite0":
    from efficientnet_lite_pytorch import EfficientNet
    model = EfficientNet.from_name("efficientnet-lite0")
elif name == "googlenet":
    model = torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=False)
else:
    model = torchvision.models.get_model(name, weights=None)
x = torch.rand(batch, *shape)
labels = torch.arange(batch) % 1000
optimizer = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
def step():
    if mode == "inference":
        with torch.no_grad():
            model(x)
    else:
        loss = torch.nn.functional.cross_entropy(model(x), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
model.eval() if mode == "inference" else model.train()
for _ in range(2):
    step()
samples = []
for _ in range(repeats):
    start = time.perf_counter()
    step()
    samples.append(time.perf_counter() - start)
samples.sort()
n = len(samples)
print(json.dumps({"seconds": samples[n // 2] if n % 2 else (samples[n // 2 - 1] + samples[n // 2]) / 2}))
"""#
}
