/// The rewrite passes every importer runs, in one place so the order is the same
/// for a frozen GraphDef and a TFLite model: folds first (they change what the
/// fusions see), then the epilogue, then the fusions that take whole steps.
enum GraphRewrites {
    static func apply(to graph: inout Graph) {
        PadFolding.apply(to: &graph)
        InputAffineFolding.apply(to: &graph)
        EpilogueFusion.apply(to: &graph)
        PoolFusion.apply(to: &graph)
        ConcatFusion.apply(to: &graph)
        ShuffleSplitFusion.apply(to: &graph)
    }
}
