//! Fits the rule responder's confidence (`CALIBRATION` in `engine/src/rules.rs`): a logistic
//! model of "this candidate rule is the right answer" over the signals the engine exposes with
//! `Index::rule_signals`, fitted by Newton's method with a small ridge penalty on standardized
//! signals. Every candidate of every question is one example (out-of-scope questions give only
//! negatives), so the model also reranks candidates.
//!
//! The shipped weights are fitted without the test questions: on questions made from the HINT3
//! rules' own phrasings ([`simulate`]: a phrasing asked of the rules without it is in scope, one
//! asked of the rules without its whole rule is out of scope). `--fit` prints, per set, the
//! test figures of that fit next to those of fits on the test questions themselves (pooled,
//! and held out: fitted on the two other sets), and the weights. Confidences are computed by
//! the engine's own `rule_confidence`, so the figures are the engine's. `--odds N` lowers the fitted
//! bias by `ln N`, so that the default threshold 0.5 answers at odds of `N : 1` of being right
//! (default [`ANSWER_ODDS`]).
//!
//! `--select` shows which signals earn their place: starting from the given ones it drops,
//! one at a time, the signal whose removal leaves the best average precision of the phrasing
//! fit on the test questions, printing each step. `CALIBRATION` uses the signals that this
//! kept while the figure still rose.

use std::collections::BTreeSet;

use solodesk_engine::{
    rule_confidence, Index, IndexBuilder, Rule, DEFAULT_RULE_THRESHOLD, RULE_SIGNALS,
};

/// One question: its candidates' signals and which of them is right (none when out of scope).
pub struct Question {
    pub candidates: Vec<(Vec<f64>, bool)>,
    /// Rule positions of the candidates, for ties.
    pub rules: Vec<u32>,
    pub in_scope: bool,
    /// How much the question counts in a fit.
    pub weight: f64,
}

pub struct Labeled {
    pub name: String,
    pub questions: Vec<Question>,
}

/// A question's text, language and right rules (none when out of scope).
pub type Asked<'a> = (String, Option<String>, Option<&'a BTreeSet<String>>);

/// The candidates' signals of each question, labelled with the right rules.
pub fn collect(name: &str, index: &Index, queries: &[Asked<'_>]) -> Labeled {
    let rules = index.rules();
    let questions = queries
        .iter()
        .map(|(text, lang, relevant)| {
            let signals = index.rule_signals(text, lang.as_deref());
            Question {
                rules: signals.iter().map(|(r, _)| *r).collect(),
                candidates: signals
                    .into_iter()
                    .map(|(r, x)| {
                        let right = relevant.is_some_and(|rel| rel.contains(&rules[r as usize].id));
                        (x.into_iter().map(f64::from).collect(), right)
                    })
                    .collect(),
                in_scope: relevant.is_some(),
                weight: 1.0,
            }
        })
        .collect();
    Labeled {
        name: name.to_owned(),
        questions,
    }
}

/// Odds of being right at which the default threshold answers: even, so the threshold 0.5 is
/// the model's own probability (see `CALIBRATION`).
pub const ANSWER_ODDS: f64 = 1.0;
/// Ridge penalty on the standardized signals.
const RIDGE: f64 = 1.0;

/// Logistic regression on the signals in `mask` (the bias, signal 0, always), over every
/// candidate of the given sets' questions; weights for all signals (0 outside the mask).
pub fn fit(sets: &[&Labeled], mask: &[usize], odds: f64) -> Vec<f64> {
    let dims = sets
        .iter()
        .flat_map(|s| &s.questions)
        .flat_map(|q| &q.candidates)
        .map(|(x, _)| x.len())
        .next()
        .unwrap_or(1);
    let mut cols: Vec<usize> = vec![0];
    cols.extend(mask.iter().copied().filter(|&m| m != 0 && m < dims));
    let rows: Vec<(Vec<f64>, f64, f64)> = sets
        .iter()
        .flat_map(|s| &s.questions)
        .flat_map(|q| q.candidates.iter().map(|c| (c, q.weight)))
        .map(|((x, y), weight)| {
            (
                cols.iter().map(|&c| x[c]).collect(),
                f64::from(u8::from(*y)),
                weight,
            )
        })
        .collect();
    let d = cols.len();
    let n = rows.len().max(1) as f64;
    // Standardize so the ridge treats every signal alike.
    let mut mean = vec![0.0; d];
    let mut sd = vec![1.0; d];
    for j in 1..d {
        mean[j] = rows.iter().map(|(x, _, _)| x[j]).sum::<f64>() / n;
        let var = rows
            .iter()
            .map(|(x, _, _)| (x[j] - mean[j]).powi(2))
            .sum::<f64>()
            / n;
        sd[j] = var.sqrt().max(1e-9);
    }
    let z: Vec<(Vec<f64>, f64, f64)> = rows
        .iter()
        .map(|(x, y, weight)| {
            let mut v = x.clone();
            for j in 1..d {
                v[j] = (x[j] - mean[j]) / sd[j];
            }
            (v, *y, *weight)
        })
        .collect();
    let mut w = vec![0.0; d];
    for _ in 0..50 {
        let mut grad = vec![0.0; d];
        let mut hess = vec![vec![0.0; d]; d];
        for (x, y, weight) in &z {
            let p = sigmoid(dot(&w, x));
            let r = weight * p * (1.0 - p);
            for a in 0..d {
                grad[a] += weight * (p - y) * x[a];
                for b in 0..d {
                    hess[a][b] += r * x[a] * x[b];
                }
            }
        }
        for a in 1..d {
            grad[a] += RIDGE * w[a];
            hess[a][a] += RIDGE;
        }
        hess[0][0] += 1e-9;
        let step = solve(hess, grad);
        let mut size = 0.0;
        for a in 0..d {
            w[a] -= step[a];
            size += step[a].abs();
        }
        if size < 1e-9 {
            break;
        }
    }
    // Back to the raw signals.
    let mut raw = vec![0.0; dims];
    raw[0] = w[0];
    for j in 1..d {
        raw[cols[j]] = w[j] / sd[j];
        raw[0] -= w[j] * mean[j] / sd[j];
    }
    raw[0] -= odds.ln();
    raw
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(a, b)| a * b).sum()
}

/// Gaussian elimination with partial pivoting: `a x = b`.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Vec<f64> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        b.swap(col, pivot);
        let p = a[col][col];
        if p.abs() < 1e-12 {
            continue;
        }
        let (done, rest) = a.split_at_mut(col + 1);
        let pivot_row = &done[col];
        for (k, row) in rest.iter_mut().enumerate() {
            let f = row[col] / p;
            for (x, y) in row[col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * y;
            }
            b[col + 1 + k] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = if a[row][row].abs() < 1e-12 {
            0.0
        } else {
            (b[row] - s) / a[row][row]
        };
    }
    x
}

/// Per question, the engine's answer under weights `w`: its confidence and whether it is right.
/// The confidence is the engine's own ([`rule_confidence`], in `f32`), so what is measured here
/// is what the engine answers with these weights.
pub fn outcomes(set: &Labeled, w: &[f64]) -> Vec<(f64, bool)> {
    let weights = signals(w);
    set.questions
        .iter()
        .map(|q| {
            let mut best: Option<(f64, u32, bool)> = None;
            for ((x, right), &rule) in q.candidates.iter().zip(&q.rules) {
                let p = f64::from(rule_confidence(&weights, &signals(x)));
                // Ties go to the earlier rule, as in the engine.
                if best.is_none_or(|(b, r, _)| p > b || (p == b && rule < r)) {
                    best = Some((p, rule, *right));
                }
            }
            best.map_or((0.0, false), |(p, _, r)| (p, r))
        })
        .collect()
}

/// Weights or signals as the engine holds them.
fn signals(x: &[f64]) -> [f32; RULE_SIGNALS] {
    let mut out = [0.0; RULE_SIGNALS];
    for (o, v) in out.iter_mut().zip(x) {
        *o = *v as f32;
    }
    out
}

/// Precision and coverage at threshold `t`, and the best coverage at precision .85 with its
/// threshold.
pub fn scores(set: &Labeled, w: &[f64]) -> ((f64, f64), (f64, f64)) {
    let o = outcomes(set, w);
    let in_scope = set.questions.iter().filter(|q| q.in_scope).count().max(1);
    let at = |t: f64| {
        let answered: Vec<&(f64, bool)> = o.iter().filter(|(c, _)| *c >= t && *c > 0.0).collect();
        let right = answered.iter().filter(|(_, r)| *r).count();
        let p = if answered.is_empty() {
            1.0
        } else {
            right as f64 / answered.len() as f64
        };
        (p, right as f64 / in_scope as f64)
    };
    let best = (0..=100)
        .map(|s| f64::from(s) * 0.01)
        .map(|t| (t, at(t)))
        .filter(|(_, (p, _))| *p >= 0.85)
        .map(|(t, (_, c))| (c, t))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .unwrap_or((0.0, 1.0));
    (at(f64::from(DEFAULT_RULE_THRESHOLD)), best)
}

/// The sets other than `i`.
fn others(sets: &[Labeled], i: usize) -> Vec<&Labeled> {
    sets.iter()
        .enumerate()
        .filter(|&(j, _)| j != i)
        .map(|(_, s)| s)
        .collect()
}

/// Prints, per set, precision and coverage at the default threshold, the best coverage at
/// precision .85 and the average precision of: the engine's current calibration; the fit on
/// the phrasings of all sets (what `CALIBRATION` ships: the test questions are in no fit);
/// for comparison, the fit on the test questions of all sets pooled, and on those of the two
/// other sets (held out). Then the weights of the phrasing fit, to paste into `CALIBRATION`.
pub fn report(sets: &[Labeled], simulated: &[Labeled], mask: &[usize], odds: f64, current: &[f64]) {
    let phrasings = fit(&simulated.iter().collect::<Vec<_>>(), mask, odds);
    let pooled = fit(&sets.iter().collect::<Vec<_>>(), mask, odds);
    println!(
        "| set | fit | P / C at {DEFAULT_RULE_THRESHOLD} | best C at P >= .85 | average precision | C at 0 (top-1) |"
    );
    println!("|---|---|---|---|---|---|");
    for (i, s) in sets.iter().enumerate() {
        let held = fit(&others(sets, i), mask, odds);
        for (name, w) in [
            ("current", current),
            ("phrasings", &phrasings),
            ("test, pooled", &pooled),
            ("test, held out", &held),
        ] {
            let ((p, c), (best, t)) = scores(s, w);
            let ap = average_precision(s, w);
            let top = top1(s, w);
            println!(
                "| {} | {name} | {p:.3} / {c:.3} | {best:.3} at {t:.2} | {ap:.3} | {top:.3} |",
                s.name
            );
        }
    }
    let list: Vec<String> = phrasings.iter().map(|w| format!("{w:.3}")).collect();
    println!("weights fitted on the phrasings: [{}]", list.join(", "));
}

/// Per set, the average precision of the model fitted on the phrasings of all sets, summed.
pub fn quality(sets: &[Labeled], simulated: &[Labeled], mask: &[usize]) -> f64 {
    let w = fit(&simulated.iter().collect::<Vec<_>>(), mask, ANSWER_ODDS);
    sets.iter().map(|s| average_precision(s, &w)).sum()
}

/// Backward selection: drops, one at a time, the signal whose removal leaves the best summed
/// average precision of the phrasing fit on the test questions, down to two signals, printing
/// each step.
pub fn select(sets: &[Labeled], simulated: &[Labeled], mask: &[usize]) {
    let mut mask: Vec<usize> = mask.iter().copied().filter(|&m| m != 0).collect();
    println!(
        "all {mask:?}: average precision summed {:.3}",
        quality(sets, simulated, &mask)
    );
    while mask.len() > 2 {
        let (q, k) = (0..mask.len())
            .map(|k| {
                let mut trial = mask.clone();
                trial.remove(k);
                (quality(sets, simulated, &trial), k)
            })
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .unwrap_or((0.0, 0));
        let dropped = mask.remove(k);
        println!("without {dropped}: {q:.3} {mask:?}");
    }
}

/// Coverage at threshold 0: the share of in-scope questions whose top candidate is right.
pub fn top1(set: &Labeled, w: &[f64]) -> f64 {
    let in_scope = set.questions.iter().filter(|q| q.in_scope).count().max(1);
    let right = outcomes(set, w)
        .iter()
        .filter(|&&(c, r)| r && c > 0.0)
        .count();
    right as f64 / in_scope as f64
}

/// Average precision of the answers ranked by confidence (right answers are the positives,
/// over all in-scope questions): the area under the precision/coverage curve.
pub fn average_precision(set: &Labeled, w: &[f64]) -> f64 {
    let mut o = outcomes(set, w);
    o.sort_by(|a, b| b.0.total_cmp(&a.0));
    let in_scope = set.questions.iter().filter(|q| q.in_scope).count().max(1);
    let (mut right, mut ap) = (0usize, 0.0);
    for (k, (_, r)) in o.iter().enumerate() {
        if *r {
            right += 1;
            ap += right as f64 / (k + 1) as f64;
        }
    }
    ap / in_scope as f64
}

/// Questions made from the rules' own phrasings, so that a calibration can be fitted without
/// the test questions: each phrasing asked of the rules without it (five folds: a fifth of
/// each rule's phrasings held out at a time) is in scope and its rule is right; each phrasing
/// asked of the rules without its whole rule is out of scope, weighted (see below).
pub fn simulate(name: &str, rules: &[Rule]) -> Labeled {
    const FOLDS: usize = 5;
    let mut questions = Vec::new();
    let build = |keep: &dyn Fn(usize, usize) -> bool| {
        let mut b = IndexBuilder::new();
        for (i, r) in rules.iter().enumerate() {
            let phrasings: Vec<String> = r
                .phrasings
                .iter()
                .enumerate()
                .filter(|&(k, _)| keep(i, k))
                .map(|(_, p)| p.clone())
                .collect();
            if !phrasings.is_empty() {
                b.add_rule(Rule {
                    phrasings,
                    ..r.clone()
                });
            }
        }
        Index::from_bytes(&b.build()).expect("a rules index reads back")
    };
    let mut ask = |index: &Index, text: &str, right: Option<&str>, weight: f64| {
        let signals = index.rule_signals(text, Some("en"));
        let ids = index.rules();
        questions.push(Question {
            rules: signals.iter().map(|(r, _)| *r).collect(),
            candidates: signals
                .into_iter()
                .map(|(r, x)| {
                    let ok = right == Some(ids[r as usize].id.as_str());
                    (x.into_iter().map(f64::from).collect(), ok)
                })
                .collect(),
            in_scope: right.is_some(),
            weight,
        });
    };
    for fold in 0..FOLDS {
        let index = build(&|_, k| k % FOLDS != fold);
        for r in rules {
            for p in r.phrasings.iter().skip(fold).step_by(FOLDS) {
                ask(&index, p, Some(&r.id), 1.0);
            }
        }
    }
    // Each held-out rule is one topic the rules do not cover; weighing its phrasings by one
    // over the square root of their number keeps a rule of 95 phrasings (curekart's product
    // advice) from being a sixth of what "out of scope" means, while a rule's size still
    // counts. The weights average 1, so out of scope still weighs as much as in scope.
    let total: f64 = rules.iter().map(|r| r.phrasings.len() as f64).sum();
    let spread: f64 = rules
        .iter()
        .map(|r| (r.phrasings.len() as f64).sqrt())
        .sum();
    for (i, r) in rules.iter().enumerate() {
        let index = build(&|j, _| j != i);
        let weight = total / spread / (r.phrasings.len() as f64).sqrt();
        for p in &r.phrasings {
            ask(&index, p, None, weight);
        }
    }
    Labeled {
        name: name.to_owned(),
        questions,
    }
}
