//! Where rule documentation lives and how reports link to it: docs/rules.md, compiled in, one
//! `## rule-id` section per rule, whose heading gives the stable anchor `#rule-id` on any
//! forge that renders the file.

/// The project's home: the one place the repository URL is spelled (Cargo.toml's
/// `repository`), so every link in every report moves with it.
pub const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// The rule docs, compiled in so `explain` and SARIF help work from any directory.
pub const RULES_DOC: &str = include_str!("../../docs/rules.md");

/// The page every rule link points into.
pub fn rules_page() -> String {
    format!("{REPOSITORY}/blob/main/docs/rules.md")
}

/// The stable link to one rule's section. Custom rules from the configuration have no
/// section, so they link to the page.
pub fn rule_url(id: &str) -> String {
    if rule_doc(id).is_some() {
        format!("{}#{id}", rules_page())
    } else {
        rules_page()
    }
}

/// The section `## ID` of docs/rules.md.
pub fn rule_doc(id: &str) -> Option<&'static str> {
    let heading = format!("\n## {id}\n");
    let start = RULES_DOC.find(&heading)?.checked_add(1)?;
    let rest = RULES_DOC.get(start..)?;
    let end = rest
        .get(3..)
        .and_then(|tail| tail.find("\n## "))
        .map_or(rest.len(), |i| i.saturating_add(4));
    rest.get(..end).map(str::trim_end)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;
    use crate::rules::REGISTRY;

    #[test]
    fn every_registered_rule_has_its_anchor() {
        for rule in REGISTRY {
            let id = rule.meta().id;
            assert!(
                RULES_DOC.contains(&format!("\n## {id}\n")),
                "docs/rules.md has no `## {id}` section (its anchor is `#{id}`)"
            );
            assert!(rule_url(id).ends_with(&format!("docs/rules.md#{id}")));
        }
        assert!(rule_url("my-custom").ends_with("docs/rules.md"));
    }
}
