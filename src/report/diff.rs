//! A line diff of two policies' normal forms, for reviewers: `-`/`+`/` ` lines with a few
//! lines of context around each change, the rest folded. Bounded so one huge policy cannot
//! crowd out the rest of a report.

use serde_json::Value;

/// Context lines kept around each change.
const CONTEXT: usize = 3;
/// Above this many cells the LCS table is not built: both sides are shown whole.
const MAX_CELLS: usize = 4_000_000;

/// The normal form as the diff shows it: pretty-printed, keys sorted (serde_json's map is
/// ordered), so the same policy always gives the same lines.
pub fn policy_lines(side: &Value) -> Vec<String> {
    match side {
        Value::Null => Vec::new(),
        other => serde_json::to_string_pretty(other)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Same,
    Removed,
    Added,
}

/// The diff as text lines (`-`, `+`, ` ` prefixes; `…` where unchanged lines are folded),
/// at most `max_lines` of them. Returns the lines and how many diff lines were cut.
// Indices stay inside `ops` (`hi` is clamped to its length, `lo <= i < hi`), and
// `i + CONTEXT + 1` cannot overflow for a vector that fits in memory.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
pub fn unified(before: &[String], after: &[String], max_lines: usize) -> (Vec<String>, usize) {
    let ops = script(before, after);
    // Which lines to show: every change and CONTEXT lines either side of it.
    let mut keep = vec![false; ops.len()];
    for (i, (op, _)) in ops.iter().enumerate() {
        if *op != Op::Same {
            let lo = i.saturating_sub(CONTEXT);
            let hi = (i + CONTEXT + 1).min(ops.len());
            keep[lo..hi].iter_mut().for_each(|k| *k = true);
        }
    }
    let mut out = Vec::new();
    let mut folded = false;
    for ((op, line), keep) in ops.iter().zip(keep) {
        if !keep {
            if !folded {
                out.push("  …".to_string());
                folded = true;
            }
            continue;
        }
        folded = false;
        let prefix = match op {
            Op::Same => ' ',
            Op::Removed => '-',
            Op::Added => '+',
        };
        out.push(format!("{prefix}{line}"));
    }
    let cut = out.len().saturating_sub(max_lines);
    out.truncate(max_lines);
    (out, cut)
}

/// The edit script: an LCS over lines, or, when the table would be too big, everything
/// removed then everything added.
// The table indices are bounded by construction: `prefix + suffix <= min(a.len(), b.len())`
// (the suffix is counted only over what follows the prefix), every `i <= ma.len()` and
// `j <= mb.len()`, so `i * w + j < (ma.len() + 1) * w`, and that product is checked against
// MAX_CELLS before the table is built; the LCS values are at most the line count.
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
fn script<'a>(a: &'a [String], b: &'a [String]) -> Vec<(Op, &'a str)> {
    // Common prefix and suffix are cheap and usually most of a policy.
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (ma, mb) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut ops: Vec<(Op, &str)> = a[..prefix].iter().map(|l| (Op::Same, l.as_str())).collect();
    if ma.len().saturating_mul(mb.len()) > MAX_CELLS {
        ops.extend(ma.iter().map(|l| (Op::Removed, l.as_str())));
        ops.extend(mb.iter().map(|l| (Op::Added, l.as_str())));
    } else {
        // lcs[i][j]: LCS length of ma[i..] and mb[j..].
        let w = mb.len() + 1;
        let mut lcs = vec![0u32; (ma.len() + 1) * w];
        for i in (0..ma.len()).rev() {
            for j in (0..mb.len()).rev() {
                lcs[i * w + j] = if ma[i] == mb[j] {
                    lcs[(i + 1) * w + j + 1] + 1
                } else {
                    lcs[(i + 1) * w + j].max(lcs[i * w + j + 1])
                };
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < ma.len() || j < mb.len() {
            if i < ma.len() && j < mb.len() && ma[i] == mb[j] {
                ops.push((Op::Same, &ma[i]));
                i += 1;
                j += 1;
            } else if i < ma.len() && (j == mb.len() || lcs[(i + 1) * w + j] >= lcs[i * w + j + 1])
            {
                // Ties go to removal, so a changed line reads as `-old` then `+new`.
                ops.push((Op::Removed, &ma[i]));
                i += 1;
            } else {
                ops.push((Op::Added, &mb[j]));
                j += 1;
            }
        }
    }
    ops.extend(a[a.len() - suffix..].iter().map(|l| (Op::Same, l.as_str())));
    ops
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    fn lines(s: &str) -> Vec<String> {
        s.lines().map(str::to_string).collect()
    }

    #[test]
    fn a_changed_line_shows_as_removed_then_added_with_context() {
        let a = lines("1\n2\n3\n4\n5\n6\n7\n8\n9");
        let b = lines("1\n2\n3\n4\nX\n6\n7\n8\n9");
        let (out, cut) = unified(&a, &b, 100);
        assert_eq!(
            out,
            vec!["  …", " 2", " 3", " 4", "-5", "+X", " 6", " 7", " 8", "  …"]
        );
        assert_eq!(cut, 0);
    }

    #[test]
    fn created_and_bounded() {
        let (out, cut) = unified(&[], &lines("a\nb\nc"), 2);
        assert_eq!(out, vec!["+a", "+b"]);
        assert_eq!(cut, 1);
    }
}
