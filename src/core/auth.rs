//! Roles and rights, and the rules that go with them: who may do what, the four-eyes rule,
//! and what makes an acceptable password. Enforced here, in the core, whatever the screen shows.

use std::fmt;

use crate::vault::Policy;

/// A role a user can hold (several at once).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    /// 担当者: reviews and decides, prints letters, records replies.
    Clerk,
    /// 責任者: a clerk's rights, plus approving batches and signing off requests and reports.
    Supervisor,
    /// 管理者: users, imports, settings, purge.
    Administrator,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 3] = [Role::Clerk, Role::Supervisor, Role::Administrator];

    fn bit(self) -> u8 {
        match self {
            Role::Clerk => 1,
            Role::Supervisor => 2,
            Role::Administrator => 4,
        }
    }

    /// The name clerks know.
    pub fn label_ja(self) -> &'static str {
        match self {
            Role::Clerk => "担当者",
            Role::Supervisor => "責任者",
            Role::Administrator => "管理者",
        }
    }

    /// The key used by the CLI (`clerk`, `supervisor`, `admin`).
    pub fn key(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Supervisor => "supervisor",
            Role::Administrator => "admin",
        }
    }

    /// From a CLI key or a Japanese name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.iter().copied().find(|r| {
            r.key() == s || r.label_ja() == s || (s == "administrator" && *r == Role::Administrator)
        })
    }
}

/// A set of roles.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct Roles(pub u8);

impl Roles {
    /// The set of the given roles.
    pub fn of(roles: &[Role]) -> Roles {
        Roles(roles.iter().fold(0, |b, r| b | r.bit()))
    }

    /// Whether the set holds a role.
    pub fn has(self, r: Role) -> bool {
        self.0 & r.bit() != 0
    }

    /// The roles in the set.
    pub fn list(self) -> Vec<Role> {
        Role::ALL.iter().copied().filter(|r| self.has(*r)).collect()
    }

    /// 「担当者・責任者」.
    pub fn label_ja(self) -> String {
        let l: Vec<&str> = self.list().iter().map(|r| r.label_ja()).collect();
        if l.is_empty() {
            "（なし）".into()
        } else {
            l.join("・")
        }
    }

    /// Whether these roles allow an action. The right to see the full My Number is not a role
    /// (see [`Permission::RevealMyNumber`]).
    pub fn allow(self, p: Permission) -> bool {
        let clerk = self.has(Role::Clerk);
        let sup = self.has(Role::Supervisor);
        let admin = self.has(Role::Administrator);
        match p {
            Permission::Review
            | Permission::Decide
            | Permission::PrintLetters
            | Permission::RecordReplies => clerk || sup,
            Permission::Approve | Permission::SignOff => sup,
            Permission::ManageUsers
            | Permission::Import
            | Permission::Settings
            | Permission::Backup
            | Permission::Purge => admin,
            Permission::ReadAudit => admin || sup,
            Permission::ViewSummary => clerk || sup || admin,
            Permission::RevealMyNumber => false,
        }
    }
}

/// Something a user may or may not do.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Permission {
    /// Open the mismatch list and records.
    Review,
    /// Record decisions.
    Decide,
    /// Print notice letters.
    PrintLetters,
    /// Record replies.
    RecordReplies,
    /// Approve batches, send records back.
    Approve,
    /// Sign off release requests and count reports.
    SignOff,
    /// Create, change, disable users; reset passwords.
    ManageUsers,
    /// Import match-result files.
    Import,
    /// Change settings and account rules.
    Settings,
    /// Purge the store.
    Purge,
    /// Write a backup of the store (and restore one on an empty terminal).
    Backup,
    /// Read and export the audit trail.
    ReadAudit,
    /// See the counts.
    ViewSummary,
    /// See the full My Number (個人番号閲覧権限, granted per user).
    RevealMyNumber,
}

impl Permission {
    /// Every permission, in the order the home screen lists them.
    pub const ALL: [Permission; 14] = [
        Permission::Review,
        Permission::Decide,
        Permission::PrintLetters,
        Permission::RecordReplies,
        Permission::Approve,
        Permission::SignOff,
        Permission::ViewSummary,
        Permission::RevealMyNumber,
        Permission::Import,
        Permission::ManageUsers,
        Permission::Settings,
        Permission::ReadAudit,
        Permission::Backup,
        Permission::Purge,
    ];

    /// What the user reads when refused.
    pub fn label_ja(self) -> &'static str {
        match self {
            Permission::Review => "不一致の点検",
            Permission::Decide => "判断の登録",
            Permission::PrintLetters => "通知文の印刷",
            Permission::RecordReplies => "回答の記録",
            Permission::Approve => "承認・差し戻し",
            Permission::SignOff => "解除依頼・件数報告の決裁",
            Permission::ManageUsers => "利用者の管理",
            Permission::Import => "突合結果ファイルの取り込み",
            Permission::Settings => "設定の変更",
            Permission::Purge => "データの消去",
            Permission::Backup => "バックアップ・復元",
            Permission::ReadAudit => "操作記録の確認",
            Permission::ViewSummary => "件数の確認",
            Permission::RevealMyNumber => "個人番号の表示",
        }
    }
}

/// Checks a new password against the policy; `old` is the current one where known.
pub fn check_password(
    policy: &Policy,
    login: &str,
    new: &str,
    old: Option<&str>,
) -> Result<(), String> {
    let n = new.chars().count();
    if n < policy.min_password_len {
        return Err(format!(
            "パスワードは {} 文字以上にしてください（{} 文字でした）",
            policy.min_password_len, n
        ));
    }
    if !login.is_empty() && new.to_lowercase().contains(&login.to_lowercase()) {
        return Err("パスワードに利用者名を含めないでください".into());
    }
    if old == Some(new) {
        return Err("新しいパスワードは今のパスワードと違うものにしてください".into());
    }
    if new.chars().collect::<std::collections::HashSet<_>>().len() < 4 {
        return Err("同じ文字の繰り返しのようなパスワードは使えません".into());
    }
    Ok(())
}

/// Why the four-eyes rule refuses an approval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FourEyes {
    /// The approver is not a supervisor (an administrator alone is not one).
    NotASupervisor,
    /// Some of the decisions are the approver's own.
    OwnDecisions,
}

/// The four-eyes rule for approving a batch: the approver must be a supervisor (an
/// administrator alone is not), and none of the batch's decisions may be the approver's own.
pub fn check_approval(
    approver_id: i64,
    approver_roles: Roles,
    decided_by: &[i64],
) -> Result<(), FourEyes> {
    if !approver_roles.allow(Permission::Approve) {
        return Err(FourEyes::NotASupervisor);
    }
    if decided_by.contains(&approver_id) {
        return Err(FourEyes::OwnDecisions);
    }
    Ok(())
}

/// Checks a login name: 1 to 32 characters, letters, digits, `.`, `_`, `-`.
pub fn check_login(login: &str) -> Result<(), String> {
    let ok = !login.is_empty()
        && login.chars().count() <= 32
        && login
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(())
    } else {
        Err("利用者名は半角英数字と . _ - で 32 文字までにしてください".into())
    }
}

impl fmt::Display for Roles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label_ja())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rights_follow_the_roles() {
        let clerk = Roles::of(&[Role::Clerk]);
        let sup = Roles::of(&[Role::Supervisor]);
        let admin = Roles::of(&[Role::Administrator]);
        assert!(clerk.allow(Permission::Decide));
        assert!(!clerk.allow(Permission::Approve));
        assert!(!clerk.allow(Permission::Import));
        assert!(sup.allow(Permission::Decide) && sup.allow(Permission::Approve));
        assert!(admin.allow(Permission::Import) && admin.allow(Permission::ManageUsers));
        assert!(!admin.allow(Permission::Approve));
        assert!(!admin.allow(Permission::Review));
        for r in [clerk, sup, admin] {
            assert!(!r.allow(Permission::RevealMyNumber));
        }
    }

    #[test]
    fn password_policy() {
        let p = Policy::default();
        assert!(check_password(&p, "tanaka", "short", None).is_err());
        assert!(check_password(&p, "tanaka", "aaaaaaaaaaaaaaaa", None).is_err());
        assert!(check_password(&p, "tanaka", "my-tanaka-password", None).is_err());
        assert!(check_password(&p, "tanaka", "correct horse battery", None).is_ok());
        assert!(
            check_password(
                &p,
                "tanaka",
                "correct horse battery",
                Some("correct horse battery")
            )
            .is_err()
        );
        // Length counts characters, not bytes: Japanese passphrases are welcome.
        assert!(check_password(&p, "tanaka", "突合結果のレビューは丁寧に行う", None).is_ok());
    }

    #[test]
    fn logins() {
        assert!(check_login("tanaka.k").is_ok());
        assert!(check_login("").is_err());
        assert!(check_login("田中").is_err());
        assert!(check_login("a b").is_err());
    }
}
