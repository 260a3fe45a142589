/// Where a run stands in the store.
///
///     running ──▶ done
///        │   └──▶ failed        (the study threw; the message is kept)
///        └──────▶ interrupted   (the process that ran it is gone: killed, crashed, or the machine rebooted)
///
/// Only a `running` run changes status; the other three are final.
public enum RunStatus: String, Codable, Sendable, CaseIterable {
    case running
    case done
    case failed
    case interrupted
}
