//! The session's one error type.

use crate::auth::{FourEyes, Permission};
use crate::import::ImportError;
use crate::store::StoreError;
use crate::vault::VaultError;

/// Why an operation of the session failed or was refused, in words for the user: the one error
/// type of the session (logging in and rights, the review, letters, release, settings, the
/// audit trail), with the store's, the key slots' and the import's own errors inside.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// Wrong login name or password (never says which).
    #[error("利用者名またはパスワードが違います")]
    WrongCredentials,
    /// Locked after too many failures.
    #[error("失敗が続いたためロックされています（{until} まで）。管理者に解除を依頼してください")]
    Locked {
        /// Local time until which the account stays locked.
        until: String,
    },
    /// The user lacks the right.
    #[error("この操作（{}）の権限がありません", .0.label_ja())]
    Forbidden(Permission),
    /// Four-eyes: the approver made some of the decisions.
    #[error("自分が登録した判断を含むバッチは承認できません（四つの目の原則）")]
    OwnDecisions,
    /// The password must be changed before anything else.
    #[error("パスワードの変更が必要です")]
    PasswordChangeRequired,
    /// A password that breaks the policy.
    #[error("{0}")]
    WeakPassword(String),
    /// A bad user change (duplicate login, last administrator …).
    #[error("{0}")]
    InvalidUser(String),
    /// A setting typed wrong (the sentence says what is expected).
    #[error("{0}")]
    InvalidSetting(String),
    /// Recovery key does not fit.
    #[error("復旧キーが違います")]
    WrongRecoveryKey,
    /// No such record, or not a mismatch.
    #[error("記録 {0} は点検の対象（不一致）ではありません")]
    NotAMismatch(i64),
    /// The decision contradicts the evidence: confirm it and write a memo.
    #[error("この判断は確認が必要です（{}）。確認のうえ、理由をメモに書いてください", .0.join("。"))]
    NeedsConfirmation(Vec<String>),
    /// 本人へ文書送付 needs a letter type (and other decisions none).
    #[error("本人へ文書送付のときは通知文の種類（A・B）を選んでください")]
    LetterType,
    /// The qualification was lost on or before the match date: out of the check and of the
    /// count report (seed 002: 「資格喪失者については…今般の点検対象には含まれません」).
    #[error(
        "記録 {0} は突合基準日以前に資格を喪失しているため、点検の対象外です（件数の報告にも含めません）"
    )]
    OutOfScope(i64),
    /// 2-1 without a usable loss date (the sentence says why).
    #[error("{0}")]
    LossDate(String),
    /// 事業主へ確認 where the members have no employer to ask (国保, 広域連合).
    #[error(
        "「事業主へ確認」（設問3）は被用者保険（協会けんぽ・健保組合・共済組合）だけです。本人へ文書送付か、保険者での確認を選んでください"
    )]
    NoEmployer,
    /// The record is approved: it can no longer be decided.
    #[error("記録 {0} は承認済みのため、判断を変えられません")]
    AlreadyApproved(i64),
    /// Nothing of this user's to undo.
    #[error("取り消せる判断がありません")]
    NothingToUndo,
    /// A send-back needs a reason.
    #[error("差し戻しの理由を書いてください")]
    EmptyReason,
    /// The record is not waiting for approval.
    #[error("記録 {0} は承認待ちではありません")]
    NotDecided(i64),
    /// No letter of this type was decided for the record (or it is not decided yet).
    #[error("記録 {0} は、この種類の通知文を送る判断になっていません")]
    NoLetterDecided(i64),
    /// A reply before any letter was printed for the record.
    #[error("記録 {0} には通知文をまだ印刷していません")]
    NoLetterSent(i64),
    /// The outcome does not follow the record's decision (e.g. a reply to an employer check).
    #[error(
        "記録 {0} の判断には、この結果を登録できません（本人への文書送付または事業主への確認の結果だけです）"
    )]
    FollowUpDoesNotFit(i64),
    /// The stored number has no last 4 digits to compare (a masked file).
    #[error(
        "記録 {0} の個人番号はファイルで伏せられていて下4桁がないため、照合できません。書類で確認してください"
    )]
    NoLastFour(i64),
    /// The last 4 digits must be 4 digits.
    #[error("個人番号の下4桁は、4桁の数字で入力してください")]
    Digits,
    /// Records that cannot go into a release request (not approved, not confirmed, or in an
    /// earlier request).
    #[error(
        "解除依頼に入れられない記録があります（承認済で番号確認済、まだ依頼していない記録だけです）"
    )]
    NotReleasable,
    /// Letters could not be made (the letters module says why, by card number).
    #[error("{0}")]
    Letters(String),
    /// A letter text refused (unknown placeholder, unclosed brace, unprintable characters, too
    /// long …; the sentence names it).
    #[error(transparent)]
    LetterText(#[from] crate::letter_text::TextError),
    /// The record's number has not turned out wrong (its current decision and follow-up are
    /// not 2-4, 3-2, 4-4 or 4-7).
    #[error(
        "記録 {0} は、個人番号の誤りが分かった記録（保険者の判断・事業主の回答・本人の回答）ではありません"
    )]
    NotWrongNumber(i64),
    /// The wrong-number procedure has begun: what made the number wrong can no longer change.
    #[error(
        "記録 {0} は個人番号の誤りの手続きを記録済みのため、判断や回答を変えられません（実施機関への連絡や番号の削除が済んでいます）"
    )]
    StepsRecorded(i64),
    /// A wrong-number step out of seed 000's order (the sentence says why).
    #[error(transparent)]
    Step(#[from] crate::wrong_number::steps::StepRefused),
    /// The user stopped the work before it wrote anything.
    #[error("中止しました。何も書き出していません")]
    Cancelled,
    /// An output refused or not written (inside the store's folder, no such folder …; the
    /// sentence says why).
    #[error("{0}")]
    Output(String),
    /// A review of the audit trail or of the users refused (the sentence says why).
    #[error("{0}")]
    Review(String),
    /// The file could not be imported (the import says why, by row and column).
    #[error(transparent)]
    Import(#[from] ImportError),
    /// The user was disabled while the session was open: nothing more is done in it.
    #[error("この利用者は無効にされています。操作はできません")]
    Disabled,
    /// The decision shown on the approval screen changed before the approval (decided again,
    /// undone, sent back or approved by someone else): nothing was approved.
    #[error(
        "記録 {0} の判断は、承認画面に表示した後に変わりました（判断の登録・取り消し・差し戻し・別の承認）。一件も承認していません。画面を開き直して確かめてください"
    )]
    DecisionChanged(i64),
    /// The follow-up shown for approval changed (recorded again, approved by someone else, or
    /// its decision changed): nothing was approved.
    #[error(
        "記録 {0} のその後の結果は、承認画面に表示した後に変わりました。一件も承認していません。画面を開き直して確かめてください"
    )]
    OutcomeChanged(i64),
    /// Four-eyes on a follow-up: the supervisor recorded it.
    #[error("自分が登録したその後の結果は承認できません（四つの目の原則）。記録 {0}")]
    OwnOutcome(i64),
    /// An output would hold full My Numbers and the user lacks 個人番号閲覧権限.
    #[error(
        "{0}は個人番号を含む書式のため、個人番号閲覧権限のある利用者だけが書き出せます。権限のある責任者に依頼してください（書式は管理者が設定画面で変えられます）"
    )]
    MyNumberRightNeeded(String),
    /// The slot file was altered or rolled back, or the audit trail cut (the sentence says
    /// which and what to do).
    #[error("{0}")]
    VaultProblem(String),
    /// Key-slot file problems.
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// Store problems.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<FourEyes> for SessionError {
    fn from(e: FourEyes) -> Self {
        match e {
            FourEyes::NotASupervisor => SessionError::Forbidden(Permission::Approve),
            FourEyes::OwnDecisions => SessionError::OwnDecisions,
        }
    }
}

impl SessionError {
    /// The message for the user; an import's errors are listed up to `limit` of them, each
    /// with its row and column.
    pub fn message_ja(&self, limit: usize) -> String {
        match self {
            SessionError::Import(e) => e.message_ja(limit),
            e => e.to_string(),
        }
    }
}
