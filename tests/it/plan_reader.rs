//! Plan reader tests (corpus, fixtures, bad input).
