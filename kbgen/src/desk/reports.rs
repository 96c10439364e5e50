//! `kbgen desk feedback`, `gaps` and `replay`: the desk read against the knowledge base, printed
//! for people or, with `--json`, for scripts. The analysis itself is in [`super::insights`].

use super::insights::{self, Catalog, Cluster, Failed};
use super::store::Store;
use super::JSON_VERSION;
use anyhow::{Context, Result};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

fn load_kb(kb: &Path) -> crate::load::Kb {
    let mut diags = crate::diag::Diagnostics::default();
    crate::load::load(kb, &mut diags)
}

pub fn feedback(kb: &Path, as_json: bool) -> Result<()> {
    let store = Store::open_existing(kb)?;
    let catalog = Catalog::new(&load_kb(kb));
    let (articles, rules) = insights::feedback(&store)?;
    let conversations: i64 =
        store
            .conn
            .query_row("SELECT COUNT(*) FROM conversations", [], |r| r.get(0))?;
    if as_json {
        let a: Vec<Value> = articles
            .iter()
            .map(|f| {
                json!({
                    "id": f.id,
                    "title": catalog.title(&f.id, None),
                    "in_kb": catalog.title(&f.id, None).is_some(),
                    "shown": f.shown,
                    "tickets": f.tickets,
                    "rated_no": f.rated_no,
                    "rated_yes": f.rated_yes,
                })
            })
            .collect();
        let r: Vec<Value> = rules
            .iter()
            .map(|f| {
                json!({
                    "id": f.id,
                    "in_kb": catalog.has_rule(&f.id),
                    "answered": f.shown,
                    "tickets": f.tickets,
                    "rated_no": f.rated_no,
                    "rated_yes": f.rated_yes,
                })
            })
            .collect();
        println!(
            "{}",
            json!({ "version": JSON_VERSION, "conversations": conversations, "articles": a, "rules": r })
        );
        return Ok(());
    }
    if conversations == 0 {
        eprintln!("no widget conversations stored yet (tickets written with the widget carry them; run `kbgen desk sync`)");
        return Ok(());
    }
    println!(
        "What visitors were shown in the {conversations} widget conversations that ended in a ticket\n"
    );
    println!("ARTICLES   SHOWN TICKETS RATED-NO  ARTICLE");
    for f in &articles {
        let title = catalog
            .title(&f.id, None)
            .map_or("(not in the knowledge base)".to_string(), |t| {
                format!("\"{t}\"")
            });
        println!(
            "{:>15} {:>7} {:>9}  {} {}",
            f.shown, f.tickets, f.rated_no, f.id, title
        );
    }
    if articles.is_empty() {
        println!("{:>15}  (no article was shown)", "-");
    }
    println!("\nRULES   ANSWERED TICKETS RATED-NO  RULE");
    for f in &rules {
        println!(
            "{:>15} {:>7} {:>9}  {}{}",
            f.shown,
            f.tickets,
            f.rated_no,
            f.id,
            if catalog.has_rule(&f.id) {
                ""
            } else {
                " (not in the knowledge base)"
            }
        );
    }
    if rules.is_empty() {
        println!("{:>15}  (no rule answered)", "-");
    }
    Ok(())
}

/// What became of a cluster's draft article.
enum Draft {
    Written(PathBuf),
    Exists(PathBuf),
}

pub struct GapsArgs<'a> {
    pub kb: &'a Path,
    pub json: bool,
    pub limit: usize,
    pub write_drafts: bool,
}

pub fn gaps(a: &GapsArgs<'_>) -> Result<()> {
    let store = Store::open_existing(a.kb)?;
    let loaded = load_kb(a.kb);
    let catalog = Catalog::new(&loaded);
    let (failed, answered_now) =
        insights::still_failing(insights::failed_questions(&store)?, &loaded);
    let clusters = insights::cluster(&failed, &catalog.default_lang);
    let shown_clusters = &clusters[..clusters.len().min(a.limit)];
    let mut drafts: Vec<Option<Draft>> = Vec::new();
    for c in shown_clusters {
        drafts.push(if a.write_drafts {
            Some(write_draft(a.kb, &catalog, &failed, c)?)
        } else {
            None
        });
    }
    let mut tickets: Vec<i64> = failed.iter().map(|f| f.ticket).collect();
    tickets.sort_unstable();
    tickets.dedup();
    let lang_of = |c: &Cluster| insights::cluster_lang(&catalog, &failed, c);
    if a.json {
        let v: Vec<Value> = shown_clusters
            .iter()
            .zip(&drafts)
            .map(|(c, d)| {
                let (articles, rules) = insights::shown(&failed, c);
                let refs = insights::references(&failed, c);
                json!({
                    "tickets": c.tickets,
                    "questions": c.members.len(),
                    "lang": lang_of(c),
                    "title": insights::one_line(&failed[c.representative].title),
                    "examples": insights::examples(&failed, c, 5),
                    "shown": {
                        "articles": articles.iter().map(|(id, n)| json!({
                            "id": id,
                            "title": catalog.title(id, c.lang.as_deref()),
                            "times": n,
                        })).collect::<Vec<_>>(),
                        "rules": rules.iter().map(|(id, n)| json!({ "id": id, "times": n })).collect::<Vec<_>>(),
                    },
                    "references": refs,
                    "draft": match d {
                        Some(Draft::Written(p)) => json!({ "path": p, "status": "written" }),
                        Some(Draft::Exists(p)) => json!({ "path": p, "status": "exists" }),
                        None => Value::Null,
                    },
                })
            })
            .collect();
        println!(
            "{}",
            json!({
                "version": JSON_VERSION,
                "failed_questions": failed.len(),
                "answered_now": answered_now,
                "tickets": tickets.len(),
                "clusters_total": clusters.len(),
                "clusters": v,
            })
        );
        return Ok(());
    }
    let answered = (answered_now > 0).then(|| {
        format!(
            "{} that failed then and that the knowledge base answers now (`kbgen desk replay` lists them)",
            crate::strings::count(answered_now, "question")
        )
    });
    if failed.is_empty() {
        match answered {
            Some(a) => println!("Nothing left to write: {a}."),
            None => eprintln!("no failed questions in the desk (run `kbgen desk sync` first)"),
        }
        return Ok(());
    }
    if let Some(a) = &answered {
        println!("Left out: {a}.");
    }
    println!(
        "What to write next: {} in {}, {}{}\n",
        crate::strings::count(failed.len(), "failed question"),
        crate::strings::count(tickets.len(), "ticket"),
        crate::strings::count(clusters.len(), "group"),
        if clusters.len() > shown_clusters.len() {
            format!(
                " (the first {} shown; --limit shows more)",
                shown_clusters.len()
            )
        } else {
            String::new()
        }
    );
    for (n, (c, d)) in shown_clusters.iter().zip(&drafts).enumerate() {
        println!(
            "{}. {} {} ({}): {}",
            n + 1,
            c.tickets,
            if c.tickets == 1 { "ticket" } else { "tickets" },
            lang_of(c),
            insights::one_line(&failed[c.representative].title)
        );
        for q in insights::examples(&failed, c, 3) {
            println!("   asked: {}", insights::one_line(&q));
        }
        let (articles, rules) = insights::shown(&failed, c);
        let mut shown: Vec<String> = articles
            .iter()
            .map(|(id, times)| match catalog.title(id, c.lang.as_deref()) {
                Some(t) => format!("{id} \"{t}\" ×{times}"),
                None => format!("{id} (not in the knowledge base) ×{times}"),
            })
            .collect();
        shown.extend(
            rules
                .iter()
                .map(|(id, times)| format!("rule {id} ×{times}")),
        );
        println!(
            "   shown: {}",
            if shown.is_empty() {
                "nothing".to_string()
            } else {
                shown.join(", ")
            }
        );
        let mut refs = insights::references(&failed, c);
        let more = refs.len().saturating_sub(6);
        refs.truncate(6);
        println!(
            "   tickets: {}{}",
            refs.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            }
        );
        match d {
            Some(Draft::Written(p)) => println!("   draft written: {}", p.display()),
            Some(Draft::Exists(p)) => {
                println!("   draft: {} exists already, left alone", p.display())
            }
            None => {}
        }
    }
    Ok(())
}

/// Writes `articles/<lang>/<slug>.md` for a cluster unless that file, or an article with that
/// id, exists (never overwrites; `create_new` refuses even a file made meanwhile).
fn write_draft(kb: &Path, catalog: &Catalog, failed: &[Failed], c: &Cluster) -> Result<Draft> {
    let title = insights::one_line(&failed[c.representative].title);
    let slug = insights::slug(&title);
    let path = kb.join(catalog.draft_path(&title, c.lang.as_deref()));
    if path.exists() || catalog.title(&slug, None).is_some() {
        return Ok(Draft::Exists(path));
    }
    let (articles, rules) = insights::shown(failed, c);
    let mut context = vec![format!(
        "Drafted by `kbgen desk gaps` from {} {} the knowledge base did not answer.",
        c.tickets,
        if c.tickets == 1 { "ticket" } else { "tickets" }
    )];
    if !articles.is_empty() || !rules.is_empty() {
        let mut s: Vec<String> = articles
            .iter()
            .map(|(id, n)| format!("article {id} ×{n}"))
            .collect();
        s.extend(rules.iter().map(|(id, n)| format!("rule {id} ×{n}")));
        context.push(format!("Visitors were shown: {}.", s.join(", ")));
    }
    let text = insights::draft(&title, &insights::examples(failed, c, 5), &context);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("{}: cannot create folder", dir.display()))?;
    }
    use std::io::Write;
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&path)
    {
        Ok(mut f) => {
            f.write_all(text.as_bytes())
                .with_context(|| format!("{}: cannot write", path.display()))?;
            Ok(Draft::Written(path))
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(Draft::Exists(path)),
        Err(e) => Err(e).with_context(|| format!("{}: cannot write", path.display())),
    }
}

pub fn replay(kb: &Path, as_json: bool) -> Result<()> {
    let store = Store::open_existing(kb)?;
    let loaded = load_kb(kb);
    let catalog = Catalog::new(&loaded);
    let failed = insights::failed_questions(&store)?;
    let index = super::classify::index_of(&loaded);
    let mut results = Vec::with_capacity(failed.len());
    let (mut by_rule, mut by_article) = (0, 0);
    for f in &failed {
        let (kind, id) = match &index {
            Some(index) => insights::answered_now(index, f),
            None => ("none", None),
        };
        match kind {
            "rule" => by_rule += 1,
            "article" => by_article += 1,
            _ => {}
        }
        results.push((f, kind, id));
    }
    let total = failed.len();
    if as_json {
        let v: Vec<Value> = results
            .iter()
            .map(|(f, kind, id)| {
                json!({
                    "reference": f.reference,
                    "question": f.question,
                    "lang": f.lang,
                    "before": f.answer,
                    "rating": f.rating,
                    "now": kind,
                    "rule": if *kind == "rule" { id.clone() } else { None },
                    "article": if *kind == "article" { id.clone() } else { None },
                    // `rejected`: the answer it gets now is the one the visitor rated "No".
                    "rejected": if *kind == "rejected" { id.clone() } else { None },
                })
            })
            .collect();
        println!(
            "{}",
            json!({
                "version": JSON_VERSION,
                "questions": total,
                "answered_by_rule": by_rule,
                "answered_by_article": by_article,
                "still_failing": total - by_rule - by_article,
                "results": v,
            })
        );
        return Ok(());
    }
    if index.is_none() {
        eprintln!("note: the knowledge base has no article, so nothing can be answered");
    }
    println!(
        "Replay of {total} failed questions against the knowledge base as it is now: {} would be answered ({by_rule} by a rule, {by_article} by a confident article), {} still fail (an answer the visitor rated \"No\" counts as failing)",
        by_rule + by_article,
        total - by_rule - by_article
    );
    for (f, kind, id) in &results {
        if *kind == "none" || *kind == "rejected" {
            continue;
        }
        let id = id.clone().unwrap_or_default();
        let what = if *kind == "rule" {
            format!("rule {id}")
        } else {
            match catalog.title(&id, f.lang.as_deref()) {
                Some(t) => format!("article {id} \"{t}\""),
                None => format!("article {id}"),
            }
        };
        println!(
            "  #{} {} → {what}",
            f.reference,
            insights::one_line(&f.title)
        );
    }
    Ok(())
}
