//! totsugo (突合): the core of a review tool for the match-result files (突合結果ファイル) that
//! Japanese health insurers received from the nationwide J-LIS check of registered My Numbers.
//!
//! This library holds everything but the screens: reading and validating the file
//! ([`import`]), the encrypted local store ([`store`]) and its per-user key slots ([`vault`]),
//! users, roles and the four-eyes rule ([`auth`]), the logged-in session through which every
//! operation passes ([`session`]), the tamper-evident audit trail ([`audit`]), the domain rules
//! ([`classify`]), and the documents. It has no GUI dependency: the command-line tool (the
//! `totsugo` package) and the desktop app (`totsugo-app`) call the same functions; synthetic
//! data and the evaluation live apart in `totsugo-lab`.

pub mod analyze;
pub mod audit;
pub mod audit_review;
pub mod auth;
pub mod backup;
pub mod checkdigit;
pub mod classify;
pub mod compare;
pub mod crash;
pub mod crosscheck;
pub mod demo;
pub mod encoding;
pub mod help;
pub mod import;
#[cfg(feature = "inspect")]
pub mod inspect;
pub mod insurer;
pub mod letter_text;
pub mod letters;
pub mod location;
pub mod mask;
pub mod oslog;
pub mod output_file;
pub mod outputs;
pub mod pdf;
pub mod postal;
pub mod profile;
pub mod purge;
pub mod record;
pub mod release;
pub mod report;
pub mod review;
pub mod session;
pub mod store;
pub mod summary;
pub mod text;
pub mod vault;
pub mod wrong_number;
