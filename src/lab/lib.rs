//! totsugo's lab: synthetic match-result files ([`sample`]) and the scoring of the explanation
//! engine against labelled data ([`eval`]). Tests, benchmarks and the demo file are made with
//! it; the product does not depend on it.

pub mod eval;
pub mod sample;
