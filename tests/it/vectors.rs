//! The IAM test vectors: the copy in testdata/ must equal ../shared/iam/vectors.json.

use crate::common;

#[test]
fn vectors_copy_matches_shared() {
    let ours =
        std::fs::read(common::testdata("iam/vectors.json")).expect("testdata/iam/vectors.json");
    let Some(shared) = common::shared() else {
        common::skip("vectors_copy_matches_shared");
        return;
    };
    let theirs =
        std::fs::read(shared.join("iam/vectors.json")).expect("../shared/iam/vectors.json");
    assert!(
        ours == theirs,
        "testdata/iam/vectors.json differs from ../shared/iam/vectors.json: copy it again \
         (cp ../shared/iam/vectors.json testdata/iam/vectors.json) and re-run the tests"
    );
}
