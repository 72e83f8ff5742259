@testable import Watcher

/// An in-process HTTPTransport that records requests and answers from a script:
/// for checking exactly what a notifier sends without a socket.
final class RecordingTransport: HTTPTransport, @unchecked Sendable {
    var requests: [HTTPRequest] = []
    var answer: (HTTPRequest) throws(WatcherError) -> HTTPResponse

    init(status: Int = 200) {
        answer = { _ in HTTPResponse(status: status) }
    }

    func send(_ request: HTTPRequest) throws(WatcherError) -> HTTPResponse {
        requests.append(request)
        return try answer(request)
    }
}
