/// One step of a composite model's data path, as its summary lists it.
///
/// A model that is not a ``Sequential`` but runs its children one after the other (a ResNet: stem,
/// stages, pooling, classifier) returns its stages from ``Module/summaryStages``; its summary then
/// shows one row per stage (and per layer inside `Sequential` stages) instead of a single row.
public enum SummaryStage {
    /// The child module `module`, named as in the `state_dict` (`"layer1"`, `"fc"`).
    case layer(String, Module)
    /// Flattens the per-sample shape to one axis (a functional flatten, no row of its own).
    case flatten
}
