/// Whether operations record the graph for `backward()`.
///
/// A task-local rather than a global flag, so a no-grad evaluation on one task does not
/// switch off recording for training running on another.
public enum GradMode {
    @TaskLocal public static var isEnabled = true
}

/// Runs `body` without recording any graph: for evaluation, inference and parameter updates.
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.$isEnabled.withValue(false, operation: body)
}
