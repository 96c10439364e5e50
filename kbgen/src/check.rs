//! `kbgen check`: everything `build` reports, plus checks that need the whole knowledge base at
//! once — missing translations and rules that never fire or that shadow each other (asked of the
//! same engine the widget uses, so "fires" means what visitors will see).

use crate::diag::Diagnostics;
use crate::load::{self, Kb};
use crate::site;
use anyhow::Result;
use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

pub fn run(dir: &std::path::Path, strict: bool) -> Result<ExitCode> {
    if !dir.is_dir() {
        anyhow::bail!("{}: not a folder", dir.display());
    }
    let mut diags = Diagnostics::default();
    let kb = load::load(dir, &mut diags);
    let site = site::build(&kb, &site::Options::default(), &mut diags);
    check_translations(&kb, &mut diags);
    if let Some(index) = site.files.get("index.bin") {
        check_rules(&kb, index, &mut diags);
    }
    crate::report(&diags, true);
    eprintln!(
        "checked {} articles and {} rules: {} errors, {} warnings",
        kb.articles.len(),
        kb.rules.len(),
        diags.errors(),
        diags.warnings()
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

/// Asks the engine each rule's own phrasings: a rule none of whose phrasings selects it never
/// fires; a phrasing answered by another rule means that rule shadows it.
pub fn check_rules(kb: &Kb, index: &[u8], diags: &mut Diagnostics) {
    let Ok(index) = solodesk_engine::Index::from_bytes(index) else {
        return;
    };
    let mut seen: BTreeMap<(String, String), &str> = BTreeMap::new();
    for rule in &kb.rules {
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
        if rule.phrasings.is_empty() {
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
