//! Helpers shared by the integration tests: where testdata/ and ../shared are.

use std::path::PathBuf;

/// The crate root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `testdata/<rel>`.
pub fn testdata(rel: &str) -> PathBuf {
    root().join("testdata").join(rel)
}

/// The `*.json` files directly in `testdata/<rel>`, sorted.
pub fn json_files(rel: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(testdata(rel))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

/// `../shared`, when it exists beside the checkout.
///
/// When it is absent the caller skips and says so on stderr; with `TRUSTGATE_REQUIRE_SHARED=1`
/// (set by `.ci/run`) its absence fails the test instead, so CI can never pass by skipping.
pub fn shared() -> Option<PathBuf> {
    let dir = root().join("..").join("shared");
    if dir.join("SPEC.md").is_file() {
        return Some(dir);
    }
    if std::env::var("TRUSTGATE_REQUIRE_SHARED").as_deref() == Ok("1") {
        panic!(
            "../shared is missing at {} but TRUSTGATE_REQUIRE_SHARED=1",
            dir.display()
        );
    }
    None
}

/// Print the standard skip line for a test that needs ../shared.
pub fn skip(test: &str) {
    eprintln!("SKIPPED {test}: ../shared is not beside this checkout");
}

/// Every witness in a trustgate JSON report (`findings[].witness`) is a request AWS could see
/// (`compare::realism::check`); returns one line per one that is not.
pub fn unrealistic_witnesses(doc: &serde_json::Value, label: &str) -> Vec<String> {
    let mut out = Vec::new();
    for f in doc["findings"].as_array().into_iter().flatten() {
        if f["witness"].is_null() {
            continue;
        }
        out.extend(unrealistic(
            &f["witness"],
            &format!("{label} {}", f["rule"]),
        ));
    }
    out
}

/// One witness (a request as JSON) checked for realism; empty when it passes.
pub fn unrealistic(witness: &serde_json::Value, label: &str) -> Option<String> {
    let req: trustgate::eval::Request = match serde_json::from_value(witness.clone()) {
        Ok(r) => r,
        Err(e) => {
            return Some(format!(
                "{label}: witness is not a request ({e}): {witness}"
            ))
        }
    };
    trustgate::compare::realism::check(&req)
        .err()
        .map(|why| format!("{label}: unrealistic witness ({why}): {witness}"))
}

/// The role at `address` in a JSON report.
pub fn role<'a>(doc: &'a serde_json::Value, address: &str) -> &'a serde_json::Value {
    doc["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == address)
        .unwrap_or_else(|| panic!("no role {address}"))
}
