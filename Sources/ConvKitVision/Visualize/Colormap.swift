/// Colour scales for heatmaps: values in [0, 1] to RGB.
public enum Colormap: String, Sendable, CaseIterable {
    /// Blue → cyan → yellow → red, MATLAB's classic.
    case jet
    /// Black → purple → orange → light yellow, perceptually uniform (matplotlib's inferno).
    case inferno
    case gray

    public func color(_ value: Float) -> (UInt8, UInt8, UInt8) {
        let t = value.isFinite ? Swift.min(Swift.max(value, 0), 1) : 0
        switch self {
        case .gray:
            let level = UInt8((t * 255).rounded())
            return (level, level, level)
        case .jet:
            func channel(_ centre: Float) -> UInt8 { UInt8((Swift.min(Swift.max(1.5 - abs(4 * t - centre), 0), 1) * 255).rounded()) }
            return (channel(3), channel(2), channel(1))
        case .inferno:
            // Piecewise-linear through matplotlib's inferno at t = 0, 0.25, 0.5, 0.75, 1.
            let stops: [(Float, Float, Float)] = [(0, 0, 4), (87, 16, 110), (188, 55, 84), (249, 142, 9), (252, 255, 164)]
            let position = t * Float(stops.count - 1)
            let index = Swift.min(Int(position), stops.count - 2), f = position - Float(index)
            let (a, b) = (stops[index], stops[index + 1])
            func mix(_ x: Float, _ y: Float) -> UInt8 { UInt8((x + (y - x) * f).rounded()) }
            return (mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
        }
    }
}
