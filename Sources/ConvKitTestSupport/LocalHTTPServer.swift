import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 server on 127.0.0.1 for testing downloads without a network: each path answers
/// with a body, a status, a body cut short of its announced length, or part of a body and then silence.
public final class LocalHTTPServer: @unchecked Sendable {
    public enum Reply: Sendable {
        case body(Data)
        case status(Int)
        case truncated(Data, announcedLength: Int)
        /// Sends the start of a body and then nothing, holding the connection open until the client gives up.
        case stalled(Data, announcedLength: Int)
        /// Sends a body in `pieces` parts with a pause between them: slow, but never silent for long.
        case trickled(Data, pieces: Int, pause: TimeInterval)
    }

    public let port: UInt16
    private let listener: Int32
    private let routes: [String: Reply]
    private let lock = NSLock()
    private var served: [String] = []

    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/")! }

    /// Paths requested so far, in order.
    public var requests: [String] { lock.withLock { served } }

    public init(routes: [String: Reply]) throws {
        self.routes = routes
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(listener, socketAddress, length) == 0 && listen(listener, 16) == 0
                    && getsockname(listener, socketAddress, &length) == 0
            }
        }
        guard listener >= 0, bound else { throw POSIXError(.EADDRNOTAVAIL) }
        port = UInt16(bigEndian: address.sin_port)
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    deinit { stop() }

    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private func serve() {
        while true {
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { return }
            answer(connection)
            close(connection)
        }
    }

    private func answer(_ connection: Int32) {
        var request = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !request.contains("\r\n\r\n".utf8) {
            let count = recv(connection, &buffer, buffer.count, 0)
            guard count > 0 else { return }
            request.append(contentsOf: buffer[..<count])
        }
        let requestLine = String(decoding: request, as: UTF8.self).split(separator: "\r\n").first ?? ""
        let path = requestLine.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
        lock.withLock { served.append(path) }
        switch routes[path] ?? .status(404) {
        case .body(let body):
            send(connection, header(status: 200, length: body.count) + body)
        case .status(let status):
            send(connection, header(status: status, length: 0))
        case .truncated(let body, let announcedLength):
            send(connection, header(status: 200, length: announcedLength) + body)
        case .stalled(let body, let announcedLength):
            send(connection, header(status: 200, length: announcedLength) + body)
            while recv(connection, &buffer, buffer.count, 0) > 0 {}
        case .trickled(let body, let pieces, let pause):
            send(connection, header(status: 200, length: body.count))
            let size = (body.count + pieces - 1) / pieces
            for start in stride(from: 0, to: body.count, by: size) {
                Thread.sleep(forTimeInterval: pause)
                send(connection, body[(body.startIndex + start)..<(body.startIndex + min(start + size, body.count))])
            }
        }
    }

    private func header(status: Int, length: Int) -> Data {
        Data("HTTP/1.1 \(status) \(status == 200 ? "OK" : "Error")\r\nContent-Length: \(length)\r\nConnection: close\r\n\r\n".utf8)
    }

    private func send(_ connection: Int32, _ data: Data) {
        data.withUnsafeBytes { bytes in
            var offset = 0
            while offset < bytes.count {
                // MSG_NOSIGNAL: a client that hangs up must not kill the test process with SIGPIPE.
                let sent = Glibc.send(connection, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                guard sent > 0 else { return }
                offset += sent
            }
        }
    }
}
