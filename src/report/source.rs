//! Finding a role's `resource` block in Terraform source, for `--source-dir`: the pure half
//! (address parsing, module-source resolution, scanning `.tf` text). Reading the files is the
//! pipeline's job (`app::output`), so this stays testable without a disk.

use std::path::{Component, Path, PathBuf};

/// A resource address split into what locates its block: the module calls it sits under
/// (instance keys dropped: every instance shares one block) and its type and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourcePath {
    /// Module call names, outermost first (`module.a["x"].module.b` gives `["a", "b"]`).
    pub modules: Vec<String>,
    pub resource_type: String,
    pub name: String,
}

impl ResourcePath {
    /// The configuration address of the `depth` outermost module calls
    /// (`module.a.module.b`), as `PlanInfo::module_sources` names them.
    pub fn module_address(&self, depth: usize) -> String {
        self.modules
            .iter()
            .take(depth)
            .map(|m| format!("module.{m}"))
            .collect::<Vec<_>>()
            .join(".")
    }
}

/// Split an address into its dot-separated steps, each with its instance key dropped. A key
/// is a number or a quoted string that may itself hold dots, brackets or escaped quotes.
fn steps(address: &str) -> Option<Vec<String>> {
    let mut steps = Vec::new();
    let mut current = String::new();
    let mut chars = address.chars();
    while let Some(c) = chars.next() {
        match c {
            '.' => steps.push(std::mem::take(&mut current)),
            '[' => {
                // Skip the key up to its closing bracket, honouring quotes.
                let mut quoted = false;
                let mut escaped = false;
                loop {
                    let k = chars.next()?;
                    match (quoted, escaped, k) {
                        (true, false, '\\') => escaped = true,
                        (true, true, _) => escaped = false,
                        (_, _, '"') => quoted = !quoted,
                        (false, _, ']') => break,
                        _ => {}
                    }
                }
            }
            _ => current.push(c),
        }
    }
    steps.push(current);
    steps.iter().all(|s| !s.is_empty()).then_some(steps)
}

/// `module.a["x"].aws_iam_role.r[0]` → modules `a`, type `aws_iam_role`, name `r`. `None` for
/// anything that is not a managed resource address.
pub fn parse_address(address: &str) -> Option<ResourcePath> {
    let steps = steps(address)?;
    let mut modules = Vec::new();
    let mut rest = steps.as_slice();
    while let [kw, name, tail @ ..] = rest {
        if kw != "module" {
            break;
        }
        modules.push(name.clone());
        rest = tail;
    }
    match rest {
        [resource_type, name] if resource_type != "data" => Some(ResourcePath {
            modules,
            resource_type: resource_type.clone(),
            name: name.clone(),
        }),
        _ => None,
    }
}

/// A module source that names a directory on disk relative to the calling module (Terraform
/// treats only `./` and `../` prefixes so; everything else is fetched into `.terraform`).
pub fn is_local_source(source: &str) -> bool {
    source.starts_with("./")
        || source.starts_with("../")
        || source.starts_with(".\\")
        || source.starts_with("..\\")
}

/// `dir` joined with `rel`, `.` and `..` resolved lexically (never by the file system, so
/// the result names the path the way the user's repository does).
pub fn join_normal(dir: &Path, rel: &str) -> PathBuf {
    let joined = dir.join(rel.replace('\\', "/"));
    let mut root = PathBuf::new();
    let mut parts: Vec<String> = Vec::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if parts.last().is_some_and(|last| last != "..") {
                    parts.pop();
                } else if !root.has_root() {
                    parts.push("..".into());
                }
            }
            Component::RootDir | Component::Prefix(_) => root.push(c.as_os_str()),
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
        }
    }
    for p in parts {
        root.push(p);
    }
    root
}

/// The path with `/` separators, as SARIF URIs and workflow commands want it.
pub fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    if text.is_empty() {
        ".".into()
    } else {
        text
    }
}

/// The 1-based line of the `resource "TYPE" "NAME" {` header in one `.tf` file's text, if it
/// is there. Labels may be quoted or bare, as HCL allows; block comments and heredocs are not
/// parsed (a header inside one is vanishingly rare, and at worst points at the wrong line).
pub fn find_resource_block(text: &str, resource_type: &str, name: &str) -> Option<usize> {
    find_block(text, "resource", &[resource_type, name])
}

/// The 1-based line of the `module "NAME" {` call in one `.tf` file's text: where a resource
/// of a module fetched into `.terraform/` is pointed at, since a forge cannot open that copy.
pub fn find_module_block(text: &str, name: &str) -> Option<usize> {
    find_block(text, "module", &[name])
}

fn find_block(text: &str, keyword: &str, labels: &[&str]) -> Option<usize> {
    text.lines().enumerate().find_map(|(i, line)| {
        let mut tokens = header_tokens(line, keyword)?;
        let ok = tokens.next()? == keyword
            && labels
                .iter()
                .all(|l| tokens.next().is_some_and(|t| t == *l))
            && tokens.next()?.starts_with('{');
        ok.then_some(i.saturating_add(1))
    })
}

/// The first tokens of a line, each label unquoted: `resource "a" "b" {` → resource, a, b, {.
fn header_tokens<'a>(line: &'a str, keyword: &str) -> Option<impl Iterator<Item = String> + 'a> {
    let trimmed = line.trim_start();
    if !trimmed.starts_with(keyword) {
        return None;
    }
    let mut rest = trimmed;
    let mut tokens = Vec::new();
    while tokens.len() < 4 {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        if let Some(quoted) = rest.strip_prefix('"') {
            let end = quoted.find('"')?;
            tokens.push(quoted[..end].to_string());
            rest = quoted.get(end.saturating_add(1)..).unwrap_or_default();
        } else if rest.starts_with('{') {
            tokens.push("{".to_string());
            break;
        } else {
            let end = rest
                .find(|c: char| c.is_whitespace() || c == '"' || c == '{')
                .unwrap_or(rest.len());
            tokens.push(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    Some(tokens.into_iter())
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    #[test]
    fn addresses_drop_instance_keys_even_with_dots_and_brackets() {
        let p = parse_address(r#"module.a["x.y]"].module.b[0].aws_iam_role.r["k\"]"]"#).unwrap();
        assert_eq!(p.modules, vec!["a", "b"]);
        assert_eq!(
            (p.resource_type.as_str(), p.name.as_str()),
            ("aws_iam_role", "r")
        );
        assert_eq!(p.module_address(2), "module.a.module.b");
        assert_eq!(p.module_address(0), "");
        assert!(parse_address("data.aws_iam_policy_document.x").is_none());
        assert!(parse_address("module.a").is_none());
        assert!(parse_address("aws_iam_role.r[").is_none());
    }

    #[test]
    fn headers_quoted_or_bare() {
        let text =
            "# c\nresource \"aws_iam_role\" \"other\" {}\n  resource \"aws_iam_role\" \"r\"{\n";
        assert_eq!(find_resource_block(text, "aws_iam_role", "r"), Some(3));
        assert_eq!(
            find_resource_block("resource aws_iam_role r {\n", "aws_iam_role", "r"),
            Some(1)
        );
        assert_eq!(
            find_resource_block("resourcex \"a\" \"r\" {", "a", "r"),
            None
        );
        assert_eq!(
            find_resource_block("resource \"aws_iam_role\" \"r2\" {", "aws_iam_role", "r"),
            None
        );
        assert_eq!(find_module_block("module \"iam\" {\n", "iam"), Some(1));
        assert_eq!(find_module_block("module \"iam2\" {\n", "iam"), None);
    }

    #[test]
    fn joins_resolve_dots_lexically() {
        assert_eq!(
            display_path(&join_normal(Path::new("infra"), "./modules/x")),
            "infra/modules/x"
        );
        assert_eq!(
            display_path(&join_normal(Path::new("infra/live"), "../modules/x")),
            "infra/modules/x"
        );
        assert_eq!(display_path(&join_normal(Path::new("."), "../x")), "../x");
        assert_eq!(
            display_path(&join_normal(Path::new("/r/a"), "../../../x")),
            "/x"
        );
    }
}
