/// Whether operations record the graph for `backward()`.
///
/// A task-local rather than a global flag, so a no-grad evaluation on one task does not
/// switch off recording for training running on another.
public enum GradMode {
    @TaskLocal public static var isEnabled = true
    /// How ReLU and ReLU6 pass gradients back; read when `backward()` runs, so guided
    /// backpropagation switches it around the backward call only.
    @TaskLocal public static var rectifierGradient = RectifierGradient.exact
}

/// The backward rule of rectifying activations.
public enum RectifierGradient: Sendable {
    /// The true derivative: the gradient passes where the input was positive.
    case exact
    /// Guided backpropagation (Springenberg et al., arXiv:1412.6806): only positive gradients
    /// pass, and only where the input was positive.
    case guided
}

/// Runs `body` without recording any graph: for evaluation, inference and parameter updates.
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.$isEnabled.withValue(false, operation: body)
}
