/// Which certificate authorities libcurl trusts when no test gave its own:
/// `WATCHER_CA_BUNDLE` if set; else the host's own store, wherever its
/// distribution keeps it (Debian's libcurl looks only in Debian's place, and
/// Amazon Linux keeps it elsewhere); else the copy of Debian's store that the
/// self-contained bundle carries (`$WATCHER_BUNDLE_DIR/certs/`, set by its
/// launcher), for a host with none at all.
public enum CABundle {
    /// nil: libcurl's own default, which exists on this host.
    public static let path: String? = choose(environment: Environment.value, exists: FileSystem.exists)

    static let debianStore = "/etc/ssl/certs/ca-certificates.crt"
    static let hostStores = [debianStore, "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem", "/etc/ssl/cert.pem"]

    static func choose(environment: (String) -> String?, exists: (String) -> Bool) -> String? {
        if let explicit = environment("WATCHER_CA_BUNDLE") { return explicit }
        if let host = hostStores.first(where: exists) { return host == debianStore ? nil : host }
        if let bundle = environment("WATCHER_BUNDLE_DIR") {
            let carried = FileSystem.join(bundle, "certs/ca-certificates.crt")
            if exists(carried) { return carried }
        }
        return nil
    }
}
