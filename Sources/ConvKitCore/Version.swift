/// The ConvKit release this build is, as `convkit --version` prints it.
public enum ConvKitVersion {
    public static let current = "0.1.0"
}
