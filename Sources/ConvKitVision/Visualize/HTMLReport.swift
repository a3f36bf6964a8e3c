import Foundation

/// A self-contained HTML page: every picture is embedded (PNG as a `data:` URI, SVG inline),
/// so it opens offline and can be mailed as one file.
public struct HTMLReport {
    public let title: String
    private var body = ""

    public init(title: String) { self.title = title }

    public mutating func heading(_ text: String) { body += "<h2>\(escapeXML(text))</h2>\n" }

    public mutating func paragraph(_ text: String) { body += "<p>\(escapeXML(text))</p>\n" }

    /// A two-or-more-column table; the first row is the header.
    public mutating func table(_ rows: [[String]]) {
        guard let header = rows.first else { return }
        body += "<table><tr>" + header.map { "<th>\(escapeXML($0))</th>" }.joined() + "</tr>\n"
        for row in rows.dropFirst() { body += "<tr>" + row.map { "<td>\(escapeXML($0))</td>" }.joined() + "</tr>\n" }
        body += "</table>\n"
    }

    /// Figures side by side, each a PNG or an SVG with a caption.
    public mutating func figures(_ figures: [Figure]) {
        body += "<div class=\"row\">\n" + figures.map(\.html).joined() + "</div>\n"
    }

    public var html: String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escapeXML(title))</title>
        <style>
        body { font-family: sans-serif; margin: 24px; color: #222; max-width: 1200px; }
        h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; border-bottom: 1px solid #ddd; }
        table { border-collapse: collapse; font-size: 13px; } td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
        .row { display: flex; flex-wrap: wrap; gap: 14px; align-items: flex-start; }
        figure { margin: 0; } figcaption { font-size: 12px; color: #444; max-width: 240px; }
        img.pixelated { image-rendering: pixelated; }
        </style></head><body>
        <h1>\(escapeXML(title))</h1>
        \(body)</body></html>

        """
    }

    public func write(to url: URL) throws { try AtomicFile.write(Data(html.utf8), to: url) }
}

/// One picture in a report.
public struct Figure {
    let content: String
    let caption: String

    /// A PNG shown at `width` CSS pixels (nearest-neighbour scaling, so small images stay sharp).
    public static func png(_ image: Image, caption: String, width: Int? = nil) throws -> Figure {
        let size = width.map { " width=\"\($0)\"" } ?? ""
        return Figure(content: "<img class=\"pixelated\" alt=\"\(escapeXML(caption))\"\(size) "
                          + "src=\"data:image/png;base64,\(try image.pngData().base64EncodedString())\">",
                      caption: caption)
    }

    public static func svg(_ svg: String, caption: String = "") -> Figure { Figure(content: svg, caption: caption) }

    var html: String {
        "<figure>\(content)" + (caption.isEmpty ? "" : "<figcaption>\(escapeXML(caption))</figcaption>") + "</figure>\n"
    }
}

/// Text made safe inside XML and HTML elements and attributes.
public func escapeXML(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
