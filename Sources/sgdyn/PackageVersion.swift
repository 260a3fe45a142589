/// The version of the sgdyn package, kept with every stored run and shown by `sgdyn --version`.
enum PackageVersion {
    static let current = "0.8.0"
}
