/// The AWS Lambda Runtime API, as a custom runtime's `bootstrap` speaks it:
/// `GET /2018-06-01/runtime/invocation/next` blocks until an event arrives, then
/// `POST …/invocation/{id}/response` with the result, or `…/{id}/error` with
/// `{"errorMessage","errorType"}`; a failure before the first event goes to
/// `POST …/runtime/init/error`. The API's address is `AWS_LAMBDA_RUNTIME_API`.
public struct LambdaRuntimeClient {
    public let api: String
    let transport: HTTPTransport

    public struct Invocation: Sendable {
        public var requestID: String
        /// Unix ms by which the function must answer.
        public var deadline: Int?
        public var event: [UInt8]
    }

    public init(api: String, transport: HTTPTransport) {
        self.api = api
        self.transport = transport
    }

    var base: String { "http://\(api)/2018-06-01/runtime" }

    /// Waits for the next event (as long as it takes: the instance is frozen meanwhile).
    public func next() throws(WatcherError) -> Invocation {
        var request = HTTPRequest(method: "GET", url: base + "/invocation/next", timeout: 7 * 86_400,
                                  maxResponseBytes: 6 << 20)
        request.connectTimeout = 10
        let response = try transport.send(request)
        guard response.status == 200, let id = response.header("Lambda-Runtime-Aws-Request-Id"), !id.isEmpty else {
            throw WatcherError(.http, "the Lambda Runtime API answered \(response.status) to invocation/next", status: response.status)
        }
        return Invocation(requestID: id, deadline: response.header("Lambda-Runtime-Deadline-Ms").flatMap { Int($0) },
                          event: response.body)
    }

    public func respond(_ requestID: String, _ body: JSONValue) throws(WatcherError) {
        try post("/invocation/\(AWSSignatureV4.encode(requestID))/response", body)
    }

    public func fail(_ requestID: String, type: String, message: String) throws(WatcherError) {
        try post("/invocation/\(AWSSignatureV4.encode(requestID))/error", Self.error(type: type, message: message),
                 errorType: type)
    }

    public func failInit(type: String, message: String) throws(WatcherError) {
        try post("/init/error", Self.error(type: type, message: message), errorType: type)
    }

    static func error(type: String, message: String) -> JSONValue {
        ["errorMessage": .string(message), "errorType": .string(type), "stackTrace": .array([])]
    }

    private func post(_ path: String, _ body: JSONValue, errorType: String? = nil) throws(WatcherError) {
        var headers = [HTTPHeader("Content-Type", "application/json")]
        if let errorType { headers.append(HTTPHeader("Lambda-Runtime-Function-Error-Type", errorType)) }
        let response = try transport.send(HTTPRequest(method: "POST", url: base + path, headers: headers,
                                                      body: Array(body.rendered.utf8), timeout: 30))
        guard response.isSuccess else {
            throw WatcherError(.http, "the Lambda Runtime API answered \(response.status) to \(path)", status: response.status)
        }
    }
}
