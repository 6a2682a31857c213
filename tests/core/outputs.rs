//! Outputs (issue 16 §6), each test doing what the insider did: writing an export over the key
//! slots, reaching the store through `..` or a symbolic link, a card symbol that names a path;
//! and what every output must be: owner-only, and letters noted as sent only once written.

use std::path::Path;

use crate::common::*;
use totsugo_core::auth::Role;
use totsugo_core::review::{Choice, Decision, LetterType};
use totsugo_core::session::{Session, SessionError};

fn keyslots(dir: &Path) -> Vec<u8> {
    std::fs::read(dir.join("keyslots.json")).unwrap()
}

#[test]
fn an_audit_export_over_the_key_slots_is_refused_and_the_store_still_opens() {
    let root = tempdir();
    let dir = root.path().join("store");
    let admin = open(&dir);
    let before = keyslots(&dir);
    // Today this destroyed the store for good, recovery included.
    let err = admin
        .export_audit(None, None, &dir.join("keyslots.json"))
        .unwrap_err();
    assert!(matches!(err, SessionError::Output(_)), "{err}");
    assert!(err.to_string().contains("保管場所"), "{err}");
    // Not the store file either, nor a new file in the folder.
    assert!(
        admin
            .export_audit(None, None, &dir.join("totsugo.db"))
            .is_err()
    );
    assert!(
        admin
            .export_audit(None, None, &dir.join("new.csv"))
            .is_err()
    );
    assert!(!dir.join("new.csv").exists());
    drop(admin);
    assert_eq!(keyslots(&dir), before);
    Session::login(&dir, ADMIN, PASSWORD).expect("the store still opens");
}

#[test]
fn a_path_into_the_store_through_dotdot_or_a_symbolic_link_is_refused() {
    let root = tempdir();
    let dir = root.path().join("store");
    let admin = open(&dir);
    let before = keyslots(&dir);
    let out = root.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    // ../store/keyslots.json from a folder beside it.
    let via_dotdot = out.join("..").join("store").join("keyslots.json");
    assert!(matches!(
        admin.export_audit(None, None, &via_dotdot),
        Err(SessionError::Output(_))
    ));
    #[cfg(unix)]
    {
        // A link to the store's folder, and a file link to the slot file.
        std::os::unix::fs::symlink(&dir, root.path().join("innocent")).unwrap();
        let via_dir_link = root.path().join("innocent").join("keyslots.json");
        assert!(matches!(
            admin.export_audit(None, None, &via_dir_link),
            Err(SessionError::Output(_))
        ));
        std::os::unix::fs::symlink(dir.join("keyslots.json"), out.join("audit.csv")).unwrap();
        assert!(matches!(
            admin.export_audit(None, None, &out.join("audit.csv")),
            Err(SessionError::Output(_))
        ));
    }
    drop(admin);
    assert_eq!(keyslots(&dir), before);
    Session::login(&dir, ADMIN, PASSWORD).expect("the store still opens");
}

#[cfg(unix)]
#[test]
fn outputs_are_readable_by_their_owner_only_and_leave_no_temporary_file() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempdir();
    let dir = root.path().join("store");
    let admin = open(&dir);
    let out = root.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    // Even over a file that was readable by everyone.
    std::fs::write(out.join("audit.csv"), b"old").unwrap();
    std::fs::set_permissions(
        out.join("audit.csv"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    admin
        .export_audit(None, None, &out.join("audit.csv"))
        .unwrap();
    let mode = std::fs::metadata(out.join("audit.csv"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["audit.csv".to_string()], "no .part left");
}

#[test]
fn a_card_symbol_that_names_a_path_gives_a_safe_file_name() {
    let root = tempdir();
    let rows = vec![
        Row::birth_mismatch(1).set("被保険者証等記号", "..\\..\\x"),
        Row::birth_mismatch(2).set("被保険者証等記号", "CON"),
    ];
    let path = write_bytes(
        root.path(),
        "m.csv",
        csv_text(&default_headers(), &rows).as_bytes(),
    );
    let store = root.path().join("store");
    let mut admin = open(&store);
    let report = import(&mut admin, &path).unwrap();
    set_letterhead(&admin);
    let ids = admin.store().record_ids(report.import_id).unwrap();
    add_person(&store, "clerk1", "担当 花子", Role::Clerk, false);
    let clerk = Session::login(&store, "clerk1", PERSON_PW).unwrap();
    let forms = root.path().join("a").join("b").join("forms");
    std::fs::create_dir_all(&forms).unwrap();
    for id in &ids {
        clerk
            .decide(*id, Choice::new(Decision::WrongNumber), "", false)
            .unwrap();
        let files = clerk.write_wrong_number_forms(*id, &forms).unwrap();
        for f in &files {
            assert_eq!(f.parent(), Some(forms.as_path()), "{f:?}");
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                !name.contains(['\\', '/']) && !name.contains(".."),
                "{name}"
            );
            // The card is only part of the name (a device name such as CON can only be a
            // whole name: the form's title comes first).
            assert!(
                name.starts_with("連絡票")
                    || name.starts_with("事実関係")
                    || name.starts_with("報告様式")
                    || name.starts_with("類似事案"),
                "{name}"
            );
            assert!(f.exists(), "{f:?}");
        }
    }
    // Nothing landed two folders up.
    let up: Vec<_> = std::fs::read_dir(root.path().join("a"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(up, vec![std::ffi::OsString::from("b")]);
}

#[test]
fn letters_whose_pdf_cannot_be_written_are_not_noted_as_sent() {
    let root = tempdir();
    let rows = vec![Row::birth_mismatch(1)];
    let path = write_bytes(
        root.path(),
        "m.csv",
        csv_text(&default_headers(), &rows).as_bytes(),
    );
    let store = root.path().join("store");
    let mut admin = open(&store);
    let report = import(&mut admin, &path).unwrap();
    set_letterhead(&admin);
    let ids = admin.store().record_ids(report.import_id).unwrap();
    add_person(&store, "clerk1", "担当 花子", Role::Clerk, false);
    let clerk = Session::login(&store, "clerk1", PERSON_PW).unwrap();
    clerk
        .decide(ids[0], Choice::letter(LetterType::A), "", false)
        .unwrap();
    let issued = totsugo_core::record::Date::from_ymd(2023, 12, 1).unwrap();
    // Into the store's folder: refused, and the letter is not noted as sent.
    assert!(
        clerk
            .print_letters(&ids, None, issued, &store.join("letters.pdf"), false)
            .is_err()
    );
    // Into a folder that does not exist: the same.
    assert!(
        clerk
            .print_letters(
                &ids,
                None,
                issued,
                &root.path().join("no/such/l.pdf"),
                false
            )
            .is_err()
    );
    assert!(clerk.store().letters_of(ids[0]).unwrap().is_empty());
    // Written: noted.
    let out = root.path().join("l.pdf");
    assert_eq!(
        clerk
            .print_letters(&ids, None, issued, &out, false)
            .unwrap(),
        1
    );
    assert_eq!(clerk.store().letters_of(ids[0]).unwrap().len(), 1);
}
