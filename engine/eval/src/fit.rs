//! Fits the rule responder's confidence (`CALIBRATION` in `engine/src/rules.rs`): a logistic
//! model of "this candidate rule is the right answer" over the signals the engine exposes with
//! `Index::rule_signals`, fitted by Newton's method with a small ridge penalty on standardized
//! signals. `--fit` fits on the HINT3 sets pooled and leave-one-set-out, and prints for each
//! set its precision and coverage at the default threshold and its best coverage at precision
//! .85, so that a held-out figure (the set was not in the fit) is always next to the pooled one.
//!
//! Every candidate of every question is one example (out-of-scope questions give only
//! negatives), so the model also reranks candidates. The fitted bias is lowered by
//! `ln(ANSWER_ODDS)` so that the default threshold 0.5 answers when the model gives the rule
//! an `ANSWER_ODDS : 1` chance of being right.

use solodesk_engine::{Index, DEFAULT_RULE_THRESHOLD};

/// One question: its candidates' signals and which of them is right (none when out of scope).
pub struct Question {
    pub candidates: Vec<(Vec<f64>, bool)>,
    /// Rule positions of the candidates, for ties.
    pub rules: Vec<u32>,
    pub in_scope: bool,
    pub text: String,
}

pub struct Labeled {
    pub name: String,
    pub questions: Vec<Question>,
}

/// The candidates' signals of each question, labelled with the right rules.
pub fn collect(
    name: &str,
    index: &Index,
    queries: &[(String, Option<String>, Option<&std::collections::BTreeSet<String>>)],
) -> Labeled {
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
                        let right =
                            relevant.is_some_and(|rel| rel.contains(&rules[r as usize].id));
                        (x.into_iter().map(f64::from).collect(), right)
                    })
                    .collect(),
                in_scope: relevant.is_some(),
                text: text.clone(),
            }
        })
        .collect();
    Labeled {
        name: name.to_owned(),
        questions,
    }
}

/// Odds of being right at which the default threshold answers.
pub const ANSWER_ODDS: f64 = 1.5;
/// Ridge penalty on the standardized signals.
const RIDGE: f64 = 1.0;
/// Position of the negation mismatch among the signals, and the factor the engine applies.
const NEGATION: usize = 19;
const NEGATION_MISMATCH: f64 = 0.85;

/// Logistic regression on the signals in `mask` (the bias, signal 0, always), over every
/// candidate of the given sets' questions; weights for all signals (0 outside the mask).
pub fn fit(sets: &[&Labeled], mask: &[usize]) -> Vec<f64> {
    let dims = sets
        .iter()
        .flat_map(|s| &s.questions)
        .flat_map(|q| &q.candidates)
        .map(|(x, _)| x.len())
        .next()
        .unwrap_or(1);
    let mut cols: Vec<usize> = vec![0];
    cols.extend(mask.iter().copied().filter(|&m| m != 0 && m < dims));
    let rows: Vec<(Vec<f64>, f64)> = sets
        .iter()
        .flat_map(|s| &s.questions)
        .flat_map(|q| &q.candidates)
        .map(|(x, y)| (cols.iter().map(|&c| x[c]).collect(), f64::from(u8::from(*y))))
        .collect();
    let d = cols.len();
    let n = rows.len().max(1) as f64;
    // Standardize so the ridge treats every signal alike.
    let mut mean = vec![0.0; d];
    let mut sd = vec![1.0; d];
    for j in 1..d {
        mean[j] = rows.iter().map(|(x, _)| x[j]).sum::<f64>() / n;
        let var = rows.iter().map(|(x, _)| (x[j] - mean[j]).powi(2)).sum::<f64>() / n;
        sd[j] = var.sqrt().max(1e-9);
    }
    let z: Vec<(Vec<f64>, f64)> = rows
        .iter()
        .map(|(x, y)| {
            let mut v = x.clone();
            for j in 1..d {
                v[j] = (x[j] - mean[j]) / sd[j];
            }
            (v, *y)
        })
        .collect();
    let mut w = vec![0.0; d];
    for _ in 0..50 {
        let mut grad = vec![0.0; d];
        let mut hess = vec![vec![0.0; d]; d];
        for (x, y) in &z {
            let p = sigmoid(dot(&w, x));
            let r = p * (1.0 - p);
            for a in 0..d {
                grad[a] += (p - y) * x[a];
                for b in 0..d {
                    hess[a][b] += r * x[a] * x[b];
                }
            }
        }
        for a in 1..d {
            let ridge: f64 = std::env::var("RIDGE").ok().and_then(|v| v.parse().ok()).unwrap_or(RIDGE);
            grad[a] += ridge * w[a];
            hess[a][a] += ridge;
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
    raw[0] -= std::env::var("ODDS").ok().and_then(|v| v.parse().ok()).unwrap_or(ANSWER_ODDS).ln();
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
        for row in col + 1..n {
            let f = a[row][col] / p;
            for k in col..n {
                a[row][k] -= f * a[col][k];
            }
            b[row] -= f * b[col];
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
pub fn outcomes(set: &Labeled, w: &[f64]) -> Vec<(f64, bool)> {
    set.questions
        .iter()
        .map(|q| {
            let mut best: Option<(f64, u32, bool)> = None;
            for ((x, right), &rule) in q.candidates.iter().zip(&q.rules) {
                let mut p = sigmoid(dot(w, x));
                if x.get(NEGATION).is_some_and(|&m| m > 0.0) {
                    p *= if std::env::var_os("NONEG").is_some() { 1.0 } else { NEGATION_MISMATCH };
                }
                // Ties go to the earlier rule, as in the engine.
                if best.is_none_or(|(b, r, _)| p > b || (p == b && rule < r)) {
                    best = Some((p, rule, *right));
                }
            }
            best.map_or((0.0, false), |(p, _, r)| (p, r))
        })
        .collect()
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

/// Fits pooled and leave-one-set-out and prints both, with the pooled weights.
pub fn report(sets: &[Labeled], mask: &[usize], current: &[f64]) {
    println!("| set | shipped: P / C at 0.5 | best C at P>=.85 | pooled fit | best | held out | best |");
    println!("|---|---|---|---|---|---|---|");
    let all: Vec<&Labeled> = sets
        .iter()
        .filter(|s| std::env::var("FITON").map_or(true, |f| f.contains(&s.name[6..9])))
        .collect();
    let pooled = fit(&all, mask);
    for (i, s) in sets.iter().enumerate() {
        let others: Vec<&Labeled> = sets
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .map(|(_, s)| s)
            .collect();
        let held = fit(&others, mask);
        let cells: Vec<String> = [current, &pooled, &held]
            .iter()
            .flat_map(|w| {
                let ((p, c), (best, t)) = scores(s, w);
                [format!("{p:.3} / {c:.3}"), format!("{best:.3} at {t:.2}")]
            })
            .collect();
        println!("| {} | {} |", s.name, cells.join(" | "));
    }
    if let Ok(name) = std::env::var("DUMPFIT") {
        for s in sets.iter().filter(|s| s.name == name) {
            for (q, (c, r)) in s.questions.iter().zip(outcomes(s, &pooled)) {
                let top = q
                    .candidates
                    .iter()
                    .max_by(|a, b| dot(&pooled, &a.0).total_cmp(&dot(&pooled, &b.0)));
                let x: Vec<String> = top.map_or(Vec::new(), |t| t.0.iter().map(|v| format!("{v:.2}")).collect());
                eprintln!("{c:.3}\t{}\t{}\t{}\t{}", u8::from(r), u8::from(q.in_scope), q.text, x.join(" "));
            }
        }
    }
    let ap: Vec<String> = sets
        .iter()
        .map(|s| format!("{:.3}/{:.3}", average_precision(s, current), average_precision(s, &pooled)))
        .collect();
    println!("average precision (shipped/pooled): {}; held-out quality {:.3}", ap.join(" "), held_out_quality(sets, mask));
    let list: Vec<String> = pooled.iter().map(|w| format!("{w:.3}")).collect();
    println!("pooled weights: [{}]", list.join(", "));
}

/// Held-out quality of a signal set: per set, the best coverage at precision .85 of the model
/// fitted on the other sets, summed.
pub fn held_out_quality(sets: &[Labeled], mask: &[usize]) -> f64 {
    (0..sets.len())
        .map(|i| {
            let others: Vec<&Labeled> = sets
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, s)| s)
                .collect();
            let w = fit(&others, mask);
            if std::env::var_os("AP").is_some() {
                return average_precision(&sets[i], &w);
            }
            scores(&sets[i], &w).1 .0
        })
        .sum()
}

/// Drops signals one at a time while the held-out quality does not fall.
pub fn backward(sets: &[Labeled], mask: &[usize]) {
    let mut mask = mask.to_vec();
    let mut best = held_out_quality(sets, &mask);
    println!("start {best:.3} {mask:?}");
    loop {
        let mut pick: Option<(f64, usize)> = None;
        for (k, &m) in mask.iter().enumerate() {
            if m == 0 {
                continue;
            }
            let mut trial = mask.clone();
            trial.remove(k);
            let q = held_out_quality(sets, &trial);
            if mask.len() > 3 && pick.is_none_or(|(b, _)| q > b) {
                pick = Some((q, k));
            }
        }
        let Some((q, k)) = pick else { break };
        println!("drop {} -> {q:.3}", mask[k]);
        mask.remove(k);
        best = best.max(q);
        println!("  {mask:?}");
    }
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
