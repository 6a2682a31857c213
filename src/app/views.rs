//! The screens. Each draws from the app's state and pushes [`Action`]s; none calls the core.

use egui::{Color32, RichText, TextEdit, Ui};

use super::{Action, App};
use totsugo_core::auth::Permission;
use totsugo_core::summary::{Counts, format_thousands};

/// A labelled single-line text field; the label is its accessible name.
pub(crate) fn field(ui: &mut Ui, label: &str, text: &mut String, password: bool) -> egui::Response {
    let l = ui.label(label);
    let r = ui.add(
        TextEdit::singleline(text)
            .password(password)
            .desired_width(320.0),
    );
    ui.end_row();
    r.labelled_by(l.id)
}

fn enter_pressed(ui: &Ui, r: &egui::Response) -> bool {
    r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
}

pub(crate) fn message(ui: &mut Ui, app: &App) {
    if let Some((is_error, m)) = &app.message {
        let color = if *is_error {
            Color32::from_rgb(0xc0, 0x20, 0x20)
        } else {
            ui.visuals().text_color()
        };
        ui.label(RichText::new(m).color(color).strong());
        ui.add_space(8.0);
    }
}

/// The header: title, who is logged in, navigation.
pub fn header(ui: &mut Ui, app: &App, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        ui.heading(super::TITLE);
        let Some(s) = &app.session else { return };
        ui.separator();
        ui.label(format!(
            "{}（{}）",
            s.user().display_name,
            s.user().roles.label_ja()
        ));
        if app.locked {
            ui.label(RichText::new("ロック中").strong());
            return;
        }
        // The recovery key is shown once: no way off its screen but its own 「次へ」.
        if matches!(app.screen, super::Screen::RecoveryKey(_)) {
            return;
        }
        ui.separator();
        if ui.button("ホーム").clicked() {
            actions.push(Action::OpenHome);
        }
        if s.may(Permission::Review) && ui.button("不一致の一覧").clicked() {
            actions.push(Action::OpenMismatches);
        }
        if s.may(Permission::Approve) && ui.button("承認").clicked() {
            actions.push(Action::OpenBatches);
        }
        if s.may(Permission::Import) && ui.button("取り込み").clicked() {
            actions.push(Action::OpenImport);
        }
        if s.may(Permission::PrintLetters) && ui.button("通知文").clicked() {
            actions.push(Action::Letters(crate::LettersAction::Open));
        }
        if s.may(Permission::Approve) && ui.button("解除依頼").clicked() {
            actions.push(Action::Release(crate::ReleaseAction::Open));
        }
        if s.may(Permission::ViewSummary) && ui.button("件数の報告").clicked() {
            actions.push(Action::Report(crate::ReportAction::Open));
        }
        if s.may(Permission::ManageUsers) && ui.button("利用者の管理").clicked() {
            actions.push(Action::OpenUsers);
        }
        if ui.button("パスワードの変更").clicked() {
            actions.push(Action::OpenPasswordDialog);
        }
        if ui.button("ログアウト").clicked() {
            actions.push(Action::Logout);
        }
    });
}

/// The steps of the first run, the current one in bold.
fn setup_steps(ui: &mut Ui, current: usize) {
    ui.heading("初期設定");
    ui.horizontal_wrapped(|ui| {
        for (i, step) in ["保険者", "最初の管理者", "復旧キー", "最初のデータ"]
            .iter()
            .enumerate()
        {
            if i > 0 {
                ui.label("›");
            }
            let text = RichText::new(format!("{} {step}", i + 1));
            ui.label(if i + 1 == current {
                text.strong().color(ui.visuals().strong_text_color())
            } else {
                text.weak()
            });
        }
    });
    ui.separator();
}

/// The letterhead items shared by the first run and the settings screen (inside a grid).
fn letterhead_fields(ui: &mut Ui, l: &mut totsugo_core::letters::LetterSettings) {
    for (label, v) in [
        ("保険者名", &mut l.insurer_name),
        ("差出人の肩書・氏名", &mut l.sender_line),
        ("郵便番号", &mut l.postal_code),
        ("所在地", &mut l.address),
        ("担当部署", &mut l.department),
        ("電話番号", &mut l.phone),
        ("受付時間", &mut l.office_hours),
    ] {
        field(ui, label, v, false);
    }
}

/// First run, step 1: the insurer's name and the letterhead of the notice letters.
pub fn setup_insurer(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    setup_steps(ui, 1);
    ui.label("totsugo へようこそ。はじめに、この端末で点検する保険者を登録します。");
    ui.label(
        "保険者名は必須です。ほかの項目は通知文の差出人と問い合わせ先になります。あとで「利用者の管理」画面で変更できます。",
    );
    ui.label(
        RichText::new(format!("保管場所: {}", app.dir.display()))
            .weak()
            .monospace(),
    );
    ui.add_space(8.0);
    message(ui, app);
    let Some(l) = app.forms.letters.as_mut() else {
        return;
    };
    egui::Grid::new("setup-insurer")
        .num_columns(2)
        .show(ui, |ui| letterhead_fields(ui, l));
    ui.add_space(8.0);
    if ui.button("次へ").clicked() {
        actions.push(Action::SetupInsurerDone);
    }
}

/// First run, step 2: the first administrator.
pub fn setup(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    setup_steps(ui, 2);
    ui.label(
        "この端末の保管場所を準備し、最初の管理者を作成します。既定のパスワードはありません。",
    );
    ui.add_space(8.0);
    message(ui, app);
    egui::Grid::new("setup").num_columns(2).show(ui, |ui| {
        field(ui, "利用者名", &mut app.forms.login, false);
        field(ui, "氏名", &mut app.forms.display_name, false);
        field(ui, "パスワード", &mut app.forms.password, true);
        field(
            ui,
            "パスワード（確認）",
            &mut app.forms.password_again,
            true,
        );
    });
    ui.label(format!(
        "パスワードは {} 文字以上。利用者名を含めないでください。",
        totsugo_core::vault::Policy::default().min_password_len
    ));
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        if ui
            .add_enabled(!app.checking_password(), egui::Button::new("戻る"))
            .clicked()
        {
            actions.push(Action::SetupBack);
        }
        if ui.button("管理者を作成").clicked() {
            actions.push(Action::Setup);
        }
        checking(ui, app, "保管場所と鍵を準備しています…");
    });
}

/// First run, step 4: practice with the demo data, import the real file, or neither yet.
pub fn first_data(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    setup_steps(ui, 4);
    ui.label("準備ができました。突合結果ファイルを取り込むと、不一致の点検を始められます。");
    ui.add_space(8.0);
    message(ui, app);
    ui.horizontal(|ui| {
        if ui.button("突合結果ファイルを取り込む").clicked() {
            actions.push(Action::OpenImport);
        }
        ui.label("実施機関から受け取った CSV を選びます。");
    });
    ui.add_space(4.0);
    ui.horizontal(|ui| {
        if ui.button("デモデータで練習する").clicked() {
            actions.push(Action::ImportDemo);
        }
        ui.label(
            "架空の 2,000 行です。本番の保管場所には取り込まないでください（件数の報告に混ざります）。",
        );
    });
    ui.add_space(4.0);
    if ui.button("あとで").clicked() {
        actions.push(Action::OpenHome);
    }
}

/// A spinner while the password is being checked (it takes a moment by design).
fn checking(ui: &mut Ui, app: &App, what: &str) {
    if app.checking_password() {
        ui.spinner();
        ui.label(what);
    }
}

/// The recovery key, shown once.
pub fn recovery_key(ui: &mut Ui, app: &mut App, key: &str, actions: &mut Vec<Action>) {
    setup_steps(ui, 3);
    ui.label(RichText::new("復旧キー").strong());
    ui.label("管理者全員がパスワードを失ったとき、この復旧キーだけが保管データを開けます。");
    ui.label(
        "この画面でしか表示しません。紙に書き写すか印刷して、鍵のかかる場所に保管してください。",
    );
    ui.add_space(12.0);
    ui.label(RichText::new(key).monospace().size(28.0).strong());
    ui.add_space(12.0);
    message(ui, app);
    if ui.button("印刷用の用紙（PDF）を保存").clicked() {
        actions.push(Action::SaveRecoverySheet);
    }
    ui.add_space(8.0);
    ui.checkbox(
        &mut app.forms.recovery_noted,
        "復旧キーを書き留めて保管しました",
    );
    if ui
        .add_enabled(app.forms.recovery_noted, egui::Button::new("次へ"))
        .clicked()
    {
        actions.push(Action::RecoveryKeyNoted);
    }
}

/// Login.
pub fn login(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    ui.heading("ログイン");
    ui.add_space(8.0);
    message(ui, app);
    let mut submit = false;
    egui::Grid::new("login").num_columns(2).show(ui, |ui| {
        let name = field(ui, "利用者名", &mut app.forms.login, false);
        let r = field(ui, "パスワード", &mut app.forms.password, true);
        submit |= enter_pressed(ui, &r);
        // Ready to type: the name field, or the password when the name is already there.
        if ui.memory(|m| m.focused().is_none()) {
            if app.forms.login.is_empty() {
                name.request_focus();
            } else {
                r.request_focus();
            }
        }
    });
    ui.add_space(8.0);
    ui.horizontal(|ui| {
        if ui.button("ログイン").clicked() || submit {
            actions.push(Action::Login);
        }
        checking(ui, app, "パスワードを確認しています…");
    });
}

/// The idle lock: nothing of the work shows.
pub fn lock_screen(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    ui.heading("画面をロックしました");
    ui.label("しばらく操作がなかったため、表示していた内容を隠しています。");
    ui.label("続けるにはパスワードを入力してください。開いていた画面はそのまま戻ります。");
    ui.add_space(8.0);
    message(ui, app);
    let mut submit = false;
    egui::Grid::new("unlock").num_columns(2).show(ui, |ui| {
        let r = field(ui, "パスワード", &mut app.forms.unlock_password, true);
        submit |= enter_pressed(ui, &r);
    });
    ui.horizontal(|ui| {
        if ui.button("ロック解除").clicked() || submit {
            actions.push(Action::UnlockScreen);
        }
        if ui.button("ログアウト").clicked() {
            actions.push(Action::Logout);
        }
        checking(ui, app, "パスワードを確認しています…");
    });
}

/// Home: counts and the user's rights.
pub fn home(ui: &mut Ui, app: &App, counts: Option<&Counts>, actions: &mut Vec<Action>) {
    let Some(s) = &app.session else { return };
    ui.heading(format!("ようこそ、{} さん", s.user().display_name));
    ui.add_space(8.0);
    message(ui, app);
    if s.may(Permission::Review) {
        ui.horizontal(|ui| {
            if ui.button("次の未判断を開く（① から）").clicked() {
                actions.push(Action::OpenNextUndecided);
            }
            if ui.button("不一致の一覧を開く").clicked() {
                actions.push(Action::OpenMismatches);
            }
        });
        ui.add_space(8.0);
    }
    if let Some(c) = counts {
        ui.label(RichText::new("保管している突合結果").strong());
        egui::Grid::new("counts")
            .num_columns(2)
            .striped(true)
            .show(ui, |ui| {
                for (label, indent, n) in c.items_ja() {
                    ui.label(format!("{}{label}", "　".repeat(indent)));
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        ui.label(RichText::new(format_thousands(n)).monospace());
                    });
                    ui.end_row();
                }
            });
        ui.add_space(12.0);
    }
    if let Some(p) = app.progress() {
        progress(ui, p);
    }
    if let Some(r) = &app.report.shown {
        egui::CollapsingHeader::new(format!(
            "確認結果（件数）の報告（{}）: 2 保険者で確認 {}　3 事業主 {}　4 文書送付 {}　5 番号の誤り {}",
            if r.approved_only { "承認済" } else { "すべての判断" },
            format_thousands(r.get("2")),
            format_thousands(r.get("3")),
            format_thousands(r.get("4")),
            format_thousands(r.get("5"))
        ))
        .id_salt("home-report")
        .show(ui, |ui| count_report_grid(ui, "home-count-report", r));
        ui.add_space(8.0);
    }
    ui.label(RichText::new("あなたの権限").strong());
    for p in Permission::ALL {
        if s.may(p) {
            ui.label(format!("・{}", p.label_ja()));
        }
    }
}

/// User administration and account rules.
pub fn users(ui: &mut Ui, app: &mut App, actions: &mut Vec<Action>) {
    ui.heading("利用者の管理");
    ui.label(RichText::new(format!("保管場所: {}", app.dir.display())).weak());
    message(ui, app);
    let me = app.session.as_ref().map(|s| s.user().id);
    egui::ScrollArea::vertical().show(ui, |ui| {
        egui::Grid::new("users")
            .num_columns(6)
            .striped(true)
            .show(ui, |ui| {
                for h in ["利用者名", "氏名", "役割", "個人番号閲覧", "状態", "操作"]
                {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for u in app.user_list() {
                    ui.label(&u.user.login);
                    ui.label(&u.user.display_name);
                    ui.label(u.user.roles.label_ja());
                    ui.label(if u.user.may_reveal_my_number {
                        "閲覧可"
                    } else {
                        "－"
                    });
                    let state = u.state_ja();
                    ui.label(if state.is_empty() {
                        "有効".to_string()
                    } else {
                        state.join("、")
                    });
                    ui.horizontal(|ui| {
                        if u.user.disabled_at.is_none() {
                            if Some(u.user.id) != me && ui.button("無効にする").clicked() {
                                actions.push(Action::DisableUser(u.user.id));
                            }
                            if ui.button("仮パスワードを設定").clicked() {
                                actions.push(Action::ResetPassword(u.user.id));
                            }
                            if u.locked_until.is_some() && ui.button("ロック解除").clicked() {
                                actions.push(Action::UnlockUser(u.user.id));
                            }
                        }
                    });
                    ui.end_row();
                }
            });
        ui.add_space(16.0);
        ui.label(RichText::new("利用者を追加").strong());
        egui::Grid::new("new-user").num_columns(2).show(ui, |ui| {
            field(ui, "新しい利用者名", &mut app.forms.new_login, false);
            field(ui, "新しい利用者の氏名", &mut app.forms.new_name, false);
            field(ui, "仮パスワード", &mut app.forms.temp_password, true);
        });
        ui.horizontal(|ui| {
            ui.checkbox(&mut app.forms.new_clerk, "担当者");
            ui.checkbox(&mut app.forms.new_supervisor, "責任者");
            ui.checkbox(&mut app.forms.new_admin, "管理者");
            ui.checkbox(&mut app.forms.new_may_reveal, "個人番号閲覧権限");
        });
        ui.label(
            "仮パスワードは「仮パスワードを設定」にも使います。利用者は初回ログインで変更します。",
        );
        if ui.button("利用者を追加").clicked() {
            actions.push(Action::AddUser);
        }
        ui.add_space(16.0);
        ui.label(RichText::new("パスワードと画面ロックの規則").strong());
        if let Some(p) = app.forms.policy.as_mut() {
            egui::Grid::new("policy").num_columns(2).show(ui, |ui| {
                number(
                    ui,
                    "パスワードの最小文字数",
                    &mut p.min_password_len,
                    8..=64,
                );
                number(ui, "ロックまでの失敗回数", &mut p.max_failures, 1..=20);
                number(ui, "ロックの時間（分）", &mut p.lockout_minutes, 1..=1440);
                number(
                    ui,
                    "パスワードの有効期限（日、0 は無期限）",
                    &mut p.password_expiry_days,
                    0..=3650,
                );
                number(
                    ui,
                    "画面ロックまでの時間（分）",
                    &mut p.idle_lock_minutes,
                    1..=120,
                );
            });
            if ui.button("規則を保存").clicked() {
                actions.push(Action::SavePolicy);
            }
        }
        ui.add_space(16.0);
        ui.label(RichText::new("閲覧停止の解除依頼の締切").strong());
        ui.label(
            "1行に1つ、古い順に（2023-12-14 または 2023-12-25 15:00）。最後の締切から毎週続くときは、最後の行に「毎週」。",
        );
        if let Some(text) = app.forms.release_schedule.as_mut() {
            let l = ui.label("締切の一覧");
            ui.add(
                egui::TextEdit::multiline(text)
                    .desired_rows(5)
                    .desired_width(320.0),
            )
            .labelled_by(l.id);
            if ui.button("締切を保存").clicked() {
                actions.push(Action::SaveReleaseSchedule);
            }
        }
        if let Some(f) = app.forms.release_format.as_mut() {
            ui.horizontal(|ui| {
                ui.checkbox(
                    &mut f.with_my_number,
                    "解除依頼の一覧に個人番号を載せる（実施機関の様式が求める場合だけ）",
                );
                if ui.button("様式を保存").clicked() {
                    actions.push(Action::SaveReleaseFormat);
                }
            });
        }
        ui.add_space(16.0);
        ui.label(RichText::new("通知文の差出人と連絡先").strong());
        if let Some(l) = app.forms.letters.as_ref() {
            let missing = l.missing_ja();
            if !missing.is_empty() {
                ui.label(
                    RichText::new(format!(
                        "未入力か見本のままの項目があります（{}）。このままでは通知文を印刷できません。",
                        missing.join("、")
                    ))
                    .color(super::desk::RED),
                );
            }
        }
        if let Some(l) = app.forms.letters.as_mut() {
            egui::Grid::new("letters").num_columns(2).show(ui, |ui| {
                letterhead_fields(ui, l);
                field(
                    ui,
                    "回答書の送付先（空欄は上の所在地）",
                    &mut l.reply_address,
                    false,
                );
                field(
                    ui,
                    "回答期限（空欄は発行日の14日後）",
                    &mut app.forms.letters_deadline,
                    false,
                );
                number(
                    ui,
                    "宛名の位置の調整 横（mm）",
                    &mut l.window_offset_x_mm,
                    -10.0..=10.0,
                );
                number(
                    ui,
                    "宛名の位置の調整 縦（mm）",
                    &mut l.window_offset_y_mm,
                    -10.0..=10.0,
                );
            });
            if ui.button("通知文の設定を保存").clicked() {
                actions.push(Action::SaveLetterSettings);
            }
        }
        if app.session.as_ref().is_some_and(|s| s.may(Permission::Purge)) {
            ui.add_space(16.0);
            ui.label(RichText::new("業務の終了").strong());
            if ui.button("保管データの消去へ…").clicked() {
                actions.push(Action::Purge(crate::PurgeAction::Open));
            }
        }
    });
}

fn number<N: egui::emath::Numeric>(
    ui: &mut Ui,
    label: &str,
    v: &mut N,
    range: std::ops::RangeInclusive<N>,
) {
    let l = ui.label(label);
    ui.add(egui::DragValue::new(v).range(range))
        .labelled_by(l.id);
    ui.end_row();
}

/// The password-change dialog (cannot be closed while a change is required).
pub fn password_dialog(ctx: &egui::Context, app: &mut App, actions: &mut Vec<Action>) {
    let forced = app
        .session
        .as_ref()
        .is_some_and(|s| s.must_change_password());
    egui::Modal::new(egui::Id::unique("password-dialog")).show(ctx, |ui| {
        ui.heading("パスワードの変更");
        if forced {
            ui.label(
                "仮パスワードのまま、または有効期限切れのため、パスワードを変更してください。",
            );
        }
        message(ui, app);
        let mut submit = false;
        egui::Grid::new("password").num_columns(2).show(ui, |ui| {
            field(ui, "今のパスワード", &mut app.forms.old_password, true);
            field(ui, "新しいパスワード", &mut app.forms.password, true);
            let r = field(
                ui,
                "新しいパスワード（確認）",
                &mut app.forms.password_again,
                true,
            );
            submit |= enter_pressed(ui, &r);
        });
        ui.horizontal(|ui| {
            if ui.button("変更する").clicked() || submit {
                actions.push(Action::ChangePassword);
            }
            if !forced && ui.button("閉じる").clicked() {
                actions.push(Action::ClosePasswordDialog);
            }
            if forced && ui.button("ログアウト").clicked() {
                actions.push(Action::Logout);
            }
        });
    });
}

/// The review's progress: states, the next release cut-off and what is ready for it, and
/// decisions per day.
fn progress(ui: &mut Ui, p: &totsugo_core::session::ReviewProgress) {
    use totsugo_core::review::ReviewState;
    ui.label(RichText::new("点検の進み具合").strong());
    egui::Grid::new("review-counts")
        .num_columns(2)
        .striped(true)
        .show(ui, |ui| {
            for st in [
                ReviewState::Undecided,
                ReviewState::Decided,
                ReviewState::SentBack,
                ReviewState::Approved,
            ] {
                ui.label(st.label_ja());
                ui.label(RichText::new(format_thousands(p.states[st as usize])).monospace());
                ui.end_row();
            }
        });
    ui.add_space(8.0);
    match p.next_cutoff {
        Some(t) => {
            ui.label(
                RichText::new(format!(
                    "次の閲覧停止解除の締切: {}",
                    totsugo_core::release::Schedule::describe(t)
                ))
                .strong(),
            );
        }
        None => {
            ui.label("次の閲覧停止解除の締切は設定されていません");
        }
    }
    ui.label(format!(
        "解除依頼の準備ができた記録（承認済・番号確認済）: ① {}　② {}　③ {}",
        p.ready[0], p.ready[1], p.ready[2]
    ));
    ui.label(format!(
        "通知文を送付: {} 件（返事待ち {} 件）　解除依頼済: {} 件",
        format_thousands(p.letters_sent),
        format_thousands(p.replies_pending),
        format_thousands(p.in_release_requests)
    ));
    if !p.per_day.is_empty() {
        ui.add_space(8.0);
        ui.label(RichText::new("日ごとの判断件数").strong());
        let bars: Vec<egui_plot::Bar> = p
            .per_day
            .iter()
            .enumerate()
            .map(|(i, (day, n))| egui_plot::Bar::new(i as f64, *n as f64).name(day))
            .collect();
        let days: Vec<String> = p.per_day.iter().map(|(d, _)| d[5..].to_string()).collect();
        egui_plot::Plot::new("per-day")
            .height(160.0)
            .allow_zoom(false)
            .allow_drag(false)
            .allow_scroll(false)
            .x_axis_formatter(move |m, _| {
                let i = m.value.round();
                if (m.value - i).abs() < 0.01 && i >= 0.0 {
                    days.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .show(ui, |plot| {
                plot.bar_chart(egui_plot::BarChart::new("判断件数", bars))
            });
    }
    ui.add_space(12.0);
}

/// The count report's items: number, wording, count.
pub(crate) fn count_report_grid(ui: &mut Ui, id: &str, r: &totsugo_core::report::CountReport) {
    egui::Grid::new(id)
        .num_columns(3)
        .striped(true)
        .show(ui, |ui| {
            for (k, label, n) in &r.lines {
                ui.label(RichText::new(*k).monospace());
                ui.label(*label);
                ui.label(RichText::new(format_thousands(*n)).monospace());
                ui.end_row();
            }
        });
}

/// The work under way with the session (printing letters, writing files): what it is, how far
/// it has come, and a stop button where it can stop cleanly.
pub fn work(ui: &mut Ui, w: &crate::SessionWork<App>, actions: &mut Vec<Action>) {
    ui.heading(&w.label);
    ui.add_space(8.0);
    match w.job.progress() {
        Some((done, total)) => {
            ui.add(
                egui::ProgressBar::new(done as f32 / total.max(1) as f32)
                    .show_percentage()
                    .desired_width(400.0),
            );
        }
        None => {
            ui.spinner();
        }
    }
    let note = w.job.note();
    if !note.is_empty() {
        ui.label(note);
    }
    ui.label(format!("経過 {} 秒", w.job.elapsed().as_secs()));
    if w.cancellable {
        ui.add_space(8.0);
        if w.job.cancelling() {
            ui.label("中止しています…");
        } else if ui.button("中止").clicked() {
            actions.push(Action::CancelWork);
        }
    }
}
