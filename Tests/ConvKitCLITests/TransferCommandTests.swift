import ConvKitInterop
import Foundation
import Testing

/// embed → probe and finetune on a few MNIST images with a LeNet-5 trained for one quick epoch.
@Suite(.serialized) struct TransferCommandTests {
    let run = FileManager.default.temporaryDirectory.appendingPathComponent("convkit-transfer-\(UUID())")

    func pretrained() throws -> String {
        let train = try convkit("train", "--model", "lenet5", "--dataset", "mnist", "--data-dir", mnistDirectory, "--epochs", "1",
                                "--limit-train", "256", "--limit-test", "100", "--batch-size", "32",
                                "--out", run.appendingPathComponent("pretrain").path)
        #expect(train.status == 0, "\(train.output)")
        return run.appendingPathComponent("pretrain/last.safetensors").path
    }

    @Test func embedWritesEmbeddingsAndLabelsThenProbeClassifiesThem() throws {
        defer { try? FileManager.default.removeItem(at: run) }
        let weights = try pretrained()
        let embeddings = run.appendingPathComponent("emb/emb.npy")
        let embed = try convkit("embed", "--model", "lenet5", "--weights", weights, "--dataset", "mnist", "--data-dir",
                                mnistDirectory, "--limit", "40", "--batch-size", "16", "--out", embeddings.path)
        #expect(embed.status == 0, "\(embed.output)")
        #expect(try NumPyFile.read(embeddings).shape == [40, 84], "the classifier's input: LeNet-5's 84 features")
        let labels = try NumPyFile.read(run.appendingPathComponent("emb/labels.npy"))
        #expect(labels.shape == [40] && labels.dtype == .int64)

        let probe = try convkit("probe", "--embeddings", embeddings.path, "--labels", run.appendingPathComponent("emb/labels.npy").path,
                                "--holdout", "0.25", "--json")
        #expect(probe.status == 0, "\(probe.output)")
        let result = try #require(try JSONSerialization.jsonObject(with: Data(probe.output.utf8)) as? [String: Any])
        #expect(result["train"] as? Int == 30 && result["holdout"] as? Int == 10 && result["features"] as? Int == 84)
        #expect((result["holdout_accuracy"] as? Double ?? 0) > 0.3)

        let layer = run.appendingPathComponent("layer/emb.npy")
        let conv = try convkit("embed", "--model", "lenet5", "--weights", weights, "--dataset", "mnist", "--data-dir",
                               mnistDirectory, "--limit", "3", "--layer", "features.0", "--out", layer.path)
        #expect(conv.status == 0, "\(conv.output)")
        #expect(try NumPyFile.read(layer).shape == [3, 6, 28, 28])

        let unknownLayer = try convkit("embed", "--model", "lenet5", "--weights", weights, "--dataset", "mnist", "--data-dir",
                                       mnistDirectory, "--limit", "3", "--layer", "features.99", "--out", layer.path)
        #expect(unknownLayer.status != 0 && unknownLayer.output.contains("no layer 'features.99' in LeNet5; layers: features, features.0"), "\(unknownLayer.output)")
        let mismatched = try convkit("probe", "--embeddings", layer.path, "--labels", run.appendingPathComponent("emb/labels.npy").path)
        #expect(mismatched.status != 0 && mismatched.output.contains("has 3 rows but"), "\(mismatched.output)")
    }

    @Test func finetuneTrainsANewHeadWithGradualUnfreezing() throws {
        defer { try? FileManager.default.removeItem(at: run) }
        let weights = try pretrained()
        let out = run.appendingPathComponent("gradual")
        let finetune = try convkit("finetune", "--model", "lenet5", "--weights", weights, "--dataset", "mnist", "--data-dir",
                                   mnistDirectory, "--strategy", "gradual", "--train-per-class", "5", "--limit-test", "50",
                                   "--epochs", "2", "--batch-size", "10", "--lr", "0.01", "--out", out.path)
        #expect(finetune.status == 0, "\(finetune.output)")
        #expect(finetune.output.contains("epoch 1: training classifier.4\n"), "\(finetune.output)")
        #expect(finetune.output.contains("epoch 2: training classifier.4, classifier.2\n"))
        #expect(finetune.output.contains("50 train / 50 test images") && finetune.output.contains("final test accuracy"))
        let metrics = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("metrics.json")))
        #expect((metrics as? [[String: Any]])?.count == 2)

        let noWeights = try convkit("finetune", "--model", "lenet5", "--strategy", "linear-probe", "--data-dir", mnistDirectory)
        #expect(noWeights.status != 0 && noWeights.output.contains("needs pretrained --weights"), "\(noWeights.output)")
        let unknown = try convkit("finetune", "--model", "lenet5", "--weights", weights, "--strategy", "magic")
        #expect(unknown.status != 0 && unknown.output.contains("linear-probe, finetune or gradual"), "\(unknown.output)")
    }
}
