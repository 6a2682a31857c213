//! The audit trail, from the session: a record's trail, the chain's verification and the
//! export.

use std::path::Path;

use crate::audit::{self, AuditAction, ChainBreak};
use crate::auth::Permission;

use super::*;

impl Session {
    /// Who viewed, decided, approved, sent back or revealed what on a record, from the audit
    /// trail, oldest first: (time, login, what).
    pub fn record_trail(
        &self,
        record_id: i64,
    ) -> Result<Vec<(String, String, String)>, SessionError> {
        self.require(Permission::Review)?;
        Ok(self
            .store
            .audit_entries_for(&format!("record:{record_id}"))?
            .into_iter()
            .map(|e| {
                let what = crate::audit::AuditAction::from_key(&e.action)
                    .map(|a| a.label_ja().to_string())
                    .unwrap_or(e.action);
                (e.at, e.user_login, what)
            })
            .collect())
    }

    /// Recomputes the audit chain: the number of entries, or where it first breaks.
    pub fn verify_audit(&self) -> Result<Result<u64, ChainBreak>, SessionError> {
        self.require(Permission::ReadAudit)?;
        Ok(audit::verify_chain(self.store.audit_entries(None, None)?))
    }

    /// Writes the audit entries between two dates (`YYYY-MM-DD`, both included) as CSV
    /// (UTF-8 with BOM, for Excel) for the monthly review; audited. Returns the count.
    pub fn export_audit(
        &self,
        from: Option<&str>,
        to: Option<&str>,
        out: &Path,
    ) -> Result<u64, SessionError> {
        self.require(Permission::ReadAudit)?;
        let entries = self.store.audit_entries(from, to)?;
        let names: std::collections::HashMap<i64, String> = self
            .store
            .users()?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect();
        let rows = entries
            .iter()
            .map(|e| {
                let action = AuditAction::from_key(&e.action)
                    .map(|a| a.label_ja().to_string())
                    .unwrap_or_else(|| e.action.clone());
                let name = e
                    .user_id
                    .and_then(|id| names.get(&id).cloned())
                    .unwrap_or_default();
                vec![
                    e.id.to_string(),
                    e.at.clone(),
                    e.user_login.clone(),
                    name,
                    action,
                    e.target.clone(),
                    e.detail.clone(),
                    e.hash.clone(),
                ]
            })
            .collect();
        let table = crate::outputs::Table {
            headers: [
                "番号",
                "日時",
                "利用者名",
                "氏名",
                "操作",
                "対象",
                "内容",
                "ハッシュ",
            ]
            .iter()
            .map(|h| h.to_string())
            .collect(),
            rows,
        };
        // Cells are guarded against formula injection by the table.
        let bytes = table
            .to_csv(crate::outputs::CsvEncoding::Utf8Bom)
            .map_err(|e| output_error(out, e))?;
        self.write_output(
            out,
            &bytes,
            "audit_export",
            "audit",
            &format!(
                "操作記録 {} 件（{} ～ {}）",
                entries.len(),
                from.unwrap_or("最初"),
                to.unwrap_or("最後")
            ),
        )?;
        Ok(entries.len() as u64)
    }
}
