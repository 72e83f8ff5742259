#if canImport(Glibc)
import Glibc
#endif

/// The advisory lock (`flock`) that makes checks of one camera take turns: held
/// from before the state is read until after it is saved, so two overlapping
/// checks (cron plus a manual run, a slow check and the next timer tick) never
/// both announce one episode. It lives on a file beside the camera's state,
/// which records who holds it; the kernel releases it when the process ends,
/// however it ends.
public final class CameraLock {
    private var descriptor: Int32
    public let path: String

    init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit { release() }

    public func release() {
        guard descriptor >= 0 else { return }
        close(descriptor)  // closing the only descriptor releases the flock
        descriptor = -1
    }

    /// Takes the lock, waiting up to `timeout` seconds for another process to
    /// release it, and returns early with `.interrupted` on SIGINT or SIGTERM.
    static func acquire(path: String, timeout: Double, camera: String) throws(WatcherError) -> CameraLock {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { throw WatcherError(.state, "cannot open the lock \(path): \(FileSystem.lastError())") }
        let started = SystemSoraCamClock().now()
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let failure = errno
            guard failure == EWOULDBLOCK || failure == EINTR else {
                close(descriptor)
                throw WatcherError(.state, "cannot lock \(path): \(String(cString: strerror(failure)))")
            }
            if let signal = Interruption.signal {
                close(descriptor)
                throw Interruption.error("waiting for the lock of \(camera)", signal: signal)
            }
            guard SystemSoraCamClock().now() - started < timeout else {
                let holder = Self.holder(descriptor: descriptor).map { " (\($0))" } ?? ""
                close(descriptor)
                throw WatcherError(.locked, "another watcher\(holder) has been checking \(camera) for longer than "
                    + "--lock-timeout \(WallTime.durationText(seconds: Int(timeout))); this check is skipped")
            }
            Interruption.sleep(seconds: 0.05)
        }
        // Say who holds it, for `watcher status` and for a process that times out waiting.
        let note = Array("pid \(getpid()) since \(WallTime.iso8601(WallTime.nowMillis()))\n".utf8)
        if ftruncate(descriptor, 0) == 0 {
            _ = note.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        }
        return CameraLock(descriptor: descriptor, path: path)
    }

    /// Who holds the lock at `path` (`pid 1234 since …`), or nil when nobody does.
    static func holder(path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return nil
        }
        return holder(descriptor: descriptor) ?? "held"
    }

    private static func holder(descriptor: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 128)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let text = String(decoding: buffer[..<count], as: UTF8.self).trimmingSpaces
        return text.isEmpty ? nil : text
    }
}
