"""Field notes: the append-only log, its hash chain, drafts, exports and charts."""
