/// Prints the message: for trying things out, `watcher demo`, and logs under systemd.
struct StdoutNotifier: Notifier {
    let spec: NotifierSpec
    let print: (String) -> Void

    func deliver(_ alert: AlertMessage, image: [UInt8]?) throws(WatcherError) {
        print("[\(alert.kind.rawValue)] " + alert.text)
    }
}
