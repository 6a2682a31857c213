//! The app's help on the rules: what totsugo does where the official notices say it, and what
//! it chose where they are silent. One list, shown by the app's help screen and the CLI's
//! `totsugo rules`.

/// One rule: the topic, what totsugo does, and where it comes from (a seed's words, or "our
/// choice" where the notices are silent).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RuleNote {
    /// What it is about.
    pub topic: &'static str,
    /// What totsugo does.
    pub what: &'static str,
    /// The notice's words it follows, or why we chose it.
    pub source: &'static str,
}

/// Every rule the help shows, in the order of the work.
pub const RULES: &[RuleNote] = &[
    RuleNote {
        topic: "点検の対象",
        what: "突合基準日以前に資格を喪失している不一致は点検の対象外です。判断できず、件数の報告のどの設問にも（設問1にも）数えません。ホームと件数の報告に「対象外」として件数だけ示します。",
        source: "通知「資格喪失者については…今般の点検対象には含まれません」、設問1「突合時点で加入資格」",
    },
    RuleNote {
        topic: "設問2-1",
        what: "突合時点では資格があり、その後に資格を喪失した人を「突合後に資格喪失のため対象外」と判断します。喪失日（突合基準日より後、今日まで）を判断と一緒に記録します。ファイルの資格喪失年月日が突合基準日より後なら、その日を初めから入れておきます。",
        source: "設問2-1「現時点では資格を喪失していることから、確認の対象外」",
    },
    RuleNote {
        topic: "J-LIS照会での確認",
        what: "別途J-LIS照会で変更履歴等を確かめて同一人物と判断したときは、判断 8「J-LIS照会で変更履歴等を確認」を使います。件数の報告では設問2-3（保険者の目検や届出書等で確認）に数えます。",
        source: "通知「別途J-LIS照会を行い変更履歴等が確認できた場合…同一人物と判断して構いません」。設問の割り当ては totsugo の選択（保険者自身の確認のため 2-3）",
    },
    RuleNote {
        topic: "住基に記録がない行の通知文",
        what: "J-LIS照会結果が「該当なし」「消除」の行は、比べる住基の情報がなく、設問4-1（生年月日・性別の不一致）にも4-2（氏名等の不一致）にも当てはまりません。個人番号そのものの提出を求める通知文Aを勧め、設問4-1に数えます（存在しないかもしれない番号の下4桁では確かめられないため）。",
        source: "設問4-1「マイナンバーの提出を求めたもの」。該当なし・消除の行の扱いは totsugo の選択",
    },
    RuleNote {
        topic: "事業主への確認（設問3）",
        what: "事業主へ照会した記録は、回答（番号の誤りなし／誤り）を登録したときに設問3と3-1・3-2に数えます。回答待ちは「照会中」として別に示し、どの設問にも数えません。",
        source: "設問3「事業主で（事業主からの情報で）確認した件数」。回答待ちの扱いは totsugo の選択",
    },
    RuleNote {
        topic: "解除依頼の締切",
        what: "日付だけの締切はその日の終わりまで（12月14日までに＝14日を含む）、時刻つきの締切はその時刻までです。最後の締切のあとは、設定で「毎週」とすれば同じ曜日（と時刻）で毎週続きます。締切の一覧は管理者が設定します。",
        source: "通知「令和5年12月14日までに」「12月25日15時までに」「以降、週次で対応」。概要の頁は12月15日と書いており、一覧は設定で直せます",
    },
    RuleNote {
        topic: "解除依頼に入る記録",
        what: "実施機関が実際に閲覧を停止した記録（ファイルの閲覧停止区分 1・2）だけが解除依頼に入ります。totsugo が判定結果から求め直した区分と違っても、ファイルの区分に従います（違いは警告として示します）。ファイルに閲覧停止区分がないときだけ、求め直した区分を使います。",
        source: "突合結果ファイルの閲覧停止区分は実施機関が適用したもの。区分がないときの扱いは totsugo の選択",
    },
    RuleNote {
        topic: "保険者の種別",
        what: "初期設定（または既存の保管場所では次の管理者ログイン）で保険者の種別を選びます。種別で、番号誤りを自ら見つけたときの連絡（市町村国保は連絡票でなくデジタルPMOで、個人情報を書かずに連絡）と、報告様式（別添5）の報告先が決まります。市町村国保・広域連合は各条例に基づき公表します。",
        source: "通知「報告様式の報告先」「市町村国保は連絡票を提出する必要はありません」「※市町村国保、広域連合は、各条例に基づき公表する」",
    },
    RuleNote {
        topic: "事業主への確認がある種別",
        what: "「事業主へ確認」（設問3）は被用者保険（協会けんぽ・健保組合・共済組合・私学共済）だけにあります。市町村国保・国保組合・広域連合では選べません。",
        source: "設問3「事業主で（事業主からの情報で）確認した件数」。種別との対応は totsugo の選択",
    },
    RuleNote {
        topic: "通知文の言葉づかい",
        what: "差出人を「当協会」「当組合」「当事業団」「当広域連合」、市町村国保は保険者名の最後の字から「当市」「当町」「当村」「当区」と書きます。加入者を、共済組合は「組合員」、国保・広域連合は「被保険者」、ほかは「加入者」と書きます。「厚生労働省の要請を受け」確認していると書き、「住民票の内容と一致しない」とは書きません（比べた住基の記録は登録された番号のもので、他人のものかもしれないため）。",
        source: "totsugo の選択（通知は通知文の文面を定めていません）",
    },
    RuleNote {
        topic: "住所の表記ゆれ",
        what: "建物名が片方にだけあり、部屋番号が同じ住所は表記ゆれ（一致と判定可能）とします。部屋番号が違う、建物名が両方にあって違う、部屋番号の前が数字だけ、のときは相違です。六番町・６番町のような町名の数字は町名の一部として読みます。",
        source: "通知の例「東京都港区赤坂1-11 山田ビル2 201」と「東京都港区赤坂1-11 201」は「一致と判定可能」",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_says_what_and_where_from() {
        for r in RULES {
            assert!(!r.topic.is_empty() && !r.what.is_empty() && !r.source.is_empty());
        }
        assert!(RULES.iter().any(|r| r.source.contains("totsugo の選択")));
    }
}
