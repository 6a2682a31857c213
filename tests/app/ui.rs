//! The app, driven through egui_kittest with a real store: first run, login, failed login,
//! lockout, idle lock, user creation with Japanese input, the forced password change.
#![cfg(feature = "gui")]

use crate::common;

use std::path::Path;
use std::time::Duration;

use common::*;
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use totsugo_app::{App, Screen};
use totsugo_core::session::Session;

pub(crate) fn app(dir: &Path) -> Harness<'static, App> {
    app_sized(dir, [1200.0, 900.0])
}

/// The app in a window of `size` (points).
pub(crate) fn app_sized(dir: &Path, size: [f32; 2]) -> Harness<'static, App> {
    let dir = dir.to_path_buf();
    Harness::builder()
        .with_size(size)
        .build_eframe(move |cc| App::new(cc, dir))
}

pub(crate) fn type_into(h: &mut Harness<'_, App>, role: Role, label: &str, text: &str) {
    h.get_by_role_and_label(role, label).focus();
    h.run();
    h.get_by_role_and_label(role, label).type_text(text);
    h.run();
}

pub(crate) fn click(h: &mut Harness<'_, App>, label: &str) {
    h.get_by_role_and_label(Role::Button, label).click();
    settle(h);
}

/// Steps the app until its background work (list pages, password checks) has arrived.
pub(crate) fn settle(h: &mut Harness<'_, App>) {
    let start = std::time::Instant::now();
    h.step();
    while h.state().busy() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "background work never ended"
        );
        std::thread::sleep(Duration::from_millis(5));
        h.step();
    }
    h.run();
}

pub(crate) fn log_in(h: &mut Harness<'_, App>, login: &str, password: &str) {
    type_into(h, Role::TextInput, "利用者名", login);
    type_into(h, Role::PasswordInput, "パスワード", password);
    click(h, "ログイン");
}

/// The app on the store in `dir`, once its start-up work is done, logged in as `login`.
pub(crate) fn logged_in(dir: &Path, login: &str, password: &str) -> Harness<'static, App> {
    let mut h = app(dir);
    settle(&mut h);
    log_in(&mut h, login, password);
    h
}

pub(crate) fn has_text(h: &Harness<'_, App>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

#[test]
fn first_run_guides_through_insurer_administrator_recovery_key_and_demo_data() {
    let dir = tempdir();
    let mut h = app(dir.path());
    h.run();
    // Step 1: the insurer. The name is required; a malformed postal code is refused.
    assert_eq!(h.state().screen, Screen::SetupInsurer);
    click(&mut h, "次へ");
    assert_eq!(h.state().screen, Screen::SetupInsurer);
    assert!(has_text(&h, "保険者名を入力してください"));
    type_into(&mut h, Role::TextInput, "保険者名", "架空健康保険組合");
    type_into(&mut h, Role::TextInput, "郵便番号", "100-01");
    click(&mut h, "次へ");
    assert!(has_text(&h, "123-4567 の形"));
    type_into(&mut h, Role::TextInput, "郵便番号", "23");
    type_into(
        &mut h,
        Role::TextInput,
        "所在地",
        "東京都千代田区千代田一丁目１番１号",
    );
    // The kind of insurer is required: it decides the letters' wording, item 3 and the
    // wrong-number route.
    click(&mut h, "次へ");
    assert!(has_text(&h, "保険者の種別を選んでください"));
    h.get_by_label("保険者の種別").click();
    h.run();
    h.get_by_role_and_label(Role::Button, "健康保険組合")
        .click();
    h.run();
    click(&mut h, "次へ");
    // Step 2: the first administrator (and back to step 1 keeps what was typed).
    assert_eq!(h.state().screen, Screen::Setup);
    click(&mut h, "戻る");
    assert_eq!(h.state().screen, Screen::SetupInsurer);
    let kept = h.state().setup.letterhead.clone();
    assert_eq!(kept.insurer_name, "架空健康保険組合");
    click(&mut h, "次へ");
    type_into(&mut h, Role::TextInput, "利用者名", ADMIN);
    type_into(&mut h, Role::TextInput, "氏名", "管理 太郎");
    type_into(&mut h, Role::PasswordInput, "パスワード", PASSWORD);
    type_into(&mut h, Role::PasswordInput, "パスワード（確認）", PASSWORD);
    click(&mut h, "管理者を作成");
    let Screen::RecoveryKey(key) = h.state().screen.clone() else {
        panic!("no recovery key screen: {:?}", h.state().message);
    };
    assert!(has_text(&h, &key));
    // The key is shown once: the header offers no way off this screen.
    assert!(
        h.query_by_role_and_label(Role::Button, "ホーム").is_none(),
        "no navigation on the recovery key screen"
    );
    // The sheet to print, saved where the administrator chooses (and remembered for a purge).
    // Outputs go outside the store's folder (issue 16 §6).
    let elsewhere = tempdir();
    let chosen = elsewhere.path().join("復旧キーの用紙.pdf");
    h.state_mut()
        .set_picker(Box::new(totsugo_app::FixedPicker(vec![chosen.clone()])));
    click(&mut h, "印刷用の用紙（PDF）を保存");
    let (is_error, msg) = h.state().message.clone().expect("a message");
    assert!(!is_error, "{msg}");
    let path = msg
        .split("用紙を ")
        .nth(1)
        .and_then(|r| r.split(" に保存しました").next())
        .expect("the path is shown")
        .to_string();
    let text: String = pdftotext(Path::new(&path)).split_whitespace().collect();
    assert!(text.contains(&key), "{text}");
    assert_eq!(std::path::Path::new(&path), chosen.as_path());
    std::fs::remove_file(&path).unwrap();
    // "Next" only once the key is noted.
    click(&mut h, "次へ");
    assert!(matches!(h.state().screen, Screen::RecoveryKey(_)));
    h.get_by_label("復旧キーを書き留めて保管しました").click();
    settle(&mut h);
    click(&mut h, "次へ");
    // The key works.
    let k = totsugo_core::vault::RecoveryKey::parse(&key);
    assert!(
        totsugo_core::vault::Vault::load(dir.path())
            .unwrap()
            .unwrap_recovery(&k)
            .is_ok()
    );
    // The insurer's details are the letter settings now (postal code tidied).
    let l = h.state().session.as_ref().unwrap().letter_settings();
    assert_eq!(l.insurer_name, "架空健康保険組合");
    assert_eq!(l.postal_code, "100-0123");
    assert!(l.missing_ja().contains(&"電話番号"));
    assert_eq!(
        l.kind,
        Some(totsugo_core::insurer::InsurerKind::KenpoKumiai)
    );
    assert!(!l.missing_ja().contains(&"保険者の種別"));
    // Step 4: practice with the demo data, imported like a real file.
    assert_eq!(h.state().screen, Screen::FirstData);
    click(&mut h, "デモデータで練習する");
    assert_eq!(h.state().screen, Screen::Import);
    wait_for_import(&mut h);
    let outcome = h.state().importer.outcome.clone().expect("import ended");
    assert_eq!(outcome.expect("demo imported").counts.rows, 2000);
    assert!(
        h.state().importer.file.is_none(),
        "the removed temporary demo file is not offered again"
    );
    click(&mut h, "ホーム");
    assert_eq!(h.state().screen, Screen::Home);
    assert!(has_text(&h, "ようこそ、管理 太郎 さん"));
    assert!(has_text(&h, "2,000"));
    // The demo file was written to a folder of its own and removed after the import.
    let demo_dir = std::env::temp_dir().join(format!("totsugo-demo-{}", std::process::id()));
    assert!(!demo_dir.exists());
}

#[test]
fn login_shows_home_and_a_wrong_password_shows_an_error_then_locks() {
    let dir = tempdir();
    let mut s = open(dir.path());
    import(&mut s, &demo_file()).unwrap();
    drop(s);
    let mut h = app(dir.path());
    settle(&mut h);
    assert_eq!(h.state().screen, Screen::Login);
    log_in(&mut h, ADMIN, "this is not it");
    assert_eq!(h.state().screen, Screen::Login);
    assert!(has_text(&h, "利用者名またはパスワードが違います"));
    // The password field was cleared; four more failures lock the account.
    for _ in 0..4 {
        type_into(&mut h, Role::PasswordInput, "パスワード", "this is not it");
        click(&mut h, "ログイン");
    }
    assert!(
        has_text(&h, "ロックされています"),
        "{:?}",
        h.state().message
    );
    type_into(&mut h, Role::PasswordInput, "パスワード", PASSWORD);
    click(&mut h, "ログイン");
    assert_eq!(h.state().screen, Screen::Login);

    // Another store, a good login: home with the counts.
    let dir2 = tempdir();
    let mut s = open(dir2.path());
    import(&mut s, &demo_file()).unwrap();
    drop(s);
    let h = logged_in(dir2.path(), ADMIN, PASSWORD);
    assert_eq!(h.state().screen, Screen::Home);
    assert!(has_text(&h, "不一致（総合判定×）"));
    assert!(has_text(&h, "突合結果ファイルの取り込み"));
}

#[test]
fn the_idle_lock_hides_the_screen_and_returns_to_it() {
    let dir = tempdir();
    let mut s = open(dir.path());
    import(&mut s, &demo_file()).unwrap();
    drop(s);
    let mut h = logged_in(dir.path(), ADMIN, PASSWORD);
    click(&mut h, "利用者の管理");
    assert_eq!(h.state().screen, Screen::Users);
    type_into(&mut h, Role::TextInput, "新しい利用者の氏名", "書きかけ");
    assert!(has_text(&h, "利用者を追加"));

    h.state_mut().pretend_idle(Duration::from_secs(5 * 60 + 1));
    settle(&mut h);
    assert!(h.state().locked);
    assert!(has_text(&h, "画面をロックしました"));
    // Nothing of the work shows: no user list, no form, no counts.
    assert!(!has_text(&h, "利用者を追加"));
    assert!(h.query_all_by_value("書きかけ").next().is_none());
    assert!(!has_text(&h, "個人番号"));
    assert!(
        h.query_by_role_and_label(Role::Button, "利用者の管理")
            .is_none()
    );

    type_into(
        &mut h,
        Role::PasswordInput,
        "パスワード",
        "wrong password!!",
    );
    click(&mut h, "ロック解除");
    assert!(h.state().locked);
    assert!(has_text(&h, "パスワードが違います"));
    type_into(&mut h, Role::PasswordInput, "パスワード", PASSWORD);
    click(&mut h, "ロック解除");
    assert!(!h.state().locked);
    // Back where we were, with what was typed.
    assert_eq!(h.state().screen, Screen::Users);
    assert_eq!(h.state().users.new_name, "書きかけ");
}

#[test]
fn an_administrator_creates_a_user_with_a_japanese_name_who_must_change_the_password() {
    let dir = tempdir();
    drop(open(dir.path()));
    let mut h = logged_in(dir.path(), ADMIN, PASSWORD);
    click(&mut h, "利用者の管理");
    type_into(&mut h, Role::TextInput, "新しい利用者名", "takahashi");
    // The name arrives through the input method: preedit, then commit.
    h.get_by_role_and_label(Role::TextInput, "新しい利用者の氏名")
        .focus();
    settle(&mut h);
    h.event(egui::Event::Ime(egui::ImeEvent::Preedit {
        text: "たかはし".into(),
        active_range_chars: None,
    }));
    settle(&mut h);
    h.event(egui::Event::Ime(egui::ImeEvent::Commit(
        "髙橋　花子".into(),
    )));
    settle(&mut h);
    assert_eq!(h.state().users.new_name, "髙橋　花子");
    type_into(
        &mut h,
        Role::PasswordInput,
        "仮パスワード",
        "temporary password 1",
    );
    h.get_by_label("責任者").click();
    settle(&mut h);
    click(&mut h, "利用者を追加");
    assert!(
        has_text(&h, "利用者「takahashi」を作成しました"),
        "{:?}",
        h.state().message
    );
    assert!(has_text(&h, "髙橋　花子"));
    assert!(has_text(&h, "担当者・責任者"));
    click(&mut h, "ログアウト");
    assert_eq!(h.state().screen, Screen::Login);

    // The new user logs in and must change the temporary password first.
    log_in(&mut h, "takahashi", "temporary password 1");
    assert!(h.state().account.dialog);
    assert!(has_text(&h, "パスワードを変更してください"));
    assert!(h.query_by_role_and_label(Role::Button, "閉じる").is_none());
    type_into(
        &mut h,
        Role::PasswordInput,
        "今のパスワード",
        "temporary password 1",
    );
    type_into(
        &mut h,
        Role::PasswordInput,
        "新しいパスワード",
        "hanako's passphrase",
    );
    type_into(
        &mut h,
        Role::PasswordInput,
        "新しいパスワード（確認）",
        "hanako's passphrase",
    );
    click(&mut h, "変更する");
    assert!(!h.state().account.dialog, "{:?}", h.state().message);
    assert!(has_text(&h, "ようこそ、髙橋　花子 さん"));
    assert!(Session::login(dir.path(), "takahashi", "hanako's passphrase").is_ok());
}

/// A clerk of the store in `dir`; returns their password.
/// A store with the demo file imported; its record ids.
pub(crate) fn demo_store(dir: &Path) -> Vec<i64> {
    let mut admin = open(dir);
    let r = import(&mut admin, &demo_file()).unwrap();
    admin.store().record_ids(r.import_id).unwrap()
}

/// Adds the supervisor 責任 一郎; logs in with [`PERSON_PW`].
pub(crate) fn supervisor(dir: &Path, login: &str) {
    add_person(
        dir,
        login,
        "責任 一郎",
        totsugo_core::auth::Role::Supervisor,
        false,
    );
}

/// The first `n` mismatches in scope (qualified at the match date), in work order, as `s`
/// lists them.
pub(crate) fn in_scope(s: &Session, n: usize) -> Vec<totsugo_core::store::MismatchRow> {
    s.store()
        .page_mismatches(
            &totsugo_core::store::MismatchFilter {
                lost: Some(false),
                ..Default::default()
            },
            None,
            n,
        )
        .unwrap()
}

pub(crate) fn clerk(dir: &Path, login: &str) -> &'static str {
    add_person(
        dir,
        login,
        "担当 花子",
        totsugo_core::auth::Role::Clerk,
        false,
    );
    PERSON_PW
}

#[test]
fn a_clerk_filters_to_case_1_reviews_side_by_side_and_decides_with_the_keyboard() {
    use totsugo_core::record::StopCase;
    use totsugo_core::review::ReviewState;
    let dir = tempdir();
    demo_store(dir.path());
    let pw = clerk(dir.path(), "clerk1");
    let mut h = logged_in(dir.path(), "clerk1", pw);
    click(&mut h, "不一致の一覧");
    assert_eq!(h.state().screen, Screen::Mismatches);
    assert_eq!(h.state().desk.rows.len(), 47, "the demo file's mismatches");

    // Filter to ①: the people who cannot use their card come first.
    h.get_by_label("閲覧停止区分").click();
    settle(&mut h);
    h.get_by_role_and_label(Role::Button, "①").click();
    settle(&mut h);
    let rows = h.state().desk.rows.clone();
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(|r| r.class.case == StopCase::Case1));

    // Open the first one: both sides, the verdicts and the reasons.
    let first = rows
        .iter()
        .find(|r| {
            r.analysis.is_some_and(|a| {
                a.field(totsugo_core::record::Item::BirthDate)
                    == totsugo_core::compare::FieldVerdict::Differs
            })
        })
        .expect("a ① row whose birth date differs")
        .clone();
    let label = format!(
        "{}・{}-{}",
        first.card_symbol, first.card_number, first.branch
    );
    click(&mut h, &label);
    assert_eq!(h.state().screen, Screen::Review);
    let open = h.state().desk.open.as_ref().unwrap();
    let (ins, reg) = (
        open.reviewed.record.insurer.kana_name.clone(),
        open.reviewed.record.registry.kana_name.clone(),
    );
    assert!(has_text(&h, "加入者情報（保険者）"));
    assert!(has_text(&h, "住民基本台帳（J-LIS）"));
    assert!(has_text(&h, &ins) && has_text(&h, &reg));
    assert!(
        has_text(&h, "が異なる"),
        "a reason for the birth date is shown"
    );
    assert!(has_text(&h, "********"), "the My Number is masked");
    // Birth dates as a clerk reads them, with the era year, under the stored digits that the
    // highlight marks (issue 13 §12).
    let birth =
        totsugo_core::letters::date_with_era(open.reviewed.record.insurer.birth_date.unwrap());
    assert!(birth.contains("日（") && birth.ends_with("年）"), "{birth}");
    assert!(has_text(&h, &birth), "{birth}");

    // "1" (same person by visual check) against a differing birth date asks for confirmation.
    h.key_press(egui::Key::Num1);
    settle(&mut h);
    assert!(h.state().desk.confirm.is_some());
    assert!(has_text(&h, "この判断は確認が必要です"));
    // The memo is ready to type into, and Escape closes the dialog (issue 13 §9).
    assert!(
        h.ctx.memory(|m| m.focused().is_some()),
        "the reason field has the focus"
    );
    h.key_press(egui::Key::Escape);
    settle(&mut h);
    assert!(h.state().desk.confirm.is_none());

    // "7": write to the person, letter A (birth date differs): no contradiction.
    h.key_press(egui::Key::Num7);
    settle(&mut h);
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(!is_error, "{msg}");
    assert!(msg.contains("通知文A"), "{msg}");
    assert_eq!(
        h.state().desk.open.as_ref().unwrap().review.state,
        ReviewState::Decided
    );
    // The list shows it waiting for approval.
    click(&mut h, "← 一覧へ戻る");
    let row = h
        .state()
        .desk
        .rows
        .iter()
        .find(|r| r.id == first.id)
        .unwrap()
        .clone();
    assert_eq!(row.state, ReviewState::Decided);
    assert!(has_text(&h, "承認待ち"));
    // issue 13: the list filtered to 未判断 no longer shows a record decided since, and the
    // name opens a record as the card number does.
    h.get_by_role_and_label(Role::ComboBox, "状態").click();
    settle(&mut h);
    h.get_by_role_and_label(Role::Button, ReviewState::Undecided.label_ja())
        .click();
    settle(&mut h);
    let undecided = h.state().desk.rows.clone();
    assert!(undecided.iter().all(|r| r.state == ReviewState::Undecided));
    let next = undecided
        .iter()
        .find(|r| {
            r.analysis.is_some_and(|a| {
                a.field(totsugo_core::record::Item::BirthDate)
                    == totsugo_core::compare::FieldVerdict::Differs
            })
        })
        .expect("another ① row")
        .clone();
    h.get_by_label(&next.kana_name).click();
    settle(&mut h);
    assert_eq!(h.state().screen, Screen::Review);
    assert_eq!(h.state().desk.open.as_ref().unwrap().id, next.id);
    h.key_press(egui::Key::Num7);
    settle(&mut h);
    click(&mut h, "← 一覧へ戻る");
    assert!(
        !h.state().desk.rows.iter().any(|r| r.id == next.id),
        "the decided record left the 未判断 list"
    );
    // Home counts them.
    click(&mut h, "ホーム");
    assert_eq!(h.state().review_counts(), Some([39, 2, 0, 0]));
}

#[test]
fn a_supervisor_approves_a_clerks_batch_never_their_own_and_sends_one_back() {
    use totsugo_core::review::{Choice, Decision, ReviewState};
    let dir = tempdir();
    let ids = demo_store(dir.path());
    let pw = clerk(dir.path(), "clerk1");
    supervisor(dir.path(), "boss");
    // Three notation-only mismatches: the clerk decides two, the supervisor one.
    let notation: Vec<i64> = {
        let s = Session::login(dir.path(), "clerk1", pw).unwrap();
        let rows = s
            .store()
            .page_mismatches(
                &totsugo_core::store::MismatchFilter {
                    suggestion: Some(totsugo_core::compare::Suggestion::NotationOnly),
                    lost: Some(false),
                    ..Default::default()
                },
                None,
                4,
            )
            .unwrap();
        let v: Vec<i64> = rows.iter().map(|r| r.id).collect();
        for id in [v[0], v[1], v[3]].iter() {
            s.decide(*id, Choice::new(Decision::SameByVisualCheck), "", false)
                .unwrap();
        }
        v
    };
    assert!(ids.contains(&notation[0]));
    Session::login(dir.path(), "boss", pw)
        .unwrap()
        .decide(
            notation[2],
            Choice::new(Decision::SameByVisualCheck),
            "",
            false,
        )
        .unwrap();

    let mut h = logged_in(dir.path(), "boss", pw);
    click(&mut h, "承認");
    assert_eq!(h.state().screen, Screen::Batches);
    let batches = h.state().desk.batches.clone();
    assert_eq!(batches.len(), 1, "only the clerk's decisions");
    assert_eq!(
        batches[0].record_ids,
        vec![notation[0], notation[1], notation[3]]
    );

    // issue 13: ↑/↓ move through the batch with the selected record side by side below;
    // the second is sent back with a reason from there.
    assert!(
        !has_text(&h, "住民基本台帳（J-LIS）"),
        "nothing selected yet"
    );
    h.key_press(egui::Key::ArrowDown);
    settle(&mut h);
    assert_eq!(h.state().desk.approval_selected, Some(notation[0]));
    h.key_press(egui::Key::ArrowDown);
    settle(&mut h);
    h.key_press(egui::Key::ArrowDown);
    settle(&mut h);
    h.key_press(egui::Key::ArrowUp);
    settle(&mut h);
    assert_eq!(h.state().desk.approval_selected, Some(notation[1]));
    // The side-by-side view of that record: its insurer-side kana name in the grid.
    let kana = h
        .state()
        .desk
        .approval_preview
        .as_ref()
        .map(|(id, r)| (*id, r.record.insurer.kana_name.clone()))
        .unwrap();
    assert_eq!(kana.0, notation[1]);
    assert!(has_text(&h, "住民基本台帳（J-LIS）"));
    assert!(
        h.query_all_by_label(&kana.1).count() >= 2,
        "the kana name in the table and in the side-by-side view"
    );
    type_into(
        &mut h,
        Role::TextInput,
        "差し戻しの理由",
        "住所の方書を確認してください",
    );
    click(&mut h, "この記録を差し戻す");
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(!is_error, "{msg}");
    assert_eq!(
        h.state().desk.approval_selected,
        Some(notation[3]),
        "the selection moves on to the next line"
    );
    assert_eq!(h.state().desk.batches[0].record_ids.len(), 2);

    click(&mut h, "承認");
    // issue 13: a supervisor judges by each line (the decision, the name, the suggestion) and
    // confirms before anything is approved.
    let line = h
        .state()
        .desk
        .approval_lines
        .get(&notation[0])
        .cloned()
        .unwrap();
    assert_eq!(line.decision, "目検で同一人物と判断");
    assert!(has_text(&h, &line.kana_name));
    assert!(has_text(&h, "目検で同一人物と判断"));
    click(&mut h, "すべて外す");
    assert!(
        h.get_by_role_and_label(Role::Button, "0 件を承認…")
            .accesskit_node()
            .is_disabled()
    );
    click(&mut h, "すべて含める");
    click(&mut h, "2 件を承認…");
    assert!(has_text(&h, "の判断 2 件を承認します。"));
    click(&mut h, "やめる");
    assert_eq!(h.state().desk.batches.len(), 1, "nothing approved yet");
    click(&mut h, "2 件を承認…");
    click(&mut h, "承認する");
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(!is_error, "{msg}");
    assert!(h.state().desk.batches.is_empty());

    let s = Session::login(dir.path(), "clerk1", pw).unwrap();
    let state = |id| s.record_review(id).unwrap().unwrap().0;
    assert_eq!(state(notation[0]).state, ReviewState::Approved);
    assert_eq!(state(notation[1]).state, ReviewState::SentBack);
    assert_eq!(
        state(notation[1]).sent_back.as_deref(),
        Some("住所の方書を確認してください")
    );
    assert_eq!(
        state(notation[2]).state,
        ReviewState::Decided,
        "the supervisor's own"
    );
}

/// Steps the app until the running import has ended (at most a minute).
fn wait_for_import(h: &mut Harness<'_, App>) {
    let start = std::time::Instant::now();
    while h.state().importing() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "import never ended"
        );
        std::thread::sleep(Duration::from_millis(20));
        h.step();
    }
    settle(h);
}

#[test]
fn an_administrator_imports_in_the_app_sees_the_errors_of_a_bad_file_and_can_cancel() {
    use totsugo_app::FixedPicker;
    let dir = tempdir();
    let store_dir = dir.path().join("store");
    drop(open(&store_dir));
    // A file whose second data row has too few columns (a bad value would be a row warning:
    // only what makes the file unreadable refuses it).
    let mut text = csv_text(&default_headers(), &[Row::matching(1)]);
    text.push_str("1,2,3\r\n");
    let bad = write_cp932(dir.path(), "bad.csv", &text);
    let big = sample_file(dir.path(), "big.csv", 300_000, 5);
    let good = dir.path().join("demo.csv");
    std::fs::copy(demo_file(), &good).unwrap();

    let mut h = app(&store_dir);
    h.state_mut()
        .set_picker(Box::new(FixedPicker(vec![bad, big, good])));
    settle(&mut h);
    log_in(&mut h, ADMIN, PASSWORD);
    click(&mut h, "取り込み");
    assert_eq!(h.state().screen, Screen::Import);

    // The bad file: refused, with the row's line and column, nothing stored.
    click(&mut h, "ファイルを選ぶ");
    let detected = h.state().importer.detected.clone().unwrap();
    assert!(detected.contains("CP932"), "{detected}");
    click(&mut h, "取り込む");
    wait_for_import(&mut h);
    let outcome = h.state().importer.outcome.clone().unwrap();
    let err = outcome.expect_err("refused");
    assert!(err.contains("3行目") && err.contains("列の数"), "{err}");
    assert!(has_text(&h, "列の数が違います"));
    let count = |h: &Harness<'_, App>| {
        h.state()
            .session
            .as_ref()
            .unwrap()
            .store()
            .record_count()
            .unwrap()
    };
    assert_eq!(count(&h), 0);

    // A big file, cancelled while it runs: the store stays as it was.
    click(&mut h, "ファイルを選ぶ");
    click(&mut h, "取り込む");
    assert!(h.state().importing());
    assert!(has_text(&h, "取り込み中"));
    click(&mut h, "中止");
    wait_for_import(&mut h);
    let err = h.state().importer.outcome.clone().unwrap().err().unwrap();
    assert!(err.contains("中止しました"), "{err}");
    assert_eq!(count(&h), 0);

    // The demo file: imported, with its summary.
    click(&mut h, "ファイルを選ぶ");
    click(&mut h, "取り込む");
    wait_for_import(&mut h);
    let report = h.state().importer.outcome.clone().unwrap().unwrap();
    assert_eq!(report.counts.mismatches, 47);
    assert!(has_text(&h, "取り込みました"));
    assert_eq!(count(&h), 2000);
}

#[test]
fn the_review_screen_links_the_related_row_reveals_the_number_with_the_right_and_shows_the_trail() {
    let dir = tempdir();
    let (target, related) = {
        let mut admin = open(dir.path());
        import(&mut admin, &demo_file()).unwrap();
        add_person(
            dir.path(),
            "clerk2",
            "担当 次郎",
            totsugo_core::auth::Role::Clerk,
            true,
        );
        // The demo's family-member row names another subscriber's row.
        let rows = admin
            .store()
            .page_mismatches(
                &totsugo_core::store::MismatchFilter {
                    with_warnings: true,
                    ..Default::default()
                },
                None,
                100,
            )
            .unwrap();
        let target = rows
            .iter()
            .find(|r| {
                r.warnings
                    .has(totsugo_core::classify::WarningKind::RegistryIsOtherSubscriber)
            })
            .unwrap()
            .clone();
        let related = admin.store().alarms(target.id).unwrap()[0].related_id;
        (target, related)
    };
    let pw = PERSON_PW;
    let mut h = logged_in(dir.path(), "clerk2", pw);
    click(&mut h, "不一致の一覧");
    click(
        &mut h,
        &format!(
            "{}・{}-{}",
            target.card_symbol, target.card_number, target.branch
        ),
    );
    assert!(has_text(&h, "別の加入者"));
    assert!(has_text(&h, "記録の閲覧"), "the audit trail of the record");
    // The full number: only on request, and the request is audited.
    let masked = h
        .state()
        .desk
        .open
        .as_ref()
        .unwrap()
        .reviewed
        .record
        .my_number
        .clone();
    assert!(masked.starts_with("********"));
    click(&mut h, "個人番号を表示（記録されます）");
    let shown = h
        .state()
        .desk
        .open
        .as_ref()
        .unwrap()
        .revealed
        .clone()
        .unwrap();
    assert_eq!(shown.len(), 12);
    assert_eq!(&shown[8..], &masked[8..]);
    let last = h
        .state()
        .session
        .as_ref()
        .unwrap()
        .store()
        .audit_entries(None, None)
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(last.action, "reveal_my_number");
    // The related row opens from the alarm.
    let row = h.state().desk.open.as_ref().unwrap().related[0].0;
    click(&mut h, &format!("データ {row} 行目を開く"));
    assert_eq!(h.state().desk.open.as_ref().unwrap().id, related);
}

#[test]
fn next_after_the_next_undecided_moves_on_in_work_order() {
    let dir = tempdir();
    demo_store(dir.path());
    let pw = clerk(dir.path(), "clerk1");
    let mut h = logged_in(dir.path(), "clerk1", pw);
    click(&mut h, "次の未判断を開く（① から）");
    let first = h.state().desk.open.as_ref().unwrap().id;
    h.key_press(egui::Key::N);
    settle(&mut h);
    let second = h.state().desk.open.as_ref().unwrap().id;
    assert_ne!(first, second, "N opens the next record, not the same one");
    let rows = &h.state().desk.rows;
    let at = |id| rows.iter().position(|r| r.id == id).unwrap();
    assert_eq!(at(second), at(first) + 1);
}

#[test]
fn a_memo_typed_through_the_input_method_never_triggers_a_decision_key() {
    use totsugo_core::review::ReviewState;
    let dir = tempdir();
    demo_store(dir.path());
    let pw = clerk(dir.path(), "clerk1");
    let mut h = logged_in(dir.path(), "clerk1", pw);
    click(&mut h, "次の未判断を開く（① から）");
    // M focuses the memo; digits typed there (and a composition) are text, not decisions.
    h.key_press(egui::Key::M);
    settle(&mut h);
    h.event(egui::Event::Ime(egui::ImeEvent::Preedit {
        text: "まどぐち".into(),
        active_range_chars: None,
    }));
    settle(&mut h);
    h.key_press(egui::Key::Num1);
    settle(&mut h);
    h.event(egui::Event::Ime(egui::ImeEvent::Commit(
        "窓口で保険証を確認".into(),
    )));
    settle(&mut h);
    h.key_press(egui::Key::Num7);
    settle(&mut h);
    let open = h.state().desk.open.as_ref().unwrap();
    assert_eq!(
        open.review.state,
        ReviewState::Undecided,
        "no decision while typing"
    );
    assert!(h.state().desk.confirm.is_none());
    assert!(
        h.state().desk.memo.contains("窓口で保険証を確認"),
        "{}",
        h.state().desk.memo
    );
    // Esc leaves the memo; 7 then decides, with the memo.
    h.key_press(egui::Key::Escape);
    settle(&mut h);
    h.key_press(egui::Key::Num7);
    settle(&mut h);
    let open = h.state().desk.open.as_ref().unwrap();
    assert_eq!(open.review.state, ReviewState::Decided);
    assert!(
        open.review
            .decision
            .as_ref()
            .unwrap()
            .memo
            .contains("窓口で保険証を確認")
    );
}

#[test]
fn a_supervisor_shares_out_case_1_and_the_clerk_starts_on_their_share() {
    use totsugo_core::record::StopCase;
    let dir = tempdir();
    demo_store(dir.path());
    let pw = clerk(dir.path(), "clerk1");
    supervisor(dir.path(), "boss");
    let mut h = logged_in(dir.path(), "boss", pw);
    click(&mut h, "不一致の一覧");
    // Filter to ①, choose the clerk, three of them.
    h.get_by_label("閲覧停止区分").click();
    settle(&mut h);
    h.get_by_role_and_label(Role::Button, "①").click();
    settle(&mut h);
    h.get_by_label("割り当て先").click();
    settle(&mut h);
    h.get_by_role_and_label(Role::Button, "担当 花子").click();
    settle(&mut h);
    type_into(
        &mut h,
        Role::TextInput,
        "件数（空欄はこの条件のすべて）",
        "3",
    );
    click(&mut h, "この条件の未完了を割り当てる");
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(!is_error, "{msg}");
    assert!(msg.contains("3 件を担当 花子 さんに"), "{msg}");
    let rows = h.state().desk.rows.clone();
    let assigned: Vec<i64> = rows
        .iter()
        .filter(|r| r.assignee.as_ref().is_some_and(|(_, n)| n == "担当 花子"))
        .map(|r| r.id)
        .collect();
    assert_eq!(assigned.len(), 3, "the first three ① rows");
    assert_eq!(
        assigned,
        rows.iter().take(3).map(|r| r.id).collect::<Vec<_>>()
    );
    assert!(rows.iter().all(|r| r.class.case == StopCase::Case1));
    assert!(has_text(&h, "担当 花子"), "the 担当 column shows the name");
    click(&mut h, "ログアウト");

    // The clerk's "next undecided" opens their own share first, in work order.
    log_in(&mut h, "clerk1", pw);
    click(&mut h, "次の未判断を開く（① から）");
    assert_eq!(h.state().screen, Screen::Review);
    assert_eq!(h.state().desk.open.as_ref().unwrap().id, assigned[0]);
    // Clerks see no share-out controls.
    click(&mut h, "← 一覧へ戻る");
    assert!(!has_text(&h, "この条件の未完了を割り当てる"));
}

#[test]
fn an_administrator_edits_the_release_schedule_and_home_shows_the_next_cutoff() {
    let dir = tempdir();
    drop(open(dir.path()));
    // A tall window: the settings screen is long, and only what is on screen can be clicked.
    let store = dir.path().to_path_buf();
    let mut h = Harness::builder()
        .with_size([1200.0, 2400.0])
        .build_eframe(move |cc| App::new(cc, store));
    settle(&mut h);
    log_in(&mut h, ADMIN, PASSWORD);
    click(&mut h, "利用者の管理");
    // A line out of order is refused with its line number; nothing is saved.
    h.get_by_label("締切の一覧").focus();
    settle(&mut h);
    h.state_mut().settings.release_schedule = Some("2099-01-10\n2099-01-03".into());
    click(&mut h, "締切を保存");
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(is_error && msg.contains("2行目"), "{msg}");
    h.state_mut().settings.release_schedule = Some("2099-01-03 15:00\n2099-01-10".into());
    click(&mut h, "締切を保存");
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(!is_error, "{msg}");
    // The release list carries the My Number only when the operator's format asks.
    h.get_by_label("解除依頼の一覧に個人番号を載せる（実施機関の様式が求める場合だけ）")
        .click();
    settle(&mut h);
    click(&mut h, "様式を保存");
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(!is_error, "{msg}");
    assert!(
        Session::login(dir.path(), ADMIN, PASSWORD)
            .unwrap()
            .release_format()
            .with_my_number
    );
    // The letters' sender and contact, and a deadline typed wrongly then rightly.
    if let Some(l) = h.state_mut().settings.letters.as_mut() {
        l.insurer_name = "テスト健康保険組合".into();
    }
    h.state_mut().settings.letters_deadline = "2099/1/31".into();
    click(&mut h, "通知文の設定を保存");
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(
        is_error && msg.contains("回答期限"),
        "a bad date is refused: {msg}"
    );
    h.state_mut().settings.letters_deadline = "2099-01-31".into();
    click(&mut h, "通知文の設定を保存");
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(!is_error, "{msg}");
    let saved = Session::login(dir.path(), ADMIN, PASSWORD)
        .unwrap()
        .letter_settings();
    assert_eq!(saved.insurer_name, "テスト健康保険組合");
    assert_eq!(
        saved.reply_deadline.map(|d| d.iso()).as_deref(),
        Some("2099-01-31")
    );
    click(&mut h, "ホーム");
    assert!(has_text(&h, "2099"), "home shows the next cut-off");
    assert_eq!(
        Session::login(dir.path(), ADMIN, PASSWORD)
            .unwrap()
            .release_schedule()
            .next_after(
                chrono::NaiveDate::from_ymd_opt(2099, 1, 4)
                    .unwrap()
                    .and_hms_opt(0, 0, 0)
                    .unwrap()
            )
            .map(|t| t.to_string()),
        Some("2099-01-10".to_string())
    );
}

#[test]
fn a_clerk_checks_the_last_four_digits_records_the_reply_and_the_report_counts_it() {
    use totsugo_core::review::{Choice, LetterType};
    let dir = tempdir();
    demo_store(dir.path());
    set_letterhead(&open(dir.path()));
    let pw = clerk(dir.path(), "clerk1");
    // Decided and printed outside the app (letter printing comes with the letters screen).
    let (id, last4) = {
        let s = Session::login(dir.path(), "clerk1", pw).unwrap();
        let row = in_scope(&s, 1).remove(0);
        s.decide(
            row.id,
            Choice::letter(LetterType::B),
            "本人に確認する",
            true,
        )
        .unwrap();
        s.record_letters_printed(&[(row.id, LetterType::B)], "2099-01-31", false)
            .unwrap();
        let n = s.store().record(row.id).unwrap().unwrap().my_number;
        (row.id, n[8..].to_string())
    };
    let mut h = logged_in(dir.path(), "clerk1", pw);
    h.state_mut().apply(totsugo_app::Action::Desk(
        totsugo_app::DeskAction::OpenRecord(id),
    ));
    settle(&mut h);
    assert!(has_text(&h, "通知文Bを"), "the letter printed is shown");
    // A wrong guess shows only 不一致; the right digits 一致. The digits are not echoed back.
    let wrong = if last4 == "0000" { "1111" } else { "0000" };
    type_into(&mut h, Role::TextInput, "回答書の下4桁", wrong);
    click(&mut h, "照合");
    assert_eq!(h.state().desk.digits_match, Some(false));
    assert!(has_text(&h, "不一致"));
    h.state_mut().desk.digits.clear();
    type_into(&mut h, Role::TextInput, "回答書の下4桁", &last4);
    click(&mut h, "照合");
    assert_eq!(h.state().desk.digits_match, Some(true));
    click(&mut h, "結果: 個人番号の誤りなし");
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(!is_error, "{msg}");
    assert!(has_text(&h, "登録済み: 個人番号の誤りなし"));
    assert!(has_text(&h, "下4桁: 一致"));
    // The count report counts it (every current decision: not approved yet).
    click(&mut h, "件数の報告");
    h.get_by_label("承認済の判断だけを数える（報告用）").click();
    settle(&mut h);
    let r = h.state().report.shown.clone().unwrap();
    assert_eq!(r.get("4"), 1);
    assert_eq!(r.get("4-2"), 1);
    assert_eq!(r.get("4-6"), 1);
    // Item 1: the demo's 47 mismatches less the 6 lost before the match date (「突合時点で加入資格」).
    assert_eq!(r.get("1"), 41);
    assert_eq!(r.out_of_scope, 6);
    // The screen says why a record counts where it does, and what it leaves out.
    assert!(has_text(&h, "判断と設問の対応"));
    assert!(has_text(&h, "本人へ文書送付（通知文B）"));
    assert!(has_text(
        &h,
        "突合基準日以前に資格を喪失している不一致（点検の対象外）: 6 件"
    ));
    // The help says where the notices are silent and what totsugo chose.
    click(&mut h, "ヘルプ");
    assert_eq!(h.state().screen, Screen::Help);
    assert!(has_text(&h, "J-LIS照会での確認"));
    assert!(has_text(&h, "totsugo の選択"));
    click(&mut h, "件数の報告");
    // Saved as CSV where the user chose.
    // Outputs go outside the store's folder (issue 16 §6).
    let elsewhere = tempdir();
    let out = elsewhere.path().join("報告.csv");
    h.state_mut()
        .set_picker(Box::new(totsugo_app::FixedPicker(vec![out.clone()])));
    click(&mut h, "CSV で保存");
    let text = String::from_utf8(std::fs::read(&out).unwrap()).unwrap();
    assert!(text.contains("4-6,"), "{text}");
    // Home shows the report live too.
    click(&mut h, "ホーム");
    assert!(has_text(&h, "4 文書送付 1"), "the count report on home");
}

#[test]
fn a_supervisor_makes_a_release_request_and_writes_its_files_where_they_choose() {
    use totsugo_core::review::{Choice, Decision};
    let dir = tempdir();
    demo_store(dir.path());
    let pw = clerk(dir.path(), "clerk1");
    supervisor(dir.path(), "boss");
    // Two stopped records confirmed by the clerk and approved.
    let ids: Vec<i64> = {
        let s = Session::login(dir.path(), "clerk1", pw).unwrap();
        let rows = s
            .store()
            .page_mismatches(
                &totsugo_core::store::MismatchFilter {
                    lost: Some(false),
                    case: Some(totsugo_core::record::StopCase::Case2),
                    ..Default::default()
                },
                None,
                2,
            )
            .unwrap();
        for r in &rows {
            s.decide(
                r.id,
                Choice::new(Decision::SameByDocuments),
                "届出書で確認",
                true,
            )
            .unwrap();
        }
        rows.iter().map(|r| r.id).collect()
    };
    assert_eq!(ids.len(), 2);
    Session::login(dir.path(), "boss", pw)
        .unwrap()
        .approve(&ids)
        .unwrap();
    let mut h = logged_in(dir.path(), "boss", pw);
    click(&mut h, "解除依頼");
    assert_eq!(h.state().release.ready.len(), 2);
    click(&mut h, "この 2 件で解除依頼を作成");
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(!is_error, "{msg}");
    assert!(
        h.state().release.ready.is_empty(),
        "a record goes in one request only"
    );
    let id = h.state().release.requests[0].id;
    // Outputs go outside the store's folder (issue 16 §6).
    let elsewhere = tempdir();
    let out = elsewhere.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    let typed = out.join("第1回の解除依頼");
    h.state_mut()
        .set_picker(Box::new(totsugo_app::FixedPicker(vec![typed.clone()])));
    // issue 13 §8: without the insurer's name the cover would say 「（保険者名未設定）」: the
    // screen says so, and writing is refused before the save dialog.
    assert!(has_text(&h, "注意: 保険者名が設定されていません"));
    click(&mut h, &format!("第{id}号のファイルを書き出す"));
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(is_error && msg.contains("保険者名"), "{msg}");
    assert!(!typed.exists(), "nothing written, no dialog asked");
    set_letterhead(&open(dir.path()));
    click(&mut h, "ホーム");
    click(&mut h, "解除依頼");
    assert!(!has_text(&h, "注意: 保険者名"));
    click(&mut h, &format!("第{id}号のファイルを書き出す"));
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(!is_error, "{msg}");
    // The name typed in the dialog is the folder the files go in.
    let mut names: Vec<String> = std::fs::read_dir(&typed)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(names.iter().any(|n| n.ends_with(".xlsx")));
    assert!(names.iter().any(|n| n.ends_with("_送付書.pdf")));
    let cover = pdftotext(&typed.join(names.iter().find(|n| n.ends_with(".pdf")).unwrap()));
    assert!(cover.contains("架空健康保険組合"), "{cover}");
    assert!(!cover.contains("未設定"), "{cover}");
}

#[test]
fn a_clerk_prints_the_waiting_letters_into_one_pdf_and_home_counts_them() {
    use totsugo_core::review::{Choice, LetterType};
    let dir = tempdir();
    demo_store(dir.path());
    set_letterhead(&open(dir.path()));
    let pw = clerk(dir.path(), "clerk1");
    {
        let s = Session::login(dir.path(), "clerk1", pw).unwrap();
        let rows = in_scope(&s, 2);
        for (r, t) in rows.iter().zip([LetterType::A, LetterType::B]) {
            s.decide(r.id, Choice::letter(t), "本人に確認する", true)
                .unwrap();
        }
    }
    let mut h = logged_in(dir.path(), "clerk1", pw);
    click(&mut h, "通知文");
    assert_eq!(h.state().letters.waiting.len(), 2);
    assert!(has_text(&h, "印刷を待つ通知文: 2 通（A 1　B 1）"));
    assert_eq!(
        h.state().letters.postal.len(),
        2,
        "each letter's postal code is shown"
    );
    // The clerk corrects one postal code (full-width, as typed through the input method).
    let first = h.state().letters.waiting[0].0;
    type_into(
        &mut h,
        Role::TextInput,
        &format!("記録 {first} の郵便番号"),
        "１２３－４５６７",
    );
    click(&mut h, &format!("記録 {first} の郵便番号を設定"));
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(!is_error, "{msg}");
    let p = h
        .state()
        .letters
        .postal
        .iter()
        .find(|p| p.record_id == first)
        .unwrap()
        .clone();
    assert_eq!(p.code.as_deref(), Some("1234567"));
    assert_eq!(p.source, "担当者が確認");
    // The clerk leaves the second letter out of this print.
    let (second, t2, card2) = h.state().letters.waiting[1].clone();
    h.get_by_role_and_label(Role::CheckBox, &format!("通知文{}　{card2}", t2.key()))
        .click();
    settle(&mut h);
    assert!(
        h.state().letters.left_out.contains(&second),
        "left out: {:?}",
        h.state().letters.left_out
    );
    // Outputs go outside the store's folder (issue 16 §6).
    let elsewhere = tempdir();
    let out = elsewhere.path().join("通知文.pdf");
    let reprint = elsewhere.path().join("再印刷.pdf");
    let rest = elsewhere.path().join("残り.pdf");
    h.state_mut()
        .set_picker(Box::new(totsugo_app::FixedPicker(vec![
            out.clone(),
            reprint.clone(),
            rest.clone(),
        ])));
    h.get_by_role_and_label(Role::Button, "1 通を印刷用 PDF に保存")
        .click();
    h.step();
    // The letters are made off the UI thread: the session is in the job until it ends.
    assert!(h.state().work.is_some(), "printing runs as a job");
    assert!(h.state().session.is_none());
    settle(&mut h);
    assert!(h.state().work.is_none() && h.state().session.is_some());
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(!is_error, "{msg}");
    assert_eq!(h.state().letters.waiting.len(), 1);
    assert_eq!(
        h.state().letters.waiting[0].0,
        second,
        "the one left out still waits"
    );
    // A reprint from the review screen is possible and noted as a reprint.
    h.state_mut().apply(totsugo_app::Action::Desk(
        totsugo_app::DeskAction::OpenRecord(first),
    ));
    settle(&mut h);
    click(&mut h, "通知文を再印刷");
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(!is_error, "{msg}");
    assert!(reprint.exists());
    assert!(has_text(&h, "（再印刷）"));
    // The rest.
    click(&mut h, "通知文");
    h.get_by_role_and_label(Role::CheckBox, &format!("通知文{}　{card2}", t2.key()))
        .click();
    settle(&mut h);
    click(&mut h, "1 通を印刷用 PDF に保存");
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(!is_error, "{msg}");
    assert!(h.state().letters.waiting.is_empty());
    let pdf = std::fs::read(&out).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    assert!(
        pdftotext(&out).contains("123-4567"),
        "the corrected postal code is printed"
    );
    click(&mut h, "ホーム");
    assert!(has_text(&h, "通知文を送付: 2 件（返事待ち 2 件）"));
}

#[test]
fn an_administrator_purges_from_the_app_after_the_deletion_record_is_saved() {
    let dir = tempdir();
    let store = dir.path().join("store");
    demo_store(&store);
    // Tall enough that the settings screen's last section is on screen.
    let mut h = app_sized(&store, [1200.0, 2400.0]);
    h.run();
    log_in(&mut h, ADMIN, PASSWORD);
    click(&mut h, "利用者の管理");
    click(&mut h, "保管データの消去へ…");
    assert_eq!(h.state().screen, Screen::Purge);
    assert!(has_text(&h, "突合結果 2,000 行"));
    // Only with the word typed twice.
    type_into(&mut h, Role::TextInput, "確認の言葉「消去」", "消去");
    type_into(&mut h, Role::TextInput, "もう一度「消去」", "消し");
    assert!(
        h.get_by_role_and_label(Role::Button, "消去記録の保存先を選んで消去する")
            .accesskit_node()
            .is_disabled()
    );
    h.state_mut().purge.confirm[1] = "消去".into();
    let record = dir.path().join("消去記録.pdf");
    h.state_mut()
        .set_picker(Box::new(totsugo_app::FixedPicker(vec![record.clone()])));
    click(&mut h, "消去記録の保存先を選んで消去する");
    // The record first, then nothing left; the app is back at its first run.
    let (is_error, msg) = h.state().message.clone().expect("a message");
    assert!(!is_error, "{msg}");
    assert!(
        msg.contains("消去しました") && msg.contains("消去記録.pdf"),
        "{msg}"
    );
    assert_eq!(h.state().screen, Screen::SetupInsurer);
    assert!(h.state().session.is_none());
    let text = pdftotext(&record);
    assert!(
        text.contains("消去記録") && text.contains("2,000"),
        "{text}"
    );
    assert!(!store.join("totsugo.db").exists());
    assert!(!store.join("keyslots.json").exists());
}

#[test]
fn a_store_made_before_the_kind_of_insurer_asks_its_administrator_once() {
    // A store set up without the kind (as before the setting existed): the administrator is
    // asked at login; a clerk is not.
    let dir = tempdir();
    let (s, _) = Session::init(dir.path(), ADMIN, "管理 太郎", PASSWORD).unwrap();
    drop(s);
    let mut h = logged_in(dir.path(), ADMIN, PASSWORD);
    assert_eq!(h.state().screen, Screen::ChooseKind);
    click(&mut h, "種別を保存");
    assert_eq!(h.state().screen, Screen::ChooseKind, "nothing chosen yet");
    h.get_by_label("保険者の種別").click();
    h.run();
    h.get_by_role_and_label(Role::Button, "市町村国保").click();
    h.run();
    click(&mut h, "種別を保存");
    assert_eq!(h.state().screen, Screen::Home, "{:?}", h.state().message);
    let s = Session::login(dir.path(), ADMIN, PASSWORD).unwrap();
    assert_eq!(
        s.insurer_kind(),
        Some(totsugo_core::insurer::InsurerKind::ShichosonKokuho)
    );
    // 市町村国保 has no employer to ask: decision 6 is not offered.
    assert!(
        !s.decisions()
            .contains(&totsugo_core::review::Decision::AskEmployer)
    );
    drop(s);
    // Asked once: the next login goes home.
    let h = logged_in(dir.path(), ADMIN, PASSWORD);
    assert_eq!(h.state().screen, Screen::Home);
}

#[test]
fn an_administrator_edits_a_letter_text_with_a_live_preview_and_saves_it() {
    let dir = tempdir();
    set_letterhead(&open(dir.path()));
    // A tall window: the settings screen is long, and only what is on screen can be clicked.
    let store = dir.path().to_path_buf();
    let mut h = Harness::builder()
        .with_size([1200.0, 2400.0])
        .build_eframe(move |cc| App::new(cc, store));
    settle(&mut h);
    log_in(&mut h, ADMIN, PASSWORD);
    click(&mut h, "利用者の管理");
    click(&mut h, "通知文の文面を編集");
    assert_eq!(h.state().screen, Screen::LetterText);
    // The preview is the real page: the sample person, the letterhead, the default words.
    let preview = h.state().letter_text.preview.text();
    assert!(preview.contains("見本　花子"), "{preview}");
    assert!(preview.contains("架空健康保険組合"));
    assert!(preview.contains("個人番号（マイナンバー）のご提出のお願い"));
    assert!(preview.contains("マイナンバーカードによる受診はできません"));
    assert!(h.query_by_label("通知文の見本").is_some());
    // Typing changes the preview.
    type_into(
        &mut h,
        Role::MultilineTextInput,
        "通知文の文面（1行目は件名）",
        "【改訂版】",
    );
    assert!(h.state().letter_text.draft().contains("【改訂版】"));
    assert!(
        h.state().letter_text.preview.text().contains("【改訂版】"),
        "the preview follows the text"
    );
    assert!(has_text(&h, "まだ保存していません"));
    // The other stop: the preview says the card can be used.
    h.get_by_role_and_label(Role::Button, "②③ 医療情報のみの閲覧停止")
        .click();
    settle(&mut h);
    assert!(
        h.state()
            .letter_text
            .preview
            .text()
            .contains("マイナンバーカードによる受診は可能")
    );
    click(&mut h, "保存");
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(!is_error, "{msg}");
    let saved = Session::login(dir.path(), ADMIN, PASSWORD)
        .unwrap()
        .letter_texts()
        .unwrap();
    assert!(saved[0].version.is_some());
    assert!(saved[0].text.contains("【改訂版】"));
    // An unknown placeholder: the editor says which, and saving is refused.
    type_into(
        &mut h,
        Role::MultilineTextInput,
        "通知文の文面（1行目は件名）",
        "{なに}",
    );
    let problem = h.state().letter_text.preview.problem.clone().unwrap();
    assert!(problem.contains("「{なに}」"), "{problem}");
    click(&mut h, "保存");
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(is_error && msg.contains("「{なに}」"), "{msg}");
    // A placeholder button inserts its token.
    click(&mut h, "{回答期限}");
    assert!(h.state().letter_text.draft().contains("{回答期限}"));
    // Back to the default.
    click(&mut h, "既定の文面に戻す");
    let (is_error, msg) = h.state().message.clone().unwrap();
    assert!(!is_error, "{msg}");
    let screen = &h.state().letter_text;
    assert_eq!(screen.draft(), screen.current[0].default_text);
    assert!(!screen.preview.text().contains("【改訂版】"));
    // Type B is the other tab.
    h.get_by_role_and_label(Role::Button, "通知文B（個人番号の確認のお願い）")
        .click();
    settle(&mut h);
    assert!(h.state().letter_text.preview.text().contains("変更届"));
    click(&mut h, "設定に戻る");
    assert_eq!(h.state().screen, Screen::Users);
}

#[test]
fn the_letter_text_editor_fits_the_smallest_window() {
    let dir = tempdir();
    set_letterhead(&open(dir.path()));
    let mut h = app_sized(dir.path(), [900.0, 600.0]);
    settle(&mut h);
    log_in(&mut h, ADMIN, PASSWORD);
    h.state_mut().apply(totsugo_app::Action::LetterText(
        totsugo_app::LetterTextAction::Open,
    ));
    h.run();
    assert_eq!(h.state().screen, Screen::LetterText);
    assert!(h.query_by_label("通知文の文面（1行目は件名）").is_some());
    assert!(
        h.query_by_role_and_label(Role::Button, "設定に戻る")
            .is_some()
    );
}

#[test]
fn the_review_screen_shows_the_value_a_content_warning_set_aside() {
    // issue 15: a birth date that does not exist is imported with a warning; the clerk sees
    // the warning and the value as the file had it.
    let dir = tempdir();
    let row = Row::birth_mismatch(1).set("加入者情報_生年月日", "19460229");
    let file = write_cp932(
        dir.path(),
        "bad-date.csv",
        &csv_text(&default_headers(), &[row]),
    );
    {
        let mut admin = open(dir.path());
        import(&mut admin, &file).unwrap();
    }
    add_person(
        dir.path(),
        "clerk2",
        "担当 次郎",
        totsugo_core::auth::Role::Clerk,
        false,
    );
    let mut h = logged_in(dir.path(), "clerk2", PERSON_PW);
    click(&mut h, "不一致の一覧");
    click(&mut h, "123・00001001-00");
    assert!(has_text(&h, "実在しない日付"), "the warning");
    assert!(
        has_text(&h, "ファイルの値: 「19460229」"),
        "the value the file had"
    );
}
