import CDNNL
import Foundation

/// The OpenMP settings `convkit` runs under unless the user chose their own.
///
/// libgomp, the thread pool oneDNN and ConvKit's own kernels share, spins for a while
/// before sleeping at every barrier. On a machine whose cores are busy with other work
/// the spinning threads steal the time the working ones need, and a LeNet-5 epoch that
/// takes seconds can take minutes; the passive policy makes idle threads sleep at once.
/// The thread count stays libgomp's, one per core: with the passive policy two threads
/// held up under load as well as one (the README has the figures).
public enum OpenMPDefaults {
    /// Each default, and the variables any one of which, when set, means the user chose.
    public static let settings: [(name: String, value: String, overriddenBy: [String])] = [
        ("OMP_WAIT_POLICY", "PASSIVE", ["OMP_WAIT_POLICY", "GOMP_SPINCOUNT"]),
    ]

    /// The thread count and the wait variables in force, for benchmark output:
    /// `2 threads, OMP_WAIT_POLICY=PASSIVE`.
    public static var inForce: String {
        let environment = ProcessInfo.processInfo.environment
        let waiting = ["OMP_WAIT_POLICY", "GOMP_SPINCOUNT"].compactMap { name in environment[name].map { "\(name)=\($0)" } }
        return (["\(kernelThreadCount) threads"] + waiting).joined(separator: ", ")
    }

    /// The defaults the user left unset in `environment`.
    public static func missing(from environment: [String: String]) -> [String: String] {
        settings.reduce(into: [:]) { missing, setting in
            if !setting.overriddenBy.contains(where: { environment[$0] != nil }) { missing[setting.name] = setting.value }
        }
    }

    /// Replaces the running program by itself, with the same arguments and the missing
    /// defaults set: libgomp reads its variables only when it is loaded, before `main`,
    /// so setting them in-process would be too late. Returns when nothing is missing
    /// (as in the program's second run), or when it cannot re-execute; the program then
    /// runs on under libgomp's own defaults.
    public static func reexecuteWithMissingDefaults() {
        let missing = missing(from: ProcessInfo.processInfo.environment)
        guard !missing.isEmpty else { return }
        #if os(Linux)
        let executable: String? = "/proc/self/exe"
        #else
        let executable = Bundle.main.executablePath
        #endif
        guard let executable else { return }
        for (name, value) in missing { setenv(name, value, 1) }
        execv(executable, CommandLine.unsafeArgv)
    }
}
