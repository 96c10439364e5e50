//! `kbgen check`: everything `build` reports, plus checks that need the whole knowledge base at
//! once — missing translations and rules that never fire or that shadow each other (asked of the
//! same engine the widget uses, so "fires" means what visitors will see).

use crate::diag::Diagnostics;
use crate::load::Kb;
use crate::pipeline;
use anyhow::Result;
use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

pub fn run(dir: &std::path::Path, strict: bool) -> Result<ExitCode> {
    if !dir.is_dir() {
        anyhow::bail!("{}: not a folder", dir.display());
    }
    let pipeline::Built {
        kb,
        site,
        mut diags,
        ..
    } = pipeline::build(dir, &pipeline::Options::default());
    check_translations(&kb, &mut diags);
    check_written_language(&kb, &mut diags);
    if let Some(index) = site.files.get("index.bin") {
        check_rules(&kb, index, &mut diags);
    }
    crate::report(&diags, true);
    eprintln!(
        "checked {} and {}: {}, {}",
        crate::strings::count(kb.articles.len(), "article"),
        crate::strings::count(kb.rules.len(), "rule"),
        crate::strings::count(diags.errors(), "error"),
        crate::strings::count(diags.warnings(), "warning")
    );
    Ok(if diags.errors() > 0 || (strict && diags.warnings() > 0) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// An article present in some configured languages but not others.
pub fn check_translations(kb: &Kb, diags: &mut Diagnostics) {
    if !kb.has_config || kb.config.languages.len() < 2 {
        return;
    }
    let mut langs_of: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for a in kb.articles.iter().filter(|a| !a.front.draft) {
        langs_of.entry(&a.id).or_default().insert(&a.lang);
    }
    for (id, langs) in langs_of {
        let missing: Vec<&str> = kb
            .config
            .languages
            .iter()
            .map(String::as_str)
            .filter(|l| !langs.contains(l))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let Some(src) = kb.articles.iter().find(|a| a.id == id) else {
            continue;
        };
        diags.warn(
            &src.path,
            1,
            1,
            format!(
                "article \"{id}\" has no translation in {}",
                missing.join(", ")
            ),
        );
    }
}

/// An article or rule written in another of the site's languages than the one it is filed
/// under (Chinese text in `articles/en/`): a CSV imported before the site had `zh` left its
/// Chinese rows there, beside the same rows imported again under `zh` once it had, each
/// counting as the other's translation and answering Chinese questions twice.
pub fn check_written_language(kb: &Kb, diags: &mut Diagnostics) {
    if !kb.has_config || kb.config.languages.len() < 2 {
        return;
    }
    let written_in = |text: &str, filed: &str| {
        let lang = crate::import::written_language(text, &kb.config.languages)?;
        (!solodesk_engine::analyze::same_language(lang, filed)).then_some(lang)
    };
    for a in &kb.articles {
        if let Some(lang) = written_in(&format!("{}\n{}", a.title, a.body), &a.lang) {
            diags.warn(
                &a.path,
                1,
                1,
                format!(
                    "article \"{}\" is written in {lang} but is filed under {}: move it to articles/{lang}/ (or, if it is an earlier copy of an article there, delete it)",
                    a.id, a.lang
                ),
            );
        }
    }
    for r in &kb.rules {
        let filed = r.lang.as_deref().unwrap_or(&kb.config.default_language);
        if let Some(lang) = written_in(&r.phrasings.join("\n"), filed) {
            diags.warn(
                &r.path,
                r.line,
                r.col,
                format!(
                    "rule \"{}\" is in {} but its phrasings are written in {lang}: set `lang = \"{lang}\"` (or, if it is an earlier copy of a rule in {lang}, delete it)",
                    r.id, filed
                ),
            );
        }
    }
}

/// How many rule comparisons asking the rules' own phrasings may cost: the engine weighs every
/// rule for every question (and sorts them), so asking every phrasing of every rule grows with
/// the square of the rules: 4,000 rules took 16 s and 20,000 over two minutes. Within this
/// budget (a few seconds in a release build) every rule is asked about; past it, an evenly
/// spread sample of whole rules, so what is reported stays exact for the rules it names.
const RULE_CHECK_BUDGET: usize = 10_000_000;

/// Ask about every `step`-th rule so that `phrasings` questions against `rules` rules stay
/// within [`RULE_CHECK_BUDGET`] comparisons.
fn sample_step(phrasings: usize, rules: usize) -> usize {
    phrasings
        .saturating_mul(rules)
        .div_ceil(RULE_CHECK_BUDGET)
        .max(1)
}

/// Asks the engine each rule's own phrasings: a rule none of whose phrasings selects it never
/// fires; a phrasing answered by another rule means that rule shadows it.
pub fn check_rules(kb: &Kb, index: &[u8], diags: &mut Diagnostics) {
    let Ok(index) = solodesk_engine::Index::from_bytes(index) else {
        return;
    };
    let phrasings: usize = kb.rules.iter().map(|r| r.phrasings.len()).sum();
    let step = sample_step(phrasings, kb.rules.len());
    if step > 1 {
        eprintln!(
            "note: {} rules: checking every {step}th rule for rules that never fire or shadow others (each question is weighed against every rule)",
            kb.rules.len()
        );
    }
    let mut seen: BTreeMap<(String, String), &str> = BTreeMap::new();
    for (i, rule) in kb.rules.iter().enumerate() {
        let lang = rule
            .lang
            .clone()
            .unwrap_or_else(|| kb.config.default_language.clone());
        for p in &rule.phrasings {
            let key = (lang.clone(), p.trim().to_lowercase());
            if let Some(other) = seen.get(&key) {
                diags.warn(
                    &rule.path,
                    rule.line,
                    rule.col,
                    format!(
                        "rule \"{}\" repeats the phrasing \"{p}\" of rule \"{other}\"",
                        rule.id
                    ),
                );
            } else {
                seen.insert(key, &rule.id);
            }
        }
        if rule.phrasings.is_empty() || i % step != 0 {
            continue;
        }
        let mut fired = 0;
        let mut shadowed_by = BTreeSet::new();
        for p in &rule.phrasings {
            // What `Index::ask` answers with, without the article search it also runs: only
            // the rule matters here, and the search was most of each question's cost.
            let answer = index
                .match_rules(p, Some(&lang))
                .into_iter()
                .next()
                .filter(|m| m.confidence >= index.rule_threshold());
            match answer {
                Some(r) if r.id == rule.id => fired += 1,
                Some(r) => {
                    shadowed_by.insert(r.id);
                }
                None => {}
            }
        }
        for other in &shadowed_by {
            diags.warn(
                &rule.path,
                rule.line,
                rule.col,
                format!(
                    "rule \"{other}\" shadows rule \"{}\": it answers some of its phrasings",
                    rule.id
                ),
            );
        }
        if fired == 0 {
            diags.warn(
                &rule.path,
                rule.line,
                rule.col,
                format!("rule \"{}\" never fires: none of its {} phrasings selects it (add phrasings or keywords)", rule.id, rule.phrasings.len()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_check_cost_is_bounded() {
        // Issue 15: `check` asked every phrasing against every rule, quadratic in the rules.
        for (rules, per_rule) in [(40, 8), (1_000, 3), (4_000, 3), (20_000, 3), (100_000, 10)] {
            let phrasings = rules * per_rule;
            let step = sample_step(phrasings, rules);
            let asked = rules.div_ceil(step) * per_rule;
            assert!(
                asked * rules <= RULE_CHECK_BUDGET + per_rule * rules,
                "{rules} rules: {asked} questions against {rules} rules"
            );
            // Small knowledge bases, the common case, are checked whole.
            if phrasings * rules <= RULE_CHECK_BUDGET {
                assert_eq!(step, 1, "{rules} rules");
            }
        }
        assert_eq!(sample_step(320, 40), 1, "the example site is checked whole");
    }
}
