import ConvKitVision
import Testing

@Suite struct ClassifierHeadTests {
    /// Every zoo model with the smallest input its layers accept quickly, its head's path and the embedding width.
    static let zoo: [(name: String, channels: Int, size: Int, head: String, width: Int)] = [
        ("lenet5", 1, 28, "classifier.4", 84), ("alexnet", 3, 64, "classifier.6", 4096),
        ("vgg11", 3, 32, "classifier.6", 4096), ("vgg13_bn", 3, 32, "classifier.6", 4096),
        ("vgg16", 3, 32, "classifier.6", 4096), ("vgg19_bn", 3, 32, "classifier.6", 4096),
        ("googlenet", 3, 32, "fc", 1024), ("resnet18", 3, 32, "fc", 512), ("resnet34", 1, 32, "fc", 512),
        ("resnet50", 3, 32, "fc", 2048), ("resnet101", 3, 32, "fc", 2048), ("resnet152", 3, 32, "fc", 2048),
        ("efficientnet_lite0", 3, 32, "_fc", 1280),
    ]

    @Test(arguments: zoo.indices)
    func penultimateEmbeddingAndNewHead(index: Int) throws {
        let entry = Self.zoo[index]
        let model = try Initializer.withoutInitialization {
            try ModelRegistry.make(entry.name, numClasses: 1000, inputChannels: entry.channels, inputSize: entry.size)
        }.asClassifierHeaded()
        model.eval()
        #expect(model.classifierPath == entry.head)
        #expect(model.classifierPath == ModelRegistry.classifierKey(for: entry.name))
        let input = Tensor.uniform([2, entry.channels, entry.size, entry.size])
        let embedding = try model.penultimateEmbedding(input)
        #expect(embedding.shape == [2, entry.width])

        try model.freeze()
        let oldHead = try model.classifierHead
        try model.replaceClassifier(numClasses: 7)
        let newHead = try model.classifierHead
        #expect(newHead !== oldHead && model.module(at: entry.head) === newHead)
        #expect(newHead.inFeatures == entry.width && newHead.outFeatures == 7)
        #expect(newHead.namedParameters().allSatisfy { $0.1.requiresGrad }, "the new head trains even in a frozen model")
        #expect(model.stateDict().first { $0.0 == entry.head + ".weight" }?.1.shape == [7, entry.width])
        #expect(try withNoGrad { try model(input) }.shape == [2, 7])
    }

    @Test func googLeNetsAuxiliaryHeadsGetTheNewClassesToo() throws {
        let model = try Initializer.withoutInitialization { try GoogLeNet(numClasses: 1000, auxLogits: true) }
        try model.replaceClassifier(numClasses: 5)
        #expect(model.aux1?.fc2.outFeatures == 5 && model.aux2?.fc2.outFeatures == 5 && model.fc.outFeatures == 5)
    }
}
