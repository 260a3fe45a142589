/// One value of an experiment file as it goes on the command line, with where it was written.
///
/// `text` is the option's value (a list already joined with commas), `"true"` for a set flag, and nil
/// for a flag that is false or an option left unset (`null`): those put nothing on the command line.
struct SpecValue: Sendable {
    let text: String?
    let location: SpecLocation
}
