import Foundation

/// Where ConvKit keeps what it downloads: `$CONVKIT_CACHE`, else `$XDG_CACHE_HOME/convkit`, else
/// `~/.cache/convkit`. Published checkpoints go to its `checkpoints` folder and datasets, unless
/// `$CONVKIT_DATA` says otherwise, to its `data` folder.
public enum CacheFolder {
    public static let variable = "CONVKIT_CACHE"

    public static func root(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let custom = environment[variable], !custom.isEmpty { return URL(fileURLWithPath: custom) }
        if let xdg = environment["XDG_CACHE_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg).appendingPathComponent("convkit")
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/convkit")
    }
}
