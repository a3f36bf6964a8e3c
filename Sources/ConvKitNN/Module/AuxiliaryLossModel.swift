/// A model whose training loss is more than cross-entropy of its output (GoogLeNet's
/// auxiliary classifiers); the training loop asks it for the loss.
public protocol AuxiliaryLossModel: Module {
    func trainingLoss(_ images: Tensor, labels: Tensor) throws -> (loss: Tensor, logits: Tensor)
}
