import ConvKitTraining
import ConvKitVision
import Foundation
import Testing

@Suite struct FineTuningTests {
    @Test func resnetStagesAndLayerwiseLearningRates() throws {
        let model = try Initializer.withoutInitialization { try ResNet(.resnet18, numClasses: 10) }
        let stages = try BackboneStages(model, headPath: "fc")
        #expect(stages.paths == ["conv1", "bn1", "layer1", "layer2", "layer3", "layer4"])
        let plan = try FineTuningPlan(stages: stages, headLearningRate: 1e-2, backboneLearningRate: 1e-3, layerDecay: 0.5)
        let groups = try plan.parameterGroups(of: model)
        #expect(groups.map(\.name) == ["fc", "layer4", "layer3", "layer2", "layer1", "bn1", "conv1"])
        #expect(groups.map(\.learningRate) == [1e-2, 1e-3, 5e-4, 2.5e-4, 1.25e-4, 6.25e-5, 3.125e-5])
        #expect(groups.reduce(0) { $0 + $1.parameters.count } == model.namedParameters().count)
    }

    @Test func gradualUnfreezingThawsTheHeadFirstThenLaterStages() throws {
        let model = try Initializer.withoutInitialization { try ResNet(.resnet18, numClasses: 10) }
        let plan = try FineTuningPlan(stages: BackboneStages(model, headPath: "fc"), headLearningRate: 1e-2,
                                      backboneLearningRate: 1e-3, unfreezeEvery: 2)
        func trainable() -> Set<String> {
            Set(model.namedParameters().filter(\.1.requiresGrad).map { String($0.0.split(separator: ".")[0]) })
        }
        #expect(try plan.apply(to: model, epoch: 1) == ["fc"])
        #expect(trainable() == ["fc"])
        try plan.apply(to: model, epoch: 2)
        #expect(trainable() == ["fc"])
        #expect(try plan.apply(to: model, epoch: 3) == ["fc", "layer4"])
        #expect(trainable() == ["fc", "layer4"])
        try plan.apply(to: model, epoch: 5)
        #expect(trainable() == ["fc", "layer4", "layer3"])
        try plan.apply(to: model, epoch: 99)
        #expect(trainable().count == 7, "in the end every stage trains")
        #expect(throws: TensorError.self) { try FineTuningPlan(stages: plan.stages, headLearningRate: 1, backboneLearningRate: 1, unfreezeEvery: 0) }
    }

    @Test func softmaxProbeSeparatesSeparableClasses() throws {
        var generator = RandomGenerator(seed: 1)
        let labels = (0..<90).map { $0 % 3 }
        let noise = Tensor.normal([90, 4], std: 0.3, using: &generator).scalars
        var values: [Float] = []
        for (row, label) in labels.enumerated() {
            for column in 0..<4 {
                let signal: Float = column == label ? 2 : 0
                values.append(signal + noise[row * 4 + column] + 100)
            }
        }
        let probe = try SoftmaxProbe(features: Tensor(values, shape: [90, 4]), labels: labels, classCount: 3, steps: 100)
        #expect(try probe.accuracy(Tensor(values, shape: [90, 4]), labels: labels) > 0.95)
        #expect(throws: TensorError.self) { try SoftmaxProbe(features: Tensor.zeros([5, 2]), labels: [0, 1], classCount: 2) }
    }
}

@Suite struct BackboneStageTests {
    @Test func sequentialHeadsContributeTheirHiddenLayers() throws {
        let vgg = try Initializer.withoutInitialization { try VGG(.vgg11, numClasses: 10) }
        let stages = try BackboneStages(vgg, headPath: "classifier.6").paths
        #expect(stages.first == "features.0" && stages.suffix(2) == ["classifier.0", "classifier.3"] && stages.count == 10)
        let efficientNet = try Initializer.withoutInitialization { try EfficientNetLite0(numClasses: 10) }
        let effStages = try BackboneStages(efficientNet, headPath: "_fc").paths
        #expect(effStages.prefix(3) == ["_conv_stem", "_bn0", "_blocks.0"] && effStages.suffix(2) == ["_conv_head", "_bn1"])
    }
}
