/// One entry of an experiment file's `sweep:`: an option and the values it takes in turn.
struct SpecSweepAxis: Sendable {
    /// The study's option being swept.
    let option: StudyOption
    /// Where its name is, inside `sweep:`.
    let key: SpecLocation
    /// The values, in file order (never empty).
    let values: [SpecValue]
}
