//! Made-up six-letter words, for tests that need many postings and the words to search them:
//! 512 of them, three syllables each, drawn from a fixed seed with the common ones more often.
//! Included by path in the engine's shard tests (`engine/tests/engine.rs`) and in kbgen's
//! (`kbgen/tests/testsuite/query.rs`), which build knowledge bases of them.

const SYLLABLES: [&str; 8] = ["ka", "lo", "mi", "re", "su", "te", "vo", "ni"];

/// The `i`th of the 512 words.
pub fn word(i: usize) -> String {
    (0..3).map(|k| SYLLABLES[i >> (3 * k) & 7]).collect()
}

/// Words drawn from `seed`: low-numbered ones (`word(0)`, `word(1)`, …) much more often.
pub fn words(mut seed: u64) -> impl FnMut() -> String {
    move || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let u = (seed >> 33) as f64 / f64::from(1u32 << 31);
        word((u * u * 512.0) as usize)
    }
}
