import Foundation
import Watcher

/// A virtual clock for `SoraCamClient`: `sleep` advances time at once and
/// records how long it was asked to wait, so minutes of polling run instantly.
final class SoraCamTestClock: SoraCamClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Double
    private var recorded: [Double] = []

    init(now: Double = 1_800_000_000) { current = now }

    func now() -> Double { lock.withLock { current } }

    func sleep(seconds: Double) {
        lock.withLock {
            recorded.append(seconds)
            current += seconds
        }
    }

    func advance(_ seconds: Double) { lock.withLock { current += seconds } }

    var sleeps: [Double] { lock.withLock { recorded } }
}
